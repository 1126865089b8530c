"""Setting (a) of issue 18 from the plan to 額の確定: the hub picks 甲病院, the hospital's
contact enters its accompanied-visit training line, the hub submits, staff decide, and the
results' calculation (額の確定) takes the hospital line from the decision."""

import pytest

from subsidies.applications import reading
from subsidies.applications import services as service
from subsidies.models import ApplicationStatus
from subsidies.results import services as results
from subsidies.results.claim import claim_for
from tests.subsidies.approvals import drive
from tests.subsidies.factories import complete_plan, decision_input
from tests.subsidies.hospital_lines.helpers import fresh, pick, started
from tests.subsidies.results.factories import fill_report
from zaitaku_portal.models import Role

pytestmark = pytest.mark.django_db


def test_a_hospital_line_entered_by_the_hospital_is_decided_and_confirmed(apps_world):
    w = apps_world
    contact = w.users[Role.HOSPITAL]
    d = w.designation_a.pk
    key = f"hosp-training@{d}"
    application = started(w)
    pick(application, w.designation_a, w.coordinator)
    service.save_hospital_lines(
        fresh(application),
        w.designation_a,
        {
            "lines": {
                key: {
                    "wish": True,
                    "planned_actions": "訪問看護師との同行訪問研修",
                    "start_year": 2026,
                    "trainees": 3,
                    "half_days": 2,
                    "other_income": 0,
                    "expenses": {"honoraria": 200_000, "travel": 60_000},
                }
            }
        },
        contact,
        fresh(application).version,
    )
    plan = complete_plan(fresh(application))  # the hub's meeting line: 400,000円
    service.save_plan(fresh(application), plan, w.coordinator, fresh(application).version)
    # the coordinator's save did not touch the hospital's line: still entered by its contact
    assert fresh(application).lines.get(menu__code="hosp-training").entered_by == contact
    # 同行訪問等研修: cap 42,000 × 3人 × 2半日 = 252,000; expenses 260,000; rate 1/1 →
    # min(260,000, 252,000) = 252,000円. The hub: 400,000円 (complete_plan). Total 652,000円.
    view = reading.plan_view(fresh(application))
    assert view.amounts[key].computed_amount == 252_000
    assert view.grand_total == 652_000
    service.perform(fresh(application), "submit", w.coordinator, fresh(application).version)
    service.perform(fresh(application), "start_review", w.staff, fresh(application).version)
    drive.decide(fresh(application), w.staff, decision=decision_input(fresh(application)))
    decided = fresh(application)
    assert decided.status == ApplicationStatus.DECIDED
    decision = decided.current_decision
    hospital_line = decision.lines.get(menu__code="hosp-training")
    assert hospital_line.designation_id == d and hospital_line.decided_amount == 252_000
    assert decision.total_amount == 652_000
    # results: 甲病院 spent 250,000 and trained 3人 × 2半日 as planned. 額の確定 (DOMAIN.md):
    # E = 42,000 × min(done 6, planned 6) = 252,000; D 250,000 → F = min(D, E) = 250,000 ×
    # 1/1 = 250,000円 for the hospital.
    report = results.start_report(decided, w.coordinator)
    fill_report(
        report,
        {
            "hub-meeting": {"expenses": {"honoraria": 300_000, "travel": 100_000}},
            key: {"expenses": {"honoraria": 250_000}, "total_cost": 250_000},
        },
    )
    report.activities.create(
        kind="accompanied_visit",
        title="同行訪問研修",
        designation=w.designation_a,
        trainees=3,
        half_days=2,
    )
    claim = claim_for(fresh(application))
    hospital = next(r for r in claim.recipients if r.designation_id == d)
    assert hospital.recipient_name == "甲病院"
    assert hospital.result.required_amount == 250_000
