"""The expense workbook and the staff lists through the real LibreOffice Calc (issue 23):
re-saved untouched, the expense upload finds no change, a reason typed as =1+1 included;
printed (every downloadable workbook in one soffice call), every page names the hub or the
list, one A4 page wide; the 和暦 date format renders as 令和… in Calc, not as a serial number."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from subsidies.models import Application
from subsidies.results.exports.expenses import REASON_HEADER
from subsidies.results.reading import expenses_of
from tests.spreadsheets import calc
from tests.subsidies.results.factories import worked_case
from zaitaku_portal.models import Role
from zaitaku_portal.spreadsheets import Column, write_xlsx

pytestmark = [pytest.mark.calc, calc.needs_calc]

FORMULA_LIKE = "=1+1"


@pytest.fixture
def case(world):
    return worked_case(world)


def _reason_cell(content: bytes):
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    column = header.index(REASON_HEADER) + 1
    # The one expense given a reason (the row order of the export is not this test's subject).
    filled = [
        sheet.cell(row, column)
        for row in range(2, sheet.max_row + 1)
        if sheet.cell(row, column).value not in (None, "")
    ]
    assert len(filled) == 1, [cell.value for cell in filled]
    return filled[0]


@pytest.mark.django_db
def test_expense_workbook_resaved_by_calc_shows_no_change_with_a_formula_like_reason(
    client, world, case, tmp_path
):
    (meeting,) = [e for e in expenses_of(case.report) if e.menu.code == "w-meeting"]
    meeting.excluded_reason = FORMULA_LIKE  # typed on the web form by a coordinator
    meeting.save(update_fields=["excluded_reason"])
    client.force_login(world.users[Role.HUB_COORDINATOR])
    content = client.get(reverse("results:expenses_xlsx", args=[case.report.pk])).content
    assert _reason_cell(content).value == FORMULA_LIKE  # a text cell, not '=1+1
    saved = calc.resave({"expenses": content}, tmp_path)["expenses"]
    cell = _reason_cell(saved)
    assert (cell.value, cell.data_type) == (FORMULA_LIKE, "s")  # Calc kept it text
    upload = SimpleUploadedFile("expenses.xlsx", saved)
    response = client.post(
        reverse("results:expenses_upload", args=[case.report.pk]), {"file": upload}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "変更はありません" in html, html[:2000]
    meeting.refresh_from_db()
    assert meeting.excluded_reason == FORMULA_LIKE


def _wareki_list() -> bytes:
    """The 和暦 formats (WAREKI_DATE_FORMAT, …_DATETIME_FORMAT) on a date and a date-time."""
    return write_xlsx(
        [
            (
                "一覧",
                [Column("名称"), Column("受付日", "date"), Column("更新", "datetime")],
                [["甲拠点", datetime.date(2026, 5, 1), datetime.datetime(2027, 3, 31, 9, 5)]],
            )
        ],
        page_header="職員用一覧",
    )


SERIAL = re.compile(r"\b4[5-7]\d{3}\b")  # a day serial of 2023-2030 shown instead of a date


@pytest.mark.django_db
def test_every_staff_workbook_prints_one_page_wide_naming_what_it_is(client, world, case, tmp_path):
    """One soffice call prints them all, and a list of 和暦 dates ([$-411]ggge renders as
    令和8年5月1日 in Calc, not as a serial number). Each sheet is a few rows, so one page
    (計算の過程 excepted). A page names the hub where the workbook is one hub's (expenses,
    精算額調), the list's title otherwise, and shows no ### nor a day serial."""
    submitted = datetime.datetime(2026, 5, 1, 0, 0, tzinfo=datetime.UTC)  # 09:00 in Japan
    Application.objects.filter(pk=case.application.pk).update(submitted_at=submitted)
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    year = case.application.fiscal_year.year
    report = case.report.pk
    downloads = {
        # name: (url, printed pages, text every page carries)
        "expenses": (reverse("results:expenses_xlsx", args=[report]), 2, "甲拠点"),
        # 精算額調 and メニュー別 one page each; 計算の過程 is 5 menus' and 2 facilities' steps
        # (about 70 rows, each step one line) over two pages, its header repeated.
        "seisan": (reverse("results:sheet_xlsx", args=[report]), 4, "甲拠点"),
        "coverage": (reverse("hospitals:coverage_xlsx"), 1, "在宅医療圏の充足状況"),
        "review": (reverse("subsidies:review_export"), 1, "審査一覧"),
        "payments": (reverse("subsidies:payments_xlsx", args=[year]), 1, "支払一覧"),
        "figures": (reverse("hubs:figures_template"), 1, "人口・資源"),
    }
    contents = {}
    for name, (url, _pages, _text) in downloads.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        contents[name] = response.content
    contents["wareki"] = _wareki_list()
    printed = calc.pdf_pages(contents, tmp_path)
    (page,) = printed.pop("wareki")
    assert "令和8年5月1日" in page
    assert "令和9年3月31日 09:05" in page
    assert "46143" not in page  # the serial number of 2026-05-01
    assert "職員用一覧" in page
    for name, (_url, page_count, text) in downloads.items():
        pages = printed[name]
        assert len(pages) == page_count, (name, [page[:80] for page in pages])
        for page in pages:
            assert text in page, (name, page[:200])
            assert "###" not in page, (name, page)
            assert not SERIAL.search(page), (name, page)
    assert "令和8年5月1日 09:00" in printed["review"][0]  # 提出日時 in 和暦, Japan time
