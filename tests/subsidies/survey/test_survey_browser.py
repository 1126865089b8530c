"""The survey walk in Chromium (issue 19): staff open the survey; the coordinator sees the
to-do on its home page, answers on the web (○, 開始年度, 医療機関数); staff see the demand
view and open the application stage, and the hub's draft plan holds the answer. Each page
fits 1280 and 390 px without sideways scrolling.

Hand working (tests/subsidies/factories.catalogue, hub A in 1 区割り): 連携会議 ○ R8〜
1,060,000 × 1/1 = 1,060,000 each year; 病状変化時の受入態勢確保 wished by 2 hospitals:
4,000,000 × 2 = 8,000,000 each year; total 9,060,000円 in 令和8・9・10年度."""

import os

import pytest

from subsidies.models import Application
from tests.conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MEASURE = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def _fits(page, name):
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        os.makedirs(ARTIFACTS, exist_ok=True)
        page.screenshot(path=os.path.join(ARTIFACTS, f"survey-{name}-{width}.png"), full_page=True)
        scroll, inner = page.evaluate(MEASURE)
        assert scroll <= inner, (name, width, scroll, inner)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_survey_to_demand_to_draft_plans(page, live_server, apps_world):
    w = apps_world
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/subsidies/survey/2026/")
    page.get_by_label("回答の受付開始日").fill("2020-04-01")
    page.get_by_label("回答の締切日").fill("2099-03-31")
    page.get_by_role("button", name="意向調査を始める").click()
    assert "受付期間を保存しました" in page.content()
    _fits(page, "home")

    page.context.clear_cookies()
    log_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/hubs/mine/")
    page.get_by_role("link", name="意向調査への回答（令和8年度）").click()
    meeting, nurse = w.menus["hub-meeting"], w.menus["hosp-nurse"]
    page.get_by_label(f"{meeting.name}：補助の希望（○）").check()
    page.get_by_label(f"{meeting.name}：開始年度").select_option(label="R8〜")
    page.get_by_label(f"{meeting.name}：取り組み事項").fill("推進会議を年4回")
    page.get_by_label(f"{nurse.name}：補助希望の医療機関数").fill("2")
    _fits(page, "answer")
    page.get_by_role("button", name="回答を保存する").click()
    assert "回答を保存しました" in page.content()

    page.context.clear_cookies()
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/subsidies/survey/2026/demand/")
    assert page.content().count("9,060,000円") >= 3  # 令和8・9・10年度
    _fits(page, "demand")
    page.goto(f"{live_server.url}/subsidies/survey/2026/")
    page.get_by_role("button", name="回答から交付申請の下書きを作成する").click()
    assert "下書きを1件作成しました（甲拠点）" in page.content()
    draft = Application.objects.get(hub=w.hub_a)
    line = draft.lines.get(menu=meeting, designation__isnull=True)
    assert (line.wish, line.start_year, line.planned_actions) == (True, 2026, "推進会議を年4回")
