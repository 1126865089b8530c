"""The year's menus as every plan page and save reads them (reading.menus_of): kept in the
process while the catalogue's stamp is unchanged, read again after a write to the catalogue
commits, and never kept for a transaction that wrote the catalogue itself (its stamp moves at
the commit). The rest of the suite runs with the figures cache off: menus read every time."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from subsidies.applications import reading
from subsidies.models import ApplicationStatus
from tests.subsidies.factories import application_in, catalogue
from zaitaku_portal.models import Role

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("_cache_on")]


@pytest.fixture
def _cache_on():
    reading._KEPT.clear()
    with override_settings(PORTAL_FIGURES_MAX_AGE=60):
        yield
    reading._KEPT.clear()


@pytest.fixture
def draft(world):
    fiscal_year = catalogue(year=2026)[0]
    coordinator, staff = world.users[Role.HUB_COORDINATOR], world.users[Role.PREFECTURE_STAFF]
    return application_in(ApplicationStatus.DRAFT, world.hub_a, fiscal_year, coordinator, staff)


def read(application):
    with CaptureQueriesContext(connection) as queries:
        lines = reading.lines_of(application)
    names = {line.menu.code: line.menu.name for line in lines}
    categories = {line.menu.code: len(line.menu.expense_categories.all()) for line in lines}
    return names, categories, len(queries)


def test_kept_until_the_catalogue_changes(draft):
    reading._KEPT.clear()  # the draft's making kept them already
    names, categories, first = read(draft)
    again, kept_categories, second = read(draft)
    assert (again, kept_categories) == (names, categories)
    assert second == first - 3  # the menus, their categories and requirement items
    menu = draft.fiscal_year.menus.get(code="hub-meeting")
    menu.name = "連携会議（改称）"
    menu.save()  # committed: the catalogue's stamp moves
    names, _, third = read(draft)
    assert names["hub-meeting"] == "連携会議（改称）" and third == first


def test_a_transaction_reads_its_own_catalogue_writes(draft):
    read(draft)  # kept
    with transaction.atomic():
        menu = draft.fiscal_year.menus.get(code="hub-meeting")
        menu.name = "同じ取引の中で改称"
        menu.save()
        names, _, _ = read(draft)
        assert names["hub-meeting"] == "同じ取引の中で改称"
        transaction.set_rollback(True)
    names, _, _ = read(draft)  # rolled back: the kept menus are still right
    assert names["hub-meeting"] != "同じ取引の中で改称"


def test_without_references_and_off(draft):
    reading._KEPT.clear()
    with CaptureQueriesContext(connection) as queries:
        reading.lines_of(draft, references=False)
        reading.lines_of(draft, references=False)
    assert len(queries) == 3 + 1  # lines, menus, their categories; then the lines alone
    with override_settings(PORTAL_FIGURES_MAX_AGE=0):
        assert read(draft)[2] == read(draft)[2] == 4  # menus read every time
