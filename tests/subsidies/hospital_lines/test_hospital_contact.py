"""A hospital's contact enters its own lines of its hub's plan (issue 18, setting (a)): the
same validation and calculation as the hub's form, who entered them shown to the hub, never
another hospital's lines or the hub's own, a stale save refused."""

import pytest

from subsidies.applications import reading
from subsidies.applications import services as service
from subsidies.applications.rules import ApplicationError
from subsidies.models import ApplicationStatus, MenuPlan
from tests import factories as f
from tests.subsidies.factories import complete_plan
from tests.subsidies.hospital_lines.helpers import fresh, pick, started
from zaitaku_portal.models import AuditEntry, Role

pytestmark = pytest.mark.django_db


def _edit_url(application, designation) -> str:
    return f"/subsidies/hospital-lines/{application.pk}/{designation.pk}/"


def _form_data(application, designation, **training) -> dict:
    """The page's fields for the three hospital menus (l0-, l1-, l2- in the lines' order)."""
    lines = [x for x in reading.lines_of(application) if x.designation_id == designation.pk]
    data = {"version": fresh(application).version}
    for index, line in enumerate(lines):
        if line.menu.code == "hosp-training":
            for name, value in training.items():
                data[f"l{index}-{name}"] = value
    return data


def test_the_contact_saves_its_training_line_and_the_hub_sees_who_entered_it(client, apps_world):
    w = apps_world
    contact = w.users[Role.HOSPITAL]
    contact.hospital_contacts.update(name="山田看護部長")
    application = started(w)
    pick(application, w.designation_a, w.coordinator)
    client.force_login(contact)
    listing = client.get("/subsidies/hospital-lines/").content.decode()
    assert "甲拠点" in listing and _edit_url(application, w.designation_a) in listing
    response = client.post(
        _edit_url(application, w.designation_a),
        _form_data(
            application,
            w.designation_a,
            wish="on",
            planned_actions="訪問看護師との同行訪問研修",
            start_year="2026",
            trainees="3",
            half_days="2",
            expense_honoraria="200000",
            expense_travel="60000",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    line = MenuPlan.objects.get(
        application=application, designation=w.designation_a, menu__code="hosp-training"
    )
    assert line.entered_by == contact and line.trainees == 3 and line.half_days == 2
    # DOMAIN.md: 補助額 = min(対象経費, 上限額) × 補助率. 同行訪問等研修 42,000円 per trainee
    # per half day: 3 × 2 × 42,000 = 252,000円 cap; expenses 200,000 + 60,000 = 260,000円;
    # min(260,000, 252,000) = 252,000 × 1/1 = 252,000円.
    key = f"hosp-training@{w.designation_a.pk}"
    assert reading.plan_view(fresh(application)).amounts[key].computed_amount == 252_000
    page = client.get(_edit_url(application, w.designation_a)).content.decode()
    assert "252,000円" in page
    assert AuditEntry.objects.filter(action="事業計画の保存（医療機関の入力）").exists()
    # the hub's plan page and application page say who entered the hospital's lines
    client.force_login(w.coordinator)
    for url in (
        f"/subsidies/applications/{application.pk}/edit/",
        f"/subsidies/applications/{application.pk}/",
    ):
        assert (
            "入力: 甲病院 山田看護部長 / 拠点コーディネーター" in client.get(url).content.decode()
        )


def test_the_contact_sees_only_its_own_lines_of_the_hubs_plan(client, apps_world):
    w = apps_world
    contact = w.users[Role.HOSPITAL]
    application = started(w)
    pick(application, w.designation_a, w.coordinator)
    other = f.DesignationFactory(
        institution=f.MedicalInstitutionFactory(name="丙病院"), area=w.area_a, hub=w.hub_a
    )
    pick(application, other, w.coordinator)
    client.force_login(contact)
    page = client.get(_edit_url(application, w.designation_a)).content.decode()
    assert "同行訪問等研修" in page
    assert "丙病院" not in page and f"@{other.pk}" not in page
    assert 'data-line="hub-meeting"' not in page and "多職種が参加する連携会議" not in page
    # another hospital's lines, another hub's plan, the hub's own pages: refused (IDOR)
    assert client.get(_edit_url(application, other)).status_code == 404
    assert client.post(_edit_url(application, other), {"version": 1}).status_code == 404
    assert client.get(f"/subsidies/applications/{application.pk}/").status_code == 404
    assert client.get(f"/subsidies/applications/{application.pk}/edit/").status_code == 404
    coordinator_b = f.coordinator_of(w.hub_b, username="coordinator-b")
    b_plan = service.start_application(w.hub_b, w.fiscal_year, coordinator_b)
    pick(b_plan, w.designation_b, coordinator_b)
    assert client.get(_edit_url(b_plan, w.designation_a)).status_code == 404
    assert client.get(_edit_url(b_plan, w.designation_b)).status_code == 404
    # the writer refuses a plan naming the hub's line or another hospital's
    for key in ("hub-meeting", f"hosp-nurse@{other.pk}"):
        with pytest.raises(ApplicationError, match="権限がありません"):
            service.save_hospital_lines(
                fresh(application),
                w.designation_a,
                {"lines": {key: {"wish": True}}},
                contact,
                fresh(application).version,
            )
    with pytest.raises(ApplicationError, match="権限がありません"):
        service.save_hospital_lines(
            fresh(application), other, {"lines": {}}, contact, fresh(application).version
        )


def test_a_stale_save_is_refused_and_nothing_is_overwritten(client, apps_world):
    w = apps_world
    contact = w.users[Role.HOSPITAL]
    application = started(w)
    pick(application, w.designation_a, w.coordinator)
    client.force_login(contact)
    data = _form_data(application, w.designation_a, planned_actions="病院の入力")
    # the coordinator saves in between
    plan = reading.current_plan(fresh(application))
    plan["lines"][f"hosp-training@{w.designation_a.pk}"]["planned_actions"] = "拠点の入力"
    service.save_plan(fresh(application), plan, w.coordinator, fresh(application).version)
    response = client.post(_edit_url(application, w.designation_a), data)
    assert response.status_code == 200
    assert "他の方が更新しました" in response.content.decode()
    line = MenuPlan.objects.get(
        application=application, designation=w.designation_a, menu__code="hosp-training"
    )
    assert line.planned_actions == "拠点の入力" and line.entered_by == w.coordinator


def test_only_while_the_plan_is_editable_and_the_hospital_may_join_its_hubs_plan(
    client, apps_world
):
    w = apps_world
    contact = w.users[Role.HOSPITAL]
    application = started(w)
    client.force_login(contact)
    listing = client.get("/subsidies/hospital-lines/").content.decode()
    assert "甲拠点の令和8年度計画に甲病院として参加する" in listing
    join = f"/subsidies/hospital-lines/{application.pk}/{w.designation_a.pk}/join/"
    client.post(join, {"version": fresh(application).version})
    assert (
        MenuPlan.objects.filter(application=application, designation=w.designation_a).count() == 3
    )
    # submitted: the hospital's page is read-only and a POST saves nothing
    service.save_plan(
        fresh(application),
        complete_plan(fresh(application)),
        w.coordinator,
        fresh(application).version,
    )
    service.perform(fresh(application), "submit", w.coordinator, fresh(application).version)
    assert fresh(application).status == ApplicationStatus.SUBMITTED
    response = client.post(
        _edit_url(application, w.designation_a),
        _form_data(application, w.designation_a, planned_actions="提出後の入力"),
        follow=True,
    )
    assert "編集できません" in response.content.decode()
    assert not MenuPlan.objects.filter(planned_actions="提出後の入力").exists()
    with pytest.raises(ApplicationError, match="編集できません"):
        service.save_hospital_lines(
            fresh(application), w.designation_a, {"lines": {}}, contact, fresh(application).version
        )


def test_the_hospitals_home_links_its_lines_page(client, apps_world):
    client.force_login(apps_world.users[Role.HOSPITAL])
    assert "/subsidies/hospital-lines/" in client.get("/subsidies/applications/").content.decode()
    client.force_login(apps_world.coordinator)
    assert (
        "/subsidies/hospital-lines/" not in client.get("/subsidies/applications/").content.decode()
    )
