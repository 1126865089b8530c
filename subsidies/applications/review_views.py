from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, Sum, Value, When
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from hospitals.coverage import coverage_for
from hubs.models import Hub
from subsidies.applications.forms import QueueFilterForm
from subsidies.applications.rules import EDITABLE_STATES
from subsidies.applications.services import bulk_start_review
from subsidies.catalogue.services import catalogue_refusal
from subsidies.models import (
    ApplicationStatus,
    Decision,
    FiscalYear,
)
from zaitaku_portal.access import STAFF_ROLES, require_roles
from zaitaku_portal.query import BadQuery, refuses_bad_query
from zaitaku_portal.scopes import (
    applications_for,
    areas_for,
    designations_for,
    health_centers_for,
    hubs_for,
)
from zaitaku_portal.wareki import fiscal_year_of

QUEUE_PAGE_SIZE = 50


def _with_current_year(query):
    """The queue shows the current fiscal year unless ?fiscal_year= says otherwise (empty:
    every year), so last year's settled applications do not bury this year's."""
    if "fiscal_year" in query:
        return query
    current = FiscalYear.objects.filter(year=fiscal_year_of(timezone.localdate())).first()
    if current is None:
        return query
    query = query.copy()
    query["fiscal_year"] = str(current.pk)
    return query


def _queue(request, default_year: bool = False):
    """The staff queue with its filters: (form, filtered applications without the status
    filter, filtered applications)."""
    form = QueueFilterForm(
        (_with_current_year(request.GET) if default_year else request.GET) or None,
        # the choices' names only: 330 areas become options on every page of the queue
        fiscal_years=FiscalYear.objects.order_by("-year").only("pk", "year"),
        areas=areas_for(request.user).only("pk", "name"),
        health_centers=health_centers_for(request.user).only("pk", "name"),
    )
    applications = applications_for(request.user)
    if form.is_bound and not form.is_valid():
        # Dropping a filter it cannot read would widen the queue, and the bulk start of
        # review with it (issue 12, point 6): say which one instead.
        names = "".join(f"「{form.fields[name].label}」（{name}）" for name in form.errors)
        raise BadQuery(
            f"絞り込みの{names}の指定が正しくありません。一覧の選択肢から選んでください。"
        )
    if form.is_valid():
        data = form.cleaned_data
        if data["fiscal_year"]:
            applications = applications.filter(fiscal_year=data["fiscal_year"])
        # Area filters as subqueries: no join, so no DISTINCT over every column.
        if data["area"]:
            applications = applications.filter(
                hub__in=Hub.objects.filter(areas=data["area"]).values("pk")
            )
        if data["health_center"]:
            applications = applications.filter(
                hub__in=Hub.objects.filter(
                    areas__municipalities__health_centers=data["health_center"]
                ).values("pk")
            )
    without_status = applications
    if form.is_valid() and form.cleaned_data["status"]:
        applications = applications.filter(status=form.cleaned_data["status"])
    priority = Case(
        When(status=ApplicationStatus.RESUBMITTED, then=Value(0)),
        When(status=ApplicationStatus.SUBMITTED, then=Value(1)),
        When(status=ApplicationStatus.UNDER_REVIEW, then=Value(2)),
        default=Value(3),
    )
    applications = applications.annotate(priority=priority).order_by(
        "priority", "submitted_at", "hub__name"
    )
    return form, without_status, applications


