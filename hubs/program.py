"""The municipal 在宅医療・介護連携推進事業 beside a hub (seed 001): whether the hub's operator
runs it too, the municipalities it agreed with, and the items (ア〜キ) each one's program
does for the area. Work on those items is paid by the municipal program and is not eligible
for this subsidy (seed 000, last paragraph), so the hub page shows it before any report.

Staff and the hub's coordinators write it; every write locks the hub, re-checks the scope
inside the lock and is audited."""

from __future__ import annotations

from django.db import transaction

from hubs.models import Hub, MunicipalProgramAgreement
from zaitaku_portal import audit
from zaitaku_portal.access import STAFF_ROLES, Permission, role_of
from zaitaku_portal.models import Municipality, Role
from zaitaku_portal.promotion_items import PromotionItem, promotion_item_labels
from zaitaku_portal.scopes import hubs_for


class ProgramError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def can_edit_program(user, hub) -> Permission:
    role = role_of(user)
    if role not in STAFF_ROLES and role != Role.HUB_COORDINATOR:
        return Permission(False, "推進事業の記録は県職員と拠点のコーディネーターが編集します。")
    if not hubs_for(user).filter(pk=hub.pk).exists():
        return Permission(False, "この拠点の記録を編集する権限がありません。")
    return Permission(True)


def municipalities_of(hub):
    """The municipalities of the hub's areas: the ones it can have agreed with."""
    return (
        Municipality.objects.filter(home_care_areas__hubs=hub)
        .select_related("parent")
        .distinct()
        .order_by("code")
    )


def excluded_items(hub) -> list[str]:
    """Labels of the items (ア〜キ) any agreed municipality's program already does."""
    codes = set()
    for agreement in hub.program_agreements.all():
        codes.update(agreement.program_items or ())
    return promotion_item_labels(codes)


def _locked(hub, user) -> Hub:
    locked = Hub.objects.select_for_update().get(pk=hub.pk)
    permission = can_edit_program(user, locked)
    if not permission:
        raise ProgramError(permission.reason)
    return locked


def set_runs_program(user, hub, runs: bool) -> Hub:
    with transaction.atomic():
        locked = _locked(hub, user)
        if locked.runs_municipal_program != runs:
            before = locked.runs_municipal_program
            locked.runs_municipal_program = runs
            locked.save(update_fields=["runs_municipal_program"])
            audit.record(
                user,
                "推進事業の実施の変更",
                locked,
                {"運営主体が推進事業も実施": {"from": before, "to": runs}},
            )
    return locked


def _agreement_values(agreement) -> dict:
    return {
        "協議した市区町村": str(agreement.municipality),
        "協議日": agreement.agreed_on.isoformat() if agreement.agreed_on else None,
        "推進事業として実施している項目": "、".join(promotion_item_labels(agreement.program_items))
        or None,
        "備考": agreement.note or None,
    }


def save_agreement(user, hub, form) -> MunicipalProgramAgreement:
    with transaction.atomic():
        locked = _locked(hub, user)
        agreement = form.instance
        if agreement.pk and agreement.hub_id != locked.pk:
            raise ProgramError("この拠点の記録ではありません。")
        if not municipalities_of(locked).filter(pk=form.cleaned_data["municipality"].pk).exists():
            raise ProgramError("拠点の担当する在宅医療圏の市区町村を選んでください。")
        unknown = set(form.cleaned_data["program_items"]) - {i.value for i in PromotionItem}
        if unknown:
            raise ProgramError("「推進事業として実施している項目」の選択が正しくありません。")
        before = (
            _agreement_values(MunicipalProgramAgreement.objects.get(pk=agreement.pk))
            if agreement.pk
            else {}
        )
        agreement = form.save(commit=False)
        agreement.hub = locked
        agreement.recorded_by = user
        agreement.save()
        after = _agreement_values(agreement)
        audit.record(
            user,
            "市町村との協議（推進事業）の登録",
            locked,
            audit.differences(before, after) if before else after,
        )
    return agreement
