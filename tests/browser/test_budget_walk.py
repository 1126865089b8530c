"""The budget walk in Chromium (issue 19): staff start from the survey's demand view, go to
the budget, type it with commas, try caps in the what-if on the survey base, adopt them into
the 調整中 catalogue, confirm it, share the short budget pro rata through a proposal, accept
it, and draft the decision, which starts from the accepted amount.

Hand working (the two-area world, tests/subsidies/factories.catalogue): the meeting menu's cap is
1,060,000円. The survey: 甲拠点 wishes it from R8: 1,060,000円 at the cap. Applications
(through the real services): 甲拠点 and 乙拠点 each plan 400,000円 of expenses on it.
Scenario cap 350,000円: survey 1,060,000 × 350,000 ÷ 1,060,000 = 350,000; plans
min(400,000, 350,000) = 350,000 each, 700,000 in all. Budget 600,000円: 100,000 short.
Pro rata 600,000 ÷ 700,000 = 6/7 (85.7142%): 350,000 × 6/7 = 300,000 each; the next jump
(301,000 each at 0.86) is 602,000 > 600,000."""

import datetime
import os

import pytest
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS, log_in
from tests.factories import coordinator_of
from tests.subsidies.factories import application_in, catalogue
from zaitaku_portal.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MEASURE = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def _fits(page, name):
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        os.makedirs(ARTIFACTS, exist_ok=True)
        page.screenshot(path=os.path.join(ARTIFACTS, f"walk-{name}-{width}.png"), full_page=True)
        scroll, inner = page.evaluate(MEASURE)
        assert scroll <= inner, (name, width, scroll, inner)
    page.set_viewport_size({"width": 1280, "height": 900})


def _survey(w):
    from subsidies.models import Survey, SurveyAnswer, SurveyLine

    survey = Survey.objects.create(
        fiscal_year=w.fiscal_year,
        opens_on=datetime.date(2026, 1, 5),
        closes_on=datetime.date(2026, 2, 27),
    )
    answer = SurveyAnswer.objects.create(survey=survey, hub=w.hub_a)
    SurveyLine.objects.create(
        answer=answer, menu=w.menus["hub-meeting"], wish=True, start_year=2026
    )


def _row(page, table_id, label):
    return page.locator(f"#{table_id} tr", has_text=label).first.inner_text()


def test_survey_to_budget_to_caps_to_allocation_to_draft_decisions(page, live_server, world):
    from subsidies.models import Application, FiscalYear, SubsidyMenu

    w = world
    w.fiscal_year, w.menus = catalogue(2026)
    w.coordinator, w.staff = w.users[Role.HUB_COORDINATOR], w.users[Role.PREFECTURE_STAFF]
    FiscalYear.objects.filter(pk=w.fiscal_year.pk).update(
        catalogue_status=FiscalYear.CatalogueStatus.DRAFT
    )
    _survey(w)
    a = application_in("under_review", w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    b_coordinator = coordinator_of(w.hub_b, username="coordinator_b")
    b = application_in("under_review", w.hub_b, w.fiscal_year, b_coordinator, w.staff)
    meeting = w.menus["hub-meeting"]

    log_in(page, live_server, "staff")  # staff home
    page.goto(f"{live_server.url}/subsidies/survey/2026/demand/")
    expect(page.locator("body")).to_contain_text("多職種が参加する連携会議の開催")
    page.get_by_role("link", name="予算", exact=True).click()

    page.get_by_label("円", exact=True).check()
    page.get_by_label("予算額").fill("600,000")
    page.get_by_role("button", name="保存する").click()
    expect(page.locator("body")).to_contain_text("予算を保存しました")
    _fits(page, "budget")

    page.get_by_role("link", name="上限額・補助率の試算（what-if）").click()
    page.get_by_label(f"{meeting.name} 上限額").fill("350,000")
    page.get_by_label("意向調査（補助額目安）").check()
    with page.expect_navigation():  # _row reads the new page, not the one before
        page.get_by_role("button", name="試算する").click()
    assert "1,060,000円" in _row(page, "what-if-hubs", "甲拠点")
    assert "350,000円" in _row(page, "what-if-hubs", "甲拠点")
    page.get_by_label("交付申請（予定経費）").check()
    with page.expect_navigation():  # _row reads the new page, not the one before
        page.get_by_role("button", name="試算する").click()
    assert "700,000円" in _row(page, "what-if-menus", meeting.name)  # 350,000 × 2
    _fits(page, "what-if")
    page.get_by_role("button", name="この試算の上限額・補助率を補助メニューに反映する").click()
    expect(page.locator("body")).to_contain_text("補助メニューに反映しました")
    assert SubsidyMenu.objects.get(pk=meeting.pk).cap_amount == 350_000
    with page.expect_navigation():  # the confirmation has been written when the page loads
        page.get_by_role("button", name="令和8年度の補助メニューを確定する").click()
    assert FiscalYear.objects.get(pk=w.fiscal_year.pk).catalogue_confirmed

    page.goto(f"{live_server.url}/subsidies/budget/2026/allocation/")
    page.get_by_label("予算の区分").select_option("total")
    page.get_by_label("調整率（按分）").check()
    page.get_by_role("button", name="配分案を作る").click()
    expect(page.locator("body")).to_contain_text("85.7142%")
    _fits(page, "proposal")
    page.get_by_role("button", name="この配分案を採用する").click()
    expect(page.locator("body")).to_contain_text("配分案を採用しました")

    for number, application in enumerate((a, b), start=101):
        page.goto(f"{live_server.url}/subsidies/applications/{application.pk}/action/decide/")
        assert page.locator("input[name=amount0]").input_value().replace(",", "") == "300000"
        page.get_by_label("通知番号", exact=False).fill(f"8医政第{number}号")
        if number == 101:
            _fits(page, "decide")
        with page.expect_navigation():
            page.get_by_role("button", name="交付決定を起案する").click()
        assert Application.objects.get(pk=application.pk).status == "awaiting_approval"
