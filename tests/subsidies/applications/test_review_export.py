import io

import openpyxl

from tests.reports.dashboard_data import year_of_work
from zaitaku_portal.models import Role


def test_queue_exports_with_the_pages_filters(client, world):
    staff = world.users[Role.PREFECTURE_STAFF]
    year_of_work(world.hub_a, staff, decided=1_060_000)
    year_of_work(world.hub_b, staff, year=2025, decided=500_000)
    client.force_login(staff)
    content = client.get("/subsidies/review/export.xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet.freeze_panes == "A2"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert sorted((r[0], r[1], r[6]) for r in rows) == [
        ("乙拠点", "令和7年度", 500_000),
        ("甲拠点", "令和8年度", 1_060_000),
    ]
    fiscal_year_2026 = world.hub_a.applications.get().fiscal_year
    filtered = client.get(f"/subsidies/review/export.xlsx?fiscal_year={fiscal_year_2026.pk}")
    sheet = openpyxl.load_workbook(io.BytesIO(filtered.content)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["甲拠点"]
