"""Writing the audit log. Services call record(); nothing writes AuditEntry directly."""

from typing import Any

from django.db import models

from zaitaku_portal.client_address import client_ip
from zaitaku_portal.models import AuditEntry

ADDRESS = "接続元"  # the key under which every entry made for a request keeps its address


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


def address_of(request) -> str:
    """The client's address: REMOTE_ADDR, or behind our own proxies the address they were
    asked from (zaitaku_portal/client_address.py, PORTAL_TRUSTED_PROXIES)."""
    return client_ip(request)


def differences(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{label: {"from": old, "to": new}} for each value that changed, in the log's usual
    shape; a value missing from `before` (a new record) counts as None."""
    return {
        label: {"from": before.get(label), "to": value}
        for label, value in after.items()
        if before.get(label) != value
    }


def history_of(target: models.Model):
    return AuditEntry.objects.filter(
        target_type=target._meta.label, target_id=str(target.pk)
    ).select_related("actor")
