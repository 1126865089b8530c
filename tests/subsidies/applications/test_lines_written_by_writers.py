"""Plan lines are written by the writers, never by a GET (issue 13): an application
starting, a designation beginning or ending, the first save of an application whose lines
went missing before the change."""

import datetime

import pytest
from django.db import transaction

from hospitals.designations import designate
from hospitals.models import ActiveHospitalDesignation
from hospitals.signals import designation_changed
from subsidies.applications import services as service
from subsidies.models import ApplicationStatus, MenuPlan
from tests.factories import MedicalInstitutionFactory
from tests.subsidies.applications.test_application_pages import form_data, url
from tests.subsidies.factories import application_in, pick


def hospital_lines(application) -> set:
    return set(
        application.lines.exclude(designation=None).values_list("designation_id", "menu__code")
    )


def test_designation_beginning_adds_no_lines_the_hub_picks_the_hospital(apps_world):
    """Issue 18, setting (a): a new designation lays nothing out; the hub adds the hospital."""
    w = apps_world
    draft = service.start_application(w.hub_a, w.fiscal_year, w.coordinator)
    assert hospital_lines(draft) == set()
    fresh = MedicalInstitutionFactory(name="丙病院", municipality=w.hospital_a.municipality)
    (new,) = designate([fresh], w.area_a, None, datetime.date(2026, 4, 1), None, w.staff)
    assert hospital_lines(draft) == set()
    pick(draft, new, w.coordinator)
    assert hospital_lines(draft) == {
        (new.pk, code) for code in ("hosp-training", "hosp-system", "hosp-nurse")
    }


def test_designation_leaves_applications_that_are_not_editable_alone(apps_world):
    w = apps_world
    submitted = application_in(
        ApplicationStatus.SUBMITTED, w.hub_a, w.fiscal_year, w.coordinator, w.staff
    )
    before = hospital_lines(submitted)
    fresh = MedicalInstitutionFactory(name="丙病院", municipality=w.hospital_a.municipality)
    designate([fresh], w.area_a, None, datetime.date(2026, 4, 1), None, w.staff)
    assert hospital_lines(submitted) == before


def test_missing_lines_render_on_get_and_are_written_at_the_first_save(client, apps_world):
    w = apps_world
    application = service.start_application(w.hub_a, w.fiscal_year, w.coordinator)
    expected = set(application.lines.values_list("menu__code", flat=True))
    MenuPlan.objects.filter(application=application, menu__code="hub-district").delete()
    client.force_login(w.coordinator)
    assert client.get(url(application)).status_code == 200
    data, _ = form_data(client, application)
    # the GETs showed what exists, wrote nothing
    assert set(application.lines.values_list("menu__code", flat=True)) == {"hub-meeting"}
    response = client.post(url(application, "edit/"), data)
    assert response.status_code == 302
    assert set(application.lines.values_list("menu__code", flat=True)) == expected


def test_designation_lines_are_written_inside_the_designations_transaction(apps_world):
    """hospitals/signals.py's designation_changed is sent inside end_designation()'s
    transaction: when that transaction rolls back, the lines its receiver removed come back."""
    from hospitals.designations import end_designation

    w = apps_world
    draft = pick(
        service.start_application(w.hub_a, w.fiscal_year, w.coordinator),
        w.designation_a,
        w.coordinator,
    )
    before = hospital_lines(draft)
    assert len(before) == 3
    with pytest.raises(RuntimeError), transaction.atomic():
        end_designation(w.designation_a, datetime.date(2026, 3, 31), "辞退", w.staff)
        assert hospital_lines(draft) == set()  # empty lines of an ended designation go
        raise RuntimeError("the caller's transaction fails after the designation")
    assert hospital_lines(draft) == before


def test_the_applications_part_listens_to_designation_changes(apps_world):
    """The signal alone (as hospitals sends it) takes the empty lines of a hospital no
    longer active in the year off the area's editable plans."""
    w = apps_world
    draft = pick(
        service.start_application(w.hub_a, w.fiscal_year, w.coordinator),
        w.designation_a,
        w.coordinator,
    )
    assert len(hospital_lines(draft)) == 3
    ActiveHospitalDesignation.objects.filter(pk=w.designation_a.pk).update(
        status=ActiveHospitalDesignation.Status.ENDED, end_date=datetime.date(2026, 3, 31)
    )
    designation_changed.send(sender=ActiveHospitalDesignation, area=w.area_a, hub=None)
    assert hospital_lines(draft) == set()
