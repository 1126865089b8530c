"""To-dos of the health center's watch (zaitaku_portal/todos.py, issue 20): the hubs of its
areas that are behind their plan in the current fiscal year.

- 事業計画が未提出の拠点: no application handed in for the year (none, or still a draft)
  once the year's 申請の締切 has passed;
- 会議の開催が計画より遅れている拠点: a decided plan whose meetings held so far (実績報告's
  activities dated up to today) are fewer than its planned meetings (form 4-③) pro rata to
  the whole months of the year gone by: planned × months ÷ 12, rounded down (6 planned, on
  2 December 8 months gone: 6 × 8 ÷ 12 = 4 expected by now).

The plans and areas the other providers cover (保健所の助言 awaited, areas short of active
hospitals) are in subsidies.applications.todos; the results reports awaiting its advice in
subsidies.results.todos. Three queries whatever the number of hubs."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from subsidies.models import Application, ApplicationStatus, FiscalYear
from zaitaku_portal.access import role_of
from zaitaku_portal.models import Role
from zaitaku_portal.scopes import hubs_for
from zaitaku_portal.todos import Todo
from zaitaku_portal.wareki import fiscal_year_of

HANDED_IN_EXCLUDED = (ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN)


def months_gone(fiscal_year: int, today: datetime.date) -> int:
    """Whole months of the fiscal year (from 1 April) before `today`'s month, 0 to 12."""
    months = (today.year - fiscal_year) * 12 + today.month - 4
    return max(0, min(months, 12))


def expected_by_now(planned: int, months: int) -> int:
    """Meetings the plan expects by now: planned × months ÷ 12, rounded down."""
    return planned * months // 12


def todos(user) -> list[Todo]:
    if role_of(user) != Role.HEALTH_CENTER:
        return []
    return watch_todos(user, timezone.localdate())


def watch_todos(user, today: datetime.date) -> list[Todo]:
    year = FiscalYear.objects.filter(year=fiscal_year_of(today)).first()
    if year is None:
        return []
    hubs = hubs_for(user)
    return [*_plans_missing(hubs, year, today), *_meetings_behind(hubs, year, today)]


def _plans_missing(hubs, year: FiscalYear, today: datetime.date) -> list[Todo]:
    deadline = year.application_deadline
    if deadline is None or today <= deadline:
        return []
    handed_in = Application.objects.filter(fiscal_year=year).exclude(status__in=HANDED_IN_EXCLUDED)
    names = list(
        hubs.exclude(pk__in=handed_in.values("hub_id"))
        .order_by("name")
        .values_list("name", flat=True)
    )
    if not names:
        return []
    return [
        Todo(
            f"{year}の事業計画が未提出の拠点",
            len(names),
            f"{reverse('reports:dashboard')}?year={year.year}",
            due=deadline,
            detail="、".join(names[:5]) + ("ほか" if len(names) > 5 else ""),
        )
    ]


def _meetings_behind(hubs, year: FiscalYear, today: datetime.date) -> list[Todo]:
    months = months_gone(year.year, today)
    plans = (
        Application.objects.filter(
            fiscal_year=year,
            hub__in=hubs,
            status=ApplicationStatus.DECIDED,
            planned_meetings__gt=0,
        )
        .annotate(
            held=Count(
                "result_report__activities",
                filter=Q(
                    result_report__activities__kind="meeting",
                    result_report__activities__held_on__lte=today,
                ),
            )
        )
        .order_by("hub__name")
        .values("hub__name", "planned_meetings", "held")
    )
    behind = []
    for plan in plans:
        planned, held = plan["planned_meetings"], plan["held"]
        expected = expected_by_now(planned, months)
        if held < expected:
            behind.append(
                f"{plan['hub__name']} {held}回／この時点の目安{expected}回（計画{planned}回）"
            )
    if not behind:
        return []
    return [
        Todo(
            "会議の開催が計画より遅れている拠点",
            len(behind),
            f"{reverse('reports:dashboard')}?year={year.year}",
            detail="、".join(behind[:3]) + ("ほか" if len(behind) > 3 else ""),
        )
    ]
