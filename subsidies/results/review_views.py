"""The staff's queue of results reports (issue 20): reports by state for one fiscal year,
the current one by default (?year= empty: every year), waiting ones first."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Value, When
from django.shortcuts import render
from django.utils import timezone

from subsidies.models import FiscalYear, ResultReportStatus
from zaitaku_portal.access import STAFF_ROLES, require_roles
from zaitaku_portal.query import BadQuery, number, refuses_bad_query
from zaitaku_portal.scopes import reports_for
from zaitaku_portal.wareki import fiscal_year_of

ORDER = [
    ResultReportStatus.RESUBMITTED,
    ResultReportStatus.SUBMITTED,
    ResultReportStatus.UNDER_REVIEW,
    ResultReportStatus.RETURNED,
    ResultReportStatus.AWAITING_APPROVAL,
    ResultReportStatus.DRAFT,
    ResultReportStatus.CONFIRMED,
]


@require_roles(*STAFF_ROLES)
@refuses_bad_query
def queue(request):
    if "year" in request.GET:
        year = number(request, "year", "年度", minimum=2000, maximum=2100)
    else:
        year = fiscal_year_of(timezone.localdate())
    status = request.GET.get("status", "")
    if status and status not in ResultReportStatus.values:
        raise BadQuery(
            "「状態」（status）の指定が正しくありません。一覧の選択肢から選んでください。"
        )
    reports = reports_for(request.user)
    if year is not None:
        reports = reports.filter(application__fiscal_year__year=year)
    counts = dict(reports.order_by().values_list("status").annotate(n=Count("pk")))
    if status:
        reports = reports.filter(status=status)
    priority = Case(
        *(When(status=s, then=Value(i)) for i, s in enumerate(ORDER)),
        output_field=IntegerField(),
    )
    reports = reports.annotate(priority=priority).order_by(
        "priority", "submitted_at", "application__hub__name"
    )
    return render(
        request,
        "subsidies/results/queue.html",
        {
            "reports": reports,
            "year": year,
            "status": status,
            "status_counts": [(s, counts.get(s.value, 0)) for s in ORDER],
            "years": FiscalYear.objects.order_by("-year").values_list("year", flat=True),
            "statuses": ResultReportStatus.choices,
        },
    )
