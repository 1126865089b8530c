"""The expense workbook and the staff lists through the real LibreOffice Calc (issue 23):
re-saved untouched, the expense upload finds no change; printed, every page names the hub;
the 和暦 date format renders as 令和… in Calc, not as a serial number."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from subsidies.results.exports.expenses import expense_workbook
from tests.spreadsheets import calc
from tests.subsidies.results.factories import worked_case
from zaitaku_portal.models import Role
from zaitaku_portal.spreadsheets import Column, write_xlsx

pytestmark = [pytest.mark.calc, calc.needs_calc]


@pytest.fixture
def case(world, client):
    client.force_login(world.users[Role.HUB_COORDINATOR])
    return worked_case(world)


@pytest.mark.django_db
def test_expense_workbook_resaved_by_calc_shows_no_change_and_prints_the_hub(
    client, case, tmp_path
):
    content = client.get(reverse("results:expenses_xlsx", args=[case.report.pk])).content
    assert content == expense_workbook(case.report)
    saved = calc.resave({"expenses": content}, tmp_path)["expenses"]
    upload = SimpleUploadedFile("expenses.xlsx", saved)
    response = client.post(
        reverse("results:expenses_upload", args=[case.report.pk]), {"file": upload}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "変更はありません" in html, html[:2000]
    pages = calc.pdf_pages({"expenses": content}, tmp_path)["expenses"]
    assert len(pages) == 2  # 実支出額 and 情報, one page each
    hub = case.report.application.hub.name
    assert all(hub in page and "令和" in page for page in pages)


def test_wareki_dates_render_as_wareki_text_in_calc(tmp_path):
    content = write_xlsx(
        [
            (
                "一覧",
                [Column("名称"), Column("受付日", "date"), Column("更新", "datetime")],
                [["甲拠点", datetime.date(2026, 5, 1), datetime.datetime(2027, 3, 31, 9, 5)]],
            )
        ],
        page_header="職員用一覧",
    )
    (page,) = calc.pdf_pages({"list": content}, tmp_path)["list"]
    assert "令和8年5月1日" in page
    assert "令和9年3月31日 09:05" in page
    assert "46143" not in page  # the serial number of 2026-05-01
    assert "職員用一覧" in page
