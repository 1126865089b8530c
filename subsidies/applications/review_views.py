import datetime
from typing import NamedTuple, TypedDict

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, Sum, Value, When
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe

from hospitals.coverage import coverage_of
from hospitals.models import MedicalInstitution
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
from zaitaku_portal import figures
from zaitaku_portal.access import STAFF_ROLES, require_roles
from zaitaku_portal.query import BadQuery, refuses_bad_query
from zaitaku_portal.scopes import (
    applications_for,
    areas_for,
    designations_for,
    health_centers_for,
    hubs_for,
)
from zaitaku_portal.templatetags.ja_format import nendo, wareki
from zaitaku_portal.wareki import fiscal_year_of

QUEUE_PAGE_SIZE = 50


def _with_current_year(query, current_pk):
    """The queue shows the current fiscal year unless ?fiscal_year= says otherwise (empty:
    every year), so last year's settled applications do not bury this year's."""
    if "fiscal_year" in query or current_pk is None:
        return query
    query = query.copy()
    query["fiscal_year"] = str(current_pk)
    return query


def _current_year_pk(fiscal_years) -> int | None:
    """The pk of today's fiscal year among `fiscal_years`, None if it is not registered."""
    today_year = fiscal_year_of(timezone.localdate())
    return next((year.pk for year in fiscal_years if year.year == today_year), None)


