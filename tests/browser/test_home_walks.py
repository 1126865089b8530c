"""From each role's home, no typed URL after it (issue 20): the to-do block leads to the
work. The coordinator follows the returned application to its page, the staff member the
waiting applications to the filtered queue, the health center the plan awaiting its advice.
At 390 px the header folds into 「メニュー」 (aria-expanded) and opens. Screenshots of the
homes at 1280 and 390 px go to $BROWSER_SHOTS when set."""

import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from subsidies.models import ApplicationStatus
from tests.browser.test_page_width import _context_as
from tests.subsidies.factories import application_in, catalogue
from zaitaku_portal.models import Role
from zaitaku_portal.wareki import fiscal_year_of

SHOTS = os.environ.get("BROWSER_SHOTS", "")


def _shoot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_each_role_goes_from_home_to_its_work(chromium, live_server, world):
    fy, _ = catalogue(year=fiscal_year_of(timezone.localdate()))
    staff = world.users[Role.PREFECTURE_STAFF]
    coordinator = world.users[Role.HUB_COORDINATOR]
    returned = application_in(ApplicationStatus.RETURNED, world.hub_a, fy, coordinator, staff)

    context, page, _ = _context_as(chromium, live_server, world, Role.HUB_COORDINATOR)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/")
    todos = page.get_by_role("region", name="次にすること")
    assert "構成員の記載がありません" in todos.inner_text()  # the reason, on the home
    _shoot(page, "coordinator-home-1280")
    page.set_viewport_size({"width": 390, "height": 800})
    page.reload()
    toggle = page.get_by_role("button", name="メニュー")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.get_by_role("link", name="交付申請", exact=True).is_visible()
    _shoot(page, "coordinator-home-390")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("link", name="交付申請", exact=True).is_visible()
    _shoot(page, "coordinator-menu-open-390")
    toggle.click()
    todos.get_by_role("link", name="差し戻された交付申請を直して再提出してください").click()
    page.wait_for_url(f"**/subsidies/applications/{returned.pk}/")
    context.close()

    # the review: hub A resubmits → staff see it waiting, open the filtered queue
    application_in(ApplicationStatus.SUBMITTED, world.hub_b, fy, _coordinator_b(world), staff)
    context, page, _ = _context_as(chromium, live_server, world, Role.PREFECTURE_STAFF)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/")
    _shoot(page, "staff-home-1280")
    page.get_by_role("region", name="次にすること").get_by_role(
        "link", name="提出された交付申請（審査待ち） 1件"
    ).click()
    page.wait_for_url("**status=submitted**")
    expect(page.locator("main")).to_contain_text("乙拠点")  # waits for the queue to load
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + "/")
    _shoot(page, "staff-home-390")
    context.close()

    context, page, _ = _context_as(chromium, live_server, world, Role.HEALTH_CENTER)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + "/")
    _shoot(page, "health-home-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    _shoot(page, "health-home-1280")
    assert page.get_by_role("region", name="次にすること").is_visible()
    context.close()


def _coordinator_b(world):
    from tests import factories as f

    return f.coordinator_of(world.hub_b, username="coordinator-b")
