"""Playwright: the coordinator files a 精算払請求 (full-width digits and commas), a request
above the ceiling is refused with the figures; staff record the payment."""

import datetime

import pytest
from playwright.sync_api import expect

from subsidies.models import PaymentRequest, RequestStatus
from tests.conftest import log_in
from tests.subsidies.payments.test_payments import _confirm, case  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_files_settlement_and_staff_record_payment(page, live_server, case):  # noqa: F811
    # confirmed 1,300,000, received 500,000: J = △800,000 → 精算払 800,000
    _confirm(case, total=1_300_000, advance=500_000)
    url = f"{live_server.url}/subsidies/payments/applications/{case.application.pk}/"
    log_in(page, live_server, "coordinator")
    page.goto(url)
    page.get_by_label("請求額（円）").fill("８００，００１")
    page.get_by_role("button", name="請求する").click()
    expect(page.get_by_role("alert")).to_contain_text("請求可能額 800,000円")
    assert PaymentRequest.objects.count() == 0
    page.get_by_label("請求額（円）").fill("８００，０００")
    page.get_by_role("button", name="請求する").click()
    expect(page.get_by_text("交付請求を提出しました。")).to_be_visible()
    request = PaymentRequest.objects.get()
    assert (request.kind, request.amount) == ("settlement", 800_000)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"/tmp/b-page-{width}.png", full_page=True)  # noqa: S108
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.context.clear_cookies()
    log_in(page, live_server, "staff")
    page.goto(url)
    page.get_by_label("支払日").first.fill(datetime.date.today().isoformat())
    page.get_by_role("button", name="支払を登録").click()
    expect(page.get_by_text("支払を登録しました。")).to_be_visible()
    request.refresh_from_db()
    assert request.status == RequestStatus.PAID
