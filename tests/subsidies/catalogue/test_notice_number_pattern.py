"""Notice numbers from the fiscal year's pattern (issue 15): the portal proposes the next
one, unique over decisions and confirmations, never a number once used, and staff may
still type another (a typed number that collides is refused with the field's name)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from subsidies.applications import services as application_service
from subsidies.models import ApplicationStatus, Confirmation, Decision
from subsidies.results import services as claims
from subsidies.shared.notice_numbers import next_notice_number, pattern_problems
from tests.factories import FiscalYearFactory
from tests.subsidies.approvals import drive
from tests.subsidies.factories import application_in, catalogue
from tests.subsidies.results.factories import decided_application, worked_case
from zaitaku_portal.models import Role


def _under_review(world, year=2027):
    fiscal_year = catalogue(year)[0]
    fiscal_year.notice_number_pattern = "9医政第{n}号"
    fiscal_year.save()
    application = application_in(
        ApplicationStatus.UNDER_REVIEW,
        world.hub_a,
        fiscal_year,
        world.users[Role.HUB_COORDINATOR],
        world.users[Role.PREFECTURE_STAFF],
    )
    return application, fiscal_year


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("9医政第号", "連番の位置を {n} で1か所だけ"),
        ("9医政第{n}号{n}", "連番の位置を {n} で1か所だけ"),
        ("9医政/第{n}号", "「通知番号の形式」から作る番号（9医政/第1号）"),
        ("9医政第{n}", "通知番号の形になりません"),
    ],
)
def test_a_bad_pattern_is_named(pattern, message):
    problems = pattern_problems(pattern)
    assert problems and message in problems[0]
    assert "「通知番号の形式」" in problems[0]


def test_a_pattern_as_prefectures_write_it_passes():
    assert pattern_problems("8医政第{n}号") == []
    assert pattern_problems("沖縄県指令保第{n}号") == []
    assert pattern_problems("") == []  # no pattern: staff type every number


@pytest.mark.django_db
def test_no_pattern_proposes_nothing(world):
    fiscal_year = catalogue(2027)[0]
    assert next_notice_number(fiscal_year) == ""


@pytest.mark.django_db
def test_the_next_number_follows_the_highest_used_in_decisions_and_confirmations(world):
    """Used under 9医政第{n}号: decisions 第3号 (typed) and 第7号, then a confirmation
    第12号; 9医政第99-1号 (a branch number) and 8医政第50号 (another register) do not
    count. Highest serial 7 → 9医政第8号; after the confirmation, 12 → 9医政第13号. The
    gaps (1, 2, 4–6, 8–11) are never proposed: a skipped number may exist on paper."""
    coordinator = world.users[Role.HUB_COORDINATOR]
    staff = world.users[Role.PREFECTURE_STAFF]
    case = worked_case(world)  # FY2026, decided with 8医政第100号
    fiscal_year = FiscalYearFactory(year=2027)
    fiscal_year.notice_number_pattern = "9医政第{n}号"
    fiscal_year.save()
    for hub, year, number in (
        (world.hub_a, 2027, "9医政第3号"),
        (world.hub_b, 2027, "9医政第7号"),
        (world.hub_a, 2028, "9医政第99-1号"),
        (world.hub_b, 2028, "8医政第50号"),
    ):
        decided_application(hub, FiscalYearFactory(year=year), [], notice=number)
    assert next_notice_number(fiscal_year) == "9医政第8号"
    report = claims.perform(case.report, "submit", coordinator, case.report.version)
    report = claims.perform(report, "start_review", staff, report.version)
    drive.through_approval(
        report,
        "confirm",
        staff,
        report.version,
        confirmation=claims.ConfirmationInput("9医政第12号", datetime.date(2027, 5, 1)),
    )
    assert Confirmation.objects.get().notice_number == "9医政第12号"
    assert next_notice_number(fiscal_year) == "9医政第13号"


@pytest.mark.django_db
def test_the_confirm_page_proposes_the_years_next_number(client, world):
    """The worked case's year (FY2026) with the pattern 8医政第{n}号; its decision used
    8医政第100号 → the confirmation is proposed 8医政第101号."""
    coordinator = world.users[Role.HUB_COORDINATOR]
    staff = world.users[Role.PREFECTURE_STAFF]
    case = worked_case(world)
    fiscal_year = case.report.application.fiscal_year
    fiscal_year.notice_number_pattern = "8医政第{n}号"
    fiscal_year.save()
    report = claims.perform(case.report, "submit", coordinator, case.report.version)
    claims.perform(report, "start_review", staff, report.version)
    client.force_login(staff)
    page = client.get(reverse("results:confirm", args=[report.pk]))
    assert page.status_code == 200
    # the number is given on approval (決裁): the page says which one an approval now takes
    assert "いま決裁すると 8医政第101号" in page.content.decode()


@pytest.mark.django_db
def test_a_number_in_full_width_digits_counts_as_used(world):
    """9医政第１号 (全角) is serial 1: the next is 第2号, and 第1号 is never proposed."""
    fiscal_year = catalogue(2027)[0]
    fiscal_year.notice_number_pattern = "9医政第{n}号"
    fiscal_year.save()
    decided_application(world.hub_a, fiscal_year, [], notice="9医政第１号")
    assert next_notice_number(fiscal_year) == "9医政第2号"


@pytest.mark.django_db
def test_the_decide_page_proposes_the_next_number(client, world):
    application, _ = _under_review(world)
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    page = client.get(f"/subsidies/applications/{application.pk}/action/decide/")
    assert page.status_code == 200
    assert "いま決裁すると 9医政第1号" in page.content.decode()


@pytest.mark.django_db
def test_deciding_with_the_proposal_then_proposes_the_one_after(client, world):
    application, fiscal_year = _under_review(world)
    staff = world.users[Role.PREFECTURE_STAFF]
    current = drive.through_approval(
        application,
        "decide",
        staff,
        application.version,
        decision=application_service.DecisionInput(
            next_notice_number(fiscal_year), datetime.date(2027, 5, 1), {}
        ),
    )
    assert current.decisions.get().notice_number == "9医政第1号"
    assert next_notice_number(fiscal_year) == "9医政第2号"


@pytest.mark.django_db
def test_a_typed_number_that_collides_is_refused_and_nothing_is_saved(client, world):
    """Staff type 9医政第5号 over the proposal, but another decision already has it."""
    staff = world.users[Role.PREFECTURE_STAFF]
    application, _ = _under_review(world)
    decided_application(world.hub_b, catalogue(2028)[0], [], notice="9医政第5号")
    client.force_login(staff)
    response = client.post(
        f"/subsidies/applications/{application.pk}/action/decide/",
        {
            "version": application.version,
            "notice_number": "9医政第5号",
            "notice_date": "2027-05-01",
        },
    )
    assert "「通知番号」9医政第5号は既に使われています。" in response.content.decode()
    assert not Decision.objects.filter(application=application).exists()
