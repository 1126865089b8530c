"""Every confirmation page of the application workflow says what will happen (issue 20): the
amounts per recipient and in all, the lines over their cap, a start year later than the
fiscal year, an open draft's decided amount; never a bare 「よろしいですか。」."""

import pytest

from subsidies.applications import services as service
from subsidies.models import Application, ApplicationStatus
from tests.subsidies.approvals import drive
from tests.subsidies.factories import application_in, catalogue, complete_plan, decision_input
from zaitaku_portal.models import Role

pytestmark = pytest.mark.django_db


def _over_cap_plan(application):
    """hub-meeting: 900,000 + 300,000 = 1,200,000円 of expenses against a cap of 1,060,000円
    (per recipient, 1 unit), rate 1/1: G = min(1,200,000, 1,060,000) × 1 = 1,060,000円.
    hub-district wished from the next year (R9〜): no money this year."""
    plan = complete_plan(application)
    plan["lines"]["hub-meeting"]["expenses"] = {"honoraria": 900_000, "travel": 300_000}
    plan["lines"]["hub-district"].update(
        wish=True, planned_actions="資源マップを作る", start_year=application.fiscal_year.year + 1
    )
    return plan


def page(client, user, application, action):
    client.force_login(user)
    response = client.get(f"/subsidies/applications/{application.pk}/action/{action}/")
    assert response.status_code == 200
    return response.content.decode()


def test_submit_says_the_total_the_over_cap_line_and_the_later_start(client, world):
    fy, _menus = catalogue()
    coordinator = world.users[Role.HUB_COORDINATOR]
    application = service.start_application(world.hub_a, fy, coordinator)
    application, _ = service.save_plan(
        application, _over_cap_plan(application), coordinator, application.version
    )
    html = page(client, coordinator, application, "submit")
    assert "よろしいですか" not in html
    assert "この事業計画を提出します" in html
    assert "補助を希望するメニュー</dt><dd>2件" in html
    assert "予定経費の合計</dt><dd>1,200,000円" in html
    assert "<strong>1,060,000円</strong>" in html  # 交付見込額の合計
    assert "data-over-cap" in html
    assert "予定経費 1,200,000円、上限額 1,060,000円 → 交付見込額 1,060,000円" in html
    assert "data-later-start" in html and "資源把握・課題整理・対応策検討" in html
    assert "R9〜" in html


def test_start_review_and_the_approval_say_what_follows(client, world):
    fy, _menus = catalogue()
    coordinator = world.users[Role.HUB_COORDINATOR]
    staff = world.users[Role.PREFECTURE_STAFF]
    application = application_in(ApplicationStatus.SUBMITTED, world.hub_a, fy, coordinator, staff)
    html = page(client, staff, application, "start_review")
    assert "よろしいですか" not in html
    assert "「審査中」にします" in html
    # complete_plan: hub-meeting 300,000 + 100,000 = 400,000円 ≤ 1,060,000円 → 400,000円
    assert "<strong>400,000円</strong>" in html
    assert "data-over-cap" not in html
    application = service.perform(application, "start_review", staff, application.version)
    application = service.perform(
        application, "decide", staff, application.version, decision=decision_input(application)
    )
    assert application.status == ApplicationStatus.AWAITING_APPROVAL
    html = page(
        client, drive.approver(), Application.objects.get(pk=application.pk), "approve_decide"
    )
    assert "交付決定の起案を決裁します" in html
    assert "交付決定額 <strong>400,000円</strong>" in html  # drafted at the computed amount
    assert "通知番号「8医政第" in html


@pytest.mark.parametrize(
    ("advance", "outcome"),
    [
        # worked_case: G = 2,202,000円 in all (tests/subsidies/results/test_claims_views.py);
        # J = I − G: 2,000,000 − 2,202,000 = △202,000 → 精算払 202,000円
        (2_000_000, "<strong>精算払 202,000円</strong>（拠点が精算払を請求できます）"),
        # to the hub (decided 1,000,000 + 1,200,000 + 259,000 = 2,459,000円, the ceiling):
        # 2,400,000 − 2,202,000 = 198,000 → 返還 198,000円
        (2_400_000, "<strong>返還 198,000円</strong>（返還命令・納入通知の対象）"),
    ],
)
def test_the_confirmation_page_says_the_refund_or_the_payment(client, world, advance, outcome):
    import datetime

    from subsidies.results import services as results
    from tests.subsidies.results.factories import worked_case

    case = worked_case(world)
    staff = world.users[Role.PREFECTURE_STAFF]
    results.record_advance(
        case.application, staff, amount=advance, paid_on=datetime.date(2026, 7, 1)
    )
    report = results.perform(
        case.report, "submit", world.users[Role.HUB_COORDINATOR], case.report.version
    )
    report = results.perform(report, "start_review", staff, report.version)
    client.force_login(staff)
    html = client.get(f"/results/reports/{report.pk}/confirm/").content.decode()
    assert "決裁されると確定額は <strong>2,202,000円</strong> となり" in html
    assert outcome in html
