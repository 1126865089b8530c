"""Writing the audit log. Services call record(); nothing writes AuditEntry directly."""

import json
import re
from typing import Any

from django.apps import apps
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


# --- Reading the log (the admin's 監査記録 pages) ------------------------------------------

# target_type of the entries not about a model row (signals.py, middleware.py)
KIND_NAMES = {"download": "ダウンロード", "auth.login": "ログイン・ログアウト"}
# A whole number under a label with one of these words is an amount of yen.
MONEY_WORDS = ("額", "費", "円", "金", "概算払", "返還", "予算", "単価")
NOTHING = "（なし）"
# "事業計画の保存（Excel取込 file.xlsx）": entries written before the file name moved into
# the changes (subsidies.applications.services.save_plan) still count as one kind of action.
_WITH_FILE_NAME = re.compile(r"^(?P<kind>.+（Excel取込) .*）$")


def kind_name(target_type: str) -> str:
    """`subsidies.Application` → 交付申請 (the model's Japanese name)."""
    if target_type in KIND_NAMES:
        return KIND_NAMES[target_type]
    try:
        return str(apps.get_model(target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return target_type  # a model since removed: its label is all that is left


def action_kind(action: str) -> str:
    """The action as the filter lists it: an import's file name left out."""
    match = _WITH_FILE_NAME.match(action)
    return f"{match['kind']}）" if match else action


def actions_of_kind(kind: str) -> models.Q:
    """The entries `action_kind` puts under `kind`."""
    query = models.Q(action=kind)
    if kind.endswith("（Excel取込）"):
        query |= models.Q(action__startswith=kind[:-1] + " ", action__endswith="）")
    return query


def is_money(label: str) -> bool:
    return any(word in label for word in MONEY_WORDS)


def shown_value(label: str, value: Any) -> str:
    """One value of the log as an official reads it: 3598000 under 交付決定額 → 3,598,000円."""
    if value is None or value == "":
        return NOTHING
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, int):
        return f"{value:,}円" if is_money(label) else f"{value:,}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def change_rows(changes: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(label, before, after) for each entry of `changes`; a value recorded on its own (the
    address, a file name) has no "before" and shows as the "after"."""
    rows = []
    for label, value in (changes or {}).items():
        if isinstance(value, dict) and set(value) == {"from", "to"}:
            rows.append((label, shown_value(label, value["from"]), shown_value(label, value["to"])))
        else:
            rows.append((label, "", shown_value(label, value)))
    return rows
