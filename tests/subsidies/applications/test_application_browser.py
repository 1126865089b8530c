"""A person in a real Chromium: the coordinator fills and submits, staff returns with a reason,
the coordinator corrects through the Excel form and resubmits, staff decides, the coordinator
sees the decision."""

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from subsidies.applications import excel
from subsidies.models import Application, ApplicationStatus
from tests.conftest import log_in
from tests.subsidies.approvals import drive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MEETING = "多職種が参加する連携会議の開催"


def log_out(page):
    page.get_by_role("button", name="ログアウト").click()
    expect(page).to_have_url(re.compile("/login/"))


def open_application(page, live_server, application):
    page.goto(f"{live_server.url}/subsidies/applications/{application.pk}/")


def test_apply_return_correct_by_excel_resubmit_decide(page, live_server, apps_world, tmp_path):
    w = apps_world
    # 1. The coordinator creates the application and fills it on the web.
    log_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/subsidies/applications/")
    page.get_by_role("link", name=re.compile("令和8年度交付申請を作成する")).click()
    page.get_by_role("button", name="作成する").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("事業計画の入力")
    page.get_by_label("区割りの考え方").fill("市町村ごとに1区割り")
    page.get_by_label("会議体の数").fill("2")
    page.get_by_label("会議体の構成員").fill("医師会、訪問看護ステーション、地域包括支援センター")
    line = page.locator("fieldset.line", has_text=MEETING)
    line.get_by_label("補助を希望する（○）").check()
    line.get_by_label("取り組み事項").fill("多職種連携会議を年4回開催")
    line.get_by_label("開始年度").select_option(label="R8〜")
    line.get_by_label("報償費").fill("900000")
    line.get_by_label("旅費").fill("２００，０００")
    expect(line.locator("[data-total]")).to_have_text("1,100,000円")  # live total
    expect(line.locator("[data-flag]")).to_contain_text("上限額超過")  # marked, not refused
    line.get_by_label("旅費").fill("100000")
    expect(line.locator("[data-total]")).to_have_text("1,000,000円")
    page.get_by_role("button", name="下書きを保存").click()
    expect(page.locator(".messages")).to_contain_text("下書きを保存しました")
    page.get_by_role("button", name="保存して提出へ進む").click()
    page.get_by_role("button", name="提出する").dblclick()  # double-click submits once
    expect(page.locator("#status")).to_have_text("提出済み")
    application = Application.objects.get(hub=w.hub_a)
    assert application.versions.count() == 1
    log_out(page)

    # 2. Staff starts the review and returns it with a reason.
    log_in(page, live_server, "staff")
    page.get_by_role("link", name="甲拠点").click()
    page.get_by_role("link", name="審査を開始する").click()
    page.get_by_role("button", name="審査を開始する").click()
    expect(page.locator("#status")).to_have_text("審査中")
    page.get_by_role("link", name="差し戻す").click()
    page.get_by_role("button", name="差し戻す").click()
    expect(page.get_by_role("alert")).to_contain_text("差戻し理由を選択してください")
    page.get_by_label("差戻し理由").select_option(label="上限額・対象経費の誤り")
    page.get_by_label("差戻しの内容").fill("研修の開催の計画も記載してください。")
    page.get_by_role("button", name="差し戻す").click()
    expect(page.locator("#status")).to_have_text("差戻し中")
    log_out(page)

    # 3. The coordinator sees the reason, corrects the plan in Excel, and resubmits.
    log_in(page, live_server, "coordinator")
    open_application(page, live_server, application)
    expect(page.locator(".return-box")).to_contain_text("研修の開催の計画も記載してください。")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel様式をダウンロード").click()
    path = tmp_path / "form.xlsx"
    download_info.value.save_as(path)
    workbook = load_workbook(path)
    sheet = workbook[excel.HUB_SHEET]
    row = next(r for r in range(7, sheet.max_row + 1) if sheet[f"B{r}"].value == MEETING)
    sheet[f"M{row}"] = "５０千円"  # 旅費 written in 千円 with full-width digits
    buffer = io.BytesIO()
    workbook.save(buffer)
    (tmp_path / "corrected.xlsx").write_bytes(buffer.getvalue())
    page.get_by_role("link", name="記入したExcelを取り込む").click()
    page.get_by_label("記入した様式（.xlsx）").set_input_files(str(tmp_path / "corrected.xlsx"))
    page.get_by_role("button", name="内容を確認する").click()
    expect(page.locator(".notes")).to_contain_text("50,000円として読み取りました")
    expect(page.locator("table.diff")).to_contain_text("100,000円")
    page.get_by_role("button", name="取り込む").click()
    expect(page.locator(".messages")).to_contain_text("Excelの内容を取り込みました")
    page.get_by_role("link", name="再提出する").click()
    page.get_by_role("button", name="再提出する").click()
    expect(page.locator("#status")).to_have_text("再提出済み")
    log_out(page)

    # 4. Staff sees it first in the queue, reviews the diff, and decides.
    log_in(page, live_server, "staff")
    expect(page.locator("tbody tr").first).to_contain_text("再提出")
    page.get_by_role("link", name="甲拠点").click()
    page.get_by_role("link", name="前の版との差分").first.click()
    expect(page.locator("table.diff")).to_contain_text("50,000円")
    open_application(page, live_server, application)
    page.get_by_role("link", name="審査を開始する").click()
    page.get_by_role("button", name="審査を開始する").click()
    page.get_by_role("link", name="交付決定を起案する").click()
    page.get_by_label("通知番号").fill("8医政第1234号")
    page.get_by_role("button", name="交付決定を起案する").click()
    expect(page.locator("#status")).to_have_text("決裁待ち")
    log_out(page)

    # 4b. The 決裁権者 approves the draft from the queue (issue 15).
    drive.approver()
    log_in(page, live_server, "kacho")
    page.goto(f"{live_server.url}/subsidies/approvals/")
    page.locator("[data-approval-queue]").get_by_role("link", name="交付決定").click()
    page.get_by_role("button", name="決裁する").click()
    expect(page.locator("[data-draft-state]")).to_have_text("決裁済み")
    log_out(page)

    # 5. The coordinator sees the decision.
    log_in(page, live_server, "coordinator")
    open_application(page, live_server, application)
    expect(page.locator("#decision")).to_contain_text("8医政第1234号")
    expect(page.locator("#decision")).to_contain_text("950,000円")
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.DECIDED
