"""To-dos of 交付申請 (zaitaku_portal/todos.py), per role, for the current fiscal year.

- coordinator: the plan due by the application deadline (no application yet, or a draft),
  a returned application with its reason, 保健所の助言 received on a plan still under way;
- prefecture staff: applications waiting for review (to start / under review), with counts;
- health center: plans of its areas waiting for its advice, areas short of 積極的医療機関.

Every provider costs a constant number of queries whatever the number of hubs."""

from __future__ import annotations

import datetime

from django.db.models import Count
from django.urls import reverse

from subsidies.applications import reading
from subsidies.models import ApplicationComment, ApplicationStatus, FiscalYear
from zaitaku_portal.access import STAFF_ROLES, role_of
from zaitaku_portal.models import Role
from zaitaku_portal.scopes import applications_for, hubs_for
from zaitaku_portal.todos import Todo
from zaitaku_portal.wareki import fiscal_year_of

URGENT_DAYS = 7
WAITING_REVIEW = (ApplicationStatus.SUBMITTED, ApplicationStatus.RESUBMITTED)
# a plan the health center may still advise on: handed in, not yet decided
ADVISABLE = (*WAITING_REVIEW, ApplicationStatus.UNDER_REVIEW)
SETTLED = (
    ApplicationStatus.DECIDED,
    ApplicationStatus.REJECTED,
    ApplicationStatus.WITHDRAWN,
    ApplicationStatus.DISCONTINUED,
)


def tokyo_today() -> datetime.date:
    from django.utils import timezone

    return timezone.localdate()


def is_urgent(due: datetime.date | None, today: datetime.date) -> bool:
    return due is not None and due - today <= datetime.timedelta(days=URGENT_DAYS)


def current_fiscal_year(today: datetime.date) -> FiscalYear | None:
    return reading.fiscal_year_numbered(fiscal_year_of(today))


def todos(user) -> list[Todo]:
    role = role_of(user)
    today = tokyo_today()
    if role == Role.HUB_COORDINATOR:
        return coordinator_todos(user, today)
    if role in STAFF_ROLES:
        return staff_todos(user, today)
    if role == Role.HEALTH_CENTER:
        return health_center_todos(user, today)
    return []


def coordinator_todos(user, today: datetime.date) -> list[Todo]:
    items: list[Todo] = []
    year = current_fiscal_year(today)
    mine = applications_for(user)
    if year is not None:
        items.append(_plan_due(user, mine, year, today))
    returned = mine.filter(status=ApplicationStatus.RETURNED).order_by("-updated_at")
    latest = returned.first()
    if latest is not None:
        reason = latest.return_reason_text or latest.get_return_reason_code_display()
        items.append(
            Todo(
                "差し戻された交付申請を直して再提出してください",
                returned.count(),
                reverse("subsidies:application_detail", args=[latest.pk]),
                due=latest.fiscal_year.application_deadline,
                detail=f"{latest}：{reason[:80]}",
                urgent=True,
            )
        )
    advice = (
        ApplicationComment.objects.filter(
            application__in=mine.exclude(status__in=SETTLED).values("pk"),
            kind=ApplicationComment.Kind.ADVICE,
        )
        .select_related("application")
        .order_by("-created_at", "-pk")
    )
    newest = advice.first()
    if newest is not None:
        items.append(
            Todo(
                "保健所の助言が届いています",
                advice.count(),
                reverse("subsidies:application_detail", args=[newest.application_id]),
                detail=newest.body[:80],
            )
        )
    return items


def _plan_due(user, mine, year: FiscalYear, today: datetime.date) -> Todo:
    """Hubs of this coordinator with no application for the year, or only a draft."""
    started = mine.filter(fiscal_year=year)
    handed_in = started.exclude(status=ApplicationStatus.DRAFT).values("hub_id")
    waiting = hubs_for(user).exclude(pk__in=handed_in)
    count = waiting.count()
    draft = started.filter(status=ApplicationStatus.DRAFT).first()
    url = (
        reverse("subsidies:application_detail", args=[draft.pk])
        if draft is not None
        else reverse("subsidies:application_list")
    )
    due = year.application_deadline
    return Todo(
        f"{year}の交付申請（事業計画）を提出してください",
        count,
        url,
        due=due,
        detail="締切を過ぎています。県にご相談ください。" if due and due < today else "",
        urgent=is_urgent(due, today),
    )


def staff_todos(user, today: datetime.date) -> list[Todo]:
    year = current_fiscal_year(today)
    if year is None:
        return []
    queue = reverse("subsidies:review_home")
    this_year = applications_for(user).filter(fiscal_year=year)
    counts = dict(
        this_year.filter(status__in=ADVISABLE)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    items = []
    for status, label in (
        (ApplicationStatus.RESUBMITTED, "再提出された交付申請（審査待ち）"),
        (ApplicationStatus.SUBMITTED, "提出された交付申請（審査待ち）"),
        (ApplicationStatus.UNDER_REVIEW, "審査中の交付申請"),
    ):
        count = counts.get(status.value, 0)
        items.append(
            Todo(
                f"{label} {count}件",
                count,
                f"{queue}?fiscal_year={year.pk}&status={status.value}",
            )
        )
    return items


def health_center_todos(user, today: datetime.date) -> list[Todo]:
    items: list[Todo] = []
    year = current_fiscal_year(today)
    if year is not None:
        advised = ApplicationComment.objects.filter(kind=ApplicationComment.Kind.ADVICE).values(
            "application_id"
        )
        waiting = (
            applications_for(user)
            .filter(fiscal_year=year, status__in=ADVISABLE)
            .exclude(pk__in=advised)
            .order_by("submitted_at", "hub__name")
        )
        first = waiting.first()
        if first is not None:
            items.append(
                Todo(
                    "保健所の助言を待っている事業計画",
                    waiting.count(),
                    reverse("subsidies:application_detail", args=[first.pk]),
                    detail=str(first),
                )
            )
    items.extend(coverage_todos(user))
    return items


def coverage_todos(user) -> list[Todo]:
    from hospitals.coverage import coverage_for

    gaps = [item for item in coverage_for(user, detail=False) if item.is_gap]
    if not gaps:
        return []
    return [
        Todo(
            "積極的医療機関が不足している在宅医療圏",
            len(gaps),
            reverse("hospitals:coverage"),
            detail="、".join(item.name for item in gaps[:5]),
        )
    ]