def _queue(request, current_year_pk: int | None = None):
    """The staff queue with its filters: (form, filtered applications without the status
    filter, filtered applications). With `current_year_pk` (the review home) the queue is
    that year's unless ?fiscal_year= says otherwise."""
    data = _with_current_year(request.GET, current_year_pk)
    form = QueueFilterForm(
        data or None,
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


# --- the review home: what it shows, read once ----------------------------------------------
# At national scale (346 areas, 500 health centres, 50 rows a page) the page spent most of its
# CPU building model instances for the filters' options and the rows, unpickling the whole
# coverage to show four figures and the gaps, and resolving template lookups per row. So the
# options are (pk, name) pairs, the rows plain values made once, and the coverage's figures
# kept in the figures cache as the little the page shows.

STARTABLE = (ApplicationStatus.SUBMITTED, ApplicationStatus.RESUBMITTED)
STATUS_LABELS = dict(ApplicationStatus.choices)
STATUS_BADGES = {ApplicationStatus.RESUBMITTED: "warn", ApplicationStatus.DECIDED: "ok"}


# Dicts, not named tuples: a template looks a name up as a key first, and a tuple answers
# that with an exception, 500 times a page.
class QueueRow(TypedDict):
    """One row of the queue as the page prints it."""

    url: str
    recipient_name: str
    year_label: str
    kind: str
    status: str
    status_label: str
    badge: str
    resubmitted: bool
    submitted: str
    deadline: str
    overdue: bool


class GapRow(NamedTuple):
    """An area without a hub or an active hospital, as the page's table shows it (a few a
    page, read by name in the tests of the one coverage rule)."""

    name: str
    hub_count: int
    hospital_count: int


class CoverageFigures(NamedTuple):
    hub_count: int
    hospital_count: int
    area_count: int
    gaps: tuple


class _CountedPaginator(Paginator):
    """A paginator told its count: the status cards' counts already give it."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _filter_choices(form, fiscal_years, user) -> None:
    """The filters' options as (pk, name) pairs, in the order and with the labels their
    fields' querysets give: the form still validates through its querysets, and the
    widgets print the same <select>s, without a model instance per option."""
    fields = form.fields
    years = sorted(fiscal_years, key=lambda year: -year.year)  # the field's order_by("-year")
    fields["fiscal_year"].widget.choices = [
        ("", fields["fiscal_year"].empty_label),
        *((year.pk, str(year)) for year in years),
    ]
    for name, queryset in (("area", areas_for(user)), ("health_center", health_centers_for(user))):
        # str() of an area and of a health centre is its name
        fields[name].widget.choices = [
            ("", fields[name].empty_label),
            *queryset.values_list("pk", "name"),
        ]


def _filters_html(form, fiscal_years, user) -> str:
    """The filters' <select>s as the form renders them, kept while the years, the areas and
    the health centres are unchanged (their stamps), for the user's scope and the values
    chosen: 850 options of areas and health centres were a fifth of the page (issue 21)."""
    chosen = tuple((name, form.data.get(name, "")) for name in form.fields) if form.is_bound else ()

    def render() -> str:
        _filter_choices(form, fiscal_years, user)
        return render_to_string("subsidies/applications/_queue_filters.html", {"form": form})

    html = figures.remembered(
        "queue-filters",
        (
            figures.release(),
            user.pk,
            getattr(user, "role", ""),
            getattr(user, "health_center_id", ""),
            chosen,
        ),
        (figures.CATALOGUE, figures.COVERAGE),
        render,
    )
    return mark_safe(html)  # noqa: S308 - rendered by the template above


ROW_FIELDS = (
    "pk",
    "hub__name",
    "institution_id",
    "fiscal_year__year",
    "fiscal_year__application_deadline",
    "is_change_request",
    "status",
    "submitted_at",
)


def _queue_rows(values, today) -> list[QueueRow]:
    """The page's rows from one query of plain values (ROW_FIELDS); a hospital's own
    application (issue 18) fetches its institution's name apart, not a join that hashes
    every institution of the prefecture for each page (and not at all when none is listed)."""
    rows = list(values)
    institution_ids = {row["institution_id"] for row in rows if row["institution_id"]}
    institutions = (
        dict(MedicalInstitution.objects.filter(pk__in=institution_ids).values_list("pk", "name"))
        if institution_ids
        else {}
    )
    # each row's link as reverse() gives it, the URL reversed once (50 reverses a page)
    head, tail = reverse("subsidies:application_detail", args=[_SENTINEL]).split(str(_SENTINEL))
    return [_queue_row(row, institutions, today, head, tail) for row in rows]


_SENTINEL = 987654321


def _queue_row(row, institutions, today, head: str, tail: str) -> QueueRow:
    deadline = row["fiscal_year__application_deadline"]
    status = row["status"]
    institution_id = row["institution_id"]
    return QueueRow(
        url=f"{head}{row['pk']}{tail}",
        # Application.recipient: the hospital of its own application, else the hub
        recipient_name=institutions[institution_id] if institution_id else row["hub__name"],
        year_label=nendo(row["fiscal_year__year"]),
        kind="変更承認申請" if row["is_change_request"] else "交付申請",
        status=status,
        status_label=STATUS_LABELS.get(status, status),
        badge=STATUS_BADGES.get(status, ""),
        resubmitted=status == ApplicationStatus.RESUBMITTED,
        submitted=wareki(row["submitted_at"], True),
        deadline=wareki(deadline),
        overdue=bool(deadline and deadline < today and status in EDITABLE_STATES),
    )


def _coverage_figures(user) -> CoverageFigures:
    """The four figures and the gaps, by the one rule of hospitals.coverage (as on the
    充足状況 page and the dashboard), kept under the same key parts and topic as the
    coverage itself: the hubs, designations and areas they count."""
    areas, hubs, designations = areas_for(user), hubs_for(user), designations_for(user)
    today = datetime.date.today()  # coverage_of's day

    def compute() -> CoverageFigures:
        coverage = coverage_of(areas, hubs, designations, today, detail=False)
        return CoverageFigures(
            hub_count=hubs.count(),
            hospital_count=designations.filter(status="active").count(),
            area_count=len(coverage),
            gaps=tuple(
                GapRow(item.name, item.hub_count, item.hospital_count)
                for item in coverage
                if item.is_gap
            ),
        )

    return figures.remembered(
        "review-coverage",
        # the user's scope as zaitaku_portal.todos keys it (what the *_for querysets are
        # made of), not their SQL: three compiles a page
        (user.pk, getattr(user, "role", ""), getattr(user, "health_center_id", ""), today),
        (figures.COVERAGE,),
        compute,
    )


@require_roles(*STAFF_ROLES)
@refuses_bad_query
def review_home(request):
    """Prefecture staff's home: the review queue, then where things stand."""
    # the years' table, also the current year and the year filter's options
    fiscal_years = list(FiscalYear.objects.annotate(menu_count=Count("menus")))
    current_year_pk = _current_year_pk(fiscal_years)
    form, without_status, applications = _queue(request, current_year_pk)
    counts = dict(
        without_status.order_by().values_list("status").annotate(n=Count("pk", distinct=True))
    )
    status_counts = [
        {"value": s.value, "label": s.label, "n": counts.get(s.value, 0)} for s in ApplicationStatus
    ]
    # The scope and the filters are subqueries (no join), so each application is counted
    # once: the queue's total and its startable count are sums of the cards' counts.
    status = form.cleaned_data["status"] if form.is_valid() else ""
    shown = [s.value for s in ApplicationStatus if not status or s.value == status]
    total = sum(counts.get(s, 0) for s in shown)
    startable_count = sum(counts.get(s, 0) for s in shown if s in STARTABLE)
    paginator = _CountedPaginator(applications.values(*ROW_FIELDS), QUEUE_PAGE_SIZE, total)
    page = paginator.get_page(request.GET.get("page"))
    query = _with_current_year(request.GET, current_year_pk).copy()
    query.pop("page", None)  # the export and status cards keep the rest
    filters = _filters_html(form, fiscal_years, request.user)
    coverage = _coverage_figures(request.user)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": _queue_rows(page.object_list, timezone.localdate()),
        "total": total,
        "status_counts": status_counts,
        "query": query.urlencode(),
        "startable_count": startable_count,
        "hub_count": coverage.hub_count,
        "hospital_count": coverage.hospital_count,
        "area_count": coverage.area_count,
        "gaps": coverage.gaps,
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
