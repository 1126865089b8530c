"""The hub picks the hospitals it plans for (issue 18, setting (a)): nothing is laid out for
a hospital until it is added; only a hospital active in the year can be added (the page, the
save and the Excel upload refuse the others); removing takes its lines off the plan."""

import datetime

import pytest

from hospitals.designations import end_designation
from hospitals.models import ActiveHospitalDesignation
from subsidies.applications import hospital_lines, reading
from subsidies.applications import services as service
from subsidies.applications.rules import ApplicationError, StaleVersion
from subsidies.models import MenuPlan
from tests import factories as f
from tests.subsidies.factories import complete_plan
from tests.subsidies.hospital_lines.helpers import fresh, pick, started
from zaitaku_portal.models import AuditEntry

pytestmark = pytest.mark.django_db

HOSPITAL_MENUS = {"hosp-training", "hosp-system", "hosp-nurse"}


def _lines(application, designation):
    return MenuPlan.objects.filter(application=application, designation=designation)


def test_a_new_plan_has_the_hub_lines_only_and_the_hub_adds_a_hospital(apps_world):
    w = apps_world
    application = started(w)
    assert {reading.key_of(line) for line in reading.lines_of(application)} == {
        "hub-meeting",
        "hub-district",
    }
    assert hospital_lines.addable(application) == [w.designation_a]
    pick(application, w.designation_a, w.coordinator)
    lines = _lines(application, w.designation_a)
    assert {line.menu.code for line in lines} == HOSPITAL_MENUS
    assert not any(line.wish for line in lines)
    assert {line.entered_by for line in lines} == {w.coordinator}
    assert hospital_lines.addable(fresh(application)) == []
    assert fresh(application).version == application.version + 1
    assert AuditEntry.objects.filter(action="医療機関の追加").count() == 1
    with pytest.raises(ApplicationError, match="既にこの計画にあります"):
        pick(application, w.designation_a, w.coordinator)


def test_a_stale_add_is_refused(apps_world):
    w = apps_world
    application = started(w)
    with pytest.raises(StaleVersion):
        service.add_hospital(application, w.designation_a, w.coordinator, application.version - 1)
    assert not _lines(application, w.designation_a).exists()


def test_removing_an_empty_hospital_at_once_one_with_content_after_a_confirmation(apps_world):
    w = apps_world
    application = started(w)
    pick(application, w.designation_a, w.coordinator)
    service.remove_hospital(
        fresh(application), w.designation_a, w.coordinator, fresh(application).version
    )
    assert not _lines(application, w.designation_a).exists()

    pick(application, w.designation_a, w.coordinator)
    plan = reading.current_plan(fresh(application))
    plan["lines"][f"hosp-nurse@{w.designation_a.pk}"]["planned_actions"] = "看護師を配置"
    service.save_plan(fresh(application), plan, w.coordinator, fresh(application).version)
    with pytest.raises(service.NeedsConfirmation, match="入力があります（1件）"):
        service.remove_hospital(
            fresh(application), w.designation_a, w.coordinator, fresh(application).version
        )
    assert _lines(application, w.designation_a).count() == 3
    service.remove_hospital(
        fresh(application), w.designation_a, w.coordinator, fresh(application).version, True
    )
    assert not _lines(application, w.designation_a).exists()
    entry = AuditEntry.objects.filter(action="医療機関を外す").order_by("-pk").first()
    assert "看護師を配置" in str(entry.changes)


def _tentative(w):
    institution = f.MedicalInstitutionFactory(name="内諾病院")
    return f.DesignationFactory(
        institution=institution,
        area=w.area_a,
        status=ActiveHospitalDesignation.Status.TENTATIVE,
        agreed_on=datetime.date(2026, 3, 1),
    )


def _ended(w):
    institution = f.MedicalInstitutionFactory(name="終了病院")
    return f.DesignationFactory(
        institution=institution,
        area=w.area_a,
        status=ActiveHospitalDesignation.Status.ENDED,
        start_date=datetime.date(2024, 4, 1),
        end_date=datetime.date(2026, 3, 31),  # ended before 令和8年度 began
    )


