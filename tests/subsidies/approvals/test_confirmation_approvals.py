"""決裁 of the 額の確定 (issue 15): nothing is confirmed until the approval; an advance
recorded after the draft changes the claim, so the approval is refused; a correction sent
back leaves the confirmation as it was."""

import datetime

import pytest

from subsidies.models import Approval, Confirmation, ResultReportStatus
from subsidies.results import services
from subsidies.results.rules import ClaimError, ConfirmationInput
from subsidies.shared.approvals import tokyo_today
from tests.subsidies.approvals import drive
from tests.subsidies.results.factories import worked_case
from zaitaku_portal.models import Role

S = ResultReportStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(world):
    case = worked_case(world)
    case.application.fiscal_year.notice_number_pattern = "9医政第{n}号"
    case.application.fiscal_year.save()
    coordinator = world.users[Role.HUB_COORDINATOR]
    staff = world.users[Role.PREFECTURE_STAFF]
    report = services.perform(case.report, "submit", coordinator, case.report.version)
    return case, services.perform(report, "start_review", staff, report.version)


def _draft(report, staff, action="confirm", reason=""):
    return services.perform(
        report,
        action,
        staff,
        report.version,
        reason=reason,
        confirmation=ConfirmationInput("", None),
    )


def test_confirmed_on_approval_with_the_years_number_and_todays_date(world, reviewed):
    _case, report = reviewed
    staff = world.users[Role.PREFECTURE_STAFF]
    drafted = _draft(report, staff)
    assert drafted.status == S.AWAITING_APPROVAL and not Confirmation.objects.exists()
    confirmed = services.perform(drafted, "approve_confirm", drive.approver(), drafted.version)
    assert confirmed.status == S.CONFIRMED
    record = Confirmation.objects.get()
    # the worked case's 確定額 (tests/subsidies/results/test_claims_service.py works it out by
    # hand): 1,950,000円 for the hub + 252,000円 for its hospital = 2,202,000円
    assert record.total_amount == 2_202_000
    assert (record.notice_number, record.notice_date) == ("9医政第1号", tokyo_today())
    assert Approval.objects.get(report=report).confirmation == record


def test_an_advance_recorded_after_the_draft_refuses_the_approval(world, reviewed):
    case, report = reviewed
    staff = world.users[Role.PREFECTURE_STAFF]
    drafted = _draft(report, staff)
    services.record_advance(
        case.application, staff, amount=100_000, paid_on=datetime.date(2027, 3, 1)
    )
    with pytest.raises(ClaimError, match="起案の後に内容が変わっています"):
        services.perform(drafted, "approve_confirm", drive.approver(), drafted.version)
    assert not Confirmation.objects.exists()
    # sent back and drafted again on the new claim, it is approved
    kacho = drive.approver()
    back = services.perform(
        drafted, "send_back", kacho, drafted.version, reason="概算払の登録を反映してください"
    )
    assert back.status == S.UNDER_REVIEW
    again = _draft(back, staff)
    assert services.perform(again, "approve_confirm", kacho, again.version).status == S.CONFIRMED


def test_a_correction_sent_back_keeps_the_confirmation(world, reviewed):
    _case, report = reviewed
    staff = world.users[Role.PREFECTURE_STAFF]
    kacho = drive.approver()
    drafted = _draft(report, staff)
    confirmed = services.perform(drafted, "approve_confirm", kacho, drafted.version)
    correcting = _draft(confirmed, staff, action="correct", reason="概算払の登録漏れ")
    back = services.perform(
        correcting, "send_back_correction", kacho, correcting.version, reason="不要です"
    )
    assert back.status == S.CONFIRMED
    assert Confirmation.objects.count() == 1
