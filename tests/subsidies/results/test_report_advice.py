"""保健所の助言 on results reports (issue 20): the health center of the hub's area writes it on
a report handed in, the coordinator and the prefecture read it on the report's page, and the
homes count what waits (the health center: reports with no advice yet; the coordinator:
advice received). Hub B is in area B: outside area A's health center, 404."""

import pytest
from django.urls import reverse
from django.utils import timezone

from subsidies.models import ReportAdvice, ResultReportStatus
from subsidies.results import services
from subsidies.results import todos as result_todos
from subsidies.results.rules import ClaimError
from tests.subsidies.results.factories import fill_report, worked_case
from tests.subsidies.results.url_expectations import _hub_b_case
from zaitaku_portal.audit import history_of
from zaitaku_portal.models import Role, User
from zaitaku_portal.wareki import fiscal_year_of

pytestmark = pytest.mark.django_db


def this_year() -> int:
    return fiscal_year_of(timezone.localdate())


def handed_in(world):
    """Hub A's worked case of the current fiscal year, submitted by its coordinator."""
    case = worked_case(world, year=this_year())
    coordinator = world.users[Role.HUB_COORDINATOR]
    return services.perform(case.report, "submit", coordinator, case.report.version)


def handed_in_b(world):
    report = fill_report(
        _hub_b_case(world),
        {"b-meeting": {"expenses": {"honorarium": 100_000}, "total_cost": 100_000}},
    )
    coordinator = User.objects.get(username="coordinator-b")
    return services.perform(report, "submit", coordinator, report.version)


def labels(items):
    return {t.label: t for t in items}


def test_the_health_center_writes_advice_the_coordinator_and_staff_read(world, client):
    report = handed_in(world)
    health = world.users[Role.HEALTH_CENTER]
    client.force_login(health)
    detail = reverse("results:report_detail", args=[report.pk])
    page = client.get(detail).content.decode()
    assert "保健所の助言はまだありません。" in page
    assert reverse("results:report_advice", args=[report.pk]) in page  # the button

    url = reverse("results:report_advice", args=[report.pk])
    response = client.post(url, {"body": "医師会との連携会議の記録を添付してください。"})
    assert response.status_code == 302
    assert response["Location"] == detail + "#advice"
    advice = ReportAdvice.objects.get(report=report)
    assert (advice.author, advice.body) == (health, "医師会との連携会議の記録を添付してください。")
    assert "保健所の助言" in [entry.action for entry in history_of(report)]
    # the report itself is unchanged: same state and version (nobody's open page goes stale)
    report.refresh_from_db()
    assert report.status == ResultReportStatus.SUBMITTED

    for role in (Role.HUB_COORDINATOR, Role.PREFECTURE_STAFF):
        client.force_login(world.users[role])
        page = client.get(detail).content.decode()
        assert "医師会との連携会議の記録を添付してください。" in page, role
        assert url not in page, role  # only the health center is offered the button


def test_an_empty_or_too_long_advice_is_marked_at_its_field_and_nothing_saved(world, client):
    report = handed_in(world)
    client.force_login(world.users[Role.HEALTH_CENTER])
    url = reverse("results:report_advice", args=[report.pk])
    page = client.post(url, {"body": "  "}).content.decode()
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_body_error"' in page
    assert 'id="id_body_error"><span>「助言の内容」を入力してください。</span>' in page
    page = client.post(url, {"body": "あ" * 2_001}).content.decode()
    assert "「助言の内容」は2,000文字以内で入力してください（入力は2001文字）。" in page
    assert not ReportAdvice.objects.exists()


def test_no_advice_on_a_draft_nor_by_another_role_nor_outside_the_area(world, client):
    case = worked_case(world, year=this_year())  # still 作成中
    health = world.users[Role.HEALTH_CENTER]
    client.force_login(health)
    url = reverse("results:report_advice", args=[case.report.pk])
    response = client.post(url, {"body": "助言"})
    assert response.status_code == 403
    assert "「作成中」の実績報告には助言を記入できません" in response.content.decode()
    with pytest.raises(ClaimError, match="作成中"):
        services.add_advice(case.report, health, "助言")
    report = services.perform(
        case.report, "submit", world.users[Role.HUB_COORDINATOR], case.report.version
    )
    # the coordinator, staff and the hospital's contact do not write advice (the hub's report
    # is not even in the hospital's scope)
    for role, refusal in (
        (Role.HUB_COORDINATOR, "保健所が記入します"),
        (Role.PREFECTURE_STAFF, "保健所が記入します"),
        (Role.HOSPITAL, "この実績報告を操作する権限がありません"),
    ):
        client.force_login(world.users[role])
        url = reverse("results:report_advice", args=[report.pk])
        assert client.post(url, {"body": "助言"}).status_code == 403, role
        with pytest.raises(ClaimError, match=refusal):
            services.add_advice(report, world.users[role], "助言")
    other = handed_in_b(world)
    client.force_login(health)
    response = client.post(reverse("results:report_advice", args=[other.pk]), {"body": "助言"})
    assert response.status_code == 404
    with pytest.raises(ClaimError, match="権限がありません"):
        services.add_advice(other, health, "助言")
    assert not ReportAdvice.objects.exists()


def test_homes_count_reports_awaiting_advice_and_advice_received(world, client):
    mine, other = handed_in(world), handed_in_b(world)
    health, coordinator = world.users[Role.HEALTH_CENTER], world.users[Role.HUB_COORDINATOR]
    # hub B's report is area B's: area A's health center waits for one report only
    waiting = labels(result_todos.todos(health))["保健所の助言を待っている実績報告"]
    assert (waiting.count, waiting.url) == (1, reverse("results:advice_list"))
    assert waiting.detail == str(mine)
    assert "実績報告に保健所の助言が届いています" not in labels(result_todos.todos(coordinator))

    client.force_login(health)
    assert "保健所の助言を待っている実績報告" in client.get("/", follow=True).content.decode()
    page = client.get(reverse("results:advice_list")).content.decode()
    assert "助言待ち" in page and world.hub_a.name in page
    assert world.hub_b.name not in page
    assert reverse("results:report_detail", args=[other.pk]) not in page

    services.add_advice(mine, health, "研修の受講者数を記載してください。")
    services.add_advice(mine, health, "補足: 議事録もお願いします。")
    assert "保健所の助言を待っている実績報告" not in labels(result_todos.todos(health))
    received = labels(result_todos.todos(coordinator))["実績報告に保健所の助言が届いています"]
    assert received.count == 2
    assert received.url == reverse("results:report_detail", args=[mine.pk]) + "#advice"
    assert received.detail == f"{mine}：補足: 議事録もお願いします。"  # the newest
    page = client.get(reverse("results:advice_list")).content.decode()
    assert "2件（最新" in page and "助言待ち" not in page
    # hub B's coordinator received none
    coordinator_b = User.objects.get(username="coordinator-b")
    assert "実績報告に保健所の助言が届いています" not in labels(result_todos.todos(coordinator_b))

    # the coordinator's home shows it
    client.force_login(coordinator)
    assert (
        "実績報告に保健所の助言が届いています"
        in client.get(reverse("home"), follow=True).content.decode()
    )
