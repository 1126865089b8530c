from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.timezone import localdate as today

from reports import dashboard as dashboard_data
from reports import indicators as indicator_data
from reports import seed002_charts
from reports.batches import start_batch
from reports.charts import Series, bar_chart, line_chart
from reports.dashboard import MEETINGS_MINIMUM
from reports.indicator_tables import tables_of
from reports.models import BatchJob
from zaitaku_portal import figures, query
from zaitaku_portal.access import ALL_ROLES, STAFF_ROLES, can_manage_master_data, require_roles
from zaitaku_portal.bounds import YEAR_MAX, YEAR_MIN
from zaitaku_portal.filenames import content_disposition, file_download
from zaitaku_portal.models import Role
from zaitaku_portal.query import refuses_bad_query
from zaitaku_portal.scopes import (
    applications_for,
    areas_for,
    confirmations_for,
    decisions_for,
    designations_for,
    health_centers_for,
    hubs_for,
)
from zaitaku_portal.spreadsheets import Column, count_format, write_xlsx, xlsx_response
from zaitaku_portal.wareki import fiscal_year_label

DASHBOARD_ROLES = (Role.HEALTH_CENTER, *STAFF_ROLES)
CHART_MAX_CATEGORIES = 40


def _fiscal_year(request):
    from subsidies.models import FiscalYear

    years = list(FiscalYear.objects.order_by("-year"))
    chosen = query.number(request, "year", "年度", minimum=YEAR_MIN, maximum=YEAR_MAX)
    for fiscal_year in years:
        if fiscal_year.year == chosen:
            return fiscal_year, years
    with_applications = [fy for fy in years if fy.applications.exists()]
    return (with_applications or years or [None])[0], years


def _dashboard_scope(request):
    """The areas this user may see, narrowed to one area when drilling down (?area=)."""
    user = request.user
    areas = areas_for(user)
    area = None
    area_id = query.number(request, "area", "在宅医療圏")
    if area_id is not None:
        area = get_object_or_404(areas, pk=area_id)
        areas = areas.filter(pk=area.pk)
    hubs = hubs_for(user).filter(areas__in=areas).distinct()
    designations = designations_for(user).filter(area__in=areas)
    return area, areas, hubs, designations


def _boards(request):
    """The year, the scope, the dashboard's figures and seed 002's indicators."""
    fiscal_year, years = _fiscal_year(request)
    area, areas, hubs, designations = _dashboard_scope(request)
    # Kept until a write changes what they read (zaitaku_portal/figures.py): tens of GROUP BY
    # queries over the prefecture's records, the same for every reader of the same scope.
    board, seed002 = figures.remembered(
        "dashboard",
        (areas.query, hubs.query, designations.query, getattr(fiscal_year, "pk", None), today()),
        figures.TOPICS,
        lambda: (
            dashboard_data.build(areas, hubs, designations, fiscal_year),
            indicator_data.build(areas, hubs, designations, fiscal_year),
        ),
    )
    return fiscal_year, years, area, board, seed002


def _charts(board, seed002) -> dict:
    hubs = sorted(board.hubs, key=lambda row: row.name)
    charts = {
        "meetings": bar_chart(
            "多職種連携会議の開催回数（拠点別）",
            [row.name for row in hubs],
            [
                Series("開催", tuple(row.meetings for row in hubs)),
                Series("予定", tuple(row.planned_meetings or 0 for row in hubs)),
            ],
            unit="回",
            target=MEETINGS_MINIMUM,
            target_label="年4回以上",
        ),
        "activities": bar_chart(
            "研修・普及啓発の実施回数（拠点別）",
            [row.name for row in hubs],
            [
                Series("研修", tuple(row.trainings for row in hubs)),
                Series("普及啓発", tuple(row.awareness for row in hubs)),
            ],
            unit="回",
        ),
        "desk": bar_chart(
            "相談窓口の週あたり開設時間（拠点数）",
            [band for band, _ in board.desk_bands],
            [Series("拠点数", tuple(count for _, count in board.desk_bands))],
            unit="か所",
        ),
        "per_municipality": seed002_charts.hospitals_chart(seed002, CHART_MAX_CATEGORIES),
        "trend": line_chart(
            "年度別の推移（交付決定額・確定額）",
            [fiscal_year_label(row["year"]) for row in board.trend],
            [
                Series("交付決定額", tuple(row["decided"] for row in board.trend)),
                Series("確定額", tuple(row["confirmed"] for row in board.trend)),
            ],
            unit="千円",
            in_progress=dashboard_data.years_in_progress(board.trend),
            pending=frozenset({"確定額"}),
        ),
    }
    charts.update(seed002_charts.charts(seed002))
    return charts


