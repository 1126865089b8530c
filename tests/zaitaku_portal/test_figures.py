"""The figures cache (zaitaku_portal/figures.py, ADR 0018): dashboards, coverage and to-dos
are computed once and kept until a write changes what they read, at most
PORTAL_FIGURES_MAX_AGE seconds. The rest of the suite runs with it off (tests/conftest.py);
here it is on, and every way a write reaches the figures is checked."""

import datetime
import time

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from hospitals import designations
from hospitals.coverage import coverage_for
from subsidies.applications import services
from subsidies.models import Application, ApplicationStatus
from tests import factories as f
from tests.subsidies.factories import application_in, catalogue
from zaitaku_portal import figures
from zaitaku_portal.models import AuditEntry, Role
from zaitaku_portal.todos import todos_for

# Real commits (the stamps follow them), each test on an emptied database.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("_figures_on")]


@pytest.fixture
def _figures_on():
    with override_settings(PORTAL_FIGURES_MAX_AGE=60):
        yield


def counted():
    """A compute function that counts its calls."""
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return compute


def test_kept_while_nothing_changes_and_computed_again_after_a_write(world):
    compute = counted()
    ask = lambda: figures.remembered("t", ("a",), figures.TOPICS, compute)  # noqa: E731
    assert (ask(), ask(), ask()) == (1, 1, 1)
    with transaction.atomic():
        world.hub_a.name = "甲拠点（改称）"
        world.hub_a.save()  # a post_save of a portal model
        assert ask() == 1  # not committed yet: the old figure is what the others see
    assert (ask(), ask()) == (2, 2)  # committed: new stamps
    AuditEntry.objects.create(action="閲覧", target_type="x")  # the log is no figure's input
    assert ask() == 2
    # another scope is another entry
    assert figures.remembered("t", ("b",), figures.TOPICS, compute) == 3


def test_the_three_topics(world):
    compute = counted()
    ask = lambda: figures.remembered("c", (), (figures.COVERAGE,), compute)  # noqa: E731
    assert ask() == 1
    fy = catalogue(year=2026)[0]
    services.start_application(world.hub_a, fy, world.users[Role.HUB_COORDINATOR])
    assert ask() == 1  # an application is work, not coverage
    world.designation_a.end_date = datetime.date(2026, 12, 31)
    world.designation_a.save()
    assert ask() == 2
    world.hub_b.areas.add(world.area_a)  # a many-to-many change of a hub's areas
    assert ask() == 3
    menus = lambda: figures.remembered("m", (), (figures.CATALOGUE,), compute)  # noqa: E731
    assert menus() == 4
    world.designation_a.save()  # coverage, not the catalogue
    assert menus() == 4
    menu = fy.menus.first()
    menu.expense_categories.remove(menu.expense_categories.first())  # the menus' m2m
    assert menus() == 5
    fy.save()
    assert menus() == 6


def test_stamped_when_the_transaction_commits_once_per_topic():
    """Real commits: no stamp while the transaction runs (the others still read the old rows),
    one when it commits however many rows it wrote; a rollback stamps nothing and leaves no
    waiting callback behind."""
    hub = f.HubFactory(name="丁拠点")
    before = figures.stamps(figures.TOPICS)
    with transaction.atomic():
        hub.save()
        hub.save()
        f.HubFactory(name="戊拠点")
        assert figures.stamps(figures.TOPICS) == before
        assert len(connection.run_on_commit) == 2  # coverage and work, once each
    after = figures.stamps(figures.TOPICS)
    coverage, catalogue_, work, plan = zip(before.split("-"), after.split("-"), strict=True)
    assert coverage[0] != coverage[1] and work[0] != work[1]
    assert catalogue_[0] == catalogue_[1]  # a hub is no menu
    assert plan[0] == plan[1]  # nor a draft's content
    with pytest.raises(RuntimeError), transaction.atomic():
        hub.save()
        raise RuntimeError
    assert figures.stamps(figures.TOPICS) == after
    with transaction.atomic():
        hub.save()
    assert figures.stamps(figures.TOPICS) != after


def test_bulk_designations_tell_the_cache(world):
    staff = world.users[Role.PREFECTURE_STAFF]
    gaps = lambda: [c.name for c in coverage_for(staff, detail=False) if c.is_gap]  # noqa: E731
    empty_area = f.HomeCareAreaFactory(name="丙圏域", secondary_area=world.area_a.secondary_area)
    f.HubFactory(name="丙拠点", areas=[empty_area])
    hospital = f.MedicalInstitutionFactory(
        name="丙病院", municipality=world.hospital_a.municipality
    )
    assert gaps() == ["丙圏域"]  # a hub, no hospital
    designations.designate(
        [hospital], empty_area, None, datetime.date(2026, 4, 1), None, staff
    )  # bulk_create: no post_save, figures.changed() by hand
    assert gaps() == []


