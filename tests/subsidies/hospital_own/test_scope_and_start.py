"""Who may start a hospital's own application (setting (b)), a hospital never reaching
another hospital's application, report or notice (404), the hub's read-only table of its
hospitals, and the hub's dashboard row counting only the hub's own application."""

import datetime

import pytest

from hospitals.models import ActiveHospitalDesignation
from reports import dashboard
from subsidies.applications import services as service
from subsidies.applications.hospital_applications import start_hospital_application
from subsidies.applications.rules import ApplicationError, can_start_hospital_application
from subsidies.models import Application, ResultReport
from subsidies.results import services as results
from tests.factories import DesignationFactory
from tests.subsidies.approvals import drive
from tests.subsidies.factories import application_in, decision_input
from tests.subsidies.hospital_own.test_hospital_flow import _plan_post
from zaitaku_portal.scopes import designations_for, hubs_for

pytestmark = pytest.mark.django_db


def test_only_the_institutions_contact_may_start(own_world):
    w = own_world
    assert can_start_hospital_application(w.hospital, w.hospital_a, w.fiscal_year)
    for user, institution in (
        (w.hospital, w.hospital_b),  # not its institution
        (w.hospital_b_contact, w.hospital_a),
        (w.coordinator, w.hospital_a),  # the hub follows, does not apply for it
        (w.staff, w.hospital_a),
    ):
        permission = can_start_hospital_application(user, institution, w.fiscal_year)
        assert not permission
        assert permission.reason == "医療機関の申請の作成は、その医療機関の担当者が行います。"
    with pytest.raises(ApplicationError, match="その医療機関の担当者"):
        start_hospital_application(w.hospital_b, w.fiscal_year, w.hospital)
    assert not Application.objects.exists()


def test_a_year_where_the_hub_applies_refuses(own_world):
    w = own_world
    w.fiscal_year.hospital_plan_form = "lines"
    w.fiscal_year.save(update_fields=["hospital_plan_form"])
    permission = can_start_hospital_application(w.hospital, w.hospital_a, w.fiscal_year)
    assert permission.reason == (
        "令和8年度は、積極的医療機関のメニューを拠点がまとめて申請する年度です。"
        "医療機関ごとの申請は作成できません。"
    )


@pytest.mark.parametrize(
    ("status", "start", "end"),
    [
        ("ended", datetime.date(2024, 4, 1), datetime.date(2026, 3, 31)),  # ended before
        ("tentative", datetime.date(2026, 4, 1), None),  # 内諾 is not 指定中
        ("active", datetime.date(2027, 4, 1), None),  # begins after the year
    ],
)
def test_without_a_designation_in_force_in_the_year_refuses(own_world, status, start, end):
    w = own_world
    ActiveHospitalDesignation.objects.filter(pk=w.designation_a.pk).update(
        status=status, start_date=start, end_date=end
    )
    permission = can_start_hospital_application(w.hospital, w.hospital_a, w.fiscal_year)
    assert permission.reason == (
        "甲病院は令和8年度に指定中の積極的医療機関ではないため、申請を作成できません。"
    )
    home = _home(w)
    assert "甲病院の令和8年度交付申請を作成する" not in home


def _home(w):
    from django.test import Client

    client = Client()
    client.force_login(w.hospital)
    return client.get("/subsidies/applications/").content.decode()


def test_the_start_is_a_post_and_twice_makes_one(client, own_world):
    w = own_world
    client.force_login(w.hospital)
    url = f"/subsidies/applications/new/hospital/{w.hospital_a.pk}/2026/"
    assert client.get(url).status_code == 405
    first, second = client.post(url), client.post(url)
    application = Application.objects.get()
    assert first["Location"] == f"/subsidies/applications/{application.pk}/edit/"
    assert second["Location"] == f"/subsidies/applications/{application.pk}/"
    assert (
        client.post(f"/subsidies/applications/new/hospital/{w.hospital_b.pk}/2026/").status_code
        == 404
    )
    client.force_login(w.coordinator)
    assert client.post(url).status_code == 403
    assert Application.objects.count() == 1
    # the start wrote the hospital's lines; ensure_lines adds nothing to it (not the hub's)
    service.ensure_lines(application)
    assert application.lines.filter(designation__isnull=True).count() == 0
    assert application.lines.count() == 3


