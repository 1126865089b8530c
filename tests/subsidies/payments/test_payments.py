"""交付請求・支払・返還: the ceilings worked out by hand, payments becoming the 精算額調's I,
refund orders, overdue reminders and the accounting exports."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core import mail

from subsidies.models import (
    AdvancePayment,
    ApplicationStatus,
    Confirmation,
    PaymentRequest,
    RefundReminder,
    RequestKind,
    RequestStatus,
    ResultReportVersion,
)
from subsidies.payments import services
from subsidies.payments.exports import HEADER, csv_rows, payment_rows
from subsidies.payments.reading import advance_ceilings, overdue_orders, settlement_ceiling
from subsidies.payments.reminders import send_refund_reminders
from subsidies.payments.rules import PaymentError
from subsidies.results import services as results_services
from subsidies.results.reading import advance_total
from tests.subsidies.results.factories import decided_application, menu
from zaitaku_portal.exports import xlsx_bytes
from zaitaku_portal.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    """拠点 1,000,000円 (meeting) + 積極的医療機関A 400,000円 (visit): decided 1,400,000円."""
    from tests.factories import FiscalYearFactory

    fy = FiscalYearFactory(year=2026)
    fy.refund_due_days = 20
    fy.save()
    hub_menu = menu(fy, "p-meeting", "連携会議の開催", 1_060_000, order=1)
    hospital_menu = menu(fy, "p-visit", "同行訪問等研修", 400_000, recipient="hospital", order=2)
    application = decided_application(
        world.hub_a,
        fy,
        [(hub_menu, None, 1_000_000, {}), (hospital_menu, world.designation_a, 400_000, {})],
    )
    world.application = application
    world.coordinator = world.users[Role.HUB_COORDINATOR]
    world.staff = world.users[Role.PREFECTURE_STAFF]
    return world


def _hub_ceiling(application):
    return next(c for c in advance_ceilings(application) if c.designation is None)


def _confirm(world, *, total: int, advance: int) -> Confirmation:
    """A confirmation row as 額の確定 leaves it: J = I − G (advance − confirmed)."""
    application = world.application
    report = results_services.start_report(application, world.coordinator)
    version = ResultReportVersion.objects.create(report=report, number=1, snapshot={})
    return Confirmation.objects.create(
        application=application,
        report_version=version,
        decision=application.decisions.get(),
        number=1,
        notice_number="8医政第500号",
        notice_date=datetime.date(2027, 5, 10),
        total_amount=total,
        decided_total=1_400_000,
        advance_total=advance,
        difference=advance - total,
        snapshot={"recipients": []},
        confirmed_by=world.staff,
    )


def test_advance_partial_then_the_rest_then_refused_with_the_figures(case):
    app = case.application
    # the hub's line: 交付決定額 1,000,000; nothing paid or requested → 1,000,000 requestable
    assert _hub_ceiling(app).available == 1_000_000
    first = services.file_request(
        app,
        case.coordinator,
        kind=RequestKind.ADVANCE,
        requested_on=datetime.date(2026, 6, 1),
        amount=600_000,
    )
    # 1,000,000 − 0 paid − 600,000 waiting = 400,000
    assert _hub_ceiling(app).available == 400_000
    services.record_payment(first, case.staff, paid_on=datetime.date(2026, 6, 10))
    # paid 600,000, none waiting → 400,000 still
    assert (_hub_ceiling(app).paid, _hub_ceiling(app).pending) == (600_000, 0)
    services.file_request(
        app,
        case.coordinator,
        kind=RequestKind.ADVANCE,
        requested_on=datetime.date(2026, 6, 1),
        amount=400_000,
    )
    assert _hub_ceiling(app).available == 0
    with pytest.raises(PaymentError) as refused:
        services.file_request(
            app,
            case.coordinator,
            kind=RequestKind.ADVANCE,
            requested_on=datetime.date(2026, 6, 1),
            amount=1,
        )
    text = " ".join(refused.value.problems)
    assert "交付決定額 1,000,000円" in text and "既払額 600,000円" in text
    assert "請求中 400,000円" in text and "請求可能額 0円" in text
    assert PaymentRequest.objects.count() == 2


def test_hospital_line_has_its_own_ceiling(case):
    app = case.application
    with pytest.raises(PaymentError) as refused:
        services.file_request(
            app,
            case.coordinator,
            kind=RequestKind.ADVANCE,
            requested_on=datetime.date(2026, 6, 1),
            designation=case.designation_a,
            amount=400_001,  # its line is 400,000
        )
    assert "請求可能額 400,000円" in " ".join(refused.value.problems)


def test_payment_becomes_the_advance_the_seisan_reads(case):
    app = case.application
    request = services.file_request(
        app,
        case.coordinator,
        kind=RequestKind.ADVANCE,
        requested_on=datetime.date(2026, 6, 1),
        designation=case.designation_a,
        amount=300_000,
    )
    assert advance_total(app) == 0
    services.record_payment(request, case.staff, paid_on=datetime.date(2026, 7, 1))
    request.refresh_from_db()
    assert request.status == RequestStatus.PAID
    advance = AdvancePayment.objects.get()
    assert (advance.amount, advance.designation, advance.paid_on) == (
        300_000,
        case.designation_a,
        datetime.date(2026, 7, 1),
    )
    assert request.advance == advance
    # I 受入額 of the 精算額調 is the application's advances: 300,000
    assert advance_total(app) == 300_000
    with pytest.raises(PaymentError):  # paid once; a second payment is refused
        services.record_payment(request, case.staff, paid_on=datetime.date(2026, 7, 2))


def test_settlement_exactly_the_confirmed_remaining_payment(case):
    # confirmed 1,300,000, received 500,000: J = 500,000 − 1,300,000 = △800,000 → 精算払 800,000
    _confirm(case, total=1_300_000, advance=500_000)
    app = case.application
    assert advance_ceilings(app) == []  # no 概算払 after 額の確定
    assert settlement_ceiling(app).available == 800_000
    with pytest.raises(PaymentError):
        services.file_request(
            app,
            case.coordinator,
            kind=RequestKind.SETTLEMENT,
            requested_on=datetime.date(2027, 5, 15),
            amount=800_001,
        )
    request = services.file_request(
        app,
        case.coordinator,
        kind=RequestKind.SETTLEMENT,
        requested_on=datetime.date(2027, 5, 15),
        amount=800_000,
    )
    services.record_payment(request, case.staff, paid_on=datetime.date(2027, 6, 1))
    assert settlement_ceiling(app).available == 0
    assert AdvancePayment.objects.count() == 0  # a 精算払 is not an advance


def test_no_settlement_request_when_the_settlement_is_a_refund(case):
    # confirmed 900,000, received 1,000,000: J = +100,000 → 返還 100,000, nothing to request
    _confirm(case, total=900_000, advance=1_000_000)
    assert settlement_ceiling(case.application) is None
    with pytest.raises(PaymentError) as refused:
        services.file_request(
            case.application,
            case.coordinator,
            kind=RequestKind.SETTLEMENT,
            requested_on=datetime.date(2027, 5, 15),
            amount=1,
        )
    assert "返還" in " ".join(refused.value.problems)


def test_refund_order_due_date_receipts_overdue_and_reminders(case, settings):
    _confirm(case, total=900_000, advance=1_000_000)  # J = +100,000 → 返還 100,000
    app = case.application
    with pytest.raises(PaymentError):
        services.issue_refund(
            app,
            case.staff,
            amount=100_001,
            notice_number="8医政第600号",
            notice_date=datetime.date(2027, 5, 20),
        )
    order = services.issue_refund(
        app,
        case.staff,
        amount=100_000,
        notice_number="8医政第600号",
        notice_date=datetime.date(2027, 5, 20),
    )
    # 令和9年5月20日 + 20日 = 2027-06-09
    assert order.due_date == datetime.date(2027, 6, 9)
    services.record_receipt(order, case.staff, amount=30_000, received_on=datetime.date(2027, 6, 1))
    with pytest.raises(PaymentError) as refused:  # 100,000 − 30,000 = 70,000 outstanding
        services.record_receipt(
            order, case.staff, amount=70_001, received_on=datetime.date(2027, 6, 2)
        )
    assert "未収額 70,000円" in " ".join(refused.value.problems)
    assert overdue_orders(app.refund_orders.all(), datetime.date(2027, 6, 9)) == []
    assert overdue_orders(app.refund_orders.all(), datetime.date(2027, 6, 10)) == [order]
    mail.outbox.clear()
    assert send_refund_reminders(datetime.date(2027, 6, 10)) == [order]
    assert send_refund_reminders(datetime.date(2027, 6, 10)) == []  # same day: nothing more
    assert len(mail.outbox) == 1 and "70,000円" in mail.outbox[0].subject
    assert RefundReminder.objects.count() == 1
    assert send_refund_reminders(datetime.date(2027, 6, 11)) == [order]  # next day: again
    services.record_receipt(
        order, case.staff, amount=70_000, received_on=datetime.date(2027, 6, 12)
    )
    assert send_refund_reminders(datetime.date(2027, 6, 13)) == []  # fully received


def test_withdrawn_application_refunds_its_advances(case):
    app = case.application
    results_services.record_advance(
        app, case.staff, amount=250_000, paid_on=datetime.date(2026, 6, 1)
    )
    app.status = ApplicationStatus.WITHDRAWN
    app.save()
    assert services.refund_due(app)[2] == 250_000
    order = services.issue_refund(
        app,
        case.staff,
        amount=250_000,
        notice_number="8医政第601号",
        notice_date=datetime.date(2026, 9, 1),
    )
    assert order.cause == "withdrawal" and services.refund_due(app)[2] == 0


def test_only_coordinator_requests_and_only_staff_pay(case):
    with pytest.raises(PaymentError):
        services.file_request(
            case.application,
            case.staff,
            kind=RequestKind.ADVANCE,
            requested_on=datetime.date(2026, 6, 1),
            amount=1,
        )
    request = services.file_request(
        case.application,
        case.coordinator,
        kind=RequestKind.ADVANCE,
        requested_on=datetime.date(2026, 6, 1),
        amount=1,
    )
    with pytest.raises(PaymentError):
        services.record_payment(request, case.coordinator, paid_on=datetime.date(2026, 7, 1))


def test_exports_csv_and_xlsx(case):
    app = case.application
    request = services.file_request(
        app,
        case.coordinator,
        kind=RequestKind.ADVANCE,
        requested_on=datetime.date(2026, 6, 1),
        amount=123_456,
    )
    services.record_payment(request, case.staff, paid_on=datetime.date(2026, 6, 10))
    rows = payment_rows(type(app).objects.filter(pk=app.pk))
    assert len(rows) == 1
    from django.test import Client

    client = Client()
    client.force_login(case.staff)
    response = client.get("/subsidies/payments/years/2026/payments.csv")
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert parsed[0] == list(HEADER)
    assert parsed[1][0] == "2026-06-10" and parsed[1][2] == "概算払"
    assert parsed[1][-1] == "123456" and parsed[1][7] == "8医政第100号"
    assert b"\r\n" in body
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes("支払一覧", HEADER, rows)))
    sheet = workbook.active
    assert [c.value for c in sheet[1]] == list(HEADER)
    assert sheet.cell(2, len(HEADER)).value == 123_456
    assert isinstance(sheet.cell(2, len(HEADER)).value, int)
    assert csv_rows(rows)[0][0] == "2026-06-10"
