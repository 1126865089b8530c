"""The to-dos on each role's home (issue 20): what each provider gives, counted, scoped to
the user (hub B's applications never appear for hub A's coordinator or area A's health
center), and the block on the home page itself."""

import datetime

import pytest
from django.utils import timezone

from subsidies.applications import todos as application_todos
from subsidies.models import ApplicationComment, ApplicationStatus, ResultReportStatus
from subsidies.results import todos as result_todos
from tests import factories as f
from tests.subsidies.factories import application_in, catalogue
from zaitaku_portal.models import Role
from zaitaku_portal.todos import todos_for
from zaitaku_portal.wareki import fiscal_year_of

pytestmark = pytest.mark.django_db


def this_year(**rule):
    return catalogue(year=fiscal_year_of(timezone.localdate()), **rule)[0]


def labels(items):
    return {t.label: t for t in items}


def test_coordinator_sees_plan_due_returned_with_reason_and_advice(world):
    today = timezone.localdate()
    fy = this_year(application_deadline=today + datetime.timedelta(days=3))
    coordinator = world.users[Role.HUB_COORDINATOR]
    staff = world.users[Role.PREFECTURE_STAFF]
    coordinator_b = f.coordinator_of(world.hub_b, username="coordinator-b")
    # hub A: nothing started yet → the plan is due, in 3 days → urgent
    items = labels(application_todos.todos(coordinator))
    due = items[f"{fy}の交付申請（事業計画）を提出してください"]
    assert (due.count, due.due, due.urgent) == (1, today + datetime.timedelta(days=3), True)
    # hub B returned, with advice: none of it is hub A's
    returned_b = application_in(ApplicationStatus.RETURNED, world.hub_b, fy, coordinator_b, staff)
    ApplicationComment.objects.create(
        application=returned_b,
        kind=ApplicationComment.Kind.ADVICE,
        author=world.users[Role.HEALTH_CENTER],
        body="乙の助言",
    )
    items = labels(application_todos.todos(coordinator))
    assert "差し戻された交付申請を直して再提出してください" not in items
    assert "保健所の助言が届いています" not in items
    # hub A returned too: shown with its reason; advice on it counted
    returned = application_in(ApplicationStatus.RETURNED, world.hub_a, fy, coordinator, staff)
    ApplicationComment.objects.create(
        application=returned,
        kind=ApplicationComment.Kind.ADVICE,
        author=world.users[Role.HEALTH_CENTER],
        body="医師会の参加を検討してください",
    )
    items = labels(application_todos.todos(coordinator))
    back = items["差し戻された交付申請を直して再提出してください"]
    assert back.count == 1 and back.urgent
    assert "構成員の記載がありません" in back.detail
    assert back.url == f"/subsidies/applications/{returned.pk}/" or str(returned.pk) in back.url
    advice = items["保健所の助言が届いています"]
    assert (advice.count, advice.detail) == (1, "医師会の参加を検討してください")
    # handed in (returned is not a draft): the plan is no longer due
    assert items[f"{fy}の交付申請（事業計画）を提出してください"].count == 0


def test_staff_counts_waiting_applications_of_the_current_year(world):
    fy = this_year()
    last = catalogue(year=fy.year - 1)[0]
    staff = world.users[Role.PREFECTURE_STAFF]
    coordinator = world.users[Role.HUB_COORDINATOR]
    coordinator_b = f.coordinator_of(world.hub_b, username="coordinator-b")
    application_in(ApplicationStatus.SUBMITTED, world.hub_a, fy, coordinator, staff)
    application_in(ApplicationStatus.UNDER_REVIEW, world.hub_b, fy, coordinator_b, staff)
    application_in(ApplicationStatus.SUBMITTED, world.hub_b, last, coordinator_b, staff)
    items = {t.label: t.count for t in application_todos.todos(staff)}
    # this year only: hub A submitted (1), hub B under review (1); last year's not counted
    assert items == {
        "再提出された交付申請（審査待ち） 0件": 0,
        "提出された交付申請（審査待ち） 1件": 1,
        "審査中の交付申請 1件": 1,
    }
    # the link opens the queue filtered the same way, and it lists exactly that
    waiting = next(t for t in application_todos.todos(staff) if t.count and "提出" in t.label)
    assert f"fiscal_year={fy.pk}" in waiting.url and "status=submitted" in waiting.url


