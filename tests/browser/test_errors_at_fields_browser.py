"""Forms sent back with an error, in real Chromium (issue 20): the budget, the what-if, the
要綱 settings, the area's figures and the survey's period mark the field itself (aria-invalid,
the message right after the input, aria-describedby pointing at it), fit at 1280 and 390 px,
and axe-core finds no serious or critical violation in that state. Screenshots go to
$BROWSER_SHOTS when set (tests/browser/test_home_walks.py)."""

import pytest
from django.urls import reverse

from tests.browser.test_accessibility import AXE, RUN_AXE
from tests.browser.test_form_feedback import _page_as
from tests.browser.test_home_walks import _shoot
from tests.browser.test_page_width import MEASURE
from tests.subsidies.factories import catalogue
from zaitaku_portal.models import Role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is installed by .ci/setup (npm ci)"),
]


def _marked(page, field_id: str, message: str) -> None:
    field = page.locator(f"#{field_id}")
    assert field.get_attribute("aria-invalid") == "true"
    assert f"{field_id}_error" in (field.get_attribute("aria-describedby") or "").split()
    error = page.locator(f"#{field_id}_error")
    assert message in error.inner_text()
    # right after the input (a date's 和暦 echo, wareki_echo.js, may come between)
    following = field.evaluate(
        """e => { const ids = []; let n = e.nextElementSibling;
                  while (n && ids.length < 2) { ids.push(n.id); n = n.nextElementSibling; }
                  return ids; }"""
    )
    assert f"{field_id}_error" in following
    assert following[0] in (f"{field_id}_error", f"{field_id}_wareki"), following


def _checked_at_both_widths(page, name: str) -> None:
    page.add_script_tag(path=str(AXE))
    assert list(page.evaluate(RUN_AXE)) == [], name
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        scroll, inner = page.evaluate(MEASURE)
        assert scroll <= inner, f"{name} {width}px: {scroll}px"
        _shoot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_staff_forms_mark_the_field_in_error(chromium, live_server, world):
    _, menus = catalogue(2026)
    context, page = _page_as(chromium, live_server, world.users[Role.PREFECTURE_STAFF])
    base = live_server.url

    page.goto(f"{base}/subsidies/budget/2026/")
    page.get_by_label("予算額").fill("５７４，４２０円也")
    with page.expect_navigation():  # _marked reads the form sent back
        page.get_by_role("button", name="保存する").click()
    _marked(page, "id_total", "「予算額」は0以上の整数で入力してください")
    _checked_at_both_widths(page, "budget-error")

    meeting = menus["hub-meeting"]
    page.goto(f"{base}/subsidies/budget/2026/what-if/")
    page.get_by_label(f"{meeting.name} 上限額").fill("三十万")
    with page.expect_navigation():  # _marked reads the form sent back
        page.get_by_role("button", name="試算する").click()
    _marked(page, f"id_cap{meeting.pk}", "上限額」は円単位の0以上の整数で入力してください")
    _checked_at_both_widths(page, "what-if-error")

    page.goto(f"{base}/subsidies/catalogue/2026/settings/")
    page.get_by_label("交付申請の締切").fill("2026-05-29")
    page.get_by_label("実績報告の締切").fill("2026-04-10")
    with page.expect_navigation():  # _marked reads the form sent back
        page.get_by_role("button", name="保存する").click()
    _marked(page, "id_results_deadline", "「交付申請の締切」より後の日付にしてください。")
    _checked_at_both_widths(page, "settings-error")

    page.goto(f"{base}/subsidies/survey/2026/")
    page.get_by_label("回答の受付開始日").fill("2026-05-10")
    page.get_by_label("回答の締切日").fill("2026-05-01")
    with page.expect_navigation():  # _marked reads the form sent back
        page.get_by_role("button", name="意向調査を始める").click()
    _marked(page, "id_closes_on", "回答の締切日は受付開始日以降の日付にしてください。")
    _checked_at_both_widths(page, "survey-period-error")
    context.close()


def test_the_area_figures_mark_the_field_in_error(chromium, live_server, world):
    context, page = _page_as(chromium, live_server, world.users[Role.HEALTH_CENTER])
    page.goto(live_server.url + reverse("hubs:profile_edit", args=[world.area_a.pk]))
    page.get_by_label("数値の年（西暦）").fill("2024")
    page.get_by_label("人口（人）").fill("たくさん")  # a text input: what is typed reaches us
    page.get_by_label("高齢化率（％）").fill("27.4")
    with page.expect_navigation():  # _marked reads the form sent back
        page.get_by_role("button", name="保存する").click()
    _marked(page, "id_population", "「人口（人）」は整数で入力してください。")
    _checked_at_both_widths(page, "area-figures-error")
    context.close()
