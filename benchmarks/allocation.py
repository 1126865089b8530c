"""Benchmark: share a short budget out over a national year (issue 19).

14,000 recipients (FY2024: 1,970 hubs + 11,309 active hospitals, rounded up), each with a
computed amount between 42,000円 and 4,000,000円 (seeded, reproducible), in three priority
tiers; the budget part is 80% of the total. In the same run:

  pro rata   subsidies.budget.calculation.pro_rata (the largest rate that fits, exact)
  tiers      the same, tier by tier
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

from subsidies.budget.calculation import Claim, ceiling, pro_rata, tiers

UNIT = 1_000


def claims_of(count: int) -> list[Claim]:
    generator = random.Random(19)
    return [
        Claim(
            f"r{i:05d}",
            generator.randrange(42, 4_001) * UNIT + generator.choice((0, 500)),
            1 + i % 3,
        )
        for i in range(count)
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
    claims = claims_of(args.recipients)
    computed = [c.computed for c in claims]
    total = sum(computed)
    budget = total * 8 // 10
    print(f"{len(claims):,} recipients, computed {total:,}円, budget part {budget:,}円 (80%)")
    rows = []
    for name, function in (
        ("pro rata", lambda: pro_rata(claims, budget, UNIT)),
        ("tiers", lambda: tiers(claims, budget, UNIT)),
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
