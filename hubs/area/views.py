"""Pages of the area's own records: read by every role in scope (a coordinator its hub's
areas), written by prefecture staff and the area's health centers. An area or record outside
the user's scope is 404; nothing is written on GET; every write is audited by its service."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from hubs.area import services
from hubs.area import workbook as figures_workbook
from hubs.area.forms import (
    CandidateForm,
    CouncilForm,
    PlanActionForm,
    ProfileForm,
    ProgressForm,
)
from hubs.area.services import AreaError
from hubs.area.summary import area_summary
from hubs.models import (
    ActionProgress,
    AreaProfile,
    HomeCareCouncil,
    HubCandidate,
    PlanAction,
    ResourceKind,
)
from hubs.models.area import YEAR_MAX
from zaitaku_portal import query
from zaitaku_portal.access import AREA_ROLES, STAFF_ROLES, require_roles, role_of
from zaitaku_portal.bounds import whole_number
from zaitaku_portal.filenames import file_download
from zaitaku_portal.models import HealthCenter, Role
from zaitaku_portal.query import refuses_bad_query
from zaitaku_portal.scopes import (
    area_records_for,
    areas_for,
    editable_areas_for,
    hubs_for,
)
from zaitaku_portal.spreadsheets import xlsx_response
from zaitaku_portal.wareki import fiscal_year_of

EDITORS = (*STAFF_ROLES, Role.HEALTH_CENTER)


def _area_url(area) -> str:
    return reverse("hubs:area_detail", args=[area.pk])


@require_roles(*AREA_ROLES)
def area_list(request):
    areas = (
        areas_for(request.user).select_related("secondary_area").order_by("display_order", "name")
    )
    summaries = [area_summary(area) for area in areas]
    return render(
        request,
        "hubs/area_list.html",
        {"summaries": summaries, "can_edit": editable_areas_for(request.user).exists()},
    )


@require_roles(*AREA_ROLES)
@refuses_bad_query
def area_detail(request, pk: int):
    area = get_object_or_404(areas_for(request.user).select_related("secondary_area"), pk=pk)
    year = query.number(request, "year", "数値の年", minimum=1989, maximum=2100)
    years = list(
        AreaProfile.objects.filter(area=area)
        .order_by("-figure_year")
        .values_list("figure_year", flat=True)
        .distinct()
    )
    actions = PlanAction.objects.filter(area=area).prefetch_related("progress")
    return render(
        request,
        "hubs/area_detail.html",
        {
            "area": area,
            "summary": area_summary(area, year),
            "years": years,
            "actions": actions,
            "councils": HomeCareCouncil.objects.filter(area=area).select_related("secretariat"),
            "candidates": HubCandidate.objects.filter(area=area).select_related(
                "municipality", "hub"
            ),
            "hubs": hubs_for(request.user).filter(areas=area),
            "can_edit": editable_areas_for(request.user).filter(pk=area.pk).exists(),
            "is_staff": role_of(request.user) in STAFF_ROLES,
        },
    )


def _editable_area(request, pk: int):
    return get_object_or_404(editable_areas_for(request.user), pk=pk)


def _profile_initial(request, area) -> dict:
    """?municipality=&year= open that place-and-year's figures for correction."""
    year = query.number(request, "year", "数値の年", minimum=1989, maximum=2100)
    municipality = query.number(request, "municipality", "市区町村")
    if year is None:
        return {}
    profile = (
        AreaProfile.objects.filter(area=area, figure_year=year, municipality_id=municipality)
        .prefetch_related("resources")
        .first()
    )
    if profile is None:
        return {"figure_year": year, "municipality": municipality}
    initial = {
        "municipality": profile.municipality_id,
        "figure_year": profile.figure_year,
        "population": profile.population,
        "ageing_rate": profile.ageing_rate,
        "source": profile.source,
    }
    for resource in profile.resources.all():
        initial[f"count_{resource.kind}"] = resource.count
    return initial


@require_roles(*EDITORS)
@refuses_bad_query
def profile_edit(request, pk: int):
    area = _editable_area(request, pk)
    if request.method == "POST":
        form = ProfileForm(request.POST, area=area)
        if form.is_valid():
            try:
                profile = services.save_profile(request.user, area, form.values())
            except AreaError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"{profile}の人口・資源を保存しました。")
                return redirect(_area_url(area) + f"?year={profile.figure_year}")
    else:
        form = ProfileForm(initial=_profile_initial(request, area), area=area)
    return render(
        request,
        "hubs/profile_edit.html",
        {"area": area, "form": form, "kinds": list(ResourceKind)},
    )


@require_roles(*EDITORS)
def figures_import(request):
    problems: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("workbook")
        if upload is None:
            problems = ["取り込むExcelファイルを選んでください。"]
        else:
            try:
                rows = figures_workbook.read_workbook(upload, editable_areas_for(request.user))
                count = services.import_profiles(request.user, rows)
            except (figures_workbook.WorkbookProblems, AreaError) as error:
                problems = [error.message, *error.problems]
            else:
                messages.success(request, f"人口・資源を{count}行取り込みました。")
                return redirect("hubs:areas")
    return render(
        request,
        "hubs/figures_import.html",
        {
            "problems": problems,
            "headers": figures_workbook.HEADERS,
            "sheet": figures_workbook.SHEET,
            "max_megabytes": figures_workbook.UPLOAD_MAX_BYTES // 1024 // 1024,
        },
    )


