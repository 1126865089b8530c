"""Two requests at once cannot together exceed what is due (PostgreSQL row locks), and the
交付請求書 / 返還命令書 PDFs print their figures and re-render byte for byte."""

import datetime
import subprocess
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from reports.payment_documents import refund_pdf, request_pdf
from subsidies.models import Application, PaymentRequest, RequestKind
from subsidies.payments import services
from subsidies.payments.rules import PaymentError
from subsidies.results import services as results_services
from tests.subsidies.payments.test_payments import case  # noqa: F401  (the fixture)


def text_of(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    )
    return "".join(result.stdout.decode().split())


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers; this test needs PostgreSQL's row locks.",
)
@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_never_exceed_the_ceiling(case):  # noqa: F811
    # the hub's line: 交付決定額 1,000,000; two requests of 600,000 each at once:
    # 600,000 + 600,000 = 1,200,000 > 1,000,000 → exactly one is filed
    barrier = threading.Barrier(2)
    outcomes = []

    def act():
        try:
            barrier.wait(timeout=10)
            services.file_request(
                Application.objects.get(pk=case.application.pk),
                case.coordinator,
                kind=RequestKind.ADVANCE,
                amount=600_000,
            )
            outcomes.append("filed")
        except PaymentError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["filed", "refused"]
    assert PaymentRequest.objects.count() == 1


@pytest.mark.django_db
def test_request_and_refund_documents(case):  # noqa: F811
    app = case.application
    hub = app.hub
    hub.operator_legal_name = "一般社団法人甲医師会"
    hub.representative_title = "会長"
    hub.representative_name = "沖縄 太郎"
    hub.save()
    request = services.file_request(
        app,
        case.coordinator,
        kind=RequestKind.ADVANCE,
        amount=600_000,
        requested_on=datetime.date(2026, 6, 1),
    )
    pdf = request_pdf(request)
    assert pdf == request_pdf(request)  # byte-identical re-render
    text = text_of(pdf)
    for expected in (
        "様式第10号",
        "交付請求書（概算払）",
        "令和8年6月1日",  # 請求日 2026-06-01
        "一般社団法人甲医師会",
        "会長沖縄太郎",
        "8医政第100号",  # the decision's number (factory)
        "令和8年5月1日",  # the decision's date
        "600,000円",
        "1,400,000円",  # 交付決定額 1,000,000 + 400,000
    ):
        assert expected in text, expected
    results_services.record_advance(
        app, case.staff, amount=250_000, paid_on=datetime.date(2026, 6, 10)
    )
    app.status = "withdrawn"
    app.save()
    order = services.issue_refund(
        app,
        case.staff,
        amount=250_000,
        notice_number="8医政第700号",
        notice_date=datetime.date(2026, 9, 1),
    )
    pdf = refund_pdf(order)
    assert pdf == refund_pdf(order)
    text = text_of(pdf)
    for expected in (
        "様式第12号",
        "返還命令書兼納入通知書",
        "8医政第700号",
        "令和8年9月1日",
        "250,000円",
        "令和8年9月21日",  # 9月1日 + 20日
        "一般社団法人甲医師会会長沖縄太郎様",
    ):
        assert expected in text, expected


@pytest.mark.django_db
def test_the_dossier_holds_the_request_and_the_refund_order_in_their_folders(case):  # noqa: F811
    """The audit dossier (reports.documents.dossier_items) carries the 交付請求書 and the
    返還命令書 after the notices, each dated with its own filing / issue time."""
    from reports.documents import dossier_items

    app = case.application
    request = services.file_request(
        app,
        case.coordinator,
        kind=RequestKind.ADVANCE,
        amount=600_000,
        requested_on=datetime.date(2026, 6, 1),
    )
    results_services.record_advance(
        app, case.staff, amount=250_000, paid_on=datetime.date(2026, 6, 10)
    )
    app.status = "withdrawn"
    app.save()
    order = services.issue_refund(
        app,
        case.staff,
        amount=250_000,
        notice_number="8医政第701号",
        notice_date=datetime.date(2026, 9, 1),
    )
    items = dict(dossier_items(app.hub, app.fiscal_year))
    names = list(items)
    request_name = f"09_交付請求書/交付請求書_20260601_{request.pk}.pdf"
    order_name = "10_返還命令書/返還命令書_8医政第701号.pdf"
    assert names.index(request_name) < names.index(order_name), names
    assert items[order_name]() == refund_pdf(order)
    assert items[request_name]() == request_pdf(request)
    issued = timezone.localtime(order.issued_at)  # Asia/Tokyo
    assert items[order_name].zip_date[:4] == (issued.year, issued.month, issued.day, issued.hour)
