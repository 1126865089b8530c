"""Setting (b) end to end: hospital 甲病院 starts its own application from its home page,
enters its plan, submits; staff review and decide it through 決裁; the notice is addressed
to the hospital's 開設者 and 代表者; the hospital reports its results, staff confirm the
amount (額の確定), the hospital files its 精算払 request.

Worked case (FY2026 catalogue of tests/subsidies/factories.py; the year's rule: 基準額と比較
してから補助率, 1,000円未満切捨て per facility, DOMAIN.md "How the amount is calculated"):

Plan of 甲病院 (its own lines only, no hub menus):
  同行訪問等研修 42,000円 × 3人 × 2半日 = 基準額 252,000; 予定経費 報償費 200,000 + 旅費
      60,000 = 260,000 → min(252,000, 260,000) = 252,000 × 10/10 = 252,000.
  病状変化時の受入態勢確保 4,000,000円 (once per facility); 賃金 3,000,000 →
      min(4,000,000, 3,000,000) = 3,000,000 × 10/10 = 3,000,000.
  交付決定額 252,000 + 3,000,000 = 3,252,000円 (already whole thousands).
Results:
  同行訪問等研修 done 3人 × 2半日 → E 252,000; D = 報償費 180,000 + 旅費 60,000 = 240,000;
      A 240,000, B 0, C 240,000 → G = min(240,000, 252,000, 240,000) = 240,000.
  受入態勢確保 E 4,000,000; D = 賃金 2,800,500 → F 2,800,500; C 2,800,500 → 2,800,500.
  ΣG = 3,040,500 → 3,040,000 (per facility, 1,000円未満切捨て); ≤ H 3,252,000.
  No 概算払: the 精算払 due is the whole 3,040,000円."""

import datetime
import subprocess

import pytest
from django.urls import reverse

from reports.documents import confirmation_notice_for, decision_notice_for
from subsidies.applications import reading
from subsidies.applications import services as service
from subsidies.applications.rules import ApplicationError
from subsidies.models import (
    Application,
    ApplicationStatus,
    Confirmation,
    PaymentRequest,
    ResultReport,
    ResultReportStatus,
)
from subsidies.payments import services as payments
from subsidies.results import services as results
from subsidies.results.rules import ConfirmationInput, can_start_report
from tests.subsidies.approvals import drive
from tests.subsidies.factories import decision_input

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    )
    return "".join(out.stdout.decode().split())


def _prefixes(application) -> dict[str, str]:
    """The plan form's field prefix of each line (PlanForm numbers the lines in order)."""
    return {
        reading.key_of(line): f"l{index}-"
        for index, line in enumerate(reading.lines_of(application))
    }


def _plan_post(application, designation) -> dict:
    p = _prefixes(application)
    training, nurse = p[f"hosp-training@{designation.pk}"], p[f"hosp-nurse@{designation.pk}"]
    return {
        "version": application.version,
        "hospital_other_actions": "",
        "hospital_other_actions_start_year": "",
        f"{training}wish": "on",
        f"{training}planned_actions": "訪問看護師の同行訪問研修を年2回",
        f"{training}start_year": "2026",
        f"{training}trainees": "3",
        f"{training}half_days": "2",
        f"{training}expense_honoraria": "200000",
        f"{training}expense_travel": "60000",
        f"{training}other_income": "0",
        f"{nurse}wish": "on",
        f"{nurse}planned_actions": "退院調整看護師を1名新規配置",
        f"{nurse}start_year": "2026",
        f"{nurse}expense_wages": "3000000",
        f"{nurse}other_income": "0",
        "save": "1",
    }


def _started(client, w) -> Application:
    home = client.get("/subsidies/applications/")
    assert home.status_code == 200
    assert "甲病院の令和8年度交付申請を作成する" in home.content.decode()
    response = client.post(f"/subsidies/applications/new/hospital/{w.hospital_a.pk}/2026/")
    application = Application.objects.get(institution=w.hospital_a, fiscal_year=w.fiscal_year)
    assert response.status_code == 302
    assert response["Location"] == f"/subsidies/applications/{application.pk}/edit/"
    return application


