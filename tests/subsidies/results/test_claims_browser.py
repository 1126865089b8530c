"""In a real Chromium: the coordinator submits the results; staff sees the 精算額調, confirms
and downloads the xlsx; the coordinator sees the confirmed amount and the refund."""

import datetime
import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from subsidies.results import services
from tests.conftest import log_in
from tests.subsidies.approvals import drive
from tests.subsidies.results.factories import worked_case
from zaitaku_portal.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_results_to_confirmation_to_refund(page, live_server, world):
    case = worked_case(world)
    staff = world.users[Role.PREFECTURE_STAFF]
    services.record_advance(
        case.application, staff, amount=2_000_000, paid_on=datetime.date(2026, 7, 1)
    )
    services.record_advance(
        case.application,
        staff,
        amount=300_000,
        paid_on=datetime.date(2026, 7, 1),
        designation=case.designation,
    )
    detail = f"{live_server.url}/results/reports/{case.report.pk}/"

    log_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/results/")
    page.get_by_role("link", name="作成中").click()
    expect(page).to_have_url(detail)
    page.get_by_role("link", name="実支出額・報告事項を入力する").click()
    page.get_by_label("（6）課題や改善点").fill("会議の日程調整に時間がかかった")
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("実績報告を保存しました")).to_be_visible()
    page.get_by_role("link", name="実績報告を提出する").click()
    page.get_by_role("button", name="実績報告を提出する").click()
    expect(page.locator("#status")).to_have_text("提出済み")
    page.get_by_role("button", name="ログアウト").click()

    log_in(page, live_server, "staff")
    page.goto(detail)
    page.get_by_role("link", name="審査を開始する").click()
    page.get_by_role("button", name="審査を開始する").click()
    expect(page.locator("#status")).to_have_text("審査中")
    page.get_by_role("link", name="精算額調（計算の内訳）").click()
    expect(page.locator("#seisan-summary")).to_contain_text("1,950,000円")
    expect(page.locator("#total-g")).to_have_text("2,202,000円")
    # the facility's rounding now names the menus it sums: ΣG（… = 1,950,499.50…円） → …
    expect(
        page.get_by_text(re.compile(r"ΣG.*1,950,499\.50…円.* → 1,000円未満切捨て = 1,950,000円"))
    ).to_be_visible()
    expect(
        # the refusal names the earlier grant: 一施設一回限りの補助で、令和…の交付決定（…）により…
        page.get_by_text(re.compile(r"一施設一回限りの補助で、.+により交付済みのため対象外")).first
    ).to_be_visible()
    page.get_by_role("link", name="額の確定を起案する").click()
    page.get_by_label("通知番号").fill("9医政第301号")
    page.get_by_role("button", name="この額で起案する").click()
    expect(page.locator("#status")).to_have_text("決裁待ち")
    # 決裁 (issue 15): the approver confirms it from the queue; the rest is read by them
    page.get_by_role("button", name="ログアウト").click()
    drive.approver()
    log_in(page, live_server, "kacho")
    page.goto(f"{live_server.url}/subsidies/approvals/")
    page.locator("[data-approval-queue]").get_by_role("link", name="額の確定").click()
    expect(page.locator("[data-draft-total]")).to_have_text("2,202,000円")
    page.get_by_role("button", name="決裁する").click()
    expect(page.locator("[data-draft-state]")).to_have_text("決裁済み")
    page.goto(detail)
    expect(page.locator("#status")).to_have_text("額の確定済み")
    expect(page.locator("#confirmed-amount")).to_have_text("2,202,000円")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="精算額調をExcelでダウンロード").click()
    download = download_info.value
    assert re.search(r"\.xlsx$", download.suggested_filename)
    with open(download.path(), "rb") as downloaded:
        workbook = load_workbook(io.BytesIO(downloaded.read()))
    rows = {r[0]: r for r in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert rows["合計"][7] == 2_202_000 and rows["合計"][10] == 98_000
    page.get_by_role("button", name="ログアウト").click()

    log_in(page, live_server, "coordinator")
    page.goto(detail)
    expect(page.locator("#confirmed-amount")).to_have_text("2,202,000円")
    # I 2,300,000 − G 2,202,000 = 98,000 to refund
    expect(page.locator("#settlement")).to_have_text("返還額 98,000円")
