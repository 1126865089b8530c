"""The staff menu's groups in Chromium: opened with the keyboard, one at a time, closed with
Escape (focus back on the group), and their links followed."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_opens_a_menu_group_with_the_keyboard(page, live_server, world):
    log_in(page, live_server, "staff")
    menu = page.get_by_role("navigation", name="メインメニュー")
    hospitals = menu.locator("summary", has_text="拠点・医療機関")
    settings = menu.locator("summary", has_text="帳票・設定")
    expect(menu.get_by_role("link", name="名簿の取込")).to_be_hidden()
    hospitals.focus()
    page.keyboard.press("Enter")
    expect(menu.get_by_role("link", name="名簿の取込")).to_be_visible()
    settings.focus()
    page.keyboard.press("Enter")  # opening one group closes the other
    expect(menu.get_by_role("link", name="マスタ管理")).to_be_visible()
    expect(menu.get_by_role("link", name="名簿の取込")).to_be_hidden()
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(menu.get_by_role("link", name="マスタ管理")).to_be_hidden()
    expect(settings).to_be_focused()
    page.mouse.click(5, 400)  # a click elsewhere closes an open group
    hospitals.click()
    expect(menu.get_by_role("link", name="充足状況")).to_be_visible()
    page.mouse.click(5, 400)
    expect(menu.get_by_role("link", name="充足状況")).to_be_hidden()
    hospitals.click()
    menu.get_by_role("link", name="充足状況").click()
    expect(page).to_have_url(re.compile(r"/hospitals/coverage/$"))
    expect(menu.locator('a[aria-current="page"]')).to_have_text("充足状況")  # its group closed
    expect(hospitals).to_have_class("current")
