"""The hub's 年間の取組予定 page (?year=, the current fiscal year by default): what the hub
plans beyond its application and the coordinator meetings it attended (seed 002). Staff and
the hub's coordinators write; health centers read the figures on the dashboard."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from hubs import year_record
from hubs.models.area import YEAR_MAX, YEAR_MIN
from hubs.program import ProgramError
from hubs.program_views import WRITERS
from hubs.year_forms import AttendanceDeleteForm, AttendanceForm, YearPlanForm
from zaitaku_portal import query
from zaitaku_portal.access import require_roles
from zaitaku_portal.query import refuses_bad_query
from zaitaku_portal.scopes import hubs_for
from zaitaku_portal.wareki import fiscal_year_of


def _year(request) -> int:
    chosen = query.number(request, "year", "年度", minimum=YEAR_MIN, maximum=YEAR_MAX)
    return chosen or fiscal_year_of(datetime.date.today())


def _back(hub, year: int):
    return redirect(f"{reverse('hubs:year_record', args=[hub.pk])}?year={year}")


def _post(request, hub, year: int, forms: dict):
    """The part the button belongs to; returns a redirect when it saved."""
    part = request.POST.get("part")
    if part == "plan":
        forms["plan"] = YearPlanForm(request.POST, instance=year_record.plan_of(hub, year))
        if forms["plan"].is_valid():
            year_record.save_plan(request.user, hub, year, forms["plan"].cleaned_data)
            messages.success(request, "年間の取組予定を保存しました。")
            return _back(hub, year)
    elif part == "attendance":
        forms["attendance"] = AttendanceForm(request.POST, fiscal_year=year)
        if forms["attendance"].is_valid():
            saved = year_record.add_attendance(request.user, hub, forms["attendance"])
            messages.success(request, f"{saved.get_kind_display()}への参加を登録しました。")
            return _back(hub, year)
    elif part == "delete":
        form = AttendanceDeleteForm(request.POST)
        if not form.is_valid():
            raise ProgramError("削除する参加記録が正しくありません。")
        year_record.delete_attendance(request.user, hub, form.cleaned_data["attendance"])
        messages.success(request, "参加の記録を削除しました。")
        return _back(hub, year)
    return None


@require_roles(*WRITERS)
@refuses_bad_query
def year_record_page(request, pk: int):
    hub = get_object_or_404(hubs_for(request.user), pk=pk)
    year = _year(request)
    forms = {
        "plan": YearPlanForm(instance=year_record.plan_of(hub, year)),
        "attendance": AttendanceForm(fiscal_year=year),
    }
    problem = ""
    if request.method == "POST":
        try:
            done = _post(request, hub, year, forms)
            if done:
                return done
        except ProgramError as error:
            problem = error.message
    start, end = datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)
    return render(
        request,
        "hubs/year_record.html",
        {
            "hub": hub,
            "year": year,
            "years": range(year - 2, year + 2),
            "plan_form": forms["plan"],
            "attendance_form": forms["attendance"],
            "problem": problem,
            "attendances": hub.coordinator_meetings.filter(held_on__range=(start, end)),
        },
    )
