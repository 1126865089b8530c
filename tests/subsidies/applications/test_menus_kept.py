"""The year's menus as every plan page and save reads them (reading.menus_of): kept in the
process while the catalogue's stamp is unchanged, read again after a write to the catalogue
commits, and never kept for a transaction that wrote the catalogue itself (its stamp moves at
the commit). The rest of the suite runs with the figures cache off: menus read every time."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from subsidies.applications import reading

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("_cache_on")]


@pytest.fixture
def _cache_on():
    reading._KEPT.clear()
    with override_settings(PORTAL_FIGURES_MAX_AGE=60):
        yield
    reading._KEPT.clear()


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


def test_the_expense_categories_names_are_kept_too(draft):
    from subsidies.models import ExpenseCategory

    reading._KEPT.clear()
    with CaptureQueriesContext(connection) as queries:
        names = reading.category_names()
        assert reading.category_names() == names
    assert len(queries) == 1 and names
    category = ExpenseCategory.objects.order_by("pk").first()
    category.name = "謝金（改称）"
    category.save()  # committed: the catalogue's stamp moves
    assert reading.category_names()[category.code] == "謝金（改称）"


def test_a_menus_reference_is_rendered_once_per_kept_menu(draft):
    """The plan form prints each line's menu reference (取り組み例・求められる事項・対象経費):
    the same HTML as its template renders, rendered once for a kept menu, and the catalogue's
    new text once it changes."""
    from django.template.loader import render_to_string

    from subsidies.templatetags.menu_reference import TEMPLATE, menu_reference

    draft.fiscal_year.menus.filter(code="hub-meeting").update(expense_note="会場借上げ料")
    reading._KEPT.clear()
    menu = next(
        m for m in reading.menus_of(draft.fiscal_year_id).values() if m.code == "hub-meeting"
    )
    menu.__dict__.pop("_reference_html", None)
    expected = render_to_string(TEMPLATE, {"menu": menu})
    assert "<strong>対象経費</strong>：会場借上げ料" in expected
    with CaptureQueriesContext(connection) as queries:
        assert menu_reference(menu) == expected
        assert menu_reference(menu) == expected
    assert len(queries) == 0  # its requirement items came with the kept menus
    kept_again = reading.menus_of(draft.fiscal_year_id)[menu.pk]
    assert kept_again is menu and "_reference_html" in kept_again.__dict__
    stored = draft.fiscal_year.menus.get(code="hub-meeting")
    stored.expense_note = "会場借上げ料（改めた記載）"
    stored.save()
    fresh = reading.menus_of(draft.fiscal_year_id)[menu.pk]
    assert fresh is not menu and "会場借上げ料（改めた記載）" in menu_reference(fresh)


def test_a_save_finds_missing_lines_among_the_kept_menus(draft):
    from subsidies.applications import services

    reading._KEPT.clear()
    lines = reading.lines_of(draft, references=False)
    with CaptureQueriesContext(connection) as queries:
        assert services.ensure_lines(draft, lines) is False
    assert len(queries) == 0  # every hub menu has its line: nothing read, nothing written
    gone = next(line for line in lines if line.designation_id is None)
    gone.delete()
    lines = reading.lines_of(draft, references=False)
    assert services.ensure_lines(draft, lines) is True
    assert draft.lines.filter(menu=gone.menu, designation=None).count() == 1
    assert services.ensure_lines(draft, reading.lines_of(draft, references=False)) is False


def test_kept_for_the_figures_max_age_at_most(draft, monkeypatch):
    """A host whose cache is its own never sees another host's stamp: what it keeps is read
    again after PORTAL_FIGURES_MAX_AGE seconds all the same."""
    reading._KEPT.clear()
    clock = [1000.0]
    monkeypatch.setattr(reading.time, "monotonic", lambda: clock[0])
    with CaptureQueriesContext(connection) as queries:
        reading.category_names()
        clock[0] += 59
        reading.category_names()  # kept
        clock[0] += 2
        reading.category_names()  # 61 s after it was read: read again
    assert len(queries) == 2


def test_the_fiscal_year_is_kept_and_each_reader_gets_a_copy_of_its_own(draft):
    """reading.fiscal_year: what every application page reads of its year (its rules,
    deadlines, the notices' settings), kept like the menus; a reader changing its instance
    (a decision freezing the catalogue) changes no other reader's."""
    from subsidies.models import FiscalYear

    reading._KEPT.clear()
    first = reading.fiscal_year(draft.fiscal_year_id)
    with CaptureQueriesContext(connection) as queries:
        second = reading.fiscal_year(draft.fiscal_year_id)
    assert len(queries) == 0 and second is not first
    assert (second.pk, second.year, second.application_deadline) == (
        draft.fiscal_year_id,
        2026,
        FiscalYear.objects.get(pk=draft.fiscal_year_id).application_deadline,
    )
    second.subsidy_name = "この読み手だけの変更"
    assert reading.fiscal_year(draft.fiscal_year_id).subsidy_name != "この読み手だけの変更"

    FiscalYear.objects.get(pk=draft.fiscal_year_id).save()  # unchanged, but written
    year = FiscalYear.objects.get(pk=draft.fiscal_year_id)
    year.subsidy_name = "在宅医療連携拠点整備事業（改称）"
    year.save()  # committed: the catalogue's stamp moves
    assert reading.fiscal_year(draft.fiscal_year_id).subsidy_name == year.subsidy_name


def test_an_application_page_shows_the_kept_year(client, draft, world):
    """The application's pages read the application with its hub and the kept year: the
    year's deadline changed and committed shows on the next page."""
    import datetime

    from zaitaku_portal.models import Role

    client.force_login(world.users[Role.HUB_COORDINATOR])
    url = f"/subsidies/applications/{draft.pk}/"
    assert "令和8年5月29日" not in client.get(url).content.decode()
    year = draft.fiscal_year
    year.application_deadline = datetime.date(2026, 5, 29)
    year.save()
    assert "令和8年5月29日" in client.get(url).content.decode()


def test_the_years_by_number_are_kept_until_a_year_is_registered(draft):
    """reading.fiscal_year_numbered: the year 令和N, or the newest, as the to-dos ask it."""
    from subsidies.catalogue.services import copy_fiscal_year

    reading._KEPT.clear()
    assert reading.fiscal_year_numbered(2026).pk == draft.fiscal_year_id
    assert reading.fiscal_year_numbered().year == 2026
    with CaptureQueriesContext(connection) as queries:
        assert reading.fiscal_year_numbered(2027) is None
        assert reading.fiscal_year_numbered(2027) is None  # kept: not registered
    assert len(queries) == 1
    copy_fiscal_year(draft.fiscal_year, 2027, actor=None)  # committed: a new stamp
    assert reading.fiscal_year_numbered(2027).year == 2027
    assert reading.fiscal_year_numbered().year == 2027