@require_roles(*EDITORS)
def figures_template(request):
    content = figures_workbook.template(editable_areas_for(request.user))
    return xlsx_response("圏域の人口・資源_様式.xlsx", content)


# --- 医療計画（圏域編）の取組 -----------------------------------------------------------------


def _record_form_page(request, area, form, template: str, action: str, extra=None):
    """POST: save through services.save_area_record, or re-display with the errors."""
    if request.method == "POST" and form.is_valid():
        try:
            record = services.save_area_record(request.user, area, form, action)
        except AreaError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"「{record}」を保存しました。")
            return redirect(_area_url(area))
    context = {"area": area, "form": form, **(extra or {})}
    return render(request, template, context)


@require_roles(*EDITORS)
def action_new(request, pk: int):
    area = _editable_area(request, pk)
    form = PlanActionForm(request.POST or None)
    return _record_form_page(
        request, area, form, "hubs/action_edit.html", "医療計画（圏域編）の取組の登録"
    )


@require_roles(*EDITORS)
def action_edit(request, pk: int):
    action = get_object_or_404(area_records_for(request.user, PlanAction), pk=pk)
    area = _editable_area(request, action.area_id)
    if request.method == "POST" and request.POST.get("part") == "progress":
        return _progress(request, action, area)
    form = PlanActionForm(request.POST or None, instance=action)
    return _record_form_page(
        request,
        area,
        form,
        "hubs/action_edit.html",
        "医療計画（圏域編）の取組の変更",
        {
            "action": action,
            "progress_form": ProgressForm(initial={"fiscal_year": fiscal_year_of_today()}),
        },
    )


def fiscal_year_of_today() -> int:
    return fiscal_year_of(datetime.date.today())


def _progress(request, action, area):
    posted_year = whole_number(request.POST.get("fiscal_year", ""))
    existing = (
        ActionProgress.objects.filter(action=action, fiscal_year=posted_year).first()
        if posted_year is not None and posted_year <= YEAR_MAX
        else None
    )
    form = ProgressForm(request.POST, instance=existing or ActionProgress(action=action))
    if form.is_valid():
        try:
            services.save_progress(request.user, area, action, form)
        except AreaError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"「{action}」の進捗を保存しました。")
            return redirect(_area_url(area))
    return render(
        request,
        "hubs/action_edit.html",
        {
            "area": area,
            "action": action,
            "form": PlanActionForm(instance=action),
            "progress_form": form,
        },
    )


# --- 在宅医療懇話会 ------------------------------------------------------------------------


def _health_centers(area):
    return HealthCenter.objects.filter(municipalities__home_care_areas=area).distinct()


def _council_page(request, area, council):
    form = CouncilForm(
        request.POST or None,
        request.FILES or None,
        instance=council,
        health_centers=_health_centers(area),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_council(
                request.user, area, form, form.cleaned_data.get("minutes_file")
            )
        except AreaError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"「{saved}」を保存しました。")
            return redirect(_area_url(area))
    return render(
        request, "hubs/council_edit.html", {"area": area, "form": form, "council": council}
    )


@require_roles(*EDITORS)
def council_new(request, pk: int):
    area = _editable_area(request, pk)
    return _council_page(request, area, HomeCareCouncil(area=area))


@require_roles(*EDITORS)
def council_edit(request, pk: int):
    council = get_object_or_404(area_records_for(request.user, HomeCareCouncil), pk=pk)
    return _council_page(request, _editable_area(request, council.area_id), council)


@require_roles(*AREA_ROLES)
def council_minutes(request, pk: int):
    council = get_object_or_404(
        area_records_for(request.user, HomeCareCouncil).exclude(minutes=""), pk=pk
    )
    # DownloadAuditMiddleware writes the audit entry of every file taken away.
    return file_download(council.minutes.open("rb"), council.minutes_name)


# --- 連携の拠点の候補（タタキ台） -------------------------------------------------------------


def _candidate_page(request, area, candidate):
    form = CandidateForm(
        request.POST or None,
        instance=candidate,
        area=area,
        hubs=hubs_for(request.user).filter(areas=area),
    )
    return _record_form_page(
        request,
        area,
        form,
        "hubs/candidate_edit.html",
        "連携の拠点の候補の登録",
        {"candidate": candidate},
    )


@require_roles(*EDITORS)
def candidate_new(request, pk: int):
    area = _editable_area(request, pk)
    return _candidate_page(request, area, HubCandidate(area=area))


@require_roles(*EDITORS)
def candidate_edit(request, pk: int):
    candidate = get_object_or_404(area_records_for(request.user, HubCandidate), pk=pk)
    return _candidate_page(request, _editable_area(request, candidate.area_id), candidate)
