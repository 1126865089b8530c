"""Shared fixtures: a small two-area world with one user per role, used by the role tests.

World: area A (health center HC-A, hub A with coordinator, active hospital A) and area B
(hub B, hospital B). Nobody in A's scope may see B's objects and vice versa."""

import os
from dataclasses import dataclass

import pytest
from django.db.backends.signals import connection_created

from tests import factories as f
from zaitaku_portal.models import Role


def _readers_take_no_table_locks(sender, connection, **kwargs):
    """The in-memory SQLite test database is shared by the live server's threads through
    SQLite's shared cache, which locks whole tables and answers "table is locked" at once,
    without waiting, when a page reads while a batch thread writes (a browser test once got
    a 500 from the batch page that way). In shared-cache mode `read_uncommitted` lets a
    reader take no table lock; outside it (PostgreSQL, a SQLite file, production) the pragma
    does nothing."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")


connection_created.connect(_readers_take_no_table_locks)

# Playwright runs an event loop in the test thread; Django's ORM calls from the live-server
# fixtures are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


IMMEDIATE_TASKS = "django_tasks.backends.immediate.ImmediateBackend"


def pytest_configure(config):
    from django.conf import settings

    # Hashing with PBKDF2 dominates a suite that logs in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test process its own cache: parallel workers must not share cached sums.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # A test reads its own writes, some made with queryset.update(), which sends no signal:
    # cached figures are off but in tests/zaitaku_portal/test_figures.py (ADR 0018).
    settings.PORTAL_FIGURES_MAX_AGE = 0
    # Tasks (mail, batches) run at once in the test process; the tests of the workers switch
    # to the database backend (tests/reports/task_runner.py, docs/adr/0014).
    from django.test.utils import override_settings

    override_settings(TASKS={"default": {"BACKEND": IMMEDIATE_TASKS}}).enable()


# What a second database cannot change: the LibreOffice round trips of the workbooks (marker
# calc) and the layout walks of the browser (page widths, axe-core, keyboard, the phone menu)
# render the same pages from the same rows on SQLite and on PostgreSQL. On PostgreSQL they are
# left out, so CI's second pass spends its time on what the database does differ in (locks,
# constraints, queries); ZAITAKU_PG_ALL_TESTS=1 runs them there too.
LAYOUT_ONLY_FILES = frozenset(
    {
        "tests/browser/test_page_width.py",
        "tests/browser/test_accessibility.py",
        "tests/browser/test_keyboard.py",
        "tests/browser/test_navigation_menu.py",
    }
)


def _database_agnostic_left_out() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")) and (
        os.environ.get("ZAITAKU_PG_ALL_TESTS") != "1"
    )


def pytest_collection_modifyitems(config, items):
    if not _database_agnostic_left_out():
        return
    kept, left_out = [], []
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        if item.get_closest_marker("calc") or path in LAYOUT_ONLY_FILES:
            left_out.append(item)
        else:
            kept.append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


def pytest_report_header(config):
    if _database_agnostic_left_out():
        return (
            "PostgreSQL: the LibreOffice (calc) and layout-only browser tests run on SQLite only "
            "(ZAITAKU_PG_ALL_TESTS=1 runs them here too)"
        )
    return None


@dataclass
class World:
    area_a: object
    area_b: object
    hub_a: object
    hub_b: object
    hospital_a: object
    hospital_b: object
    designation_a: object
    designation_b: object
    health_center_a: object
    users: dict


@pytest.fixture
def world(db) -> World:
    secondary = f.SecondaryMedicalAreaFactory(code="4701", name="北部")
    town_a = f.MunicipalityFactory(name="甲市", secondary_area=secondary)
    town_b = f.MunicipalityFactory(name="乙村", secondary_area=secondary)
    area_a = f.HomeCareAreaFactory(name="甲圏域", secondary_area=secondary, municipalities=[town_a])
    area_b = f.HomeCareAreaFactory(name="乙圏域", secondary_area=secondary, municipalities=[town_b])
    health_center_a = f.HealthCenterFactory(name="甲保健所", municipalities=[town_a])
    hub_a = f.HubFactory(name="甲拠点", areas=[area_a])
    hub_b = f.HubFactory(name="乙拠点", areas=[area_b])
    hospital_a = f.MedicalInstitutionFactory(name="甲病院", municipality=town_a)
    hospital_b = f.MedicalInstitutionFactory(name="乙病院", municipality=town_b)
    designation_a = f.DesignationFactory(institution=hospital_a, area=area_a, hub=hub_a)
    designation_b = f.DesignationFactory(institution=hospital_b, area=area_b, hub=hub_b)
    users = {
        Role.ADMINISTRATOR: f.UserFactory(username="admin", role=Role.ADMINISTRATOR),
        Role.PREFECTURE_STAFF: f.UserFactory(username="staff", role=Role.PREFECTURE_STAFF),
        Role.HUB_COORDINATOR: f.coordinator_of(hub_a, username="coordinator"),
        Role.HEALTH_CENTER: f.UserFactory(
            username="healthcenter", role=Role.HEALTH_CENTER, health_center=health_center_a
        ),
        Role.HOSPITAL: f.hospital_contact_of(hospital_a, username="hospital"),
    }
    return World(
        area_a,
        area_b,
        hub_a,
        hub_b,
        hospital_a,
        hospital_b,
        designation_a,
        designation_b,
        health_center_a,
        users,
    )


# --- browser tests -----------------------------------------------------------------------

ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "test-artifacts")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (Playwright's own browser download does not
    work offline). One browser per test session; each test gets a fresh context."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, request):
    context = chromium.new_context(locale="ja-JP", timezone_id="Asia/Tokyo")
    context.set_default_timeout(15_000)
    browser_page = context.new_page()
    yield browser_page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        os.makedirs(ARTIFACTS, exist_ok=True)
        name = request.node.nodeid.replace("/", "_").replace(":", "_")[:150]
        browser_page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def log_in(page, live_server, username: str, password: str | None = None) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(password or f.PASSWORD)
    with page.expect_navigation():  # the page after the login, not the login page itself
        page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state("networkidle")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached sums are keyed by database ids, which every test database reuses."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
