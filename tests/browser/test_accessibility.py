"""axe-core (WCAG 2.1 A/AA, the basis of JIS X 8341-3) on every HTML page of every role:
no serious or critical violation. Pages are the same list the role x URL test walks."""

import os

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import FiscalYearFactory, SubsidyMenuFactory
from tests.url_cases import ANONYMOUS, ROLES
from tests.zaitaku_portal.test_url_roles import CASES

AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
  });
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.help} at ` +
      v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""
PAGES = [case for case in CASES if any(case.expect[role] == 200 for role in ROLES)]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not AXE.exists(), reason="axe-core is installed by .ci/setup (npm ci)")
@pytest.mark.parametrize("case", PAGES, ids=str)
def test_no_serious_accessibility_violations(chromium, live_server, world, case):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("markup does not depend on the database: checked once, in the SQLite run")
    SubsidyMenuFactory(fiscal_year=FiscalYearFactory(year=2026))
    query = case.query(world) if callable(case.query) else case.query
    path = reverse(case.name, kwargs=case.kwargs(world)) + query
    failures = []
    for role in ROLES:
        if case.expect[role] != 200:
            continue
        client = Client()
        context = chromium.new_context(locale="ja-JP", bypass_csp=True)  # axe is injected inline
        if role != ANONYMOUS:
            client.force_login(world.users[role])
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "url": live_server.url,
                    }
                ]
            )
        if "text/html" in client.get(path).get("Content-Type", ""):  # not a download
            page = context.new_page()
            page.goto(live_server.url + path)
            page.add_script_tag(path=str(AXE))
            failures += [f"{role}: {v}" for v in page.evaluate(RUN_AXE)]
        context.close()
    assert not failures, f"{path}\n" + "\n".join(failures)


def test_axe_is_installed_where_ci_runs():
    if os.environ.get("CI"):
        assert AXE.exists(), "bash .ci/setup must install axe-core (npm ci)"


def _page_as(chromium, live_server, client):
    context = chromium.new_context(locale="ja-JP", bypass_csp=True)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context, context.new_page()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not AXE.exists(), reason="axe-core is installed by .ci/setup (npm ci)")
def test_opened_menus_and_the_one_time_recovery_codes_pass_axe(chromium, live_server, world):
    """What the walk cannot see: the menu groups opened, and the codes shown once."""
    from base64 import b32decode

    from django.db import connection
    from django_otp.oath import totp

    from zaitaku_portal.models import Role

    if connection.vendor != "sqlite":
        pytest.skip("markup does not depend on the database: checked once, in the SQLite run")
    client = Client()
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    secret = client.get("/two-factor/").context["secret"]
    client.post("/two-factor/", {"otp_token": f"{totp(b32decode(secret)):06d}"})
    context, page = _page_as(chromium, live_server, client)
    page.goto(live_server.url + "/two-factor/")
    assert page.locator("#recovery-codes li").count() == 10
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.add_script_tag(path=str(AXE))
    failures = page.evaluate(RUN_AXE)
    context.close()
    assert not failures, "\n".join(failures)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not AXE.exists(), reason="axe-core is installed by .ci/setup (npm ci)")
def test_the_phone_menu_open_and_the_todos_pass_axe(chromium, live_server, world):
    """At 390 px the header folds into 「メニュー」 (issue 20): closed and opened, with the
    to-do block and the unread count shown, no serious or critical violation."""
    from zaitaku_portal.models import Notification, Role

    staff = world.users[Role.PREFECTURE_STAFF]
    Notification.objects.create(user=staff, subject="決裁が終わりました", url="/")
    client = Client()
    client.force_login(staff)
    context, page = _page_as(chromium, live_server, client)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + "/")
    page.add_script_tag(path=str(AXE))
    failures = list(page.evaluate(RUN_AXE))
    toggle = page.get_by_role("button", name="メニュー")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    failures += page.evaluate(RUN_AXE)
    page.goto(live_server.url + "/notices/")
    page.add_script_tag(path=str(AXE))
    failures += page.evaluate(RUN_AXE)
    context.close()
    assert not failures, "\n".join(failures)
