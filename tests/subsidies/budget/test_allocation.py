"""The three ways of sharing a short budget part out (subsidies/budget/calculation.py),
with amounts worked out by hand; the sum never exceeds the part, no share above its
computed amount, every reduced share a multiple of the rounding unit (1,000円 切捨て)."""

import random
from fractions import Fraction

import pytest

from subsidies.budget.calculation import (
    CEILING,
    PRO_RATA,
    TIERS,
    AllocationError,
    Claim,
    allocate,
    largest_ceiling,
    pro_rata_rate,
    rate_label,
)

UNIT = 1_000


def _amounts(allocation):
    return [s.amount for s in allocation.shares]


def _invariants(allocation, claims):
    assert allocation.total <= allocation.budget
    for share, claim in zip(allocation.shares, claims, strict=True):
        assert share.key == claim.key  # the order given
        assert 0 <= share.amount <= claim.computed
        assert share.amount == claim.computed or share.amount % allocation.unit == 0


def test_pro_rata_takes_the_largest_rate_that_fits():
    # A 400,000, B 300,000, C 200,000 = 900,000円 against 600,000円.
    # budget ÷ total = 2/3: A 266,666→266,000, B 200,000, C 133,333→133,000 = 599,000.
    # The next jump is A's 267,000 at 267,000/400,000 = 0.6675: B 200,250→200,000,
    # C 133,500→133,000, sum 600,000 ≤ 600,000: fits. After it A, B and C all jump at
    # 0.67 (268,000 + 201,000 + 134,000 = 603,000): too much. Rate 0.6675 = 66.7500%.
    claims = [Claim("A", 400_000), Claim("B", 300_000), Claim("C", 200_000)]
    allocation = allocate(PRO_RATA, claims, 600_000, UNIT)
    assert allocation.rate == Fraction(267, 400)
    assert rate_label(allocation.rate) == "66.7500%"
    assert _amounts(allocation) == [267_000, 200_000, 133_000]
    assert (allocation.total, allocation.unallocated) == (600_000, 0)
    assert allocation.shares[1].basis == "300,000円×66.7500%→1,000円未満切捨て"
    _invariants(allocation, claims)


def test_equal_claims_get_equal_shares_and_the_leftover_stays_unallocated():
    # 100,000 + 100,000 against 151,000: 151/200 = 0.755 gives 75,500→75,000 each =
    # 150,000; the next jump (76,000 each at 0.76) is 152,000: too much. The 1,000円 left
    # goes to neither (no "first line" gets it).
    claims = [Claim("A", 100_000), Claim("B", 100_000)]
    allocation = allocate(PRO_RATA, claims, 151_000, UNIT)
    assert _amounts(allocation) == [75_000, 75_000]
    assert allocation.unallocated == 1_000
    assert allocation.rate == Fraction(151, 200)


def test_pro_rata_within_budget_keeps_the_computed_amounts():
    claims = [Claim("A", 400_500), Claim("B", 99_999)]  # 500,499 ≤ 600,000
    allocation = allocate(PRO_RATA, claims, 600_000, UNIT)
    assert allocation.rate == 1
    assert _amounts(allocation) == [400_500, 99_999]


def test_pro_rata_does_not_depend_on_the_order():
    claims = [Claim("A", 400_000), Claim("B", 300_000), Claim("C", 200_000)]
    forward = allocate(PRO_RATA, claims, 600_000, UNIT)
    backward = allocate(PRO_RATA, claims[::-1], 600_000, UNIT)
    assert {s.key: s.amount for s in forward.shares} == {s.key: s.amount for s in backward.shares}


