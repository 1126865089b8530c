"""Staff downloads a decision notice and an audit dossier, in a real Chromium."""

import io
import re
import subprocess
import zipfile

import pytest
from playwright.sync_api import expect

from tests.conftest import log_in
from tests.reports.workflow import okinawa_fy2026, returned_then_decided
from zaitaku_portal.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_downloads_the_decision_notice_and_the_dossier(
    page, live_server, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    application = returned_then_decided(
        world.hub_a,
        world.users[Role.HUB_COORDINATOR],
        world.users[Role.PREFECTURE_STAFF],
        okinawa_fy2026(),
    )
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/subsidies/applications/{application.pk}/")

    with page.expect_download() as notice:
        page.get_by_role("link", name="交付決定通知書（PDF）をダウンロード").click()
    pdf = notice.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "8医政第77号" in text

    page.get_by_role("button", name="監査用一式（ZIP）を作成する").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("監査用一式_甲拠点_令和8年度")
    expect(page.locator("#batch-status")).to_have_text("完了", timeout=60_000)
    expect(page.locator("#batch-progress")).to_contain_text("100%")
    with page.expect_download() as dossier:
        page.get_by_role("link", name=re.compile("をダウンロード")).click()
    with zipfile.ZipFile(io.BytesIO(dossier.value.path().read_bytes())) as archive:
        names = archive.namelist()
    assert "02_交付決定通知書/交付決定通知書_甲拠点_8医政第77号.pdf" in names
    assert "05_監査記録.csv" in names