@require_roles(*DASHBOARD_ROLES)
@refuses_bad_query
def dashboard(request):
    """Where each area, hub and hospital stands in the year (seed 002's indicators)."""
    fiscal_year, years, area, board, seed002 = _boards(request)
    return render(
        request,
        "reports/dashboard.html",
        {
            "board": board,
            "seed002_tables": tables_of(seed002),
            "charts": _charts(board, seed002),
            "fiscal_year": fiscal_year,
            "fiscal_years": years,
            "area": area,
            "health_centers": health_centers_for(request.user),
            "figures_max_age": figures.max_age(),
            "minimum": MEETINGS_MINIMUM,
            "query": request.GET.urlencode(),
        },
    )


EXPORTS = {
    "coverage": (
        "在宅医療圏の設置状況",
        [
            Column("在宅医療圏"),
            Column("連携の拠点"),
            Column("積極的医療機関", "int"),
            Column("未設置"),
        ],
        lambda b: [
            [r.name, "、".join(r.hubs), r.hospitals, "未設置" if r.gap else ""] for r in b.coverage
        ],
    ),
    "hubs": (
        "拠点別の進捗",
        [
            Column("拠点"),
            Column("在宅医療圏"),
            Column("交付申請"),
            Column("交付決定額", "yen"),
            Column("確定額", "yen"),
            Column("実績報告"),
            Column("相談窓口（週・時間）", "int"),
            Column("会議", "int"),
            Column("会議（予定）", "int"),
            Column("うち積極的医療機関との会議", "int"),
            Column("研修", "int"),
            Column("普及啓発", "int"),
            Column("同行訪問研修（人・半日）", "int"),
            Column("積極的医療機関", "int"),
        ],
        lambda b: [
            [
                r.name,
                r.areas,
                r.application_status,
                r.decided,
                r.confirmed,
                r.report_status,
                r.desk_hours,
                r.meetings,
                r.planned_meetings,
                r.meetings_with_hospitals,
                r.trainings,
                r.awareness,
                r.accompanied_half_days,
                r.hospitals,
            ]
            for r in b.hubs
        ],
    ),
    "hospitals": (
        "積極的医療機関別の状況",
        [
            Column("医療機関"),
            Column("在宅医療圏"),
            Column("市区町村"),
            Column("連携する拠点"),
            Column("交付決定額", "yen"),
            Column("確定額", "yen"),
        ],
        lambda b: [
            [r.name, r.area, r.municipality, r.hub, r.decided, r.confirmed] for r in b.hospitals
        ],
    ),
}
CHART_EXPORTS = (
    "meetings",
    "activities",
    "desk",
    "per_municipality",
    "trend",
    *seed002_charts.KEYS,
)


def _chart_sheet(chart) -> tuple[str, list[Column], list]:
    """A chart's data table as a sheet (a sheet name has at most 31 characters)."""
    kind = "yen" if chart.unit == "千円" else "int"
    shown = count_format(chart.unit) if kind == "int" and chart.unit else None  # 「3回」, a number
    columns = [Column("区分"), *(Column(s.name, kind, shown) for s in chart.series)]
    return chart.title[:31], columns, chart.rows


@require_roles(*DASHBOARD_ROLES)
@refuses_bad_query
def dashboard_export(request, table: str):
    """Every table and every chart's data of the dashboard, as xlsx, with the same filters."""
    fiscal_year, _, area, board, seed002 = _boards(request)
    seed002_tables = {t.key: t for t in tables_of(seed002)}
    if table == "all":  # one workbook, a sheet per table and per chart, for a report upward
        title = "進捗ダッシュボード"
        charts = _charts(board, seed002)
        sheets = [(name, columns, rows(board)) for name, columns, rows in EXPORTS.values()]
        sheets += [(t.title, t.columns, t.rows) for t in seed002_tables.values()]
        sheets += [_chart_sheet(charts[name]) for name in CHART_EXPORTS if name in charts]
        content = write_xlsx(sheets)
    elif table in EXPORTS:
        title, columns, rows = EXPORTS[table]
        content = write_xlsx([(title, columns, rows(board))])
    elif table in seed002_tables:
        found = seed002_tables[table]
        title = found.title
        content = write_xlsx([(found.title, found.columns, found.rows)])
    elif table in CHART_EXPORTS:
        chart = _charts(board, seed002)[table]
        title = chart.title
        content = write_xlsx([_chart_sheet(chart)])
    else:
        raise Http404("その表はありません。")
    suffix = f"_{area.name}" if area else ""
    return xlsx_response(f"{title}_{fiscal_year}{suffix}.xlsx", content)


