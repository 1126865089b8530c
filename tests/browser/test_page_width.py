"""No page wider than the window (issue 20): every page that answers 200 in the role x URL
cases (tests/url_cases.py and tests/*/url_expectations.py), as every role that may see it,
at 1280 px and at 390 px: document.documentElement.scrollWidth must not exceed the viewport,
and at 390 px the header is folded into its 「メニュー」 button.
Wide tables scroll inside their own box instead (static/portal/layout.js).

One world and one browser context per role, the page reused, so the walk stays short; a
case whose objects cannot be made alongside the others' is named in the failure, not
skipped silently."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.factories import FiscalYearFactory, SubsidyMenuFactory
from tests.url_cases import ANONYMOUS, ROLES
from tests.zaitaku_portal.test_url_roles import CASES

WIDTHS = (1280, 390)
PAGES = [case for case in CASES if any(case.expect[role] == 200 for role in ROLES)]
MEASURE = "() => [document.documentElement.scrollWidth, window.innerWidth]"
# On a phone a page with the portal's header shows 「メニュー」 and folds the menu away
# (static/portal/layout.js); pages without that header (the admin) have no toggle.
FOLDED = """() => {
  const toggle = document.querySelector("header.site .menu-toggle");
  if (!toggle) return true;
  const menu = document.getElementById("site-menu");
  return toggle.offsetParent !== null && getComputedStyle(menu).display === "none";
}"""


def _context_as(chromium, live_server, world, role):
    context = chromium.new_context(locale="ja-JP", timezone_id="Asia/Tokyo")
    context.set_default_timeout(20_000)
    client = Client(raise_request_exception=False)
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
    return context, context.new_page(), client


def _paths(world):
    """(case, path) for every page, and the cases whose objects could not be made."""
    paths, broken = [], []
    for case in PAGES:
        try:
            query = case.query(world) if callable(case.query) else case.query
            paths.append((case, reverse(case.name, kwargs=case.kwargs(world)) + query))
        except Exception as error:  # reported below, with the case
            broken.append(f"{case}: {type(error).__name__}: {error}"[:200])
    return paths, broken


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_page_is_wider_than_the_window(chromium, live_server, world):
    if connection.vendor != "sqlite":
        pytest.skip("layout does not depend on the database: checked in the SQLite run")
    SubsidyMenuFactory(fiscal_year=FiscalYearFactory(year=2026))
    paths, broken = _paths(world)
    too_wide, unfolded, measured = [], [], 0
    for role in ROLES:
        context, page, client = _context_as(chromium, live_server, world, role)
        for case, path in paths:
            if case.expect[role] != 200:
                continue
            response = client.get(path)
            if response.status_code != 200:  # objects of one case changed by another's
                broken.append(f"{role} {path}: {response.status_code}")
                continue
            if "text/html" not in response.get("Content-Type", ""):
                continue  # a download
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(live_server.url + path)
                scroll, inner = page.evaluate(MEASURE)
                measured += 1
                if scroll > inner:
                    too_wide.append(f"{role} {width}px {path}: {scroll}px")
                if width < 761 and not page.evaluate(FOLDED):
                    unfolded.append(f"{role} {width}px {path}")
        context.close()
    # Cases whose objects clash in the one shared world (another case made the same
    # application) are named; the walk must still measure most pages.
    assert measured > 200 and len(broken) <= measured // 3, (
        f"{measured} measured; cases not made:\n" + "\n".join(broken)
    )
    assert not too_wide, "wider than the window:\n" + "\n".join(too_wide)
    assert not unfolded, "the header is not folded into 「メニュー」:\n" + "\n".join(unfolded)
