"""The plan's lines in the plan's order (reading.lines_of, issue 21): the lines are read alone
and their hospitals in one query apart, then ordered as the one query joining the designation,
institution, area and menu ordered them: the hub's own lines first, then each hospital's by its
name (the database's collation) and designation, each part by the menus' order."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from subsidies.applications import reading
from tests import factories as f
from tests.subsidies.hospital_lines.helpers import fresh, pick, started

pytestmark = pytest.mark.django_db


def _hospital(world, name):
    return f.DesignationFactory(
        institution=f.MedicalInstitutionFactory(name=name), area=world.area_a, hub=world.hub_a
    )


def test_hub_lines_first_then_hospitals_by_name_then_menus(apps_world):
    w = apps_world
    application = started(w)
    later = _hospital(w, "い病院")  # designated first (the lower id), picked first
    sooner = _hospital(w, "あ病院")  # あ sorts before い in every collation
    pick(application, later, w.coordinator)
    pick(application, sooner, w.coordinator)
    application = fresh(application)

    with CaptureQueriesContext(connection) as queries:
        lines = reading.lines_of(application)
        shown = [
            (line.designation.institution.name, line.designation.area.name)
            if line.designation_id
            else None
            for line in lines
        ]
    # the lines, their hospitals, the year's menus with categories and items (cache off)
    assert len(queries) == 5

    # by hand: the hub's own lines, then あ病院's, then い病院's, each run in one piece
    runs = [name for index, name in enumerate(shown) if index == 0 or shown[index - 1] != name]
    assert runs == [None, ("あ病院", "甲圏域"), ("い病院", "甲圏域")]
    for part in (None, sooner.pk, later.pk):
        orders = [line.menu.display_order for line in lines if line.designation_id == part]
        assert orders == sorted(orders) and orders

    # the same order as the single query with the joins gave before
    joined = application.lines.order_by(
        F("designation__institution__name").asc(nulls_first=True),
        F("designation_id").asc(nulls_first=True),
        "menu__display_order",
        "menu_id",
    )
    assert [line.pk for line in lines] == list(joined.values_list("pk", flat=True))


def test_a_hub_plan_reads_no_hospital(apps_world):
    application = fresh(started(apps_world))
    with CaptureQueriesContext(connection) as queries:
        lines = reading.lines_of(application, references=False)
    assert lines and not any(line.designation_id for line in lines)
    assert len(queries) == 3  # the lines, the year's menus and their categories