@require_roles(*DASHBOARD_ROLES)
@refuses_bad_query
def activities_export(request):
    """Every recorded activity in the dashboard's scope and year, one row each, as xlsx."""
    from subsidies.models import Activity

    fiscal_year, _ = _fiscal_year(request)
    area, _areas, hubs, _designations = _dashboard_scope(request)
    activities = (
        Activity.objects.filter(
            report__application__hub__in=hubs, report__application__fiscal_year=fiscal_year
        )
        .select_related("report__application__hub", "requirement_item", "designation__institution")
        .order_by("report__application__hub__name", "held_on", "pk")
    )
    columns = [
        Column("拠点"),
        Column("種別"),
        Column("実施日", "date"),
        Column("名称・テーマ"),
        Column("求められる事項"),
        Column("積極的医療機関"),
        Column("参加者（職種別の合計）", "int"),
        Column("参加者数", "int"),
        Column("受講者×半日", "int"),
        Column("内容"),
    ]
    rows = [
        [
            a.report.application.hub.name,
            a.get_kind_display(),
            a.held_on,
            a.title,
            str(a.requirement_item or ""),
            a.designation.institution.name if a.designation_id else "",
            a.participant_total or None,
            a.attendance,
            (a.trainees or 0) * (a.half_days or 0) or None,
            a.description,
        ]
        for a in activities
    ]
    suffix = f"_{area.name}" if area else ""
    return xlsx_response(
        f"活動実績_{fiscal_year}{suffix}.xlsx", write_xlsx([("活動実績", columns, rows)])
    )


@require_roles(*STAFF_ROLES)
@refuses_bad_query
def prefecture(request):
    """The prefecture's view: budget execution, the review queue, drill-down to areas."""
    fiscal_year, years = _fiscal_year(request)
    hubs = hubs_for(request.user)
    per_menu, per_area = (
        dashboard_data.budget_execution(fiscal_year, hubs) if fiscal_year else ([], [])
    )
    budget = fiscal_year.budget_amount if fiscal_year else None  # None: not set yet
    decided_total = sum(row.decided for row in per_area)
    charts = {}
    charts["menu"] = bar_chart(
        "補助メニュー別の交付決定額",
        [row.label for row in per_menu],
        [Series("交付決定額", tuple(row.decided for row in per_menu))],
        unit="千円",
    )
    if (
        len(per_area) <= CHART_MAX_CATEGORIES
    ):  # beyond that a chart is unreadable: the table says it
        charts["area"] = bar_chart(
            "圏域別の執行状況",
            [row.label for row in per_area],
            [
                Series("交付決定額", tuple(row.decided for row in per_area)),
                Series("確定額", tuple(row.confirmed for row in per_area)),
                Series("概算払", tuple(row.paid for row in per_area)),
                Series("返還", tuple(row.refunded for row in per_area)),
            ],
            unit="千円",
        )
    return render(
        request,
        "reports/prefecture.html",
        {
            "status_counts": dashboard_data.status_counts(fiscal_year, hubs) if fiscal_year else [],
            "fiscal_year": fiscal_year,
            "fiscal_years": years,
            "per_menu": per_menu,
            "per_area": per_area,
            "charts": charts,
            "budget": budget,
            "decided_total": decided_total,
            "confirmed_total": sum(row.confirmed for row in per_area),
            "paid_total": sum(row.paid for row in per_area),
            "refunded_total": sum(row.refunded for row in per_area),
            "remaining": budget - decided_total if budget is not None else None,
            "execution_rate": (
                f"{decided_total * 100 / budget:.1f}%" if budget else None
            ),  # 交付決定額 ÷ 予算額
            "can_set_budget": bool(can_manage_master_data(request.user)),
            "areas": areas_for(request.user),
        },
    )


@require_roles(*STAFF_ROLES)
@refuses_bad_query
def prefecture_pdf(request):
    from reports.documents import prefecture_summary_pdf

    fiscal_year, _ = _fiscal_year(request)
    if fiscal_year is None:
        raise Http404("年度が登録されていません。")
    content = prefecture_summary_pdf(
        fiscal_year, hubs_for(request.user), designations_for(request.user)
    )
    response = HttpResponse(content, content_type="application/pdf")
    name = f"実施状況_{fiscal_year}.pdf"
    response["Content-Disposition"] = content_disposition(name)
    return response


