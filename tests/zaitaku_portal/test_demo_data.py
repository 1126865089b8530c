import pytest
from django.core.management import call_command

from hospitals.models import ActiveHospitalDesignation, MedicalInstitution
from hubs.models import Hub
from subsidies.models import FiscalYear
from zaitaku_portal.models import HomeCareArea, Municipality, Role, SecondaryMedicalArea, User


@pytest.mark.django_db
def test_seed_demo_builds_okinawa_and_prints_one_login_per_role(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    for role in Role:
        assert role.label in out
    assert "demo-pass-2026" in out
    assert SecondaryMedicalArea.objects.count() == 5
    assert Municipality.objects.count() == 41
    assert HomeCareArea.objects.count() == 7
    assert set(Hub.objects.values_list("name", flat=True)) == {
        "北部地区医師会",
        "中部地区医師会",
        "南部地区医師会",
        "那覇市医師会",
        "浦添市医師会",
        "宮古島市",
        "石垣市",
        "竹富町",
    }
    assert list(FiscalYear.objects.values_list("year", flat=True)) == [2026, 2024]
    assert {u.role for u in User.objects.all()} == set(Role)
    assert User.objects.get(username="ken").check_password("demo-pass-2026")
    # One institution's check digit is deliberately wrong, to show the review badge.
    assert MedicalInstitution.objects.filter(code_check_passed=False).count() == 1
    # 八重山 has hubs but no active hospital: the demo shows a coverage gap.
    assert not ActiveHospitalDesignation.objects.filter(area__name="八重山").exists()


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo")
    counts = (Hub.objects.count(), MedicalInstitution.objects.count(), User.objects.count())
    call_command("seed_demo")
    assert counts == (
        Hub.objects.count(),
        MedicalInstitution.objects.count(),
        User.objects.count(),
    )


@pytest.mark.django_db
def test_demo_has_a_finished_year_for_the_dashboards_to_compare_with(client):
    """令和6年度 went through the real services for every hub: decided, reported, confirmed;
    the dashboards show it and its trend beside 令和8年度."""
    from django.db.models import Sum

    from reports import dashboard
    from subsidies.models import Activity, Application, Confirmation, Decision
    from zaitaku_portal import scopes

    call_command("seed_demo")
    every = Application.objects.filter(fiscal_year__year=2024)
    applications = every.filter(institution=None)  # the hubs'; the hospitals' are below
    assert applications.count() == Hub.objects.count() == 8
    assert set(applications.values_list("status", flat=True)) == {"decided"}
    assert set(applications.values_list("result_report__status", flat=True)) == {"confirmed"}
    # the execution counts the hospitals' own decisions too (in their hubs' areas)
    decided = Decision.objects.filter(application__in=every).aggregate(t=Sum("total_amount"))
    confirmed = Confirmation.objects.filter(application__in=applications)
    assert confirmed.count() == 8
    for record in confirmed:  # spent 81-100% of the decision: never more than decided
        assert 0 < record.total_amount <= record.decided_total
        assert record.difference == record.advance_total - record.total_amount
    assert Activity.objects.filter(report__application__in=applications).count() > 40
    # the finished year shows its own dates (the audit log keeps when the demo was built)
    assert {a.submitted_at.year for a in applications} == {2024}
    assert {c.confirmed_at.year for c in confirmed} == {2025}
    staff = User.objects.get(username="ken")
    per_menu, per_area = dashboard.budget_execution(
        FiscalYear.objects.get(year=2024), scopes.hubs_for(staff)
    )
    assert sum(row.decided for row in per_area) == decided["t"] == sum(r.decided for r in per_menu)
    assert sum(row.refunded for row in per_area) > 0  # advances above the confirmed amounts
    board = dashboard.build(
        scopes.areas_for(staff),
        scopes.hubs_for(staff),
        scopes.designations_for(staff),
        FiscalYear.objects.get(year=2024),
    )
    assert any(row.meetings_behind_plan for row in board.hubs)  # held fewer than planned
    assert any(row.meetings_short for row in board.hubs)  # below the national four
    assert [point["year"] for point in board.trend] == [2024, 2026]
    client.force_login(User.objects.get(username="hc-chubu"))
    page = client.get("/reports/dashboard/?year=2024").content.decode()
    assert "計画まであと2回" in page  # 中部: 4 held of 6 planned
    call_command("seed_demo")  # twice: the year is not made again
    assert Application.objects.filter(fiscal_year__year=2024).count() == 8 + 2


@pytest.mark.django_db
def test_demo_has_a_year_of_each_setting_and_hospital_logins(client):
    """Issue 18: 令和8年度 is setting (a) (the hub applies for its hospitals), 令和6年度 setting
    (b): the two demo hospitals (chubu-byoin, naha-byoin) applied themselves, were decided with
    their notice and confirmed; their contacts log in to their own application only."""
    from subsidies.models import Application, Confirmation

    call_command("seed_demo")
    assert FiscalYear.objects.get(year=2026).hospital_plan_form == "lines"
    assert FiscalYear.objects.get(year=2024).hospital_plan_form == "counts"
    for username, area in (("chubu-byoin", "中部"), ("naha-byoin", "那覇市")):
        user = User.objects.get(username=username)
        assert user.role == Role.HOSPITAL and user.check_password("demo-pass-2026")
        institution = user.hospital_contacts.get().institution
        assert institution.designations.filter(area__name=area, status="active").exists()
        own = Application.objects.get(institution=institution, fiscal_year__year=2024)
        assert own.status == "decided" and own.current_decision.notice_number
        assert own.hub == institution.designations.get().hub
        assert Confirmation.objects.filter(application=own).exists()
        # the hub plans of 令和6年度 hold no hospital line: the hospitals applied themselves
        assert (
            not own.hub.applications.get(fiscal_year__year=2024, institution=None)
            .lines.exclude(designation=None)
            .exists()
        )
        client.force_login(user)
        assert client.get(f"/subsidies/applications/{own.pk}/").status_code == 200
        other = Application.objects.filter(fiscal_year__year=2024).exclude(pk=own.pk).first()
        assert client.get(f"/subsidies/applications/{other.pk}/").status_code == 404
        notice = client.get(f"/reports/decisions/{own.current_decision.pk}/notice.pdf")
        assert notice.status_code == 200 and notice["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_demo_leaves_an_application_at_each_step_of_the_procedure():
    """Issue 15: every step can be tried from README's logins (password demo-pass-2026): the
    coordinator of each 令和8年度 application logs in, and the notices print the issuer's
    name and 公印省略."""
    from django.utils import timezone

    from subsidies.models import (
        Application,
        Approval,
        DiscontinuationRequest,
        PaymentRequest,
        RefundOrder,
        ResultReport,
        Withdrawal,
    )
    from subsidies.payments.reading import overdue_orders

    call_command("seed_demo")
    fy = FiscalYear.objects.get(year=2026)
    assert (fy.issuer_name, fy.seal_line) == ("沖縄 花子（架空）", "（公印省略）")
    steps = {
        a.hub.name: (a.status, a.is_change_request)
        for a in Application.objects.filter(fiscal_year=fy).select_related("hub")
    }
    assert steps == {
        "中部地区医師会": ("draft", False),  # a draft to fill (chubu)
        "北部地区医師会": ("submitted", False),  # awaiting review (hokubu)
        "那覇市医師会": ("resubmitted", False),  # returned once, awaiting review (naha)
        "竹富町": ("awaiting_approval", False),  # drafted by ken, kacho approves (yaeyama)
        "石垣市": ("decided", False),  # its results report to submit (yaeyama)
        "南部地区医師会": ("submitted", True),  # decided, 変更承認申請 pending (nanbu)
        "浦添市医師会": ("withdrawn", False),  # 取下げ before the decision (urasoe)
        "宮古島市": ("decided", False),  # 中止承認申請 pending (miyako)
    }
    by_hub = {a.hub.name: a for a in Application.objects.filter(fiscal_year=fy)}
    logins = {  # each step's coordinator (README's table) can log in
        "中部地区医師会": "chubu",
        "北部地区医師会": "hokubu",
        "那覇市医師会": "naha",
        "竹富町": "yaeyama",
        "石垣市": "yaeyama",
        "南部地区医師会": "nanbu",
        "浦添市医師会": "urasoe",
        "宮古島市": "miyako",
    }
    for name, username in logins.items():
        user = User.objects.get(username=username)
        assert by_hub[name].hub.coordinators.filter(user=user).exists(), name
        assert user.check_password("demo-pass-2026"), name
    assert by_hub["南部地区医師会"].current_decision.notice_number == "8医政第1202号"
    assert Withdrawal.objects.get(application=by_hub["浦添市医師会"]).kind == "before"
    pending = DiscontinuationRequest.objects.get(application=by_hub["宮古島市"])
    assert (pending.state, pending.kind) == ("pending", "suspend")
    draft = Approval.objects.get(state="pending")  # the one draft in kacho's queue
    assert draft.application == by_hub["竹富町"]
    assert ResultReport.objects.get(application__fiscal_year=fy).application == by_hub["石垣市"]
    # refunds past their due date, shown to staff and to the grantee (hokubu, naha, miyako)
    overdue = overdue_orders(RefundOrder.objects.all(), timezone.localdate())
    assert {o.application.hub.name for o in overdue} >= {"北部地区医師会", "那覇市医師会"}
    counts = (
        Application.objects.count(),
        ResultReport.objects.count(),
        PaymentRequest.objects.count(),
        RefundOrder.objects.count(),
        Approval.objects.count(),
    )
    call_command("seed_demo")  # twice: nothing is made again
    assert counts == (
        Application.objects.count(),
        ResultReport.objects.count(),
        PaymentRequest.objects.count(),
        RefundOrder.objects.count(),
        Approval.objects.count(),
    )