@pytest.fixture
def two_hospitals_decided(client, own_world):
    """甲病院 (area A) and 乙病院 (area B), each its own decided application with a report."""
    w = own_world
    out = {}
    for contact, institution in ((w.hospital, w.hospital_a), (w.hospital_b_contact, w.hospital_b)):
        client.force_login(contact)
        application = start_hospital_application(institution, w.fiscal_year, contact)
        designation = application.lines.first().designation
        client.post(
            f"/subsidies/applications/{application.pk}/edit/", _plan_post(application, designation)
        )
        application.refresh_from_db()
        application = service.perform(application, "submit", contact, application.version)
        application = service.perform(application, "start_review", w.staff, application.version)
        application = drive.decide(application, w.staff, decision=decision_input(application))
        report = results.start_report(application, contact)
        out[institution.name] = (application, report)
    return out


def test_a_hospital_gets_404_on_another_hospitals_application_report_and_notice(
    client, own_world, two_hospitals_decided
):
    w = own_world
    b_application, b_report = two_hospitals_decided["乙病院"]
    a_application, a_report = two_hospitals_decided["甲病院"]
    decision = b_application.current_decision
    client.force_login(w.hospital)
    for url in (
        f"/subsidies/applications/{b_application.pk}/",
        f"/subsidies/applications/{b_application.pk}/edit/",
        f"/subsidies/applications/{b_application.pk}/action/withdraw/",
        f"/results/reports/{b_report.pk}/",
        f"/results/reports/{b_report.pk}/edit/",
        f"/results/applications/{b_application.pk}/start/",
        f"/reports/decisions/{decision.pk}/notice.pdf",
        f"/subsidies/payments/applications/{b_application.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/subsidies/applications/{a_application.pk}/").status_code == 200
    assert client.get(f"/results/reports/{a_report.pk}/").status_code == 200
    listed = client.get("/subsidies/applications/").content.decode()
    assert "甲病院" in listed and "乙病院" not in listed
    # nor the hub's own application of its area, nor any hub
    hub_application = application_in("draft", w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    assert client.get(f"/subsidies/applications/{hub_application.pk}/").status_code == 404
    assert not hubs_for(w.hospital).exists()
    assert list(designations_for(w.hospital)) == [w.designation_a]


def test_the_hub_sees_its_hospitals_status_and_amounts_read_only(
    client, own_world, two_hospitals_decided
):
    w = own_world
    # a second hospital of area A that has not applied yet
    DesignationFactory(area=w.area_a, hub=w.hub_a, institution__name="丙診療所")
    a_application, _ = two_hospitals_decided["甲病院"]
    client.force_login(w.coordinator)
    page = client.get("/subsidies/applications/").content.decode()
    table = page.split("積極的医療機関の申請状況｜甲拠点 令和8年度", 1)[1].split("</table>", 1)[0]
    assert f'href="/subsidies/applications/{a_application.pk}/"' in table
    # 甲病院: decided 3,252,000円 (tests/subsidies/hospital_own/test_hospital_flow.py), not
    # yet confirmed; 丙診療所: no application; 乙病院 is another hub's area
    assert "交付決定" in table and "3,252,000円" in table
    assert "丙診療所" in table and "未作成" in table
    assert "乙病院" not in table
    detail = client.get(f"/subsidies/applications/{a_application.pk}/").content.decode()
    assert "事業計画を入力・編集する" not in detail


def test_the_hubs_dashboard_row_counts_only_the_hubs_own_application(
    own_world, two_hospitals_decided
):
    w = own_world
    hubs = hubs_for(w.staff)
    built = dashboard.build(
        w.area_a.__class__.objects.all(),
        hubs,
        ActiveHospitalDesignation.objects.all(),
        w.fiscal_year,
    )
    row = next(r for r in built.hubs if r.hub_id == w.hub_a.pk)
    assert (row.application_id, row.application_status, row.decided) == (None, "未作成", None)
    assert row.report_status == "未提出"
    hospital = next(h for h in built.hospitals if h.name == "甲病院")
    assert hospital.decided == 3_252_000  # the hospital's own decision counts for it
    assert not ResultReport.objects.filter(application__institution__isnull=True).exists()
