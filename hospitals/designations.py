"""Designating active hospitals (積極的医療機関) and asking who was active when.

A designation is never deleted: ending one records the end date, who ended it and why.

内諾 (seed 002 ※1): a hospital that agreed to be positioned is recorded as TENTATIVE, with
the day of its agreement (agreed_on) and the planned start. It counts toward an area's
number of active hospitals, shown apart (hospitals/coverage.py), and is never a recipient
of money: the plan lines, the calculation and the published list read 指定中 only. It
becomes 指定中 by `confirm_tentative` (from the day given) or ends as 内諾取下げ by
`withdraw_tentative`; neither ever counts as having been active in a fiscal year."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q, QuerySet

from hospitals.models import ActiveHospitalDesignation
from hospitals.signals import designation_changed
from zaitaku_portal import audit, figures
from zaitaku_portal.wareki import fiscal_year_label, wareki_date


class DesignationError(Exception):
    pass


HELD = (
    ActiveHospitalDesignation.Status.ACTIVE,
    ActiveHospitalDesignation.Status.TENTATIVE,
)


def designate(
    institutions,
    area,
    hub,
    start_date,
    end_date,
    user,
    *,
    agreed_on: datetime.date | None = None,
) -> list:
    """Designate several institutions for one area at once: all of them, or none. With
    `agreed_on`, they are recorded as 内諾 (agreed, not yet designated) from that day."""
    institutions = list(institutions)
    if not institutions:
        raise DesignationError("指定する医療機関を1つ以上選んでください。")
    if end_date and end_date < start_date:
        raise DesignationError("指定終了日は指定開始日以降の日付にしてください。")
    if hub is not None and not hub.areas.filter(pk=area.pk).exists():
        raise DesignationError(f"拠点「{hub}」は在宅医療圏「{area}」を担当していません。")
    with transaction.atomic():
        already = set(
            ActiveHospitalDesignation.objects.select_for_update()
            .filter(area=area, status__in=HELD)
            .filter(institution__in=institutions)
            .values_list("institution__name", flat=True)
        )
        if already:
            names = "、".join(sorted(already))
            raise DesignationError(f"{names} は在宅医療圏「{area}」で既に指定中または内諾です。")
        status = (
            ActiveHospitalDesignation.Status.TENTATIVE
            if agreed_on
            else ActiveHospitalDesignation.Status.ACTIVE
        )
        created = ActiveHospitalDesignation.objects.bulk_create(
            [
                ActiveHospitalDesignation(
                    institution=institution,
                    area=area,
                    hub=hub,
                    start_date=start_date,
                    end_date=end_date,
                    designated_by=user,
                    status=status,
                    agreed_on=agreed_on,
                )
                for institution in institutions
            ]
        )
        figures.changed(figures.COVERAGE)  # bulk_create sends no post_save (figures cache)
        for designation in created:
            changes = {
                "医療機関": designation.institution.name,
                "在宅医療圏": area.name,
                "連携する拠点": hub.name if hub else "",
                "指定期間": f"{wareki_date(start_date)}〜"
                + (wareki_date(end_date) if end_date else ""),
            }
            if agreed_on:
                changes["内諾日"] = wareki_date(agreed_on)
            action = "積極的医療機関の内諾" if agreed_on else "積極的医療機関の指定"
            audit.record(user, action, designation, changes)
        if not agreed_on:  # a 内諾 plans no money: nothing for the plan lines to follow
            _changed(area, hub)
    return created


def end_designation(designation, end_date: datetime.date, reason: str, user):
    if designation.status == ActiveHospitalDesignation.Status.TENTATIVE:
        raise DesignationError("内諾は「指定中にする」か「内諾を取り下げる」で扱ってください。")
    if designation.status != ActiveHospitalDesignation.Status.ACTIVE:
        raise DesignationError("この指定は既に終了しています。")
    if end_date < designation.start_date:
        raise DesignationError("指定終了日は指定開始日以降の日付にしてください。")
    if not reason.strip():
        raise DesignationError("終了理由を入力してください。")
    with transaction.atomic():
        designation.status = ActiveHospitalDesignation.Status.ENDED
        designation.end_date = end_date
        designation.end_reason = reason.strip()
        designation.ended_by = user
        designation.save(update_fields=["status", "end_date", "end_reason", "ended_by"])
        audit.record(
            user,
            "積極的医療機関の指定終了",
            designation,
            {"指定終了日": wareki_date(end_date)},
            reason=reason.strip(),
        )
        _changed(designation.area, designation.hub)
    return designation


def _locked(designation):
    return (
        ActiveHospitalDesignation.objects.select_for_update(of=("self",))
        .select_related("institution", "area", "hub")
        .get(pk=designation.pk)
    )


def confirm_tentative(designation, start_date: datetime.date, user):
    """内諾 → 指定中 from `start_date` (the day the designation really begins)."""
    with transaction.atomic():
        locked = _locked(designation)
        if locked.status != ActiveHospitalDesignation.Status.TENTATIVE:
            raise DesignationError("内諾の状態の指定ではありません。")
        if locked.agreed_on and start_date < locked.agreed_on:
            raise DesignationError("指定開始日は内諾日以降の日付にしてください。")
        if locked.end_date and locked.end_date < start_date:
            raise DesignationError("指定開始日は指定終了日以前の日付にしてください。")
        before = wareki_date(locked.start_date)
        locked.status = ActiveHospitalDesignation.Status.ACTIVE
        locked.start_date = start_date
        locked.save(update_fields=["status", "start_date"])
        audit.record(
            user,
            "積極的医療機関の内諾から指定へ",
            locked,
            {
                "状態": {"from": "内諾", "to": "指定中"},
                "指定開始日": {"from": before, "to": wareki_date(start_date)},
            },
        )
        _changed(locked.area, locked.hub)
    return locked


def withdraw_tentative(designation, reason: str, user):
    """A 内諾 that will not become a designation (it never counted as active)."""
    if not reason.strip():
        raise DesignationError("取下げの理由を入力してください。")
    with transaction.atomic():
        locked = _locked(designation)
        if locked.status != ActiveHospitalDesignation.Status.TENTATIVE:
            raise DesignationError("内諾の状態の指定ではありません。")
        locked.status = ActiveHospitalDesignation.Status.WITHDRAWN
        locked.end_reason = reason.strip()
        locked.ended_by = user
        locked.save(update_fields=["status", "end_reason", "ended_by"])
        audit.record(
            user,
            "積極的医療機関の内諾の取下げ",
            locked,
            {"状態": {"from": "内諾", "to": "内諾取下げ"}},
            reason=reason.strip(),
        )
    return locked


def update_details(designation, other_program: str, note: str, user):
    """The note and the other-program classification (seed 002 ※2)."""
    choices = ActiveHospitalDesignation.OtherProgram
    if other_program not in choices.values:
        raise DesignationError("「他事業での登録」の選択が正しくありません。")
    with transaction.atomic():
        locked = _locked(designation)
        before = {"他事業での登録": locked.get_other_program_display(), "備考": locked.note}
        locked.other_program = other_program
        locked.note = note.strip()
        locked.save(update_fields=["other_program", "note"])
        after = {"他事業での登録": locked.get_other_program_display(), "備考": locked.note}
        changes = audit.differences(before, after)
        if changes:
            audit.record(user, "積極的医療機関の備考・他事業での登録", locked, changes)
    return locked


def _changed(area, hub) -> None:
    """Plan lines are written when a designation begins or ends, never when a page opens:
    the apps that keep them listen (hospitals/signals.py)."""
    designation_changed.send(sender=ActiveHospitalDesignation, area=area, hub=hub)


def fiscal_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)


NEVER_ACTIVE = (
    ActiveHospitalDesignation.Status.TENTATIVE,
    ActiveHospitalDesignation.Status.WITHDRAWN,
)


def active_in_fiscal_year(designations: QuerySet, year: int) -> QuerySet:
    """Designations whose period overlaps the fiscal year (April to March), ended or not;
    never a 内諾 or a withdrawn one (they were not designations)."""
    first, last = fiscal_year_bounds(year)
    designations = designations.exclude(status__in=NEVER_ACTIVE)
    return designations.filter(start_date__lte=last).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)
    )


def fiscal_year_choices(years) -> list[tuple[int, str]]:
    return [(year, fiscal_year_label(year)) for year in years]