def test_an_entry_lives_at_most_the_max_age(world):
    compute = counted()
    with override_settings(PORTAL_FIGURES_MAX_AGE=1):
        assert figures.remembered("t", (), figures.TOPICS, compute) == 1
        # queryset.update() sends no signal: the age bounds how long the figure may be old
        Application.objects.all().update(status=ApplicationStatus.DRAFT)
        assert figures.remembered("t", (), figures.TOPICS, compute) == 1
        time.sleep(1.1)
        assert figures.remembered("t", (), figures.TOPICS, compute) == 2


def test_off_computes_every_time(world):
    compute = counted()
    with override_settings(PORTAL_FIGURES_MAX_AGE=0):
        assert [figures.remembered("t", (), figures.TOPICS, compute) for _ in range(3)] == [1, 2, 3]


def test_dashboard_and_todos_follow_the_workflow(world):
    """What a user does shows on the next page: the health center's dashboard and the
    coordinator's to-dos, through the real services."""
    fy = catalogue(year=2026)[0]
    coordinator, staff = world.users[Role.HUB_COORDINATOR], world.users[Role.PREFECTURE_STAFF]
    health = Client()
    health.force_login(world.users[Role.HEALTH_CENTER])
    application = application_in(ApplicationStatus.DRAFT, world.hub_a, fy, coordinator, staff)
    page = health.get("/reports/dashboard/?year=2026").content.decode()
    assert "下書き" in page and "提出済み" not in page
    assert "集計：" in page  # the page says as of when
    drafts = [t.label for t in todos_for(coordinator)]
    services.perform(application, "submit", coordinator, application.version)
    page = health.get("/reports/dashboard/?year=2026").content.decode()
    assert "提出済み" in page
    assert [t.label for t in todos_for(coordinator)] != drafts


def test_scopes_do_not_share_entries(world):
    """Two health centers' dashboards are two entries (the scope's SQL is in the key)."""
    other_center = f.HealthCenterFactory(
        name="乙保健所", municipalities=[world.area_b.municipalities.first()]
    )
    other = f.UserFactory(username="hc-b", role=Role.HEALTH_CENTER, health_center=other_center)
    mine, theirs = Client(), Client()
    mine.force_login(world.users[Role.HEALTH_CENTER])
    theirs.force_login(other)
    assert "甲拠点" in mine.get("/reports/dashboard/").content.decode()
    page = theirs.get("/reports/dashboard/").content.decode()
    assert "乙拠点" in page and "甲拠点" not in page


def test_a_drafts_save_stamps_the_plan_and_leaves_the_staffs_todos_kept(world):
    """A draft's save (figures.drafting) stamps `plan`, not `work`: what reads a plan's
    content asks every topic and is computed again (a dashboard's planned amounts); the
    staff's to-dos count states (STATE_TOPICS) and stay kept until a state changes (the
    coordinator resubmits)."""
    from subsidies.applications.reading import current_plan

    fy = catalogue(year=2026)[0]
    coordinator, staff = world.users[Role.HUB_COORDINATOR], world.users[Role.PREFECTURE_STAFF]
    returned = application_in(ApplicationStatus.RETURNED, world.hub_a, fy, coordinator, staff)
    staff_todos = todos_for(staff)
    compute = counted()
    everything = lambda: figures.remembered("d", (), figures.TOPICS, compute)  # noqa: E731
    assert everything() == 1
    work, plan = figures.stamps((figures.WORK,)), figures.stamps((figures.PLAN,))

    application = Application.objects.get(pk=returned.pk)
    draft = current_plan(application)
    draft["meeting_members"] = "医師会、訪問看護ステーション"
    services.save_plan(application, draft, coordinator, application.version)
    assert figures.stamps((figures.WORK,)) == work and figures.stamps((figures.PLAN,)) != plan
    with CaptureQueriesContext(connection) as queries:
        assert todos_for(staff) == staff_todos
    assert len(queries) == 0  # kept: not computed again
    assert everything() == 2  # what reads every topic (a plan's amounts) is computed again

    application.refresh_from_db()
    services.perform(application, "resubmit", coordinator, application.version)
    assert figures.stamps((figures.WORK,)) != work
    waiting = {t.label: t.count for t in todos_for(staff)}
    assert waiting["再提出された交付申請（審査待ち） 1件"] == 1
    assert {t.label: t.count for t in staff_todos}.get(
        "再提出された交付申請（審査待ち） 1件"
    ) is None
