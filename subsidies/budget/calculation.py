"""Sharing a short budget part out (段階的な補助, seed 004): pure arithmetic on integer yen.

Each claim is one facility's computed amount within the part (the calculation's result,
already rounded); the proposal gives each a share that never exceeds it, each share a
multiple of the year's rounding unit (切捨て per facility), and the shares never sum above
the part. What is left over stays unallocated: it is never handed to "the first" claim,
so no tie-break is needed and equal claims in one tier always get equal shares. The
result does not depend on the order of the claims; `allocate` returns them in the order
given.

Methods:
- pro rata (調整率): share = ⌊computed × rate ÷ unit⌋ × unit, with the largest rate whose
  shares fit. The sum of the shares is a step function of the rate that jumps only where
  computed × rate crosses a multiple of the unit, i.e. at rates k × unit ÷ computed. The
  rate budget ÷ Σcomputed always fits (each share ≤ computed × rate); no rate above
  (budget + n × unit) ÷ Σcomputed can fit (each share > computed × rate − unit). So the
  answer is the largest jump point in between whose sum fits: the jump points there (at
  most about 2n) are sorted once and walked, adding one unit per claim that jumps. The
  rate shown is that jump point, exact (a fraction); any rate up to the next jump gives
  the same shares.
- priority tiers: tier 1 in full, then tier 2 …; the first tier that does not fit in full
  shares what remains pro rata (as above); later tiers get 0. The tiers (`priority_tier`):
  1 the lines in an area with a coverage gap, 2 first-time hospitals, 3 the rest; a line
  that fits two takes the first. Ties within the shared tier need no order (equal claims
  get equal shares, the leftover stays unallocated); the lines are listed in the order
  subsidies/budget/reading.py documents.
- per-facility ceiling (上限): share = min(computed, ceiling), with the largest ceiling, a
  multiple of the unit, that fits (or the ceiling staff give, refused if it does not fit).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import accumulate

PRO_RATA, TIERS, CEILING = "pro_rata", "tiers", "ceiling"
GAP_TIER, FIRST_TIME_TIER, OTHER_TIER = 1, 2, 3
TIER_LABELS = {
    GAP_TIER: "空白のある在宅医療圏（拠点または積極的医療機関がない）",
    FIRST_TIME_TIER: "初めて補助を受ける医療機関",
    OTHER_TIER: "その他（拠点・2年目以降の医療機関）",
}
METHOD_LABELS = {PRO_RATA: "調整率（按分）", TIERS: "優先順位", CEILING: "1施設あたりの上限"}
_SCALE = 10**24  # exact order of k×unit÷computed for computed ≤ 10^10 円 (bounds.YEN_MAX)


class AllocationError(ValueError):
    """A Japanese message for the user."""


@dataclass(frozen=True)
class Claim:
    key: str  # the line's stable key (shown, and the proposal's record)
    computed: int  # yen, ≥ 0
    tier: int = 1  # 1 first (priority tiers only)


@dataclass(frozen=True)
class Share:
    key: str
    computed: int
    amount: int
    basis: str  # the figures that produced it, in Japanese


@dataclass(frozen=True)
class Allocation:
    method: str
    budget: int
    unit: int
    shares: list[Share]
    rate: Fraction | None = None  # pro rata (and the tier shared pro rata)
    ceiling: int | None = None
    shared_tier: int | None = None

    @property
    def total(self) -> int:
        return sum(s.amount for s in self.shares)

    @property
    def unallocated(self) -> int:
        return self.budget - self.total


def priority_tier(in_gap_area: bool, is_hospital: bool, first_time: bool) -> int:
    """The tier of a line: a coverage-gap area first, then a first-time hospital, then the
    rest (a hub outside a gap area, a hospital granted in an earlier year). A line that is
    both in a gap area and a first-time hospital takes the first tier."""
    if in_gap_area:
        return GAP_TIER
    if is_hospital and first_time:
        return FIRST_TIME_TIER
    return OTHER_TIER


def rate_label(rate: Fraction) -> str:
    """The rate as a percentage cut (not rounded) to 4 decimals, e.g. 87.3456%."""
    tenths = rate.numerator * 1_000_000 // rate.denominator
    return f"{tenths // 10_000}.{tenths % 10_000:04d}%"


def pro_rata_rate(computed: list[int], budget: int, unit: int) -> Fraction:
    """The largest rate (≤ 1) whose rounded-down shares sum to at most `budget`."""
    total = sum(computed)
    if total <= budget:
        return Fraction(1)
    if budget <= 0:
        return Fraction(0)
    low = Fraction(budget, total)
    high = Fraction(budget + len(computed) * unit, total)
    fitted = sum(c * low.numerator // (low.denominator * unit) * unit for c in computed)
    points: list[tuple[int, int, int]] = []  # (order key, k × unit, computed) per jump
    for c in computed:
        if c <= 0:
            continue
        first = c * low.numerator // (low.denominator * unit) + 1
        last = min(c * high.numerator // (high.denominator * unit), c // unit)
        points.extend((k * unit * _SCALE // c, k * unit, c) for k in range(first, last + 1))
    points.sort()
    best = low
    index = 0
    while index < len(points):
        end = index
        while end < len(points) and points[end][0] == points[index][0]:
            end += 1
        fitted += unit * (end - index)
        if fitted > budget:
            break
        best = Fraction(points[index][1], points[index][2])
        index = end
    return best


def _pro_rata_shares(claims: list[Claim], budget: int, unit: int) -> tuple[list[Share], Fraction]:
    rate = pro_rata_rate([c.computed for c in claims], budget, unit)
    if rate == 1:
        return [Share(c.key, c.computed, c.computed, "計算額どおり") for c in claims], rate
    label = rate_label(rate)
    shares = []
    for c in claims:
        amount = c.computed * rate.numerator // (rate.denominator * unit) * unit
        shares.append(
            Share(c.key, c.computed, amount, f"{c.computed:,}円×{label}→{unit:,}円未満切捨て")
        )
    return shares, rate


def pro_rata(claims: list[Claim], budget: int, unit: int) -> Allocation:
    shares, rate = _pro_rata_shares(claims, budget, unit)
    return Allocation(PRO_RATA, budget, unit, shares, rate=rate)


def tiers(claims: list[Claim], budget: int, unit: int) -> Allocation:
    by_key: dict[str, Share] = {}
    remaining, rate, shared = budget, None, None
    for tier in sorted({c.tier for c in claims}):
        members = [c for c in claims if c.tier == tier]
        need = sum(c.computed for c in members)
        if shared is None and need <= remaining:
            remaining -= need
            for c in members:
                by_key[c.key] = Share(c.key, c.computed, c.computed, f"第{tier}順位：計算額どおり")
        elif shared is None:
            shares, rate = _pro_rata_shares(members, remaining, unit)
            shared = tier
            for s in shares:
                by_key[s.key] = Share(s.key, s.computed, s.amount, f"第{tier}順位：{s.basis}")
        else:
            for c in members:
                by_key[c.key] = Share(c.key, c.computed, 0, f"第{tier}順位：予算の残りなし")
    shares = [by_key[c.key] for c in claims]
    return Allocation(TIERS, budget, unit, shares, rate=rate, shared_tier=shared)


def largest_ceiling(computed: list[int], budget: int, unit: int) -> int | None:
    """The largest multiple of `unit` such that Σ min(computed, ceiling) ≤ budget; None
    when every claim fits in full."""
    ordered = sorted(c for c in computed if c > 0)
    prefix = [0, *accumulate(ordered)]
    count = len(ordered)
    for k, c in enumerate(ordered):
        ceiling = max(budget - prefix[k], 0) // (count - k) // unit * unit
        if ceiling < c:
            return ceiling
    return None


def ceiling(claims: list[Claim], budget: int, unit: int, given: int | None = None) -> Allocation:
    computed = [c.computed for c in claims]
    limit = given if given is not None else largest_ceiling(computed, budget, unit)
    if given is not None:
        need = sum(min(c, given) for c in computed)
        if need > budget:
            raise AllocationError(
                f"上限 {given:,}円では合計 {need:,}円となり、予算 {budget:,}円を"
                f"{need - budget:,}円超えます。上限を下げてください。"
            )
    shares = []
    for c in claims:
        if limit is None or c.computed <= limit:
            shares.append(Share(c.key, c.computed, c.computed, "計算額どおり（上限以内）"))
        else:
            shares.append(Share(c.key, c.computed, limit, f"上限 {limit:,}円"))
    return Allocation(CEILING, budget, unit, shares, ceiling=limit)


def allocate(method: str, claims: list[Claim], budget: int, unit: int, **options) -> Allocation:
    if budget < 0 or unit < 1:
        raise AllocationError("予算額と端数処理の単位を確認してください。")
    if method == PRO_RATA:
        return pro_rata(claims, budget, unit)
    if method == TIERS:
        return tiers(claims, budget, unit)
    if method == CEILING:
        return ceiling(claims, budget, unit, options.get("ceiling"))
    raise AllocationError("配分の方法を選択してください。")
