"""Priority tiers (段階的な補助): areas with a coverage gap first, then first-time hospitals,
then the rest, pro rata within the last tier reached (subsidies/budget/calculation.py,
reading.py). Amounts worked out by hand; 1,000円 切捨て per line (the facility's line)."""

import datetime
from fractions import Fraction

import pytest

from subsidies.applications import services as service
from subsidies.budget.calculation import (
    FIRST_TIME_TIER,
    GAP_TIER,
    OTHER_TIER,
    TIERS,
    Claim,
    allocate,
    priority_tier,
    rate_label,
)
from subsidies.budget.reading import claim_lines, gap_area_ids
from subsidies.budget.services import propose
from subsidies.models import Application, Budget
from tests.factories import coordinator_of
from tests.subsidies.factories import application_in, complete_plan, pick

UNIT = 1_000


def test_the_tier_of_a_line_and_the_documented_tie_break():
    # (in a gap area, a hospital, first time) → tier; a line that fits two takes the first
    assert priority_tier(True, True, True) == GAP_TIER  # gap and first time: the gap wins
    assert priority_tier(True, False, False) == GAP_TIER  # a hub serving a gap area
    assert priority_tier(False, True, True) == FIRST_TIME_TIER
    assert priority_tier(False, True, False) == OTHER_TIER  # a repeat hospital
    assert priority_tier(False, False, True) == OTHER_TIER  # a hub outside gap areas
    assert (GAP_TIER, FIRST_TIME_TIER, OTHER_TIER) == (1, 2, 3)


def test_gap_first_then_first_time_shared_pro_rata_and_the_rest_gets_nothing():
    # Budget part 1,000,000円.
    # Tier 1 (gap areas): G1 300,000 + G2 200,500 = 500,500 in full; 499,500 remain.
    # Tier 2 (first-time hospitals): F1 400,000 + F2 250,000 = 650,000 > 499,500, shared:
    #   rate 499,500 ÷ 650,000 = 999/1300 (76.8461…%): F1 307,384.6→307,000,
    #   F2 192,115.3→192,000, sum 499,000. The next jump is F1's 308,000 at 0.77, where
    #   F2 is 192,500→192,000: 500,000 > 499,500, so 999/1300 is the largest that fits.
    # Tier 3 (the rest): O 100,000 → 0.
    # Total 500,500 + 499,000 = 999,500 ≤ 1,000,000; 500円 unallocated.
    claims = [
        Claim("O", 100_000, OTHER_TIER),
        Claim("F1", 400_000, FIRST_TIME_TIER),
        Claim("G1", 300_000, GAP_TIER),
        Claim("F2", 250_000, FIRST_TIME_TIER),
        Claim("G2", 200_500, GAP_TIER),
    ]
    allocation = allocate(TIERS, claims, 1_000_000, UNIT)
    assert [s.amount for s in allocation.shares] == [0, 307_000, 300_000, 192_000, 200_500]
    assert (allocation.shared_tier, allocation.rate) == (FIRST_TIME_TIER, Fraction(999, 1300))
    assert rate_label(allocation.rate) == "76.8461%"
    assert (allocation.total, allocation.unallocated) == (999_500, 500)
    assert allocation.shares[1].basis == "第2順位：400,000円×76.8461%→1,000円未満切捨て"
    assert allocation.shares[0].basis == "第3順位：予算の残りなし"
    for share, claim in zip(allocation.shares, claims, strict=True):
        assert 0 <= share.amount <= claim.computed
        assert share.amount == claim.computed or share.amount % UNIT == 0


def test_a_budget_below_the_gap_tier_shares_the_gap_tier_and_nothing_after():
    # 400,000円 against tier 1 of 500,000 (250,000 + 250,000): rate 4/5, 200,000 each;
    # tiers 2 and 3 get 0.
    claims = [
        Claim("G1", 250_000, GAP_TIER),
        Claim("F", 100_000, FIRST_TIME_TIER),
        Claim("G2", 250_000, GAP_TIER),
    ]
    allocation = allocate(TIERS, claims, 400_000, UNIT)
    assert [s.amount for s in allocation.shares] == [200_000, 0, 200_000]
    assert allocation.shared_tier == GAP_TIER


def _with_hospital_line(w, hub, coordinator, designation):
    """An application under review: the hub's meeting line (400,000円, as complete_plan)
    and the hospital's システム保守 line: 12 months, expenses 300,000 × 2/3 = 200,000円
    (cap 27,000 × 12 = 324,000 not reached)."""
    application = service.start_application(hub, w.fiscal_year, coordinator)
    application = pick(application, designation, coordinator)
    plan = complete_plan(application)
    plan["lines"][f"hosp-system@{designation.pk}"].update(
        wish=True,
        planned_actions="情報共有システムの保守",
        start_year=2026,
        months=12,
        expenses={"honoraria": 300_000},
    )
    application, _ = service.save_plan(application, plan, coordinator, application.version)
    for action, user in (("submit", coordinator), ("start_review", w.staff)):
        fresh = Application.objects.get(pk=application.pk)
        service.perform(fresh, action, user, fresh.version)
    return application


@pytest.fixture
def gap_year(apps_world):
    """乙圏域 loses its only active hospital on 31 March 2026: a gap on 1 April."""
    w = apps_world
    w.designation_b.end_date = datetime.date(2026, 3, 31)
    w.designation_b.save()
    Budget.objects.create(fiscal_year=w.fiscal_year, total=500_000)
    w.a = _with_hospital_line(w, w.hub_a, w.coordinator, w.designation_a)
    w.b = application_in(
        "under_review", w.hub_b, w.fiscal_year, coordinator_of(w.hub_b, username="coord_b"), w.staff
    )
    return w


@pytest.mark.django_db
def test_lines_take_their_tier_from_the_coverage_on_the_first_of_april(gap_year):
    w = gap_year
    assert gap_area_ids(w.fiscal_year) == {w.area_b.pk}
    lines = claim_lines(w.fiscal_year, "total")
    # by hub name (乙 before 甲), then the plan's order: the hub's own line first
    assert [(line.hub, line.label, line.claim.computed, line.claim.tier) for line in lines] == [
        ("乙拠点", "多職種が参加する連携会議の開催", 400_000, GAP_TIER),
        ("甲拠点", "多職種が参加する連携会議の開催", 400_000, OTHER_TIER),
        ("甲拠点", "甲病院：システム保守", 200_000, FIRST_TIME_TIER),
    ]


@pytest.mark.django_db
def test_the_tier_proposal_fills_the_gap_area_first(gap_year):
    # 500,000円: tier 1 乙拠点 400,000 in full, 100,000 remain; tier 2 甲病院 200,000 >
    # 100,000: rate 1/2 → 100,000; tier 3 甲拠点 400,000 → 0. Sum 500,000.
    w = gap_year
    proposal = propose(w.fiscal_year, "total", TIERS, None, w.staff)
    assert [(r["hub"], r["tier"], r["amount"]) for r in proposal.lines] == [
        ("乙拠点", GAP_TIER, 400_000),
        ("甲拠点", OTHER_TIER, 0),
        ("甲拠点", FIRST_TIME_TIER, 100_000),
    ]
    assert sum(r["amount"] for r in proposal.lines) == 500_000
    assert (proposal.rate_numerator, proposal.rate_denominator) == (1, 2)
