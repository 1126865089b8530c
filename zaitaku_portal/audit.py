"""Writing the audit log. Services call record(); nothing writes AuditEntry directly."""

from typing import Any

from django.db import models

from zaitaku_portal.models import AuditEntry


def record(
    actor,
    action: str,
    target: models.Model,
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label,
        target_id=str(target.pk),
        target_label=str(target)[:255],
        changes=changes or {},
        reason=reason,
    )


def history_of(target: models.Model):
    return AuditEntry.objects.filter(
        target_type=target._meta.label, target_id=str(target.pk)
    ).select_related("actor")
