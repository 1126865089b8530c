import datetime

from django.contrib import messages
from django.db.models import Max, Min
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from hospitals import public
from hospitals.candidates import candidates_for
from hospitals.coverage import coverage_for, coverage_of
from hospitals.designations import (
    HELD,
    DesignationError,
    active_in_fiscal_year,
    confirm_tentative,
    designate,
    end_designation,
    fiscal_year_choices,
    update_details,
    withdraw_tentative,
)
from hospitals.models import ActiveHospitalDesignation, RegistryImportRun
from hospitals.registry import service as registry
from hospitals.registry.held import held_workbook
from hospitals.registry.reader import MAX_FILE_BYTES
from hubs.models import HubCandidate
from zaitaku_portal import query
from zaitaku_portal.access import ALL_ROLES, AREA_ROLES, STAFF_ROLES, require_roles, role_of
from zaitaku_portal.bounds import (
    ID_MAX,
    YEAR_MAX,
    max_length_of,
    shown,
    too_long_message,
    whole_number,
)
from zaitaku_portal.exports import csv_response, xlsx_response
from zaitaku_portal.models import Municipality
from zaitaku_portal.query import refuses_bad_query
from zaitaku_portal.scopes import areas_for, designations_for, hubs_for, institutions_for
from zaitaku_portal.spreadsheets import (
    PLACES_FORMAT,
    Column,
    count_format,
    write_xlsx,
)
from zaitaku_portal.spreadsheets import xlsx_response as spreadsheet_download
from zaitaku_portal.wareki import fiscal_year_label, fiscal_year_of, wareki_date

STAFF = tuple(STAFF_ROLES)


@require_roles(*ALL_ROLES)
def designation_list(request):
    designations = (
        designations_for(request.user)
        .select_related("institution", "area", "hub")
        .order_by("area__display_order", "status", "institution__name")
    )
    return render(
        request,
        "hospitals/designation_list.html",
        {
            "designations": designations,
            "is_staff": role_of(request.user) in STAFF_ROLES,
            "tentative_count": designations.filter(
                status=ActiveHospitalDesignation.Status.TENTATIVE
            ).count(),
        },
    )


@require_roles(*ALL_ROLES)
def institution_detail(request, pk: int):
    institution = get_object_or_404(
        institutions_for(request.user).select_related("municipality"), pk=pk
    )
    designations = (
        designations_for(request.user)
        .filter(institution=institution)
        .select_related("area", "hub", "designated_by", "ended_by")
    )
    return render(
        request,
        "hospitals/institution_detail.html",
        {"institution": institution, "designations": designations},
    )


# --- 届出受理医療機関名簿の取込 -----------------------------------------------------------