def test_health_center_sees_plans_of_its_areas_awaiting_advice(world):
    fy = this_year()
    staff = world.users[Role.PREFECTURE_STAFF]
    health = world.users[Role.HEALTH_CENTER]
    coordinator_b = f.coordinator_of(world.hub_b, username="coordinator-b")
    application_in(ApplicationStatus.SUBMITTED, world.hub_b, fy, coordinator_b, staff)
    assert "保健所の助言を待っている事業計画" not in labels(application_todos.todos(health))
    mine = application_in(
        ApplicationStatus.SUBMITTED, world.hub_a, fy, world.users[Role.HUB_COORDINATOR], staff
    )
    waiting = labels(application_todos.todos(health))["保健所の助言を待っている事業計画"]
    assert waiting.count == 1 and str(mine.pk) in waiting.url
    ApplicationComment.objects.create(
        application=mine, kind=ApplicationComment.Kind.ADVICE, author=health, body="助言"
    )
    assert "保健所の助言を待っている事業計画" not in labels(application_todos.todos(health))


def test_results_todos_for_coordinator_and_staff(world):
    from subsidies.results import services
    from tests.subsidies.results.factories import decided_application, menu

    fy = f.FiscalYearFactory(
        year=fiscal_year_of(timezone.localdate()),
        results_deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    m = menu(fy, "t-meeting", "会議", 1_060_000)
    coordinator = world.users[Role.HUB_COORDINATOR]
    staff = world.users[Role.PREFECTURE_STAFF]
    application = decided_application(world.hub_a, fy, [(m, None, 500_000, {})])
    decided_application(world.hub_b, fy, [(m, None, 500_000, {})], notice="8医政第901号")
    # hub A decided, no report yet → due (hub B's decided application is not counted)
    items = labels(result_todos.todos(coordinator))
    due = items["実績報告を作成・提出してください"]
    assert (due.count, due.due, due.urgent) == (1, fy.results_deadline, False)
    report = services.start_report(application, coordinator)
    report.status = ResultReportStatus.RETURNED
    report.return_reason = "領収書の添付がありません"
    report.save()
    items = labels(result_todos.todos(coordinator))
    assert "実績報告を作成・提出してください" not in items
    back = items["差し戻された実績報告を直して再提出してください"]
    assert back.count == 1 and "領収書の添付がありません" in back.detail
    report.status = ResultReportStatus.SUBMITTED
    report.save()
    counts = {t.label: t.count for t in result_todos.todos(staff)}
    assert counts["提出された実績報告（審査待ち） 1件"] == 1
    # the health center's only results to-do: the report handed in awaits its advice
    # (tests/subsidies/results/test_report_advice.py)
    health = labels(result_todos.todos(world.users[Role.HEALTH_CENTER]))
    counts = {label: t.count for label, t in health.items()}
    assert counts == {"保健所の助言を待っている実績報告": 1}


def test_home_pages_show_the_block(client, world):
    fy = this_year(application_deadline=timezone.localdate() + datetime.timedelta(days=40))
    staff = world.users[Role.PREFECTURE_STAFF]
    coordinator = world.users[Role.HUB_COORDINATOR]
    returned = application_in(ApplicationStatus.RETURNED, world.hub_a, fy, coordinator, staff)
    client.force_login(coordinator)
    page = client.get("/", follow=True).content.decode()
    assert "次にすること" in page
    assert "差し戻された交付申請を直して再提出してください" in page
    assert "構成員の記載がありません" in page
    assert f"/{returned.pk}/" in page
    client.force_login(staff)
    page = client.get("/", follow=True).content.decode()
    assert "次にすること" in page
    client.force_login(world.users[Role.HEALTH_CENTER])
    page = client.get("/", follow=True).content.decode()
    assert "次にすること" in page
    assert todos_for(world.users[Role.HEALTH_CENTER]) is not None
