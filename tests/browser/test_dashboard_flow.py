"""A health-center user sees only its areas, opens a chart's table and exports it."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.conftest import log_in
from tests.reports.dashboard_data import year_of_work
from zaitaku_portal.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_health_center_reads_a_chart_table_and_exports_it(page, live_server, world):
    staff = world.users[Role.PREFECTURE_STAFF]
    year_of_work(world.hub_a, staff, meetings=3, trainings=2)
    year_of_work(world.hub_b, staff, meetings=6)
    log_in(page, live_server, "healthcenter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("進捗ダッシュボード")
    main = page.locator("main")
    expect(main).to_contain_text("甲拠点")
    expect(main).not_to_contain_text("乙拠点")

    chart = page.locator("figure.chart").filter(has_text="多職種連携会議の開催回数")
    table = chart.get_by_role("table")
    expect(table).to_be_hidden()
    chart.get_by_text("データの表を表示").click()
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name="甲拠点")).to_contain_text("3")

    with page.expect_download() as download:
        page.get_by_role("link", name="「多職種連携会議の開催回数（拠点別）」をExcelで出力").click()
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["区分", "開催", "予定"],
        ["甲拠点", 3, 0],
    ]
