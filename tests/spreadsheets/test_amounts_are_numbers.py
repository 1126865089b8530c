"""Every amount and count in the staff exports is a number cell with a number format, never
text (issue 23): 補助所要額 and 計算の過程's 金額 in the 精算額調, the coverage counts (「1か所」
is the display of the number 1, 0 shows 未設置), the dashboard's chart data (「3回」)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from subsidies.results import columns as seisan
from tests.subsidies.results.factories import worked_case
from zaitaku_portal.models import Role
from zaitaku_portal.spreadsheets import PLACES_FORMAT, YEN_FORMAT

pytestmark = pytest.mark.django_db


def _workbook(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _column(sheet, header: str) -> list:
    headers = [cell.value for cell in sheet[1]]
    col = headers.index(header) + 1
    return [sheet.cell(row, col) for row in range(2, sheet.max_row + 1)]


def test_the_seisan_amounts_are_yen_numbers(client, world):
    case = worked_case(world)
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    workbook = _workbook(client, reverse("results:sheet_xlsx", args=[case.report.pk]))
    menus = workbook["メニュー別"]
    required = _column(menus, seisan.REQUIRED_AMOUNT.heading)
    assert required and all(isinstance(c.value, int) for c in required)
    assert all(c.number_format == YEN_FORMAT for c in required)
    steps = _column(workbook["計算の過程"], "金額")
    assert steps and all(isinstance(c.value, int) for c in steps), [c.value for c in steps]
    # 研修の開催 at rate 1/2: G = min(E 518,000, D 300,999) × 1/2 = 150,499.5円; the cell
    # holds the whole yen 150,499 (rounding is at the facility total, so the menu's G keeps
    # its fraction only in the formula text of 計算の過程)
    assert 150_499 in [c.value for c in required]


def test_coverage_counts_are_numbers_shown_with_their_unit(client, world):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    sheet = _workbook(client, reverse("hospitals:coverage_xlsx")).active
    hubs = _column(sheet, "拠点")
    assert [c.value for c in hubs] == [1, 1]  # 甲拠点 and 乙拠点, one per area
    assert all(c.number_format == PLACES_FORMAT for c in hubs)
    hospitals = _column(sheet, "積極的医療機関の状況")
    assert all(isinstance(c.value, int) for c in hospitals)
    assert PLACES_FORMAT.endswith(';"未設置"')  # 0 displays as 未設置, still the number 0
