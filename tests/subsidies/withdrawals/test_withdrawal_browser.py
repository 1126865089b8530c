"""In a real Chromium: the coordinator withdraws a submitted application from its page, at
the desktop width and at a phone's, and nothing is wider than the window."""

import pytest
from playwright.sync_api import expect

from subsidies.models import Application, ApplicationStatus
from tests.conftest import log_in
from tests.subsidies.factories import application_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_coordinator_withdraws_a_submitted_application(page, live_server, apps_world, width):
    w = apps_world
    application = application_in(
        ApplicationStatus.SUBMITTED, w.hub_a, w.fiscal_year, w.coordinator, w.staff
    )
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/subsidies/applications/{application.pk}/")
    page.get_by_role("link", name="申請を取り下げる").click()
    page.get_by_role("button", name="申請を取り下げる").click()
    # Said in the list at the top and beside the field (zaitaku_portal/form_fields.py).
    expect(
        page.locator(".field-error", has_text="取下げの理由を入力してください。")
    ).to_be_visible()
    page.get_by_label("取下げの理由").fill("体制が整わないため今年度は申請しません")
    page.get_by_role("button", name="申請を取り下げる").click()
    expect(page.locator("#status")).to_have_text("取下げ")
    box = page.locator(f"#withdrawal-{application.withdrawals.get().pk}")
    expect(box).to_contain_text("交付決定前の取下げ")
    expect(box).to_contain_text("体制が整わないため")
    page.screenshot(path=f"test-artifacts/a2-withdrawn-{width}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert Application.objects.get(pk=application.pk).status == ApplicationStatus.WITHDRAWN
