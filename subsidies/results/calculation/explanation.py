"""The 精算額調's words: each step of subsidies.results.calculation written out, built only
when a page, the xlsx or a PDF reads ``MenuResult.steps`` / ``FacilityResult.steps``.

One symbol per step (columns.py: A〜J and the intermediate C′, G1, G2, G3). Negative
amounts are written with △ (C before its floor, J when the prefecture still pays)."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, NamedTuple

from subsidies.catalogue.choices import CapRateOrder, RoundingLevel
from subsidies.results.columns import (
    ADVANCE_RECEIVED,
    BASE_AMOUNT,
    CAPPED_EXPENSE,
    DECIDED_AMOUNT,
    DIFFERENCE,
    ELIGIBLE_EXPENSE,
    NET_COST,
    NET_COST_BOUND,
    OTHER_INCOME,
    RATED_AMOUNT,
    RATED_WITHIN_BASE,
    REQUIRED_AMOUNT,
    TOTAL_COST,
    WITHIN_DECIDED,
    SeisanColumn,
)

if TYPE_CHECKING:
    from subsidies.results.calculation import FacilityResult, MenuResult


class ExplanationStep(NamedTuple):
    """One printed line of the 精算額調: symbol, Japanese label, amount and how it was made.

    ``amount`` is ``None`` only for an H that has not been decided yet.
    """

    symbol: str
    label: str
    amount: int | Fraction | None
    formula: str


FLOOR_NOTE = "負のため0円"
NO_EXCLUSION_NOTE = "対象外経費なし"


_YEN_TEXT: dict[int, str] = {}  # the same amounts recur across a facility's steps


def format_yen(amount: int | Fraction) -> str:
    """Yen with thousands separators, negative with △; a fraction of a yen shows two
    decimals and "…" (it is kept exact until the rule rounds it down)."""
    if type(amount) is int:  # the common case, first: this runs ~40 times per menu
        text = _YEN_TEXT.get(amount)
        if text is None:
            if len(_YEN_TEXT) > 50_000:
                _YEN_TEXT.clear()
            text = _YEN_TEXT[amount] = f"△{-amount:,}円" if amount < 0 else f"{amount:,}円"
        return text
    if amount < 0:
        return f"△{format_yen(-amount)}"
    if amount.denominator == 1:
        return format_yen(int(amount))
    hundredths = int(amount * 100)
    return f"{hundredths // 100:,}.{hundredths % 100:02d}…円"


def format_rate(rate: Fraction) -> str:
    """補助率 as the 要綱 writes it: 10/10, 1/2, 2/3."""
    return "10/10" if rate == 1 else f"{rate.numerator}/{rate.denominator}"


def sum_text(values, names=None) -> str:
    """「a + b = c」; with names, each amount after its menu: 「会議 a + 研修 b = c」."""
    values = list(values)
    total = sum(values)
    if names is None:
        parts = [format_yen(v) for v in values]
    else:
        parts = [f"{name} {format_yen(v)}" for name, v in zip(names, values, strict=True)]
    if len(values) <= 1 and names is None:
        return format_yen(total)
    return f"{' + '.join(parts) or '0円'} = {format_yen(total)}"


def _step(col: SeisanColumn, amount, formula: str) -> ExplanationStep:
    return ExplanationStep(col.letter, col.label, amount, formula)


def net_cost_text(a: int, b: int) -> str:
    """C = A − B, its floor at zero written out."""
    text = f"A {format_yen(a)} − B {format_yen(b)} = {format_yen(a - b)}"
    return f"{text} → {FLOOR_NOTE}" if a < b else text


def menu_steps(m: MenuResult) -> tuple[ExplanationStep, ...]:
    src, rule = m.source, m.rule
    y = format_yen
    steps = [_step(TOTAL_COST, m.total_cost, y(m.total_cost))]
    steps.append(_step(OTHER_INCOME, m.other_income, y(m.other_income)))
    if m.net_cost is not None:
        steps.append(_step(NET_COST, m.net_cost, net_cost_text(m.total_cost, m.other_income)))
    steps.append(_step(ELIGIBLE_EXPENSE, m.eligible_expense, _eligible_text(m)))
    steps.append(_step(BASE_AMOUNT, m.base_amount, _base_text(m)))
    steps.append(
        _step(
            CAPPED_EXPENSE,
            m.capped_expense,
            f"min(D {y(m.eligible_expense)}, E {y(m.base_amount)}) = {y(m.capped_expense)}",
        )
    )
    if m.rated_amount is None:  # refused as once per facility
        steps.append(_step(DECIDED_AMOUNT, m.decided_amount, _decided_text(m.decided_amount)))
        steps.append(_step(REQUIRED_AMOUNT, 0, f"{m.reason}: 0円"))
        return tuple(steps)
    cap_first = rule.order is CapRateOrder.CAP_THEN_RATE
    first_letter, first = ("F", m.capped_expense) if cap_first else ("D", m.eligible_expense)
    if m.net_cost is None:  # C is compared per facility, on the facility's table (C′)
        base = f"{first_letter} {y(first)}"
    else:
        base = f"min({first_letter} {y(first)}, C {y(m.net_cost)})"
    steps.append(
        _step(
            RATED_AMOUNT, m.rated_amount, f"{base} × {format_rate(src.rate)} = {y(m.rated_amount)}"
        )
    )
    before_h, before_letter = m.rated_amount, "G1"
    if m.rated_within_base is not None:
        steps.append(
            _step(
                RATED_WITHIN_BASE,
                m.rated_within_base,
                f"min(G1 {y(m.rated_amount)}, E {y(m.base_amount)}) = {y(m.rated_within_base)}",
            )
        )
        before_h, before_letter = m.rated_within_base, "G2"
    steps.append(_step(DECIDED_AMOUNT, m.decided_amount, _decided_text(m.decided_amount)))
    if m.decided_amount is not None:
        steps.append(
            _step(
                WITHIN_DECIDED,
                m.required_amount,
                f"min({before_letter} {y(before_h)}, H {y(m.decided_amount)}) = "
                f"{y(m.required_amount)}",
            )
        )
        before_letter = "G3"
    steps.append(_step(REQUIRED_AMOUNT, m.amount, _menu_g_text(m, before_letter)))
    return tuple(steps)


def _decided_text(h: int | None) -> str:
    return "未決定（上限なし）" if h is None else format_yen(h)


def _eligible_text(m: MenuResult) -> str:
    src = m.source
    actual = f"実支出額 {format_yen(m.actual_expense)}"
    if not m.excluded_expense:
        return f"{actual}（{NO_EXCLUSION_NOTE}） = {format_yen(m.eligible_expense)}"
    source = src.excluded_source or EXCLUDED_SOURCE_FALLBACK
    why = f"。理由: {src.excluded_reason}" if src.excluded_reason else ""
    text = (
        f"{actual} − 対象外経費 {format_yen(m.excluded_expense)}"
        f"（財源: {source}{why}） = {format_yen(m.actual_expense - m.excluded_expense)}"
    )
    return f"{text} → {FLOOR_NOTE}" if m.excluded_expense > m.actual_expense else text


EXCLUDED_SOURCE_FALLBACK = "市町村の在宅医療・介護連携推進事業・他の補助金"


def _base_text(m: MenuResult) -> str:
    src = m.source
    if src.cap_amount is None:
        return f"{m.reason}: 0円"
    units = f"{src.units:,}{src.unit_label}"
    text = f"{format_yen(src.cap_amount)} × {units} = {format_yen(m.base_amount)}"
    return f"{text}（{src.units_note}）" if src.units_note else text


def _menu_g_text(m: MenuResult, before_letter: str) -> str:
    if m.rule.rounding_level is RoundingLevel.MENU:
        return (
            f"{before_letter} {format_yen(m.required_amount)} → {m.rule.cut_text} = "
            f"{format_yen(m.amount)}"
        )
    return f"= {before_letter} {format_yen(m.required_amount)}（端数は施設計で切捨て）"


def facility_steps(r: FacilityResult) -> tuple[ExplanationStep, ...]:
    menus = r.menus

    def summed(col: SeisanColumn, amount: int, values) -> ExplanationStep:
        return _step(col, amount, sum_text(values))

    if r.bound is not None:
        c_text = f"ΣA {format_yen(r.total_cost)} − ΣB {format_yen(r.other_income)} = "
        c_text += format_yen(r.total_cost - r.other_income)
        if r.total_cost < r.other_income:
            c_text += f" → {FLOOR_NOTE}"
        c_text += "（施設ごとに比較）"
    else:
        c_text = "Σ（メニューごとの C） " + sum_text([m.net_cost or 0 for m in menus])
    steps = [
        summed(TOTAL_COST, r.total_cost, [m.total_cost for m in menus]),
        summed(OTHER_INCOME, r.other_income, [m.other_income for m in menus]),
        _step(NET_COST, r.net_cost, c_text),
        summed(ELIGIBLE_EXPENSE, r.eligible_expense, [m.eligible_expense for m in menus]),
        summed(BASE_AMOUNT, r.base_amount, [m.base_amount for m in menus]),
        summed(CAPPED_EXPENSE, r.capped_expense, [m.capped_expense for m in menus]),
    ]
    names = [m.menu_name for m in menus]
    if r.bound is not None:
        steps.append(_step(NET_COST_BOUND, r.bound.bounded, _bound_text(r)))
    binds = r.bound is not None and r.bound.binds
    if r.rule.rounding_level is RoundingLevel.FACILITY:
        g_text = f"ΣG（{sum_text([m.required_amount for m in menus], names)}）"
        if binds:
            g_text = f"min({g_text}, C′ {format_yen(r.bound.bounded)})"
        g_text += f" → {r.rule.cut_text} = {format_yen(r.required_amount)}"
    else:
        g_text = f"Σ（メニューごとに{r.rule.cut_text}後の G） " + sum_text(
            [m.amount for m in menus], names
        )
        if binds:
            g_text = (
                f"min({g_text}, C′ {format_yen(r.bound.bounded)} → {r.rule.cut_text}) = "
                f"{format_yen(r.required_amount)}"
            )
    steps.append(_step(REQUIRED_AMOUNT, r.required_amount, g_text))
    steps.append(
        _step(
            DECIDED_AMOUNT,
            r.decided_amount,
            sum_text([m.decided_amount for m in menus])
            if r.decided_amount is not None
            else "未決定のメニューあり（上限なし）",
        )
    )
    steps.append(_step(ADVANCE_RECEIVED, r.advance_received, format_yen(r.advance_received)))
    steps.append(
        _step(
            DIFFERENCE,
            r.difference,
            f"I {format_yen(r.advance_received)} − G {format_yen(r.required_amount)} = "
            f"{format_yen(r.difference)}（{r.settlement.label}）",
        )
    )
    return tuple(steps)


def _bound_text(r: FacilityResult) -> str:
    """How C bounds the sum of the menus: Σ(G ÷ 補助率) against C, and where C binds, the
    part of C each menu receives (highest 補助率 first) and what it pays."""
    bound = r.bound
    need = f"Σ（各メニューの G ÷ 補助率） {format_yen(bound.need)}"
    if not bound.binds:
        return f"{need} ≤ C {format_yen(bound.net_cost)}: C による限度なし（= ΣG）"
    parts = " + ".join(
        f"{name} {format_yen(part)} × {format_rate(rate)}" for name, rate, part in bound.allocation
    )
    return (
        f"{need} > C {format_yen(bound.net_cost)}: C を補助率の高いメニューから充当 "
        f"{parts or '0円'} = {format_yen(bound.bounded)}"
    )
