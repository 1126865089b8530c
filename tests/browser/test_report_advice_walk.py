"""保健所の助言 on a results report, from the homes, no typed URL after them (issue 20): the
health center follows its to-do to the list of reports awaiting its advice, opens the form,
is told at the field that the advice is empty, writes it and lands on the report; hub A's
coordinator follows 「実績報告に保健所の助言が届いています」 to the advice on its report.
Each page fits at 1280 and 390 px and passes axe-core (no serious or critical violation).
Screenshots go to $BROWSER_SHOTS when set."""

import re

import pytest

from tests.browser.test_accessibility import AXE, RUN_AXE
from tests.browser.test_form_feedback import _page_as
from tests.browser.test_home_walks import _shoot
from tests.browser.test_page_width import MEASURE
from tests.subsidies.results.test_report_advice import handed_in
from zaitaku_portal.models import Role

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is installed by .ci/setup (npm ci)"),
]
WIDTHS = (1280, 390)


def _fits(page, name):
    """No serious or critical axe-core violation, and no wider than the window."""
    page.add_script_tag(path=str(AXE))
    assert list(page.evaluate(RUN_AXE)) == [], name
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        scroll, inner = page.evaluate(MEASURE)
        assert scroll <= inner, f"{name} {width}px: {scroll}px"
        _shoot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_health_center_advises_and_the_coordinator_reads_it(chromium, live_server, world):
    report = handed_in(world)
    context, page = _page_as(chromium, live_server, world.users[Role.HEALTH_CENTER])
    page.goto(live_server.url + "/")
    todos = page.get_by_role("region", name="次にすること")
    todos.get_by_role("link", name="保健所の助言を待っている実績報告").click()
    page.wait_for_url("**/results/advice/")
    _fits(page, "advice-list")
    # the hidden hub name is a block of its own: a space in the accessible name
    page.get_by_role("link", name=re.compile(rf"助言を記入する\s*（{world.hub_a.name}）")).click()
    with page.expect_navigation():  # the field read below is on the form sent back
        page.get_by_role("button", name="助言を記入する").click()
    body = page.get_by_label("助言の内容")
    assert body.get_attribute("aria-invalid") == "true"
    assert page.locator("#id_body_error").inner_text() == "「助言の内容」を入力してください。"
    _fits(page, "advice-form-error")
    body.fill("医師会との連携会議の議事録を添付してください。")
    page.get_by_role("button", name="助言を記入する").click()
    page.wait_for_url(f"**/results/reports/{report.pk}/#advice")
    assert (
        "医師会との連携会議の議事録を添付してください。" in page.locator("ul.advice").inner_text()
    )
    context.close()

    context, page = _page_as(chromium, live_server, world.users[Role.HUB_COORDINATOR])
    page.goto(live_server.url + "/")
    todos = page.get_by_role("region", name="次にすること")
    todos.get_by_role("link", name="実績報告に保健所の助言が届いています").click()
    page.wait_for_url(f"**/results/reports/{report.pk}/#advice")
    advice = page.locator("ul.advice")
    assert "医師会との連携会議の議事録を添付してください。" in advice.inner_text()
    advice.scroll_into_view_if_needed()
    _fits(page, "report-with-advice")
    context.close()
