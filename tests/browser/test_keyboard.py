"""The main flows with the keyboard only (WCAG 2.1.1): Tab to the control, Enter or Space to
use it; every focused element shows where the focus is (2.4.7)."""

import re

import pytest
from playwright.sync_api import expect

from tests.subsidies.factories import application_in, catalogue
from zaitaku_portal.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const label = (el.labels && el.labels.length ? el.labels[0].textContent : "")
    || el.getAttribute("aria-label") || el.value || el.textContent || "";
  const style = getComputedStyle(el);
  return {name: label.replace(/\\s+/g, " ").trim(), visible: style.outlineStyle !== "none"
    || style.boxShadow !== "none"};
}"""


def tab_to(page, name: str, limit: int = 250) -> None:
    """Press Tab until the focused element's accessible name contains `name`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        assert focused["visible"], f"no visible focus on 「{focused['name']}」"
        if name in focused["name"]:
            return
    raise AssertionError(f"「{name}」に Tab キーで到達できません")


def press_enter(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")


def keyboard_login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    tab_to(page, "ユーザー名")
    page.keyboard.type(username)
    tab_to(page, "パスワード")
    page.keyboard.type("test-pass-12345")
    press_enter(page)


def test_coordinator_edits_and_saves_the_plan_with_the_keyboard(page, live_server, world):
    coordinator = world.users[Role.HUB_COORDINATOR]
    fiscal_year, _ = catalogue()
    application = application_in(
        "draft", world.hub_a, fiscal_year, coordinator, world.users[Role.PREFECTURE_STAFF]
    )
    keyboard_login(page, live_server, "coordinator")
    tab_to(page, "交付申請")
    press_enter(page)
    tab_to(page, "甲拠点")
    press_enter(page)
    expect(page).to_have_url(re.compile(f"/subsidies/applications/{application.pk}/$"))
    tab_to(page, "事業計画を入力・編集する")
    press_enter(page)
    tab_to(page, "会議体の構成員")
    page.keyboard.press("Control+a")
    page.keyboard.type("医師会、歯科医師会、薬剤師会")
    tab_to(page, "下書きを保存")
    press_enter(page)
    expect(page.locator(".messages")).to_be_visible()
    application.refresh_from_db()
    assert application.meeting_members == "医師会、歯科医師会、薬剤師会"


def test_staff_starts_a_review_with_the_keyboard(page, live_server, world):
    fiscal_year, _ = catalogue()
    application = application_in(
        "submitted",
        world.hub_a,
        fiscal_year,
        world.users[Role.HUB_COORDINATOR],
        world.users[Role.PREFECTURE_STAFF],
    )
    keyboard_login(page, live_server, "staff")
    tab_to(page, "甲拠点")
    press_enter(page)
    tab_to(page, "審査を開始する")
    press_enter(page)
    tab_to(page, "審査を開始する")  # the confirmation page's button
    press_enter(page)
    expect(page.locator(".messages")).to_contain_text("「審査を開始する」を行いました")
    application.refresh_from_db()
    assert application.status == "under_review"