@require_roles(*ALL_ROLES)
def application_pdf(request, pk: int):
    """The application as filed (a frozen version), for the coordinator's and staff's files."""
    from reports.documents import application_pdf as render
    from subsidies.models import ApplicationVersion

    version = get_object_or_404(
        ApplicationVersion.objects.filter(
            application__in=applications_for(request.user)
        ).select_related("application__hub", "application__fiscal_year"),
        pk=pk,
    )
    response = HttpResponse(render(version), content_type="application/pdf")
    application = version.application
    grantee = application.recipient.name  # the hub, or the hospital (issue 18)
    name = f"交付申請書_{grantee}_{application.fiscal_year}_第{version.number}版.pdf"
    response["Content-Disposition"] = content_disposition(name)
    return response


@require_roles(*ALL_ROLES)
def results_pdf(request, pk: int):
    """The results report as filed (a frozen version)."""
    from reports.documents import results_pdf as render
    from subsidies.models import ResultReportVersion

    version = get_object_or_404(
        ResultReportVersion.objects.filter(
            report__application__in=applications_for(request.user)
        ).select_related("report__application__hub", "report__application__fiscal_year"),
        pk=pk,
    )
    response = HttpResponse(render(version), content_type="application/pdf")
    application = version.report.application
    grantee = application.recipient.name  # the hub, or the hospital (issue 18)
    name = f"実績報告書_{grantee}_{application.fiscal_year}_第{version.number}版.pdf"
    response["Content-Disposition"] = content_disposition(name)
    return response


@require_roles(*ALL_ROLES)
def decision_notice(request, pk: int):
    from reports.documents import decision_notice_filename, decision_notice_pdf

    decision = get_object_or_404(decisions_for(request.user), pk=pk)
    response = HttpResponse(decision_notice_pdf(decision), content_type="application/pdf")
    name = decision_notice_filename(decision)
    response["Content-Disposition"] = content_disposition(name)
    return response


@require_roles(*ALL_ROLES)
def confirmation_notice(request, confirmation_pk: int):
    """The 額の確定通知書 of one confirmation (a correction has its own), as PDF."""
    from reports.confirmation_documents import confirmation_notice_filename, confirmation_notice_pdf

    confirmation = get_object_or_404(
        confirmations_for(request.user).select_related(
            "application__hub", "application__fiscal_year", "report_version"
        ),
        pk=confirmation_pk,
    )
    response = HttpResponse(confirmation_notice_pdf(confirmation), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        confirmation_notice_filename(confirmation)
    )
    return response


class BatchForm(forms.Form):
    kind = forms.ChoiceField(label="種類", choices=BatchJob.Kind.choices)
    year = forms.TypedChoiceField(label="年度", coerce=int)
    hub = forms.ModelChoiceField(
        label="拠点（監査用一式のみ）", queryset=None, required=False, empty_label="—"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from subsidies.models import FiscalYear

        self.fields["year"].choices = [(fy.year, str(fy)) for fy in FiscalYear.objects.all()]
        self.fields["hub"].queryset = hubs_for(user)

    def clean(self):
        data = super().clean()
        if data.get("kind") == BatchJob.Kind.DOSSIER and not data.get("hub"):
            self.add_error("hub", "監査用一式を作成する拠点を選んでください。")
        return data


@require_roles(*STAFF_ROLES)
def batch_list(request):
    form = BatchForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        from subsidies.models import FiscalYear

        fiscal_year = FiscalYear.objects.get(year=form.cleaned_data["year"])
        kind = form.cleaned_data["kind"]
        if kind == BatchJob.Kind.DOSSIER:
            hub = form.cleaned_data["hub"]
            params = {"year": fiscal_year.year, "hub": hub.pk}
            label = f"監査用一式_{hub.name}_{fiscal_year}"
        else:
            params = {"year": fiscal_year.year}
            label = f"交付決定通知書_{fiscal_year}"
        job = start_batch(kind, params, label, request.user)
        messages.success(request, f"「{job.label}」の作成を開始しました。")
        return redirect("reports:batch_detail", pk=job.pk)
    jobs = BatchJob.objects.select_related("created_by")[:50]
    return render(request, "reports/batch_list.html", {"form": form, "jobs": jobs})


@require_roles(*STAFF_ROLES)
def batch_detail(request, pk: int):
    from reports.workers import live_workers

    job = get_object_or_404(BatchJob, pk=pk)
    waiting = job.status in (BatchJob.Status.QUEUED, BatchJob.Status.RUNNING)
    context = {"job": job, "no_worker": waiting and not live_workers().exists()}
    return render(request, "reports/batch_detail.html", context)


@require_roles(*STAFF_ROLES)
def batch_download(request, pk: int):
    # A failed batch keeps the documents it made (reports/batches.py): those download too.
    finished = BatchJob.objects.filter(
        status__in=(BatchJob.Status.DONE, BatchJob.Status.FAILED)
    ).exclude(result="")
    job = get_object_or_404(finished, pk=pk)
    return file_download(job.result.open("rb"), job.result_name)