@require_roles(*STAFF)
def registry_imports(request):
    if request.method == "POST":
        upload = request.FILES.get("workbook")
        if upload is None:
            messages.error(request, "取り込む名簿のファイルを選んでください。")
            return redirect("hospitals:registry_imports")
        run = registry.preview(upload, upload.name, upload.size, request.user)
        return redirect("hospitals:registry_import_detail", pk=run.pk)
    runs = RegistryImportRun.objects.select_related("uploaded_by").defer("parsed", "held")[:50]
    return render(
        request,
        "hospitals/registry_imports.html",
        {"runs": runs, "max_megabytes": MAX_FILE_BYTES // 1024 // 1024},
    )


@require_roles(*STAFF)
def registry_import_detail(request, pk: int):
    run = get_object_or_404(
        RegistryImportRun.objects.select_related("uploaded_by").defer("parsed", "held"), pk=pk
    )
    sample = {
        kind: [item for item in run.changes_sample if item["kind"] == kind]
        for kind in ("new", "changed", "missing")
    }
    return render(
        request,
        "hospitals/registry_import_detail.html",
        {"run": run, "sample": sample, "has_held": run.held_row_count > 0},
    )


@require_roles(*STAFF)
@require_POST
def registry_import_confirm(request, pk: int):
    get_object_or_404(RegistryImportRun.objects.only("pk"), pk=pk)
    try:
        run = registry.confirm(
            pk,
            request.user,
            acknowledge_check_digits=bool(request.POST.get("acknowledge")),
            rows=request.POST.get("rows", registry.ALL),
        )
    except registry.ImportRefused as error:
        messages.error(request, str(error))
    else:
        held = (
            f"エラーのため取り込まなかった行 {run.held_row_count}行、"
            f"更新しなかった医療機関 {run.held_facility_count}件。"
            if run.held_row_count
            else ""
        )
        messages.success(
            request,
            f"名簿を反映しました（新規 {run.new_count}件、変更 {run.changed_count}件、"
            f"変更なし {run.unchanged_count}件、名簿から消えた医療機関 {run.missing_count}件）。"
            + held,
        )
    return redirect("hospitals:registry_import_detail", pk=pk)


@require_roles(*STAFF)
def registry_import_held(request, pk: int):
    """The rows left out of a run, with their messages, as xlsx (formula-escaped)."""
    run = get_object_or_404(RegistryImportRun.objects.defer("parsed"), pk=pk)
    content = held_workbook(run)
    stem = run.file_name.rsplit(".", 1)[0] or "名簿"
    return spreadsheet_download(f"{stem}_取り込まなかった行.xlsx", content)


# --- 候補と指定 -------------------------------------------------------------------------


def _parse_date(value: str, label: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise DesignationError(f"{label}「{value}」は日付として読めません。") from None


def _posted_id(request, name: str, label: str) -> int | None:
    """An id chosen on the form (a select or a checkbox): digits only, else a message."""
    raw = request.POST.get(name, "")
    if not raw:
        return None
    value = whole_number(raw)
    if value is None or value > ID_MAX:
        raise DesignationError(f"「{label}」の指定「{shown(raw)}」が正しくありません。")
    return value


def _chosen_municipality(request) -> int | None:
    if request.method == "POST" and request.POST.get("municipality"):
        try:
            return _posted_id(request, "municipality", "市区町村")
        except DesignationError as error:
            raise query.BadQuery(str(error)) from None
    return query.number(request, "municipality", "市区町村")


def _chosen_institutions(request) -> list[int]:
    chosen = []
    for raw in request.POST.getlist("institution"):
        value = whole_number(raw)
        if value is None or value > ID_MAX:
            raise DesignationError("候補一覧にない医療機関が選ばれています。")
        chosen.append(value)
    return chosen


@require_roles(*STAFF)
@refuses_bad_query
def candidates(request):
    areas = areas_for(request.user)
    municipalities = (
        Municipality.objects.filter(home_care_areas__in=areas)
        .select_related("parent", "secondary_area")
        .distinct()
        .order_by("secondary_area__code", "code")
    )
    municipality = None
    candidate_list = []
    municipality_id = _chosen_municipality(request)
    if municipality_id is not None:
        municipality = get_object_or_404(municipalities, pk=municipality_id)
        candidate_list = candidates_for(municipality)
    if request.method == "POST" and municipality is not None:
        try:
            area = get_object_or_404(
                areas.filter(municipalities=municipality),
                pk=_posted_id(request, "area", "在宅医療圏") or 0,
            )
            hub_id = _posted_id(request, "hub", "連携する拠点")
            hub = get_object_or_404(hubs_for(request.user), pk=hub_id) if hub_id else None
            start = _parse_date(request.POST.get("start_date", ""), "指定開始日")
            if start is None:
                raise DesignationError("指定開始日を入力してください。")
            end = _parse_date(request.POST.get("end_date", ""), "指定終了日")
            agreed_on = None
            if request.POST.get("tentative"):
                agreed_on = _parse_date(request.POST.get("agreed_on", ""), "内諾日")
                if agreed_on is None:
                    raise DesignationError("内諾として登録するときは内諾日を入力してください。")
            allowed = {c.institution.pk: c.institution for c in candidate_list}
            chosen_ids = _chosen_institutions(request)
            chosen = [allowed[i] for i in chosen_ids if i in allowed]
            if len(chosen) != len(chosen_ids):
                raise DesignationError("候補一覧にない医療機関が選ばれています。")
            created = designate(chosen, area, hub, start, end, request.user, agreed_on=agreed_on)
        except DesignationError as error:
            messages.error(request, str(error))
        else:
            names = "、".join(d.institution.name for d in created)
            done = "の内諾を登録しました" if agreed_on else "を指定しました"
            messages.success(request, f"{area}の積極的医療機関に{names}{done}。")
            return redirect(f"{request.path}?municipality={municipality.pk}")
    municipality_areas = areas.filter(municipalities=municipality) if municipality else areas.none()
    held = dict(
        designations_for(request.user)
        .filter(status__in=HELD, area__in=municipality_areas)
        .values_list("institution_id", "status")
    )
    return render(
        request,
        "hospitals/candidates.html",
        {
            "municipalities": municipalities,
            "municipality": municipality,
            "candidates": candidate_list,
            "areas": municipality_areas,
            "hubs": hubs_for(request.user).filter(areas__in=municipality_areas).distinct(),
            "active_ids": {pk for pk, status in held.items() if status == "active"},
            "tentative_ids": {pk for pk, status in held.items() if status == "tentative"},
            "hub_candidates": HubCandidate.objects.filter(area__in=municipality_areas)
            .select_related("area", "municipality", "hub")
            .order_by("area__display_order", "tier", "name"),
            "today": datetime.date.today(),
        },
    )


@require_roles(*STAFF)
def end_designation_view(request, pk: int):
    designation = get_object_or_404(
        designations_for(request.user).select_related("institution", "area"), pk=pk
    )
    if request.method == "POST":
        try:
            end = _parse_date(request.POST.get("end_date", ""), "指定終了日")
            if end is None:
                raise DesignationError("指定終了日を入力してください。")
            end_designation(designation, end, _end_reason(request), request.user)
        except DesignationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{designation}の指定を終了しました。")
            return redirect("hospitals:institution_detail", pk=designation.institution_id)
    return render(
        request,
        "hospitals/end_designation.html",
        {"designation": designation, "today": datetime.date.today()},
    )


@require_roles(*STAFF)
def designation_edit(request, pk: int):
    """The note and other-program classification (seed 002 ※2); for a 内諾, making it a
    designation or withdrawing it."""
    designation = get_object_or_404(
        designations_for(request.user).select_related("institution", "area", "hub"), pk=pk
    )
    if request.method == "POST":
        part = request.POST.get("part", "")
        try:
            _designation_action(request, designation, part)
        except DesignationError as error:
            messages.error(request, str(error))
        else:
            return redirect("hospitals:institution_detail", pk=designation.institution_id)
    return render(
        request,
        "hospitals/designation_edit.html",
        {
            "designation": designation,
            "other_programs": ActiveHospitalDesignation.OtherProgram.choices,
            "today": datetime.date.today(),
            "posted": request.POST if request.method == "POST" else {},
        },
    )


def _designation_action(request, designation, part: str) -> None:
    if part == "confirm":
        start = _parse_date(request.POST.get("start_date", ""), "指定開始日")
        if start is None:
            raise DesignationError("指定開始日を入力してください。")
        confirm_tentative(designation, start, request.user)
        messages.success(request, f"{designation}を指定中にしました。")
    elif part == "withdraw":
        withdraw_tentative(designation, _end_reason(request), request.user)
        messages.success(request, f"{designation}の内諾を取り下げました。")
    elif part == "details":
        note = _posted_text(request, "note", "備考")
        update_details(designation, request.POST.get("other_program", ""), note, request.user)
        messages.success(request, f"{designation}の備考・他事業での登録を保存しました。")
    else:
        raise DesignationError("操作が正しくありません。")


def _end_reason(request) -> str:
    return _posted_text(request, "reason", "終了理由", field="end_reason")


def _posted_text(request, name: str, label: str, field: str | None = None) -> str:
    """A designation's free text as posted, within its column's length; NUL (which
    PostgreSQL refuses in any text) is refused with the field's name."""
    text = request.POST.get(name, "")
    limit = max_length_of(ActiveHospitalDesignation, field or name)
    if len(text) > limit:
        raise DesignationError(too_long_message(label, limit, len(text)))
    if "\x00" in text:
        raise DesignationError(f"{label}に使えない制御文字（U+0000）が含まれています。")
    return text


HISTORY_FIRST_YEAR = 1989  # 平成元年度: designations older than the portal may be recorded


@require_roles(*ALL_ROLES)
@refuses_bad_query
def history(request):
    designations = designations_for(request.user)
    bounds = designations.aggregate(first=Min("start_date"), last=Max("designated_at"))
    today = datetime.date.today()
    first_year = fiscal_year_of(bounds["first"]) if bounds["first"] else fiscal_year_of(today)
    years = list(range(max(fiscal_year_of(today), first_year) + 1, first_year - 1, -1))
    chosen = query.number(request, "year", "年度", minimum=HISTORY_FIRST_YEAR, maximum=YEAR_MAX)
    year = chosen or fiscal_year_of(today)
    active = (
        active_in_fiscal_year(designations, year)
        .select_related("institution", "area", "hub")
        .order_by("area__display_order", "institution__name")
    )
    events = designations.select_related(
        "institution", "area", "hub", "designated_by", "ended_by"
    ).order_by("-designated_at", "-pk")[:300]
    return render(
        request,
        "hospitals/history.html",
        {
            "year": year,
            "year_label": fiscal_year_label(year),
            "years": fiscal_year_choices(years),
            "active": active,
            "events": events,
        },
    )


# --- 在宅医療圏ごとの充足状況 -----------------------------------------------------------


@require_roles(*AREA_ROLES)
def coverage(request):
    areas = coverage_for(request.user)
    return render(
        request,
        "hospitals/coverage.html",
        {"areas": areas, "gap_count": sum(1 for a in areas if a.is_gap)},
    )


COVERAGE_COLUMNS = [
    Column("在宅医療圏"),
    Column("二次医療圏"),
    Column("連携の拠点"),
    Column("積極的医療機関"),
    # counts are numbers shown with their unit (0 shows 未設置), so they sum and sort (issue 23)
    Column("拠点", "int", PLACES_FORMAT),
    Column("積極的医療機関の状況", "int", PLACES_FORMAT),
    Column("うち内諾", "int", count_format("か所")),
]


@require_roles(*AREA_ROLES)
def coverage_xlsx(request):
    rows = [
        (
            item.area.name,
            item.area.secondary_area.name,
            "、".join(hub.name for hub in item.hubs),
            "、".join(
                [d.institution.name for d in item.designations]
                + [f"{d.institution.name}（内諾）" for d in item.tentative]
            ),
            len(item.hubs),
            item.hospital_count,
            item.tentative_count,
        )
        for item in coverage_for(request.user)
    ]
    today = datetime.date.today()
    content = write_xlsx([("充足状況", COVERAGE_COLUMNS, rows)], page_header="在宅医療圏の充足状況")
    return spreadsheet_download(f"在宅医療圏の充足状況_{today:%Y%m%d}.xlsx", content)


# --- 公表用一覧（ログイン不要） -------------------------------------------------------------

PUBLIC_HEADER = ("在宅医療圏", "区分", "名称", "運営主体の種別", "所在地")


def _public_rows(today):
    rows = []
    for item in coverage_of(
        public.published_areas(), public.published_hubs(), public.published_designations(), today
    ):
        for hub in item.hubs:
            rows.append(
                (
                    item.area.name,
                    "連携の拠点",
                    hub.name,
                    hub.get_operator_type_display(),
                    hub.address,
                )
            )
        for designation in item.designations:
            institution = designation.institution
            rows.append(
                (
                    item.area.name,
                    "積極的医療機関",
                    institution.name,
                    institution.get_kind_display(),
                    institution.address,
                )
            )
    return rows


def public_list(request):
    today = datetime.date.today()
    return render(
        request,
        "hospitals/public_list.html",
        {"rows": _public_rows(today), "as_of": wareki_date(today)},
    )


def public_download(request, fmt: str):
    today = datetime.date.today()
    rows = _public_rows(today)
    filename = f"在宅医療の拠点と積極的医療機関_{today:%Y%m%d}"
    if fmt == "csv":
        return csv_response(f"{filename}.csv", PUBLIC_HEADER, rows)
    if fmt == "xlsx":
        return xlsx_response(f"{filename}.xlsx", "一覧", PUBLIC_HEADER, rows)
    raise Http404
