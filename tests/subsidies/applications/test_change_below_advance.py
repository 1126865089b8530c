"""A change decision that lowers the amount below the advance already paid (概算払) leads to
the right refund (issue 14), end to end through the real services: decide, record the
advance, file the change request, decide it lower, report the results, confirm.

The rule (MHLW 交付要綱, DOMAIN.md "How the amount is calculated"): per facility
G = min(min(D 実支出額, E 基準額), C = A 総事業費 − B 寄付金その他の収入額) × 補助率, 1,000円未満
切捨て, never more than H, the 交付決定額 in force (the change decision's, not the first);
J = I 受入額 (the advance) − G; J > 0 is refunded (返還).

Worked by hand (hub 甲拠点, menu 多職種が参加する連携会議の開催, 1,060,000円 per recipient, 10/10):
  first decision: plan 報償費 300,000 + 旅費 100,000 = 400,000 → H₁ 400,000.
  概算払 I = 400,000 (the whole first decision, paid 2026-07-01).
  change request: plan 報償費 200,000 + 旅費 50,000 = 250,000 → H₂ 250,000 (lower than I).
  results: spent 報償費 220,000 + 旅費 50,000 = D 270,000; A 270,000, B 0 → C 270,000;
  E 1,060,000; F = min(270,000, 1,060,000) = 270,000; min(F, C) × 1 = 270,000;
  bounded by H₂ 250,000 → G 250,000 (already whole thousands).
  J = I − G = 400,000 − 250,000 = 150,000 → 返還 150,000円."""

import datetime

import pytest

from subsidies.applications import services as service
from subsidies.models import Application, ApplicationStatus, Confirmation, Decision
from subsidies.results import services as results
from subsidies.results.reading import current_decision, report_problems
from subsidies.results.rules import ConfirmationInput
from tests.subsidies.approvals import drive
from tests.subsidies.factories import application_in, complete_plan, decision_input

pytestmark = pytest.mark.django_db


def _fresh(application):
    return Application.objects.get(pk=application.pk)


def _step(application, action, user, **kwargs):
    return service.perform(application, action, user, _fresh(application).version, **kwargs)


def _decided(application, user, **kwargs):
    """Drafted by staff and approved (決裁) on the decision's date."""
    return drive.through_approval(
        application, "decide", user, _fresh(application).version, **kwargs
    )


NARRATIVE = {
    "consultation_hours_per_week": 20,
    "consultation_count": 120,
    "issues_and_solutions": "退院時の情報共有が課題。共通様式を作成した。",
    "coordinator_role": "会議の企画と関係機関の調整",
    "usefulness": "顔の見える関係ができた",
    "problems": "特になし",
}


def test_change_decision_below_the_advance_is_refunded_at_confirmation(apps_world):
    w = apps_world
    application = application_in(
        ApplicationStatus.DECIDED, w.hub_a, w.fiscal_year, w.coordinator, w.staff
    )
    assert current_decision(application).total_amount == 400_000  # H₁
    results.record_advance(application, w.staff, amount=400_000, paid_on=datetime.date(2026, 7, 1))

    # the change request, through the workflow: request, edit, submit, review, decide lower
    _step(application, "request_change", w.coordinator)
    plan = complete_plan(_fresh(application))
    plan["lines"]["hub-meeting"]["expenses"] = {"honoraria": 200_000, "travel": 50_000}
    service.save_plan(_fresh(application), plan, w.coordinator, _fresh(application).version)
    _step(application, "submit", w.coordinator)
    _step(application, "start_review", w.staff)
    _decided(application, w.staff, decision=decision_input(_fresh(application)))
    second = current_decision(application)
    assert (second.number, second.total_amount) == (2, 250_000)  # H₂ < I
    assert Decision.objects.filter(application=application).count() == 2

    # the results report, through its services
    report = results.start_report(_fresh(application), w.coordinator)
    data = dict(NARRATIVE)
    data["expenses"] = {
        "hub-meeting": {
            "expenses": {"honoraria": 220_000, "travel": 50_000},
            "total_cost": 270_000,
        }
    }
    report, _ = results.save_report(report, data, w.coordinator, report.version)
    results.add_activity(
        report,
        {
            "kind": "meeting",
            "title": "第1回多職種連携会議",
            "held_on": datetime.date(2026, 6, 10),
            "meeting_kind": "多職種連携会議（全体会議）",
            "topics": ["災害時の対応"],
            "participants_by_profession": {"医師": 3, "看護師": 4},
            "participants_by_affiliation": {"病院": 2, "診療所": 5},
        },
        w.coordinator,
        report.version,
    )
    report.refresh_from_db()
    assert report_problems(report) == []
    report = results.perform(report, "submit", w.coordinator, report.version)
    report = results.perform(report, "start_review", w.staff, report.version)
    drive.through_approval(
        report,
        "confirm",
        w.staff,
        report.version,
        confirmation=ConfirmationInput("9医政第701号", datetime.date(2027, 5, 20)),
    )
    confirmation = Confirmation.objects.get(application=application)
    assert confirmation.decision == second  # the change decision is the one in force
    assert (
        confirmation.total_amount,
        confirmation.decided_total,
        confirmation.advance_total,
        confirmation.difference,
    ) == (250_000, 250_000, 400_000, 150_000)
    (hub,) = confirmation.recipients.all()
    assert (hub.required_amount, hub.difference) == (250_000, 150_000)