def test_only_a_hospital_active_in_the_year_of_the_hubs_area_can_be_added(apps_world):
    w = apps_world
    application = started(w)
    tentative, ended = _tentative(w), _ended(w)
    starts_later = f.DesignationFactory(
        institution=f.MedicalInstitutionFactory(name="翌年度病院"),
        area=w.area_a,
        start_date=datetime.date(2027, 4, 1),  # begins after 令和8年度
    )
    assert hospital_lines.addable(application) == [w.designation_a]
    refusals = {
        tentative: "内諾の段階",
        ended: "令和8年度に指定中の積極的医療機関ではありません",
        starts_later: "令和8年度に指定中の積極的医療機関ではありません",
        w.designation_b: "甲拠点の在宅医療圏の積極的医療機関ではありません",  # another area
    }
    for designation, message in refusals.items():
        with pytest.raises(ApplicationError, match=message):
            pick(application, designation, w.coordinator)
        assert not _lines(application, designation).exists()


def test_the_page_adds_and_refuses_with_the_reason(client, apps_world):
    w = apps_world
    application = started(w)
    client.force_login(w.coordinator)
    html = client.get(f"/subsidies/applications/{application.pk}/edit/").content.decode()
    assert "医療機関を追加" in html and "甲病院（甲圏域・" in html
    assert "乙病院" not in html  # another area's hospital is not offered
    url = f"/subsidies/applications/{application.pk}/hospitals/add/"
    response = client.post(
        url, {"designation": w.designation_b.pk, "version": application.version}, follow=True
    )
    assert "在宅医療圏の積極的医療機関ではありません" in response.content.decode()
    assert not _lines(application, w.designation_b).exists()
    client.post(url, {"designation": w.designation_a.pk, "version": application.version})
    assert _lines(application, w.designation_a).count() == 3
    html = client.get(f"/subsidies/applications/{application.pk}/edit/").content.decode()
    assert 'id="hospital-' in html and "甲病院を計画から外す" in html
    remove = f"/subsidies/applications/{application.pk}/hospitals/{w.designation_a.pk}/remove/"
    client.post(remove, {"version": fresh(application).version})
    assert not _lines(application, w.designation_a).exists()


def test_a_wished_line_of_a_hospital_no_longer_active_is_refused_at_the_save(apps_world):
    w = apps_world
    application = started(w)
    pick(application, w.designation_a, w.coordinator)
    ActiveHospitalDesignation.objects.filter(pk=w.designation_a.pk).update(
        status=ActiveHospitalDesignation.Status.ENDED, end_date=datetime.date(2026, 3, 31)
    )
    plan = complete_plan(fresh(application))
    plan["lines"][f"hosp-nurse@{w.designation_a.pk}"]["wish"] = True
    with pytest.raises(ApplicationError) as refused:
        service.save_plan(fresh(application), plan, w.coordinator, fresh(application).version)
    assert any(
        "「甲病院」は令和8年度に指定中の積極的医療機関では" in p for p in refused.value.problems
    )
    assert not _lines(application, w.designation_a).filter(wish=True).exists()


def test_an_ended_designation_takes_its_empty_lines_away_and_a_new_one_adds_none(apps_world):
    w = apps_world
    application = started(w)
    pick(application, w.designation_a, w.coordinator)
    line = _lines(application, w.designation_a).get(menu__code="hosp-nurse")
    line.planned_actions = "看護師を配置"
    line.save()
    f.DesignationFactory(
        institution=f.MedicalInstitutionFactory(name="新規病院"), area=w.area_a, hub=w.hub_a
    )
    service.ensure_lines_for_area(w.area_a, w.hub_a)  # what the designation signal does
    assert MenuPlan.objects.filter(application=application, designation__isnull=False).count() == 3
    end_designation(w.designation_a, datetime.date(2026, 3, 31), "辞退", w.staff)
    # the two empty lines went; the line with content stays for the hub to see
    assert list(_lines(application, w.designation_a).values_list("menu__code", flat=True)) == [
        "hosp-nurse"
    ]


def test_under_counts_no_hospital_lines_and_no_adding(apps_world):
    w = apps_world
    w.fiscal_year.hospital_plan_form = "counts"
    w.fiscal_year.save()
    application = started(w)
    assert not MenuPlan.objects.filter(application=application, designation__isnull=False)
    with pytest.raises(ApplicationError, match="医療機関数"):
        pick(application, w.designation_a, w.coordinator)
    assert hospital_lines.picks_hospitals(application) is False
