"""A decision that would exceed the year's budget (or its part) is refused at the draft and
again at the approval, with 予算額, 決定済み, この決定 and 超過額 (issue 19).

Hand working: complete_plan wishes the hub menu 「多職種が参加する連携会議の開催」 (cap
1,060,000円 per recipient, rate 10/10) with 報償費 300,000円 + 旅費 100,000円 = 400,000円;
min(1,060,000, 400,000) = 400,000円, ×1 = 400,000円, already a multiple of 1,000円. So each
hub's computed amount is 400,000円."""

import pytest

from subsidies.applications.rules import ApplicationError, decision_problems
from subsidies.catalogue.budget import budget_parts
from subsidies.models import Application, ApplicationStatus, Budget, Decision, FiscalYear
from tests.factories import coordinator_of
from tests.subsidies.approvals import drive
from tests.subsidies.factories import application_in, decision_input

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def _budget(fiscal_year, total, hub=None, hospital=None):
    Budget.objects.create(
        fiscal_year=fiscal_year, total=total, hub_part=hub, hospital_part=hospital
    )
    FiscalYear.objects.filter(pk=fiscal_year.pk).update(budget_amount=total)


def _two_under_review(w):
    a = application_in(S.UNDER_REVIEW, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    coordinator_b = coordinator_of(w.hub_b, username="coordinator_b")
    b = application_in(S.UNDER_REVIEW, w.hub_b, w.fiscal_year, coordinator_b, w.staff)
    return a, b


def _fresh(application):
    return Application.objects.get(pk=application.pk)


def test_a_decision_beyond_the_total_is_refused_with_the_figures(apps_world):
    w = apps_world
    _budget(w.fiscal_year, 700_000)
    a, b = _two_under_review(w)
    drive.decide(a, w.staff, decision=decision_input(a))
    # 決定済み 400,000円; B asks 400,000円: 800,000 − 700,000 = 100,000円 over
    problems = decision_problems(_fresh(b), decision_input(b))
    assert problems == [
        "予算（予算額）を超えるため交付決定できません: 予算額 700,000円、決定済み 400,000円、"
        "この決定 400,000円、超過額 100,000円。減額するか、予算額を見直してください。"
    ]
    with pytest.raises(ApplicationError) as refused:
        drive.decide(_fresh(b), w.staff, decision=decision_input(b))
    assert "超過額 100,000円" in " ".join(refused.value.problems)
    assert Decision.objects.count() == 1
    # reduced to the 300,000円 that remain (with its reason): 400,000 + 300,000 = 700,000
    reduced = decision_input(b, **{"hub-meeting": (300_000, "予算の範囲内で減額")})
    drive.decide(_fresh(b), w.staff, decision=reduced)
    assert _fresh(b).status == S.DECIDED
    [part] = budget_parts(w.fiscal_year)
    assert (part.amount, part.decided, part.remaining) == (700_000, 700_000, 0)


def test_a_split_budget_is_checked_per_part(apps_world):
    w = apps_world
    # 拠点分 500,000円, 医療機関分 9,500,000円 (total 10,000,000円): A's 400,000円 fits the hub
    # part; B's 400,000円 would make 800,000円, 300,000円 over 拠点分, though the total has room.
    _budget(w.fiscal_year, 10_000_000, hub=500_000, hospital=9_500_000)
    a, b = _two_under_review(w)
    drive.decide(a, w.staff, decision=decision_input(a))
    problems = decision_problems(_fresh(b), decision_input(b))
    assert len(problems) == 1
    assert "予算（拠点分）" in problems[0]
    assert (
        "予算額 500,000円、決定済み 400,000円、この決定 400,000円、超過額 300,000円" in problems[0]
    )
    hub, hospital = budget_parts(w.fiscal_year)
    assert (hub.label, hub.decided, hub.remaining) == ("拠点分", 400_000, 100_000)
    assert (hospital.label, hospital.decided, hospital.remaining) == ("医療機関分", 0, 9_500_000)


def test_two_drafts_that_fit_alone_are_checked_again_at_the_approval(apps_world):
    """Both drafts fit a 700,000円 budget on their own (決定済み 0); the first approval
    decides 400,000円, so the second approval is refused: 400,000 + 400,000 − 700,000 =
    100,000円 over."""
    w = apps_world
    _budget(w.fiscal_year, 700_000)
    a, b = _two_under_review(w)
    from subsidies.applications import services

    for application in (a, b):
        services.perform(
            application,
            "decide",
            w.staff,
            application.version,
            decision=decision_input(application),
        )
    drive.approve(_fresh(a))
    with pytest.raises(ApplicationError) as refused:
        drive.approve(_fresh(b))
    assert "超過額 100,000円" in " ".join(refused.value.problems)
    assert Decision.objects.count() == 1


def test_without_a_budget_nothing_is_refused(apps_world):
    w = apps_world
    a, _ = _two_under_review(w)
    assert budget_parts(w.fiscal_year) == []
    assert decision_problems(_fresh(a), decision_input(a)) == []


def test_the_admin_total_alone_reads_as_an_unsplit_budget(apps_world):
    w = apps_world
    FiscalYear.objects.filter(pk=w.fiscal_year.pk).update(budget_amount=300_000)
    a, _ = _two_under_review(w)
    # 400,000円 against 300,000円: 100,000円 over
    [problem] = decision_problems(_fresh(a), decision_input(a))
    assert "予算額 300,000円、決定済み 0円、この決定 400,000円、超過額 100,000円" in problem
