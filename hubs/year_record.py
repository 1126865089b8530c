"""Writers of the hub's yearly record (hubs/models/year_record.py): the year's plan and the
coordinator meetings attended. Staff and the hub's coordinators write (the same rule as the
推進事業 record, hubs/program.can_edit_program); every write locks the hub, re-checks the
scope inside the lock and is audited."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from hubs.models import CoordinatorMeetingAttendance, HubYearPlan
from hubs.program import ProgramError, _locked
from hubs.year_forms import accompanied_problems
from zaitaku_portal import audit

PLAN_FIELDS = (
    "administrators_meeting",
    "planned_trainings",
    "planned_lectures",
    "planned_hospital_meetings",
    "accompanied_visit",
    "accompanied_trainees",
    "accompanied_sites",
)


def _plan_values(plan: HubYearPlan) -> dict:
    values = {}
    for name in PLAN_FIELDS:
        field = HubYearPlan._meta.get_field(name)
        value = getattr(plan, name)
        if field.choices and value:
            value = dict(field.choices)[value]
        values[str(field.verbose_name)] = value if value != "" else None
    return values


def plan_of(hub, fiscal_year: int) -> HubYearPlan:
    """The hub's plan of the year, or an unsaved empty one."""
    return HubYearPlan.objects.filter(hub=hub, fiscal_year=fiscal_year).first() or HubYearPlan(
        hub=hub, fiscal_year=fiscal_year
    )


def save_plan(user, hub, fiscal_year: int, data: dict) -> HubYearPlan:
    problems = accompanied_problems(data)
    if problems:
        raise ProgramError(next(iter(problems.values())))
    with transaction.atomic():
        locked = _locked(hub, user)
        plan = (
            HubYearPlan.objects.select_for_update()
            .filter(hub=locked, fiscal_year=fiscal_year)
            .first()
        ) or HubYearPlan(hub=locked, fiscal_year=fiscal_year)
        before = _plan_values(plan) if plan.pk else {}
        for name in PLAN_FIELDS:
            empty = "" if HubYearPlan._meta.get_field(name).choices else None
            setattr(plan, name, data.get(name) if data.get(name) is not None else empty)
        plan.updated_by = user
        plan.full_clean()
        plan.save()
        after = _plan_values(plan)
        changes = audit.differences(before, after) if before else after
        audit.record(user, "拠点の年間の取組予定の保存", locked, {"年度": fiscal_year, **changes})
    return plan


def _attendance_values(attendance: CoordinatorMeetingAttendance) -> dict:
    return {
        "種類": attendance.get_kind_display(),
        "開催日": attendance.held_on.isoformat(),
        "会場・開催方法": attendance.venue or None,
        "参加者数（人）": attendance.attendees,
    }


def add_attendance(user, hub, form) -> CoordinatorMeetingAttendance:
    with transaction.atomic():
        locked = _locked(hub, user)
        attendance = form.save(commit=False)
        attendance.hub = locked
        attendance.recorded_by = user
        try:
            with transaction.atomic():
                attendance.save()
        except IntegrityError as error:
            raise ProgramError(
                f"{attendance.get_kind_display()}（{attendance.held_on:%Y-%m-%d}）の参加は既に登録されています。"
            ) from error
        audit.record(
            user, "説明会・意見交換会への参加の登録", locked, _attendance_values(attendance)
        )
    return attendance


def delete_attendance(user, hub, attendance_id: int) -> None:
    with transaction.atomic():
        locked = _locked(hub, user)
        attendance = CoordinatorMeetingAttendance.objects.filter(
            hub=locked, pk=attendance_id
        ).first()
        if attendance is None:
            raise ProgramError("削除する参加記録が見つかりません。")
        values = _attendance_values(attendance)
        attendance.delete()
        audit.record(
            user,
            "説明会・意見交換会への参加の削除",
            locked,
            {label: {"from": value, "to": None} for label, value in values.items()},
        )