def test_tiers_fill_in_order_and_share_the_first_tier_that_does_not_fit():
    # 1,000,000円: tier 1 X 400,000 + Y 300,000 = 700,000 in full, 300,000 left;
    # tier 2 Z 400,000 + W 200,000 = 600,000 > 300,000: rate 300,000/600,000 = 1/2,
    # Z 200,000, W 100,000; tier 3 V gets 0.
    claims = [
        Claim("Z", 400_000, tier=2),
        Claim("X", 400_000, tier=1),
        Claim("V", 100_000, tier=3),
        Claim("Y", 300_000, tier=1),
        Claim("W", 200_000, tier=2),
    ]
    allocation = allocate(TIERS, claims, 1_000_000, UNIT)
    assert _amounts(allocation) == [200_000, 400_000, 0, 300_000, 100_000]
    assert (allocation.shared_tier, allocation.rate) == (2, Fraction(1, 2))
    assert allocation.shares[2].basis == "第3順位：予算の残りなし"
    assert allocation.total == 1_000_000
    _invariants(allocation, claims)


def test_the_ceiling_is_the_largest_that_fits():
    # 100,000 / 250,000 / 400,000 / 600,000 against 1,001,500円:
    # ceiling ≥ 100,000 (1,001,500 ÷ 4 = 250,375); ≥ 250,000 ((1,001,500 − 100,000) ÷ 3 =
    # 300,500); then (1,001,500 − 350,000) ÷ 2 = 325,750 < 400,000 → 325,000 (1,000円単位).
    # Shares 100,000 + 250,000 + 325,000 + 325,000 = 1,000,000; 1,500円 unallocated.
    claims = [Claim("a", 400_000), Claim("b", 100_000), Claim("c", 600_000), Claim("d", 250_000)]
    allocation = allocate(CEILING, claims, 1_001_500, UNIT)
    assert allocation.ceiling == 325_000
    assert _amounts(allocation) == [325_000, 100_000, 325_000, 250_000]
    assert allocation.unallocated == 1_500
    _invariants(allocation, claims)
    assert largest_ceiling([100_000, 200_000], 300_000, UNIT) is None  # all fit


def test_a_ceiling_given_by_staff_is_used_or_refused_with_the_figures():
    claims = [Claim("a", 400_000), Claim("b", 100_000), Claim("c", 600_000), Claim("d", 250_000)]
    # 300,000: 300,000 + 100,000 + 300,000 + 250,000 = 950,000 ≤ 1,000,000
    assert _amounts(allocate(CEILING, claims, 1_000_000, UNIT, ceiling=300_000)) == [
        300_000,
        100_000,
        300_000,
        250_000,
    ]
    # 400,000: 400,000 + 100,000 + 400,000 + 250,000 = 1,150,000, 150,000 over
    with pytest.raises(AllocationError) as refused:
        allocate(CEILING, claims, 1_000_000, UNIT, ceiling=400_000)
    assert str(refused.value) == (
        "上限 400,000円では合計 1,150,000円となり、予算 1,000,000円を150,000円超えます。"
        "上限を下げてください。"
    )


def _brute_force_best(computed, budget, unit):
    """Every rate where some share jumps (k × unit ÷ c, for every k), the largest sum that
    fits: the slow, obvious way, for the small cases below."""
    best = sum(c * budget // sum(computed) // unit * unit for c in computed)
    for c in computed:
        for k in range(1, c // unit + 1):
            rate = Fraction(k * unit, c)
            total = sum(x * rate.numerator // (rate.denominator * unit) * unit for x in computed)
            if total <= budget:
                best = max(best, total)
    return best


def test_pro_rata_matches_the_brute_force_on_random_small_cases():
    generator = random.Random(19)
    for _ in range(200):
        computed = [generator.randrange(1, 60) * 1_000 for _ in range(generator.randrange(1, 6))]
        budget = generator.randrange(0, sum(computed))
        rate = pro_rata_rate(computed, budget, UNIT)
        total = sum(c * rate.numerator // (rate.denominator * UNIT) * UNIT for c in computed)
        assert total == _brute_force_best(computed, budget, UNIT), (computed, budget)
        assert total <= budget
