"""To-dos of 実績報告 (zaitaku_portal/todos.py).

- coordinator: the results report due for a decided application (none yet, or still 作成中),
  with the nearest 実績報告の締切; a returned report with its reason;
- prefecture staff: reports waiting for review, counted per state, linking to the queue;
- 保健所の助言: the health center's reports of its areas handed in and not yet advised
  (linking to its advice list), and the coordinator's advice received on a report not yet
  confirmed (as the plan's advice in subsidies.applications.todos).

The report of fiscal year Y is written after Y ends, so the current and the previous year
are looked at. A constant number of queries whatever the number of hubs."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from subsidies.models import ApplicationStatus, ReportAdvice, ResultReportStatus
from subsidies.results.report_advice import ADVISABLE_STATES
from zaitaku_portal.access import STAFF_ROLES, role_of
from zaitaku_portal.models import Role
from zaitaku_portal.scopes import applications_for, reports_for
from zaitaku_portal.todos import Todo
from zaitaku_portal.wareki import fiscal_year_of

WAITING = (
    ResultReportStatus.RESUBMITTED,
    ResultReportStatus.SUBMITTED,
    ResultReportStatus.UNDER_REVIEW,
)
URGENT_DAYS = 7


def is_urgent(due: datetime.date | None, today: datetime.date) -> bool:
    return due is not None and due - today <= datetime.timedelta(days=URGENT_DAYS)


def todos(user) -> list[Todo]:
    role = role_of(user)
    if role == Role.HUB_COORDINATOR:
        return coordinator_todos(user)
    if role in STAFF_ROLES:
        return staff_todos(user)
    if role == Role.HEALTH_CENTER:
        return health_center_todos(user)
    return []


def coordinator_todos(user) -> list[Todo]:
    today = timezone.localdate()
    year = fiscal_year_of(today)
    due = (
        applications_for(user)
        .filter(status=ApplicationStatus.DECIDED, fiscal_year__year__in=(year - 1, year))
        .filter(Q(result_report__isnull=True) | Q(result_report__status=ResultReportStatus.DRAFT))
        .order_by("fiscal_year__results_deadline", "hub__name")
    )
    items: list[Todo] = []
    first = due.first()
    if first is not None:
        report = getattr(first, "result_report", None)
        deadline = first.fiscal_year.results_deadline
        items.append(
            Todo(
                "実績報告を作成・提出してください",
                due.count(),
                reverse("results:report_detail", args=[report.pk])
                if report is not None
                else reverse("results:index"),
                due=deadline,
                detail=str(first),
                urgent=is_urgent(deadline, today),
            )
        )
    returned = (
        reports_for(user).filter(status=ResultReportStatus.RETURNED).order_by("-updated_at", "-pk")
    )
    latest = returned.first()
    if latest is not None:
        items.append(
            Todo(
                "差し戻された実績報告を直して再提出してください",
                returned.count(),
                reverse("results:report_detail", args=[latest.pk]),
                due=latest.application.fiscal_year.results_deadline,
                detail=f"{latest.application}：{latest.return_reason[:80]}",
                urgent=True,
            )
        )
    items.extend(advice_received(user))
    return items


def advice_received(user) -> list[Todo]:
    """保健所の助言 on the coordinator's reports still handed in (not yet confirmed)."""
    advice = (
        ReportAdvice.objects.filter(
            report__in=reports_for(user).filter(status__in=ADVISABLE_STATES).values("pk")
        )
        .select_related("report__application__hub", "report__application__fiscal_year")
        .order_by("-created_at", "-pk")
    )
    newest = advice.first()
    if newest is None:
        return []
    return [
        Todo(
            "実績報告に保健所の助言が届いています",
            advice.count(),
            reverse("results:report_detail", args=[newest.report_id]) + "#advice",
            detail=f"{newest.report}：{newest.body[:80]}",
        )
    ]


def health_center_todos(user) -> list[Todo]:
    """Reports of its areas handed in (this year's or last year's) with no advice yet."""
    year = fiscal_year_of(timezone.localdate())
    waiting = (
        reports_for(user)
        .filter(status__in=ADVISABLE_STATES, application__fiscal_year__year__in=(year - 1, year))
        .exclude(pk__in=ReportAdvice.objects.values("report_id"))
        .order_by("submitted_at", "application__hub__name")
    )
    first = waiting.first()
    if first is None:
        return []
    count = waiting.count()
    return [
        Todo(
            "保健所の助言を待っている実績報告",
            count,
            reverse("results:advice_list"),
            detail=str(first) + ("ほか" if count > 1 else ""),
        )
    ]


def staff_todos(user) -> list[Todo]:
    counts = dict(
        reports_for(user)
        .filter(status__in=WAITING)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    queue = reverse("results:queue")
    labels = {
        ResultReportStatus.RESUBMITTED: "再提出された実績報告（審査待ち）",
        ResultReportStatus.SUBMITTED: "提出された実績報告（審査待ち）",
        ResultReportStatus.UNDER_REVIEW: "審査中の実績報告",
    }
    return [
        Todo(
            f"{labels[status]} {counts.get(status.value, 0)}件",
            counts.get(status.value, 0),
            f"{queue}?year=&status={status.value}",
        )
        for status in WAITING
    ]
