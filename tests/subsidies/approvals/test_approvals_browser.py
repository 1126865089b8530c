"""決裁 in a real Chromium (issue 15): staff draft a decision (起案), the 決裁権者 logs in,
finds it in the queue with its amount, approves it, and the coordinator sees the notice."""

import re

import pytest
from playwright.sync_api import expect

from subsidies.models import Application, ApplicationStatus
from tests.conftest import log_in
from tests.subsidies.approvals import drive
from tests.subsidies.factories import application_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = ApplicationStatus


def log_out(page):
    page.get_by_role("button", name="ログアウト").click()
    expect(page).to_have_url(re.compile("/login/"))


def test_draft_approve_from_the_queue_and_the_notice_appears(page, live_server, apps_world):
    w = apps_world
    w.fiscal_year.notice_number_pattern = "8医政第{n}号"
    w.fiscal_year.save()
    application = application_in(S.UNDER_REVIEW, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    drive.approver()
    detail = f"{live_server.url}/subsidies/applications/{application.pk}/"

    # Staff draft the decision: the plan's 400,000円 (300,000 + 100,000 of hub-meeting)
    # reduced to 350,000円 with a reason; the number is left to the approval.
    log_in(page, live_server, "staff")
    page.goto(detail)
    page.get_by_role("link", name="交付決定を起案する").click()
    expect(page.get_by_text("いま決裁すると 8医政第1号")).to_be_visible()
    page.locator("input[name=amount0]").fill("350000")
    page.locator("input[name=reason0]").fill("旅費の一部は対象外")
    page.get_by_role("button", name="交付決定を起案する").click()
    expect(page.locator("#status")).to_have_text("決裁待ち")
    page.goto(f"{live_server.url}/subsidies/approvals/")
    expect(page.get_by_text("決裁権者ではない")).to_be_visible()  # staff read the queue
    log_out(page)

    # The approver finds it in the queue, reads the amount and approves.
    log_in(page, live_server, "kacho")
    page.get_by_role("link", name="決裁待ち").first.click()
    expect(page.locator("[data-approval-total]")).to_have_text("1")
    page.locator("[data-approval-queue]").get_by_role("link", name="交付決定").click()
    expect(page.locator("[data-draft-total]")).to_have_text("350,000円")
    expect(page.locator("[data-draft-lines]")).to_contain_text("旅費の一部は対象外")
    page.get_by_role("button", name="決裁する").click()
    expect(page.locator("[data-draft-state]")).to_have_text("決裁済み")
    expect(page.locator(".facts")).to_contain_text("8医政第1号")
    log_out(page)

    # The coordinator sees the decision and its notice.
    log_in(page, live_server, "coordinator")
    page.goto(detail)
    expect(page.locator("#status")).to_have_text("交付決定済み")
    expect(page.locator("#decision")).to_contain_text("8医政第1号")
    expect(page.locator("#decision")).to_contain_text("350,000円")
    with page.expect_download() as download:
        page.get_by_role("link", name="交付決定通知書（PDF）をダウンロード").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert Application.objects.get(pk=application.pk).current_decision.total_amount == 350_000
