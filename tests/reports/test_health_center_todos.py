"""The health center's to-dos of hubs behind their plan (reports/todos.py, issue 20): plans not
handed in after the deadline, meetings behind the plan pro rata to the months gone, scoped to
the health center's areas (hub B, in another area, never appears)."""

import datetime

import pytest

from reports import todos as watch
from subsidies.models import Activity, ApplicationStatus
from subsidies.results import services
from tests import factories as f
from tests.subsidies.factories import application_in, catalogue
from tests.subsidies.results.factories import decided_application, menu
from zaitaku_portal.models import Role

pytestmark = pytest.mark.django_db

# 2 December 2026: fiscal year 2026 (令和8年度), April to November gone = 8 whole months
TODAY = datetime.date(2026, 12, 2)


def labels(items):
    return {t.label: t for t in items}


def test_months_gone_and_what_the_plan_expects_by_now():
    assert watch.months_gone(2026, datetime.date(2026, 4, 30)) == 0  # April not yet over
    assert watch.months_gone(2026, TODAY) == 8  # Apr..Nov
    assert watch.months_gone(2026, datetime.date(2027, 3, 31)) == 11
    assert watch.months_gone(2026, datetime.date(2027, 6, 1)) == 12  # the year is over
    assert watch.expected_by_now(6, 8) == 4  # 6 × 8 ÷ 12 = 4
    assert watch.expected_by_now(4, 8) == 2  # 4 × 8 ÷ 12 = 2.67 → 2 (rounded down)
    assert watch.expected_by_now(4, 2) == 0  # 4 × 2 ÷ 12 = 0.67 → 0


def test_plans_not_handed_in_after_the_deadline(world):
    fy = catalogue(year=2026, application_deadline=datetime.date(2026, 5, 29))[0]
    health = world.users[Role.HEALTH_CENTER]
    # before the deadline nothing is "missing" yet
    assert watch.watch_todos(health, datetime.date(2026, 5, 29)) == []
    missing = labels(watch.watch_todos(health, TODAY))["令和8年度の事業計画が未提出の拠点"]
    assert (missing.count, missing.detail, missing.due) == (
        1,
        world.hub_a.name,
        fy.application_deadline,
    )
    assert "year=2026" in missing.url
    # a draft is not handed in; a submitted plan is
    coordinator, staff = world.users[Role.HUB_COORDINATOR], world.users[Role.PREFECTURE_STAFF]
    draft = application_in(ApplicationStatus.DRAFT, world.hub_a, fy, coordinator, staff)
    assert "令和8年度の事業計画が未提出の拠点" in labels(watch.watch_todos(health, TODAY))
    draft.status = ApplicationStatus.SUBMITTED
    draft.save()
    assert watch.watch_todos(health, TODAY) == []


def test_meetings_behind_the_plan_counted_from_the_activities_held(world):
    fy = f.FiscalYearFactory(year=2026, application_deadline=datetime.date(2026, 5, 29))
    m = menu(fy, "t-meeting", "会議", 1_060_000)
    health = world.users[Role.HEALTH_CENTER]
    mine = decided_application(world.hub_a, fy, [(m, None, 500_000, {})])
    other = decided_application(world.hub_b, fy, [(m, None, 500_000, {})], notice="8医政第901号")
    for application in (mine, other):
        application.planned_meetings = 6
        application.save()
    report = services.start_report(mine, world.users[Role.HUB_COORDINATOR])
    for day in (datetime.date(2026, 6, 10), datetime.date(2026, 9, 10), datetime.date(2027, 1, 10)):
        Activity.objects.create(report=report, kind="meeting", title="連携会議", held_on=day)
    Activity.objects.create(report=report, kind="training", title="研修", held_on=TODAY)
    # planned 6, 8 months gone → 6 × 8 ÷ 12 = 4 expected; held by 2 December: 2 (the January
    # meeting is not held yet, the training is no meeting) → behind; hub B is not this
    # health center's
    behind = labels(watch.watch_todos(health, TODAY))["会議の開催が計画より遅れている拠点"]
    assert behind.count == 1
    assert behind.detail == f"{world.hub_a.name} 2回／この時点の目安4回（計画6回）"
    # two more meetings held → 4 of the 4 expected: no longer behind
    for day in (datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)):
        Activity.objects.create(report=report, kind="meeting", title="連携会議", held_on=day)
    assert "会議の開催が計画より遅れている拠点" not in labels(watch.watch_todos(health, TODAY))


def test_other_roles_get_nothing(world):
    assert watch.todos(world.users[Role.PREFECTURE_STAFF]) == []
    assert watch.todos(world.users[Role.HUB_COORDINATOR]) == []