@require_roles(*STAFF_ROLES)
@refuses_bad_query
def review_home(request):
    """Prefecture staff's home: the review queue, then where things stand."""
    form, without_status, applications = _queue(request, default_year=True)
    counts = dict(
        without_status.order_by().values_list("status").annotate(n=Count("pk", distinct=True))
    )
    status_counts = [(s, counts.get(s.value, 0)) for s in ApplicationStatus]
    today = timezone.localdate()
    # The page's 50 rows: a hospital's own application (issue 18) fetches its institution
    # apart, not a join that hashes every institution of the prefecture for each page.
    listed = applications.select_related(None).select_related("hub", "fiscal_year")
    listed = listed.prefetch_related("institution")
    page = Paginator(listed, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    for application in page:
        deadline = application.fiscal_year.application_deadline
        application.overdue = bool(
            deadline and deadline < today and application.status in EDITABLE_STATES
        )
    query = _with_current_year(request.GET).copy()  # the export and status cards keep it
    query.pop("page", None)
    # Gaps by the one rule of hospitals.coverage, as on the 充足状況 page and the dashboard.
    coverage = coverage_for(request.user, detail=False)  # counts and gaps only
    fiscal_years = FiscalYear.objects.annotate(menu_count=Count("menus"))
    context = {
        "form": form,
        "page": page,
        "total": page.paginator.count,
        "status_counts": status_counts,
        "query": query.urlencode(),
        "startable_count": applications.filter(
            status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.RESUBMITTED]
        ).count(),
        "hub_count": hubs_for(request.user).count(),
        "hospital_count": designations_for(request.user).filter(status="active").count(),
        "area_count": len(coverage),
        "gaps": [item for item in coverage if item.is_gap],
        "fiscal_years": fiscal_years,
    }
    return render(request, "subsidies/applications/review_home.html", context)


@require_roles(*STAFF_ROLES)
@refuses_bad_query
def review_export(request):
    """The queue as xlsx, with the page's filters (all pages, in the queue's order)."""
    from zaitaku_portal.spreadsheets import Column, write_xlsx, xlsx_response

    _, _, applications = _queue(request)
    decided = dict(
        Decision.objects.current()
        .filter(application__in=applications)
        .values("application_id")
        .annotate(total=Sum("total_amount"))
        .values_list("application_id", "total")
    )
    columns = [
        Column("拠点"),
        Column("年度"),
        Column("種別"),
        Column("状態"),
        Column("提出日時", "datetime"),
        Column("締切", "date"),
        Column("交付決定額", "yen"),
    ]
    rows = [
        [
            a.hub.name,
            str(a.fiscal_year),
            "変更承認申請" if a.is_change_request else "交付申請",
            a.get_status_display(),
            a.submitted_at,
            a.fiscal_year.application_deadline,
            decided.get(a.pk),
        ]
        for a in applications
    ]
    return xlsx_response("交付申請の審査一覧.xlsx", write_xlsx([("審査一覧", columns, rows)]))


@require_roles(*STAFF_ROLES)
@refuses_bad_query
def bulk_review(request):
    """Start the review of every submitted application matching the filters (all pages)."""
    _, _, applications = _queue(request)
    targets = applications.filter(
        status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.RESUBMITTED]
    )
    count = targets.count()
    if request.method == "POST":
        if str(count) != request.POST.get("expected_count"):
            messages.error(
                request,
                f"対象の件数が確認時から変わりました（現在 {count}件）。もう一度確認してください。",
            )
            return redirect(f"{reverse('subsidies:bulk_review')}?{request.GET.urlencode()}")
        done = bulk_start_review(targets, request.user)
        messages.success(request, f"{done}件の申請の審査を開始しました。")
        return redirect(f"{reverse('subsidies:review_home')}?{request.GET.urlencode()}")
    # Starting a review decides nothing; the decisions that follow are refused while a
    # year's caps are 調整中, so the page says so before the review starts.
    draft_years = FiscalYear.objects.filter(
        pk__in=targets.values("fiscal_year_id"), catalogue_status=FiscalYear.CatalogueStatus.DRAFT
    ).order_by("year")
    return render(
        request,
        "subsidies/applications/bulk_confirm.html",
        {
            "count": count,
            "targets": targets[:20],
            "query": request.GET.urlencode(),
            "refusals": [catalogue_refusal(year) for year in draft_years],
        },
    )
