"""Benchmark: share a short budget out over a national year (issue 19).

14,000 recipients (FY2024: 1,970 hubs + 11,309 active hospitals, rounded up), each with a
computed amount between 42,000円 and 4,000,000円 (seeded, reproducible); the first 2,000 are
hubs, the rest hospitals; each sits in one of 340 home-care areas, one in ten with a
coverage gap, and three hospitals in ten are first-time; the budget part is 80% of the
total. In the same run:

  pro rata   subsidies.budget.calculation.pro_rata (the largest rate that fits, exact)
  tiers      each line's tier (priority_tier: gap area, first-time hospital, the rest),
             then the tiers filled in order, the last one reached pro rata
  ceiling    the largest per-facility ceiling that fits
  naive      bisection of the rate over exact fractions (60 halvings, every share
             recomputed at each), and the plain rate budget ÷ total rounded down

The naive ways must never allocate more than pro rata (it is the largest that fits); the
run prints how much each leaves unallocated.

    .venv/bin/python benchmarks/allocation.py [--recipients 14000] [--repeat 5]"""

from __future__ import annotations

import argparse
import random
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from subsidies.budget.calculation import Claim, ceiling, priority_tier, pro_rata, tiers

UNIT = 1_000
HUBS, AREAS = 2_000, 340


def recipients_of(count: int) -> list[tuple[str, int, bool, bool, bool]]:
    """(key, computed, in a gap area, is a hospital, first time) per recipient, seeded."""
    generator = random.Random(19)
    gaps = set(generator.sample(range(AREAS), AREAS // 10))
    return [
        (
            f"r{i:05d}",
            generator.randrange(42, 4_001) * UNIT + generator.choice((0, 500)),
            generator.randrange(AREAS) in gaps,
            i >= HUBS,
            generator.random() < 0.3,
        )
        for i in range(count)
    ]


def claims_with_tiers(recipients) -> list[Claim]:
    return [
        Claim(key, computed, priority_tier(gap, hospital, first))
        for key, computed, gap, hospital, first in recipients
    ]


def naive_bisection(computed: list[int], budget: int, unit: int) -> tuple[Fraction, int]:
    low, high = Fraction(0), Fraction(1)
    for _ in range(60):
        middle = (low + high) / 2
        total = sum(c * middle.numerator // (middle.denominator * unit) * unit for c in computed)
        if total <= budget:
            low = middle
        else:
            high = middle
    return low, sum(c * low.numerator // (low.denominator * unit) * unit for c in computed)


def timed(function, repeat: int):
    best, result = None, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=14_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    recipients = recipients_of(args.recipients)
    claims = claims_with_tiers(recipients)
    counts = [sum(1 for c in claims if c.tier == t) for t in (1, 2, 3)]
    computed = [c.computed for c in claims]
    total = sum(computed)
    budget = total * 8 // 10
    print(f"{len(claims):,} recipients, computed {total:,}円, budget part {budget:,}円 (80%)")
    print(f"tiers: gap areas {counts[0]:,}, first-time hospitals {counts[1]:,}, rest {counts[2]:,}")
    rows = []
    for name, function in (
        ("pro rata", lambda: pro_rata(claims, budget, UNIT)),
        ("tiers", lambda: tiers(claims_with_tiers(recipients), budget, UNIT)),
        ("ceiling", lambda: ceiling(claims, budget, UNIT)),
    ):
        seconds, allocation = timed(function, args.repeat)
        assert allocation.total <= budget
        assert all(s.amount <= c.computed for s, c in zip(allocation.shares, claims, strict=True))
        rows.append((name, seconds, allocation.total, allocation.unallocated))
    seconds, (rate, naive_total) = timed(lambda: naive_bisection(computed, budget, UNIT), 1)
    rows.append(("naive bisection", seconds, naive_total, budget - naive_total))
    start = time.perf_counter()
    plain = sum(c * budget // total // UNIT * UNIT for c in computed)
    rows.append(("naive plain rate", time.perf_counter() - start, plain, budget - plain))
    for name, seconds, allocated, left in rows:
        print(
            f"{name:<17} {seconds:8.3f} s  allocated {allocated:>16,}円  unallocated {left:>9,}円"
        )
    best = rows[0][2]
    assert naive_total <= best and plain <= best, "a naive way allocated more than pro rata"
    print(
        f"pro rata rate {float(pro_rata(claims, budget, UNIT).rate):.6f}; "
        f"naive bisection {float(rate):.6f}, {best - naive_total:,}円 less allocated"
    )


if __name__ == "__main__":
    main()
