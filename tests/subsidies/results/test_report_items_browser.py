"""In a real Chromium: the coordinator marks a decided menu 未実施 with its reason, adds
disaster equipment and a receipt, and the report page shows them at desktop and phone width."""

import os

import pytest
from playwright.sync_api import expect

from subsidies.results import services
from tests import factories as f
from tests.conftest import ARTIFACTS, log_in
from tests.subsidies.results.factories import decided_application, fill_report, menu
from zaitaku_portal.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_not_carried_out_equipment_and_receipt_on_the_report_page(
    page, live_server, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    fy = f.FiscalYearFactory(year=2026)
    meeting = menu(fy, "b-meeting", "連携会議の開催", 1_060_000, order=1)
    training = menu(fy, "b-training", "研修の開催", 518_000, order=2)
    application = decided_application(
        world.hub_a, fy, [(meeting, None, 500_000, {}), (training, None, 200_000, {})]
    )
    report = services.start_report(application, world.users[Role.HUB_COORDINATOR])
    fill_report(report, {"b-meeting": {"expenses": {"honorarium": 400_000}, "total_cost": 400_000}})
    detail = f"{live_server.url}/results/reports/{report.pk}/"

    log_in(page, live_server, "coordinator")
    page.goto(detail)
    expect(page.locator("#mandatory-warnings")).to_contain_text("年4回以上の開催が必須です")
    page.get_by_role("link", name="実支出額・報告事項を入力する").click()
    line = page.locator("fieldset[data-line]", has_text="甲拠点：研修の開催")
    line.get_by_label("未実施（このメニューは実施しなかった", exact=False).check()
    line.get_by_label("未実施の理由（未実施の場合は必須）").fill("講師が確保できなかった")
    page.get_by_label("（3）ウ② 資源の最適化", exact=False).fill("訪問歯科の不足を隣接圏域で補った")
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_text("実績報告を保存しました")).to_be_visible()
    expect(page.get_by_text("理由: 講師が確保できなかった")).to_be_visible()

    page.get_by_role("link", name="災害時の備品を追加する").click()
    page.get_by_label("備品", exact=True).select_option("aed")
    page.get_by_label("数量").fill("2")
    page.get_by_label("購入費（円）").fill("500000")
    page.get_by_role("button", name="登録する").click()
    expect(page.locator("#equipment")).to_contain_text("自動体外式除細動器（AED）")

    page.get_by_role("link", name="領収書等を登録する").click()
    page.get_by_label("経費の行").select_option(label="甲拠点：連携会議の開催")
    receipt = tmp_path / "領収書.pdf"
    receipt.write_bytes(b"%PDF-1.7 body\n%%EOF\n")
    page.get_by_label("領収書等（PDF", exact=False).set_input_files(str(receipt))
    page.get_by_role("button", name="登録する").click()
    expect(page.get_by_role("link", name="領収書.pdf")).to_be_visible()

    os.makedirs(ARTIFACTS, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(detail)
        page.screenshot(path=f"{ARTIFACTS}/results-report-items-{width}.png", full_page=True)
