"""The budget walk in Chromium: staff enter a budget in 千円 with its split, see that the
hub part is short, make a pro-rata proposal, accept it, and the draft decision page starts
from the accepted amount with what remains of the part (issue 19; a1 adds the approval).

Hand working as in test_proposals.py: two hubs ask 400,000円 each; 拠点分 700千円:
700,000 ÷ 800,000 = 87.5%, 350,000円 each."""

import os

import pytest

from tests.conftest import ARTIFACTS, log_in
from tests.factories import coordinator_of
from tests.subsidies.factories import application_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MEASURE = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def _fits(page, name):
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        os.makedirs(ARTIFACTS, exist_ok=True)
        shot = os.path.join(ARTIFACTS, f"budget-{name}-{width}.png")
        page.screenshot(path=shot, full_page=True)
        scroll, inner = page.evaluate(MEASURE)
        assert scroll <= inner, (name, width, scroll, inner)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_budget_to_proposal_to_draft_decision(page, live_server, apps_world):
    w = apps_world
    a = application_in("under_review", w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    b_coordinator = coordinator_of(w.hub_b, username="coordinator_b")
    application_in("under_review", w.hub_b, w.fiscal_year, b_coordinator, w.staff)
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/subsidies/budget/2026/")
    page.get_by_label("拠点分").fill("７００")  # 全角, in 千円
    page.get_by_label("医療機関分").fill("5,000")
    page.get_by_role("button", name="保存する").click()
    assert "予算を保存しました" in page.content()
    assert "700,000" in page.content() and "5,000,000" in page.content()
    _fits(page, "budget")
    page.goto(f"{live_server.url}/subsidies/budget/2026/allocation/")
    page.get_by_label("予算の区分").select_option("hub")
    page.get_by_label("調整率（按分）").check()
    _fits(page, "allocation")
    page.get_by_role("button", name="配分案を作る").click()
    assert "87.5000%" in page.content()
    _fits(page, "proposal")
    page.get_by_role("button", name="この配分案を採用する").click()
    assert "配分案を採用しました" in page.content()
    page.goto(f"{live_server.url}/subsidies/applications/{a.pk}/action/decide/")
    amount = page.locator("input[name=amount0]")
    assert amount.input_value().replace(",", "") == "350000"
    assert "予算の残り" in page.content() and "拠点分" in page.content()
    _fits(page, "decide")
