"""The survey's pages. Staff: the period, the answers of every hub, the demand view and
the opening of the application stage. A hub coordinator: its hubs' answers (web or Excel).
A health center: the answers of the hubs of its areas, read only. A hub outside the user's
scope is 404 (zaitaku_portal.scopes.hubs_for)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from subsidies.applications.plan_data import start_year_label
from subsidies.models import FiscalYear, SurveyAnswer
from subsidies.survey import excel
from subsidies.survey.calculation import UNIT_ASSUMPTIONS
from subsidies.survey.exports import demand_workbook
from subsidies.survey.forms import AnswerForm, PeriodForm, UploadForm, initial_of
from subsidies.survey.reading import (
    TYPE_LABELS,
    against_budget,
    answer_data,
    answer_of,
    demand_rows,
    diff,
    is_hub_menu,
    menu_totals,
    menus_of,
    projection,
    survey_of,
    totals_by_type,
)
from subsidies.survey.rules import SurveyError, can_answer, can_manage_survey
from subsidies.survey.services import (
    close_survey,
    open_application_stage,
    save_answer,
    save_period,
)
from zaitaku_portal.access import AREA_ROLES, STAFF_ROLES, require_roles
from zaitaku_portal.models import Role
from zaitaku_portal.scopes import hubs_for
from zaitaku_portal.spreadsheets import xlsx_response
from zaitaku_portal.wareki import fiscal_year_label

SESSION_KEY = "survey-upload-{year}-{hub}"


def _year(year: int) -> FiscalYear:
    return get_object_or_404(FiscalYear, year=year)


def _hub(request, hub_pk: int):
    return get_object_or_404(hubs_for(request.user), pk=hub_pk)


@require_roles(*AREA_ROLES)
def survey_latest(request):
    latest = FiscalYear.objects.order_by("-year").first()
    if latest is None:
        messages.info(request, "年度が登録されていません。")
        return redirect("hubs:list")
    return redirect("subsidies:survey", year=latest.year)


@require_roles(*AREA_ROLES)
def survey_home(request, year: int):
    return _home(request, _year(year))


def _home(request, fiscal_year, period: PeriodForm | None = None):
    """The survey's page; `period` is the staff's period form sent back with its errors."""
    survey = survey_of(fiscal_year)
    today = timezone.localdate()
    answered = {}
    if survey:
        answered = {a.hub_id: a for a in SurveyAnswer.objects.filter(survey=survey)}
    hubs = [
        (hub, answered.get(hub.pk))
        for hub in hubs_for(request.user).prefetch_related("areas").order_by("name")
    ]
    staff = bool(can_manage_survey(request.user))
    period = period or PeriodForm(
        initial={
            "opens_on": survey.opens_on if survey else today,
            "closes_on": survey.closes_on if survey else None,
            "version": survey.version if survey else None,
        }
    )
    return render(
        request,
        "subsidies/survey/home.html",
        {
            "fiscal_year": fiscal_year,
            "fiscal_years": FiscalYear.objects.order_by("-year"),
            "survey": survey,
            "state": survey.state_label(today) if survey else "未実施",
            "hubs": hubs,
            "answered_count": sum(1 for _, a in hubs if a),
            "staff": staff,
            "period": period,
        },
    )


@require_roles(*STAFF_ROLES)
@require_POST
def survey_period(request, year: int):
    fiscal_year = _year(year)
    form = PeriodForm(request.POST)
    if not form.is_valid():  # the page again, each message at its field; nothing saved
        return _home(request, fiscal_year, period=form)
    data = form.cleaned_data
    try:
        save_period(fiscal_year, data["opens_on"], data["closes_on"], data["version"], request.user)
    except SurveyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "意向調査の受付期間を保存しました。")
    return redirect("subsidies:survey", year=year)


@require_roles(*STAFF_ROLES)
@require_POST
def survey_close(request, year: int):
    fiscal_year = _year(year)
    version = request.POST.get("version", "")
    try:
        close_survey(fiscal_year, int(version) if version.isdigit() else None, request.user)
    except SurveyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "意向調査を締め切りました。")
    return redirect("subsidies:survey", year=year)


@require_roles(*STAFF_ROLES)
@require_POST
def survey_open_applications(request, year: int):
    fiscal_year = _year(year)
    try:
        result = open_application_stage(fiscal_year, request.user)
    except SurveyError as error:
        messages.error(request, error.message)
        return redirect("subsidies:survey", year=year)
    messages.success(
        request,
        f"回答した拠点の交付申請の下書きを{len(result.created)}件作成しました"
        f"（{'、'.join(result.created) or 'なし'}）。",
    )
    if result.skipped:
        messages.info(
            request,
            "次の拠点は既に交付申請があるため、上書きせずに見送りました: "
            + "、".join(result.skipped),
        )
    return redirect("subsidies:survey", year=year)


# --- a hub's answer ------------------------------------------------------------------------


def _answer_context(request, fiscal_year, hub):
    survey = survey_of(fiscal_year)
    answer = answer_of(survey, hub)
    menus = menus_of(fiscal_year)
    data = answer_data(answer, menus)
    allowed = can_answer(request.user, survey, hub, timezone.localdate())
    return survey, answer, menus, data, allowed


@require_roles(*AREA_ROLES)
def survey_answer(request, year: int, hub_pk: int):
    fiscal_year = _year(year)
    hub = _hub(request, hub_pk)
    survey, answer, menus, data, allowed = _answer_context(request, fiscal_year, hub)
    version = answer.version if answer else None
    form = None
    if allowed:
        form = AnswerForm(
            request.POST or None,
            menus=menus,
            fiscal_year=fiscal_year,
            initial=initial_of(data, menus, version),
        )
        if request.method == "POST" and form.is_valid():
            try:
                _, changes = save_answer(
                    fiscal_year, hub, form.data_of(), form.cleaned_data["version"], request.user
                )
            except SurveyError as error:
                messages.error(request, error.message)
                for problem in error.problems:
                    messages.error(request, problem)
            else:
                messages.success(request, f"回答を保存しました（変更 {len(changes)}項目）。")
                return redirect("subsidies:survey_answer", year=year, hub_pk=hub.pk)
    elif request.method == "POST":
        messages.error(request, allowed.reason)
    return render(
        request,
        "subsidies/survey/answer.html",
        {
            "fiscal_year": fiscal_year,
            "hub": hub,
            "survey": survey,
            "answer": answer,
            "form": form,
            "reason": allowed.reason,
            "hub_rows": _shown_rows(data, [m for m in menus if is_hub_menu(m)]),
            "hospital_rows": _shown_rows(data, [m for m in menus if not is_hub_menu(m)]),
            "data": data,
            "other_start": start_year_label(data["other_actions_start_year"]),
        },
    )


def _shown_rows(data: dict, menus) -> list[tuple]:
    """[(menu, line, its start year as R8〜)] for the read-only tables."""
    return [
        (menu, data["lines"][menu.code], start_year_label(data["lines"][menu.code]["start_year"]))
        for menu in menus
    ]


@require_roles(*AREA_ROLES)
def survey_excel(request, year: int, hub_pk: int):
    fiscal_year = _year(year)
    hub = _hub(request, hub_pk)
    _, _, menus, data, _ = _answer_context(request, fiscal_year, hub)
    content = excel.export_workbook(fiscal_year, hub, data, menus)
    name = f"意向調査_{fiscal_year_label(fiscal_year.year)}_{hub.name}.xlsx"
    return xlsx_response(name, content)


@require_roles(Role.HUB_COORDINATOR)
def survey_upload(request, year: int, hub_pk: int):
    fiscal_year = _year(year)
    hub = _hub(request, hub_pk)
    _, answer, menus, data, allowed = _answer_context(request, fiscal_year, hub)
    if not allowed:
        messages.error(request, allowed.reason)
        return redirect("subsidies:survey_answer", year=year, hub_pk=hub.pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"fiscal_year": fiscal_year, "hub": hub, "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = excel.read_workbook(fiscal_year, hub, answer, menus, upload)
        context["result"] = result
        if result.ok:
            context["changes"] = diff(data, result.plan, menus)
            request.session[SESSION_KEY.format(year=year, hub=hub.pk)] = {
                "version": answer.version if answer else None,
                "data": result.plan,
                "name": upload.name,
            }
            return render(request, "subsidies/survey/preview.html", context)
    return render(request, "subsidies/survey/upload.html", context)


@require_roles(Role.HUB_COORDINATOR)
@require_POST
def survey_apply(request, year: int, hub_pk: int):
    fiscal_year = _year(year)
    hub = _hub(request, hub_pk)
    pending = request.session.pop(SESSION_KEY.format(year=year, hub=hub.pk), None)
    if pending is None:
        messages.error(request, "取り込む内容がありません。もう一度アップロードしてください。")
        return redirect("subsidies:survey_upload", year=year, hub_pk=hub.pk)
    try:
        _, changes = save_answer(
            fiscal_year,
            hub,
            pending["data"],
            pending["version"],
            request.user,
            source="Excel取込",
            file_name=pending["name"],
        )
    except SurveyError as error:
        messages.error(request, error.message)
        for problem in error.problems:
            messages.error(request, problem)
    else:
        messages.success(request, f"Excelの内容を取り込みました（変更 {len(changes)}項目）。")
    return redirect("subsidies:survey_answer", year=year, hub_pk=hub.pk)


# --- the demand view -----------------------------------------------------------------------


@require_roles(*STAFF_ROLES)
def survey_demand(request, year: int):
    fiscal_year = _year(year)
    result = projection(fiscal_year)
    return render(
        request,
        "subsidies/survey/demand.html",
        {
            "fiscal_year": fiscal_year,
            "survey": survey_of(fiscal_year),
            "years": result.years,
            "rows": demand_rows(result),
            "menu_totals": menu_totals(result),
            "total_rows": [
                (TYPE_LABELS[key], amounts) for key, amounts in totals_by_type(result).items()
            ],
            "budget_lines": against_budget(result),
            "assumptions": sorted(set(UNIT_ASSUMPTIONS.values())),
        },
    )


@require_roles(*STAFF_ROLES)
def survey_demand_xlsx(request, year: int):
    fiscal_year = _year(year)
    content = demand_workbook(projection(fiscal_year))
    return xlsx_response(f"意向調査_見込額_{fiscal_year_label(fiscal_year.year)}.xlsx", content)
