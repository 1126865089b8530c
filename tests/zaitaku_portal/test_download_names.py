"""Issue 20: downloads carry Japanese names (hub, 和暦 fiscal year, what the file is), sent
as RFC 5987 `filename*` with an ASCII fallback first (RFC 6266), through the real views.

Before: `application-2026-1.xlsx`, `confirmed-amounts-2026.json`, `精算額調_甲拠点_2026.xlsx`."""

from urllib.parse import quote, unquote

import pytest
from django.urls import reverse

from tests.subsidies.results.factories import worked_case
from zaitaku_portal.filenames import content_disposition
from zaitaku_portal.models import AuditEntry, Role

pytestmark = pytest.mark.django_db


def _name(response) -> str:
    assert response.status_code == 200
    header = response["Content-Disposition"]
    fallback, _, utf8 = header.partition("; filename*=UTF-8''")
    assert fallback.startswith('attachment; filename="') and fallback.isascii()
    assert utf8 == quote(unquote(utf8), safe="")  # percent-encoded, nothing left raw
    return unquote(utf8)


@pytest.fixture
def case(world):
    return worked_case(world)  # 甲拠点, FY2026 (令和8年度), decided, report filled


def test_the_coordinators_downloads(client, world, case):
    client.force_login(world.users[Role.HUB_COORDINATOR])
    application, report = case.application, case.report
    url = reverse("subsidies:excel_download", args=[application.pk])
    assert _name(client.get(url)) == "甲拠点_令和8年度_交付申請.xlsx"
    url = reverse("results:expenses_xlsx", args=[report.pk])
    assert _name(client.get(url)) == "実支出額_甲拠点_令和8年度.xlsx"
    url = reverse("results:sheet_xlsx", args=[report.pk])
    assert _name(client.get(url)) == "精算額調_甲拠点_令和8年度.xlsx"
    version = application.versions.order_by("number").first()
    url = reverse("reports:application_pdf", args=[version.pk])
    assert _name(client.get(url)) == f"交付申請書_甲拠点_令和8年度_第{version.number}版.pdf"
    # the audit log keeps the Japanese name, not the ASCII fallback
    assert AuditEntry.objects.filter(target_label="甲拠点_令和8年度_交付申請.xlsx").exists()


def test_the_prefectures_downloads(client, world, case):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    url = reverse("results:prefecture_xlsx", args=[2026])
    assert _name(client.get(url)) == "精算額調_県全体_令和8年度.xlsx"
    url = reverse("results:confirmed_json", args=[2026])
    assert _name(client.get(url)) == "確定額_令和8年度.json"


def test_the_header_helper_gives_both_names():
    """The fallback keeps what ASCII there is when it says something; a Japanese name whose
    ASCII residue is only "8" falls back to download.xlsx."""
    assert content_disposition("report-2026.xlsx") == (
        "attachment; filename=\"report-2026.xlsx\"; filename*=UTF-8''report-2026.xlsx"
    )
    name = "北部地区医師会_令和8年度_交付申請.xlsx"
    fallback, _, utf8 = content_disposition(name).partition("; filename*=UTF-8''")
    assert fallback == 'attachment; filename="download.xlsx"'
    assert utf8.startswith("%E5%8C%97%E9%83%A8")  # 北 is U+5317: UTF-8 E5 8C 97; 部 E9 83 A8
    assert unquote(utf8) == name