def test_the_hospital_applies_and_is_decided_and_noticed_as_its_own_grantee(client, own_world):
    w = own_world
    client.force_login(w.hospital)
    application = _started(client, w)
    assert application.hub == w.hub_a and application.recipient == w.hospital_a
    # its own lines only: one per hospital menu of the year, none of the hub's
    assert sorted(line.menu.code for line in application.lines.all()) == [
        "hosp-nurse",
        "hosp-system",
        "hosp-training",
    ]
    assert {line.designation for line in application.lines.all()} == {w.designation_a}

    edit = client.get(f"/subsidies/applications/{application.pk}/edit/").content.decode()
    assert "会議体（様式4-③）" not in edit and "拠点の補助メニュー" not in edit
    assert "拠点のその他取り組み事項" not in edit

    response = client.post(
        f"/subsidies/applications/{application.pk}/edit/",
        _plan_post(application, w.designation_a),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    application.refresh_from_db()
    assert reading.plan_view(application).grand_total == 3_252_000
    assert application.lines.get(menu__code="hosp-training").entered_by in (None, w.hospital)

    submit = client.post(
        f"/subsidies/applications/{application.pk}/action/submit/",
        {"version": application.version},
    )
    assert submit.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    # staff review and decide it as any application (queue, 起案, 決裁)
    client.force_login(w.staff)
    queue = client.get("/subsidies/review/").content.decode()
    assert "甲病院" in queue
    application = service.perform(application, "start_review", w.staff, application.version)
    decided = drive.decide(application, w.staff, decision=decision_input(application))
    assert decided.status == ApplicationStatus.DECIDED
    decision = decided.current_decision
    assert decision.total_amount == 3_252_000

    notice = decision_notice_for(decision)
    assert (notice.addressee_organisation, notice.addressee_title, notice.addressee_name) == (
        "医療法人甲会",
        "理事長",
        "甲野 一郎",
    )
    client.force_login(w.hospital)
    pdf = client.get(f"/reports/decisions/{decision.pk}/notice.pdf")
    assert pdf.status_code == 200
    text = text_of(pdf.content)
    assert "医療法人甲会理事長甲野一郎様" in text
    assert "3,252,000円" in text
    assert "甲拠点" not in text
    assert (
        "甲病院" in pdf["Content-Disposition"]
        or "%E7%94%B2%E7%97%85%E9%99%A2" in (pdf["Content-Disposition"])
    )


@pytest.fixture
def decided(client, own_world):
    """The worked case's application of 甲病院, decided at 3,252,000円."""
    w = own_world
    client.force_login(w.hospital)
    application = _started(client, w)
    client.post(
        f"/subsidies/applications/{application.pk}/edit/",
        _plan_post(application, w.designation_a),
    )
    application.refresh_from_db()
    application = service.perform(application, "submit", w.hospital, application.version)
    application = service.perform(application, "start_review", w.staff, application.version)
    return drive.decide(application, w.staff, decision=decision_input(application))


def _report_data(report) -> dict:
    d = report.application.lines.first().designation_id
    return {
        "consultation_hours_per_week": 10,
        "consultation_count": 12,
        "issues_and_solutions": "夜間の受入れ調整が課題。連絡票を作成した。",
        "coordinator_role": "退院調整看護師が地域の診療所との調整を担った",
        "usefulness": "急変時の受入れが円滑になった",
        "problems": "特になし",
        "expenses": {
            f"hosp-training@{d}": {
                "expenses": {"honoraria": 180_000, "travel": 60_000},
                "total_cost": 240_000,
            },
            f"hosp-nurse@{d}": {"expenses": {"wages": 2_800_500}, "total_cost": 2_800_500},
        },
    }


def test_results_confirmation_and_payment_request_of_the_hospital(client, own_world, decided):
    w = own_world
    application = decided
    client.force_login(w.hospital)
    started = client.post(f"/results/applications/{application.pk}/start/")
    report = ResultReport.objects.get(application=application)
    assert (
        started.status_code == 302 and started["Location"] == f"/results/reports/{report.pk}/edit/"
    )
    assert client.get(f"/results/reports/{report.pk}/edit/").status_code == 200
    assert client.get(f"/results/reports/{report.pk}/activities/new/").status_code == 200
    report, _ = results.save_report(report, _report_data(report), w.hospital, report.version)
    results.add_activity(
        report,
        {
            "kind": "accompanied_visit",
            "title": "同行訪問研修",
            "designation": w.designation_a,
            "held_on": datetime.date(2026, 9, 10),
            "trainees": 3,
            "half_days": 2,
            "trainee_type": "doctors",
            "training_site": "active",
        },
        w.hospital,
        report.version,
    )
    report.refresh_from_db()
    detail = client.get(f"/results/reports/{report.pk}/").content.decode()
    assert "多職種連携会議の登録は" not in detail  # the hub's meeting warnings are not its
    submit = client.post(
        f"/results/reports/{report.pk}/action/submit/", {"version": report.version}
    )
    assert submit.status_code == 302, submit.content.decode()[:3000]
    report.refresh_from_db()
    assert report.status == ResultReportStatus.SUBMITTED

    report = results.perform(report, "start_review", w.staff, report.version)
    report = drive.confirm(
        report,
        w.staff,
        confirmation=ConfirmationInput("8医政第9001号", datetime.date(2027, 5, 10)),
    )
    assert report.status == ResultReportStatus.CONFIRMED
    confirmation = Confirmation.objects.get(application=application)
    assert confirmation.total_amount == 3_040_000  # ΣG 3,040,500 → 3,040,000
    notice = confirmation_notice_for(confirmation)
    assert notice.addressee_organisation == "医療法人甲会"
    assert notice.addressee_name == "甲野 一郎"

    # 精算払: the whole confirmed amount (no 概算払), requested by the hospital itself
    request = payments.file_request(application, w.hospital, kind="settlement", amount=3_040_000)
    assert PaymentRequest.objects.get(pk=request.pk).amount == 3_040_000
    page = client.get(reverse("subsidies:payments_application", args=[application.pk]))
    assert page.status_code == 200
    pdf = client.get(reverse("reports:payment_request_pdf", args=[request.pk]))
    assert pdf.status_code == 200
    assert "医療法人甲会" in text_of(pdf.content)


def test_the_hubs_coordinator_follows_read_only(client, own_world, decided):
    w = own_world
    client.force_login(w.coordinator)
    detail = client.get(f"/subsidies/applications/{decided.pk}/").content.decode()
    assert "甲病院" in detail and "3,252,000円" in detail
    assert "事業計画を入力・編集する" not in detail
    assert (
        f"/results/applications/{decided.pk}/start/" not in client.get("/results/").content.decode()
    )
    assert client.get(f"/results/applications/{decided.pk}/start/").status_code == 403
    assert can_start_report(w.coordinator, decided) == (
        False,
        "実績報告の作成は積極的医療機関の担当者が行います。",
    )
    assert not ResultReport.objects.exists()


def test_the_hubs_coordinator_cannot_edit_or_submit_the_hospitals_draft(client, own_world):
    w = own_world
    client.force_login(w.hospital)
    application = _started(client, w)
    client.post(
        f"/subsidies/applications/{application.pk}/edit/",
        _plan_post(application, w.designation_a),
    )
    application.refresh_from_db()
    version = application.version

    client.force_login(w.coordinator)
    edit = client.get(f"/subsidies/applications/{application.pk}/edit/", follow=True)
    assert edit.redirect_chain[-1][0] == f"/subsidies/applications/{application.pk}/"
    page = edit.content.decode()
    assert "事業計画の入力は積極的医療機関の担当者が行います。" in page
    assert "事業計画を入力・編集する" not in page
    post = client.post(
        f"/subsidies/applications/{application.pk}/edit/", _plan_post(application, w.designation_a)
    )
    assert post.status_code == 302
    submit = client.post(
        f"/subsidies/applications/{application.pk}/action/submit/", {"version": version}
    )
    assert "積極的医療機関の担当者" in submit.content.decode()
    application.refresh_from_db()
    assert (application.status, application.version) == (ApplicationStatus.DRAFT, version)
    with pytest.raises(ApplicationError, match="事業計画の入力は積極的医療機関の担当者"):
        service.save_plan(application, reading.current_plan(application), w.coordinator, version)


def test_a_hospitals_report_asks_only_for_what_is_the_hospitals_to_write(
    client, own_world, decided
):
    """The hub's items (its coordinator's role, its usefulness, the area's issues, its desk
    hours) are not asked of a hospital's own report; 課題や改善点 and an activity are."""
    from subsidies.results.reading import report_problems

    w = own_world
    report = results.start_report(decided, w.hospital)
    assert report.consultation_hours_per_week is None  # the hub's desk is not copied in
    problems = report_problems(report)
    assert "「（6）課題や改善点」が未入力です。" in problems
    assert "活動実績が一件も登録されていません。" in problems
    assert not any("コーディネーター" in p or "有用性" in p or "相談" in p for p in problems)
