"""The catalogue page in Chromium at a desktop (1280 px) and a phone (390 px) width: never
wider than the window, and staff confirm a 調整中 year with its button."""

import os

import pytest
from django.conf import settings
from playwright.sync_api import expect

from subsidies.catalogue.services import CATALOGUE_DIR, load_catalogue_file
from tests.conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_catalogue_pages_fit_the_window_and_staff_confirm(page, live_server, world, width):
    for name in ("osaka_fy2024", "okinawa_fy2026"):
        load_catalogue_file(settings.BASE_DIR / CATALOGUE_DIR / f"{name}.json")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "staff")
    os.makedirs(ARTIFACTS, exist_ok=True)
    for year in (2024, 2026):
        page.goto(f"{live_server.url}/subsidies/catalogue/{year}/")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{year} is {overflow}px wider than a {width}px window"
        page.screenshot(
            path=os.path.join(ARTIFACTS, f"catalogue_{year}_{width}.png"), full_page=True
        )
    page.get_by_role("button", name="令和8年度の補助メニューを確定する").click()
    expect(page.get_by_text("令和8年度の補助メニューを確定しました")).to_be_visible()
    expect(page.get_by_role("button", name="令和8年度の補助メニューを確定する")).to_have_count(0)
