"""The claim gathered from a decided application and its results report, by hand.

Worked case (FY2026, rule: 基準額と比較してから補助率, 1,000円未満切捨て per facility):

Hub 甲拠点 (区割り数 2 in the decided plan):
  連携会議  cap 1,060,000/か所, 10/10. Actual 報償費 700,000 + 旅費 500,000 = 1,200,000, of
            which 150,000 paid by the municipal 推進事業 → D 1,050,000; E 1,060,000;
            F 1,050,000; A 1,250,000, B 0, C 1,250,000; G 1,050,000; H 1,000,000 → G 1,000,000
            (a decided amount lower than computed).
  連携調整  cap 600,000/区割り × 2 = E 1,200,000, 10/10. D 900,000, F 900,000; A 900,000,
            B 100,000 → C 800,000 binds: G 800,000 (H 1,200,000).
  研修      cap 518,000, 1/2. D 300,999 = F; C 300,999; G 150,499.5 (H 259,000).
  ΣG = 1,950,499.5 → 1,950,000 (1,000円未満切捨て). 概算払 I 2,000,000 → J 50,000 返還.
Hospital 甲病院:
  同行訪問研修 42,000 × 3人 × 2半日 = E 252,000; D 260,000 → F 252,000 = G (H 252,000).
  看護師配置 once per facility, decided in FY2025 → G 0 with the reason.
  ΣG = 252,000; I 0 → J −252,000 (精算払 of 252,000).
The case's fiscal year compares C per menu (OtherIncomeLevel.MENU); per facility, see
tests/subsidies/results/test_money_claims.py.
Total G 2,202,000."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from subsidies.models import (
    AdvancePayment,
    Application,
    Confirmation,
    ResultReport,
    ResultReportStatus,
)
from subsidies.results import services
from subsidies.results.claim import claim_for, claim_snapshot, load_claims
from subsidies.results.reading import correction_rows, current_confirmation
from subsidies.results.rules import ClaimError, ConfirmationInput, StaleVersion
from subsidies.results.what_if import MenuChange, what_if
from tests.subsidies.approvals import drive
from tests.subsidies.results.factories import worked_case
from zaitaku_portal.audit import history_of
from zaitaku_portal.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    c = worked_case(world)
    staff = world.users[Role.PREFECTURE_STAFF]
    services.record_advance(
        c.application, staff, amount=2_000_000, paid_on=datetime.date(2026, 7, 1)
    )
    return c


def test_worked_case_line_by_line(case):
    claim = claim_for(case.application)
    hub, hospital = claim.recipients
    assert hub.recipient_name == "甲拠点" and hospital.recipient_name == "甲病院"
    menus = {m.menu_code: m for m in hub.result.menus}
    meeting = menus["w-meeting"]
    assert (meeting.total_cost, meeting.net_cost, meeting.eligible_expense) == (
        1_250_000,
        1_250_000,
        1_050_000,
    )
    assert (meeting.base_amount, meeting.capped_expense, meeting.required_amount) == (
        1_060_000,
        1_050_000,
        1_000_000,
    )
    coordination = menus["w-coord"]
    assert coordination.base_amount == 1_200_000
    assert coordination.net_cost == 800_000
    assert coordination.required_amount == 800_000
    assert float(menus["w-training"].required_amount) == 150_499.5
    assert hub.result.required_amount == 1_950_000
    assert hub.result.advance_received == 2_000_000
    assert hub.result.difference == 50_000
    assert hub.result.settlement.label == "返還"
    h = {m.menu_code.split("@")[0]: m for m in hospital.result.menus}
    assert h["w-visit"].base_amount == 252_000
    assert h["w-visit"].required_amount == 252_000
    assert h["w-nurse"].required_amount == 0
    # refused as once per facility, naming the earlier grant (FY2025 = 令和7年度, its notice)
    assert h["w-nurse"].reason == (
        "一施設一回限りの補助で、令和7年度の交付決定（7医政第1号）により交付済みのため対象外"
    )
    assert hospital.result.required_amount == 252_000
    assert hospital.result.difference == -252_000
    assert claim.total_amount == 2_202_000
    assert claim.advance_total == 2_000_000
    assert claim.decided_total == 1_000_000 + 1_200_000 + 259_000 + 252_000 + 2_000_000
    snapshot = claim_snapshot(claim)
    steps = {s[0]: s for s in snapshot["recipients"][0]["steps"]}
    assert steps["G"][3] == (
        "ΣG（連携会議の開催 1,000,000円 + 関係機関との連携、調整 800,000円 + 研修の開催 "
        "150,499.50…円 = 1,950,499.50…円） → 1,000円未満切捨て = 1,950,000円"
    )
    assert "3人×2半日" in snapshot["recipients"][1]["menus"][0]["units_text"]


def test_rule_of_the_fiscal_year_changes_the_order(case):
    """Yamanashi order: 研修 min(300,999 × 1/2, 518,000) = 150,499.5 – same here; raise the
    actual to 1,100,000: cap-then-rate gives min(1,100,000, 518,000) × 1/2 = 259,000, rate-
    then-cap gives min(550,000, 518,000) = 518,000, then H 259,000 caps it again."""
    expense = case.report.expenses.get(menu__code="w-training")
    expense.expenses = {"travel": 1_100_000}
    expense.total_cost = 1_100_000
    expense.save()
    menus = {m.menu_code: m for m in claim_for(case.application).recipients[0].result.menus}
    assert menus["w-training"].computed_amount == 259_000
    fy = case.application.fiscal_year
    fy.cap_rate_order = "rate_then_cap"
    fy.save()
    menus = {m.menu_code: m for m in claim_for(case.application).recipients[0].result.menus}
    assert menus["w-training"].computed_amount == 518_000
    assert menus["w-training"].required_amount == 259_000  # never above H


def test_first_year_of_a_once_per_facility_menu_is_paid(world):
    c = worked_case(world, with_prior_grant=False)
    hospital = claim_for(c.application).recipients[1]
    nurse = next(m for m in hospital.result.menus if m.menu_code.startswith("w-nurse"))
    assert nurse.required_amount == 1_500_000  # min(3,000,000, 4,000,000) × 1/2
    assert nurse.reason is None


def test_query_count_does_not_grow_with_applications(world):
    worked_case(world)
    with CaptureQueriesContext(connection) as one:
        load_claims(Application.objects.filter(fiscal_year__year=2026))
    from tests import factories as f

    for n in range(3):
        hub = f.HubFactory(areas=[world.area_a])
        f.coordinator_of(hub, username=f"c{n}")
        from tests.subsidies.results.factories import decided_application

        menus = list(
            Application.objects.get(hub=world.hub_a, fiscal_year__year=2026)
            .decisions.get()
            .lines.all()
        )
        decided_application(
            hub,
            menus[0].menu.fiscal_year,
            [
                (line.menu, None, line.decided_amount, {})
                for line in menus
                if not line.designation_id
            ],
            notice=f"8医政第{200 + n}号",
        )
    with CaptureQueriesContext(connection) as four:
        claims_ = load_claims(Application.objects.filter(fiscal_year__year=2026))
    assert len(claims_) == 4
    assert len(four) == len(one) <= 8


def _submit(report, user):
    return services.perform(report, "submit", user, report.version)


def test_submit_review_return_resubmit_confirm_and_correct(case, world):
    coordinator = world.users[Role.HUB_COORDINATOR]
    staff = world.users[Role.PREFECTURE_STAFF]
    report = _submit(case.report, coordinator)
    assert report.status == ResultReportStatus.SUBMITTED
    assert report.versions.count() == 1
    first = report.versions.get()
    assert first.snapshot["claim"]["total_amount"] == 2_202_000
    with pytest.raises(ValueError, match="変更できません"):
        first.save()
    report = services.perform(report, "start_review", staff, report.version)
    with pytest.raises(ClaimError) as refused:
        services.perform(report, "return", staff, report.version, reason="  ")
    assert "理由を入力してください" in refused.value.problems[0]
    report.refresh_from_db()
    assert report.status == ResultReportStatus.UNDER_REVIEW
    report = services.perform(
        report, "return", staff, report.version, reason="研修の領収書を添付してください"
    )
    assert report.status == ResultReportStatus.RETURNED
    report = services.perform(report, "resubmit", coordinator, report.version)
    assert report.versions.count() == 2
    report = services.perform(report, "start_review", staff, report.version)
    report = drive.through_approval(
        report,
        "confirm",
        staff,
        report.version,
        confirmation=ConfirmationInput("9医政第501号", datetime.date(2027, 5, 20)),
    )
    assert report.status == ResultReportStatus.CONFIRMED
    confirmation = Confirmation.objects.get()
    assert (confirmation.total_amount, confirmation.advance_total, confirmation.difference) == (
        2_202_000,
        2_000_000,
        -202_000,
    )
    assert confirmation.report_version.number == 2
    rows = {r.recipient_name: r for r in confirmation.recipients.all()}
    assert rows["甲拠点"].difference == 50_000
    assert rows["甲病院"].difference == -252_000
    with pytest.raises(ValueError, match="変更できません"):
        confirmation.save()

    # a late advance to the hospital: correct the confirmation; the difference is shown
    services.record_advance(
        case.application,
        staff,
        amount=252_000,
        paid_on=datetime.date(2027, 3, 1),
        designation=case.designation,
    )
    with pytest.raises(ClaimError):
        drive.through_approval(
            report,
            "correct",
            staff,
            report.version,
            confirmation=ConfirmationInput("9医政第502号", datetime.date(2027, 6, 1)),
        )
    report = drive.through_approval(
        report,
        "correct",
        staff,
        report.version,
        reason="甲病院への概算払の登録漏れ",
        confirmation=ConfirmationInput("9医政第502号", datetime.date(2027, 6, 1)),
    )
    second = current_confirmation(case.application)
    assert second.number == 2 and second.supersedes == confirmation
    assert second.difference == 50_000  # 2,252,000 received − 2,202,000
    assert sorted(correction_rows(second), key=lambda r: r["recipient_name"]) == [
        {"recipient_name": "甲拠点", "before": 1_950_000, "after": 1_950_000, "difference": 0},
        {"recipient_name": "甲病院", "before": 252_000, "after": 252_000, "difference": 0},
    ]
    assert second.total_amount - confirmation.total_amount == 0
    actions = [e.action for e in history_of(report)]
    assert actions.count("実績報告を提出する") == 1
    assert "差し戻す" in actions and "再提出する" in actions
    assert "確定額の訂正を起案する" in actions and "決裁する（確定額の訂正）" in actions
    assert [e.action for e in history_of(second)] == ["確定額の訂正"]


def test_illegal_transitions_are_refused(case, world):
    coordinator = world.users[Role.HUB_COORDINATOR]
    staff = world.users[Role.PREFECTURE_STAFF]
    with pytest.raises(ClaimError, match="県職員が行います"):
        services.perform(case.report, "start_review", coordinator, case.report.version)
    with pytest.raises(ClaimError, match="拠点コーディネーターが行います"):
        services.perform(case.report, "submit", staff, case.report.version)
    with pytest.raises(ClaimError, match="審査中"):
        services.perform(
            case.report,
            "confirm",
            staff,
            case.report.version,
            confirmation=ConfirmationInput("9医政第1号", datetime.date(2027, 5, 1)),
        )
    assert not Confirmation.objects.exists()


def test_incomplete_report_cannot_be_submitted(world):
    c = worked_case(world, fill=False)
    with pytest.raises(ClaimError) as refused:
        services.perform(c.report, "submit", world.users[Role.HUB_COORDINATOR], c.report.version)
    problems = "\n".join(refused.value.problems)
    assert "「（3）ア③ 抽出された連携上の課題と解決策」が未入力です。" in problems
    assert "活動実績が一件も登録されていません。" in problems
    assert c.report.versions.count() == 0
    assert ResultReport.objects.get().status == ResultReportStatus.DRAFT


def test_stale_version_saves_nothing(case, world):
    coordinator = world.users[Role.HUB_COORDINATOR]
    data = {"consultation_count": 999}
    services.save_report(case.report, data, coordinator, case.report.version)
    with pytest.raises(StaleVersion):
        services.save_report(
            case.report, {"consultation_count": 5}, coordinator, case.report.version
        )
    assert ResultReport.objects.get().consultation_count == 999


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("第501号", "「通知番号」は「8医政第1234号」の形"),
        ("8医政第100号", "既に使われています"),  # the decision's notice number
    ],
)
def test_bad_notice_number_confirms_nothing(case, world, number, message):
    coordinator = world.users[Role.HUB_COORDINATOR]
    staff = world.users[Role.PREFECTURE_STAFF]
    report = _submit(case.report, coordinator)
    report = services.perform(report, "start_review", staff, report.version)
    with pytest.raises(ClaimError) as refused:
        drive.through_approval(
            report,
            "confirm",
            staff,
            report.version,
            confirmation=ConfirmationInput(number, datetime.date(2027, 5, 1)),
        )
    assert message in refused.value.problems[0]
    assert not Confirmation.objects.exists()
    assert ResultReport.objects.get().status == ResultReportStatus.UNDER_REVIEW


def test_advance_above_decided_amount_is_refused(case, world):
    staff = world.users[Role.PREFECTURE_STAFF]
    with pytest.raises(ClaimError) as refused:
        services.record_advance(
            case.application, staff, amount=500_000, paid_on=datetime.date(2026, 8, 1)
        )
    assert "交付決定額 2,459,000円を超えます" in refused.value.problems[0]
    assert AdvancePayment.objects.count() == 1


def test_what_if_touches_no_data(case, world):
    from subsidies.models import SubsidyMenu

    fy = case.application.fiscal_year
    meeting = case.menus["meeting"]
    with CaptureQueriesContext(connection) as queries:
        result = what_if(fy, {meeting.pk: MenuChange(cap_amount=50_000, per_district=True)})
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert SubsidyMenu.objects.get(pk=meeting.pk).cap_amount == 1_060_000
    rows = {r.label: r for r in result.by_menu}
    # planned 100,000 per line: baseline min(100,000, 1,060,000); scenario 50,000 × 2 区割り
    assert rows["連携会議の開催"].baseline == 100_000
    assert rows["連携会議の開催"].scenario == 100_000
    result = what_if(fy, {meeting.pk: MenuChange(cap_amount=40_000)})
    rows = {r.label: r for r in result.by_menu}
    assert rows["連携会議の開催"].scenario == 40_000
    assert result.budget == 574_420_000
    assert result.scenario_total == result.baseline_total - 60_000
    assert [r.label for r in result.by_area] == ["甲圏域"]


@pytest.mark.parametrize(
    ("model_name", "message"),
    [
        ("ApplicationVersion", "提出された版は変更できません。"),
        ("Decision", "交付決定は変更できません。変更承認申請で新しい決定を行ってください。"),
        ("ResultReportVersion", "提出された実績報告の版は変更できません。"),
        ("Confirmation", "確定した額は変更できません。訂正は新しい額の確定で行ってください。"),
        ("ConfirmationRecipient", "確定した額は変更できません。"),
    ],
)
def test_every_record_written_once_refuses_a_second_save_with_its_own_message(model_name, message):
    import subsidies.models as models
    from subsidies.shared.records import WrittenOnce

    model = getattr(models, model_name)
    assert issubclass(model, WrittenOnce)
    record = model()
    record.pk = 1  # as if loaded from the database
    with pytest.raises(ValueError) as raised:
        record.save()
    assert str(raised.value) == message
