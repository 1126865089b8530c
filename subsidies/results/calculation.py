"""額の確定: 補助所要額と差引過不足額を、福岡県の精算額調と同じ列 A〜J で計算する。

Why a pure function over plain values: the amount of public money paid to a hub or hospital
must be reproducible by hand and by an auditor, so every figure comes with the formula that
produced it (``ExplanationStep``) and a page or xlsx can print the 精算額調 line by line.
Prefectures differ in whether the rate is applied before or after the cap (MHLW vs Yamanashi)
and in the rounding unit and level, so those are a fiscal year's ``CalculationRule``, never
constants. Money is integer yen and rates are ``Fraction`` so no float ever moves a yen; the
only place a fraction of a yen disappears is ``round_down_to_unit``, which is 切捨て by rule.

Symbols (Fukuoka 精算額調):
A 総事業費, B 寄附金その他の収入額, C = A - B, D 対象経費の実支出額, E 基準額, F = min(D, E),
G 補助所要額, H 交付決定額, I 受入額 (概算払), J 差引過不足額 = I - G (positive = 返還).
Their letters and words are declared once in subsidies/results/columns.py; the rule's enums
are the catalogue's model choices (subsidies/catalogue/choices.py), which need no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple, TypeVar

from subsidies.catalogue.choices import CapRateOrder, RoundingLevel
from subsidies.results.columns import (
    ADVANCE_RECEIVED,
    BASE_AMOUNT,
    CAPPED_EXPENSE,
    DECIDED_AMOUNT,
    DIFFERENCE,
    ELIGIBLE_EXPENSE,
    NET_COST,
    OTHER_INCOME,
    REQUIRED_AMOUNT,
    TOTAL_COST,
    SeisanColumn,
)
from zaitaku_portal.money import Settlement

ONCE_PER_FACILITY_REASON = "一施設一回限りの補助で、過年度に交付済みのため対象外"
NO_OWN_CAP_REASON = "独自の基準額なし（他のメニューの経費の中で実施）"
_Choice = TypeVar("_Choice", CapRateOrder, RoundingLevel)

EXCLUDED_EXPENSE_NOTE = "市町村の在宅医療・介護連携推進事業・他の補助金で賄う分"


def round_down_to_unit(amount: int | Fraction, unit: int) -> int:
    """端数切捨て: 交付要綱は「1,000円未満の端数は切り捨てる」と定め、四捨五入はしない。

    Truncates toward zero, so a negative amount (never produced here) would not grow either.
    """
    _require_positive_int(unit, "端数処理の単位", "unit")
    return int(Fraction(amount) / unit) * unit


class ExplanationStep(NamedTuple):
    """One printed line of the 精算額調: symbol, Japanese label, amount and how it was made.

    ``amount`` is ``None`` only for an H that has not been decided yet.
    """

    symbol: str
    label: str
    amount: int | Fraction | None
    formula: str


@dataclass(frozen=True)
class CalculationRule:
    """A fiscal year's rule: which order, to which unit, and at which level to round down."""

    order: CapRateOrder = CapRateOrder.CAP_THEN_RATE
    rounding_unit: int = 1000
    rounding_level: RoundingLevel = RoundingLevel.FACILITY

    def __post_init__(self) -> None:
        _require_positive_int(self.rounding_unit, "端数処理の単位", "rounding_unit")
        object.__setattr__(self, "order", _as_enum(CapRateOrder, self.order, "計算順序", "order"))
        object.__setattr__(
            self,
            "rounding_level",
            _as_enum(
                RoundingLevel, self.rounding_level, "端数処理の単位の適用先", "rounding_level"
            ),
        )


@dataclass(frozen=True, kw_only=True)
class MenuInput:
    """One 補助メニュー of one facility for one year, as reported in the 実績報告.

    ``cap_amount`` is yen per unit, ``None`` for a menu funded within other menus.
    ``units`` counts districts (区割), trainees × half days, months, or 1 per recipient;
    ``unit_label`` (e.g. "区割", "人・半日", "か月") is only for the printed formula.
    ``excluded_expense`` is the part of ``actual_expense`` paid by the municipal
    在宅医療・介護連携推進事業 or another subsidy, which is not eligible.
    """

    menu_code: str
    menu_name: str
    cap_amount: int | None
    units: int = 1
    rate: Fraction
    actual_expense: int
    excluded_expense: int = 0
    total_cost: int
    other_income: int = 0
    decided_amount: int | None = None
    once_per_facility: bool = False
    already_granted_before: bool = False
    unit_label: str = ""

    def __post_init__(self) -> None:
        _require_text(self.menu_code, "補助メニューのコード", "menu_code")
        _require_text(self.menu_name, "補助メニュー名", "menu_name")
        if self.cap_amount is not None:
            _require_yen(self.cap_amount, "基準額の単価", "cap_amount")
        _require_non_negative_int(self.units, "基準額の数量", "units")
        object.__setattr__(self, "rate", _as_rate(self.rate))
        _require_yen(self.actual_expense, ELIGIBLE_EXPENSE.label, "actual_expense")
        _require_yen(self.excluded_expense, "対象外経費", "excluded_expense")
        _require_yen(self.total_cost, TOTAL_COST.label, "total_cost")
        _require_yen(self.other_income, OTHER_INCOME.label, "other_income")
        if self.decided_amount is not None:
            _require_yen(self.decided_amount, DECIDED_AMOUNT.label, "decided_amount")
        _require_bool(self.once_per_facility, "一施設一回限りの区分", "once_per_facility")
        _require_bool(self.already_granted_before, "過年度の交付実績", "already_granted_before")
        if not isinstance(self.unit_label, str):
            raise ValueError(
                f"数量の単位名（unit_label）は文字列で指定してください: {self.unit_label!r}"
            )


@dataclass(frozen=True, kw_only=True)
class FacilityInput:
    """Everything one recipient (hub or hospital) reports for one year."""

    recipient_name: str
    menus: tuple[MenuInput, ...]
    advance_received: int = 0

    def __post_init__(self) -> None:
        _require_text(self.recipient_name, "補助事業者名", "recipient_name")
        menus = tuple(self.menus)
        for menu in menus:
            if not isinstance(menu, MenuInput):
                raise ValueError(
                    f"補助メニュー（menus）の要素が MenuInput ではありません: {menu!r}"
                )
        codes = [menu.menu_code for menu in menus]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValueError(
                f"補助メニューのコード（menu_code）が重複しています: {', '.join(duplicates)}"
            )
        object.__setattr__(self, "menus", menus)
        _require_yen(self.advance_received, ADVANCE_RECEIVED.label_with_note, "advance_received")


@dataclass(frozen=True, kw_only=True)
class MenuResult:
    """Columns A–H of one menu's line. I and J exist only per facility (one 概算払)."""

    menu_code: str
    menu_name: str
    total_cost: int  # A
    other_income: int  # B
    net_cost: int  # C
    actual_expense: int  # D before exclusion
    excluded_expense: int
    eligible_expense: int  # D
    base_amount: int  # E
    capped_expense: int  # F
    computed_amount: Fraction  # G before the comparison with H
    required_amount: Fraction  # G, unrounded, never above H
    required_amount_rounded: int | None  # G rounded down; only with RoundingLevel.MENU
    decided_amount: int | None  # H
    reason: str | None  # why G is 0 by rule, if it is
    steps: tuple[ExplanationStep, ...]


@dataclass(frozen=True, kw_only=True)
class FacilityResult:
    """The facility's 精算額調: sums of the menu columns, then G, H, I and J."""

    recipient_name: str
    rule: CalculationRule
    menus: tuple[MenuResult, ...]
    total_cost: int  # A
    other_income: int  # B
    net_cost: int  # C (sum of the menus' C, each already floored at 0)
    eligible_expense: int  # D
    base_amount: int  # E
    capped_expense: int  # F
    required_amount_unrounded: Fraction  # sum of the menus' G before facility rounding
    required_amount: int  # G, the confirmed amount (確定額)
    decided_amount: int | None  # H, None unless every menu has one
    advance_received: int  # I
    difference: int  # J = I - G
    settlement: Settlement
    steps: tuple[ExplanationStep, ...]


def calculate_claim(facility: FacilityInput, rule: CalculationRule) -> FacilityResult:
    """The confirmed subsidy of one facility, with the 精算額調 that proves it."""
    menus = tuple(_calculate_menu(menu, rule) for menu in facility.menus)
    unrounded = sum((menu.required_amount for menu in menus), Fraction(0))
    cut = f"{rule.rounding_unit:,}円未満切捨て"
    if rule.rounding_level is RoundingLevel.FACILITY:
        total = round_down_to_unit(unrounded, rule.rounding_unit)
        g_formula = f"ΣG {format_yen(unrounded)} → {cut} = {format_yen(total)}"
    else:
        rounded = [
            m.required_amount_rounded for m in menus if m.required_amount_rounded is not None
        ]
        total = sum(rounded)
        g_formula = f"Σ（メニューごとに{cut}後のG） {_sum_text(rounded)}"
    # Each menu's G is already at most its H, so the total cannot exceed the sum of H.
    decided = [menu.decided_amount for menu in menus]
    decided_total = (
        sum(h for h in decided if h is not None)
        if menus and all(h is not None for h in decided)
        else None
    )
    difference = facility.advance_received - total
    settlement = Settlement.of_difference(difference)

    def summed(col: SeisanColumn, values: list[int]) -> ExplanationStep:
        return _step(col, sum(values), _sum_text(values))

    steps = (
        summed(TOTAL_COST, [m.total_cost for m in menus]),
        summed(OTHER_INCOME, [m.other_income for m in menus]),
        summed(NET_COST, [m.net_cost for m in menus]),
        summed(ELIGIBLE_EXPENSE, [m.eligible_expense for m in menus]),
        summed(BASE_AMOUNT, [m.base_amount for m in menus]),
        summed(CAPPED_EXPENSE, [m.capped_expense for m in menus]),
        _step(REQUIRED_AMOUNT, total, g_formula, f"（{cut}）"),
        _step(
            DECIDED_AMOUNT,
            decided_total,
            _sum_text([h for h in decided if h is not None])
            if decided_total is not None
            else "未決定のメニューあり（上限なし）",
        ),
        _step(ADVANCE_RECEIVED, facility.advance_received, format_yen(facility.advance_received)),
        _step(
            DIFFERENCE,
            difference,
            f"I {format_yen(facility.advance_received)} − G {format_yen(total)} = "
            f"{format_yen(difference)}（{settlement.label}）",
        ),
    )
    return FacilityResult(
        recipient_name=facility.recipient_name,
        rule=rule,
        menus=menus,
        total_cost=sum(m.total_cost for m in menus),
        other_income=sum(m.other_income for m in menus),
        net_cost=sum(m.net_cost for m in menus),
        eligible_expense=sum(m.eligible_expense for m in menus),
        base_amount=sum(m.base_amount for m in menus),
        capped_expense=sum(m.capped_expense for m in menus),
        required_amount_unrounded=unrounded,
        required_amount=total,
        decided_amount=decided_total,
        advance_received=facility.advance_received,
        difference=difference,
        settlement=settlement,
        steps=steps,
    )


def _calculate_menu(menu: MenuInput, rule: CalculationRule) -> MenuResult:
    a, b = menu.total_cost, menu.other_income
    c = max(a - b, 0)
    d = max(menu.actual_expense - menu.excluded_expense, 0)
    e = 0 if menu.cap_amount is None else menu.cap_amount * menu.units
    f = min(d, e)
    rate = menu.rate
    reason = NO_OWN_CAP_REASON if menu.cap_amount is None else None

    if menu.cap_amount is None:
        e_formula = f"{NO_OWN_CAP_REASON}: 0円"
    else:
        e_formula = (
            f"{format_yen(menu.cap_amount)} × {menu.units:,}{menu.unit_label} = {format_yen(e)}"
        )
    ya, yb, yc, yd, ye, yf = (format_yen(v) for v in (a, b, c, d, e, f))
    steps = [
        _step(TOTAL_COST, a, ya),
        _step(OTHER_INCOME, b, yb),
        _step(NET_COST, c, f"A {ya} − B {yb} = {yc}"),
        _step(
            ELIGIBLE_EXPENSE,
            d,
            f"実支出額 {format_yen(menu.actual_expense)} − 対象外経費 "
            f"{format_yen(menu.excluded_expense)}（{EXCLUDED_EXPENSE_NOTE}） = {yd}",
        ),
        _step(BASE_AMOUNT, e, e_formula),
        _step(CAPPED_EXPENSE, f, f"min(D {yd}, E {ye}) = {yf}"),
    ]

    if menu.once_per_facility and menu.already_granted_before:
        g = Fraction(0)
        reason = ONCE_PER_FACILITY_REASON
        g_formula = f"{ONCE_PER_FACILITY_REASON}: 0円"
    elif rule.order is CapRateOrder.CAP_THEN_RATE:
        g = _times_rate(min(f, c), rate)
        g_formula = (
            f"min(F {format_yen(f)}, C {format_yen(c)}) × {format_rate(rate)} = {format_yen(g)}"
        )
    else:
        rated = _times_rate(min(d, c), rate)
        g = min(rated, e)
        g_formula = (
            f"min(min(D {format_yen(d)}, C {format_yen(c)}) × {format_rate(rate)} "
            f"= {format_yen(rated)}, E {format_yen(e)}) = {format_yen(g)}"
        )
    computed = g
    steps.append(_step(REQUIRED_AMOUNT, g, g_formula))

    h = menu.decided_amount
    if h is None:
        steps.append(_step(DECIDED_AMOUNT, None, "未決定（上限なし）"))
    else:
        steps.append(_step(DECIDED_AMOUNT, h, format_yen(h)))
        g = min(g, h)
        steps.append(
            _step(
                REQUIRED_AMOUNT,
                g,
                f"min(G {format_yen(computed)}, H {format_yen(h)}) = {format_yen(g)}",
                f"（{DECIDED_AMOUNT.label}以内）",
            )
        )

    rounded: int | None = None
    if rule.rounding_level is RoundingLevel.MENU:
        rounded = round_down_to_unit(g, rule.rounding_unit)
        cut = f"{rule.rounding_unit:,}円未満切捨て"
        steps.append(
            _step(
                REQUIRED_AMOUNT,
                rounded,
                f"{format_yen(g)} → {cut} = {format_yen(rounded)}",
                f"（{cut}）",
            )
        )

    return MenuResult(
        menu_code=menu.menu_code,
        menu_name=menu.menu_name,
        total_cost=a,
        other_income=b,
        net_cost=c,
        actual_expense=menu.actual_expense,
        excluded_expense=menu.excluded_expense,
        eligible_expense=d,
        base_amount=e,
        capped_expense=f,
        computed_amount=computed,
        required_amount=g,
        required_amount_rounded=rounded,
        decided_amount=h,
        reason=reason,
        steps=tuple(steps),
    )


def _step(
    col: SeisanColumn, amount: int | Fraction | None, formula: str, qualifier: str = ""
) -> ExplanationStep:
    """A line of the 精算額調 under its column's letter and label (subsidies/results/columns.py);
    ``qualifier`` says which G it is when G is shown more than once."""
    return ExplanationStep(col.letter, f"{col.label}{qualifier}", amount, formula)


_YEN_TEXT: dict[int, str] = {}  # the same amounts recur across a facility's steps


def _times_rate(amount: int, rate: Fraction) -> int | Fraction:
    """amount × 補助率, exact; an int when no fraction of a yen arises (the usual case), so
    the comparisons and formatting that follow stay on the fast integer path."""
    product = Fraction(amount * rate.numerator, rate.denominator)
    return product.numerator if product.denominator == 1 else product


def format_yen(amount: int | Fraction) -> str:
    """Yen with thousands separators; a fraction of a yen shows two decimals and "…"."""
    if type(amount) is int:  # the common case, first: this runs ~25 times per menu
        text = _YEN_TEXT.get(amount)
        if text is None:
            if len(_YEN_TEXT) > 50_000:
                _YEN_TEXT.clear()
            text = _YEN_TEXT[amount] = f"{amount:,}円"
        return text
    if isinstance(amount, int) or amount.denominator == 1:
        return f"{int(amount):,}円"
    sign = "-" if amount < 0 else ""
    hundredths = int(abs(amount) * 100)
    return f"{sign}{hundredths // 100:,}.{hundredths % 100:02d}…円"


def format_rate(rate: Fraction) -> str:
    """補助率 as the 要綱 writes it: 10/10, 1/2, 2/3."""
    return "10/10" if rate == 1 else f"{rate.numerator}/{rate.denominator}"


def _sum_text(values: list[int]) -> str:
    if len(values) <= 1:
        return format_yen(sum(values))
    return f"{' + '.join(format_yen(v) for v in values)} = {format_yen(sum(values))}"


def _require_yen(value: object, label: str, name: str) -> None:
    if type(value) is int and value >= 0:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{label}（{name}）は円単位の整数で指定してください: {value!r}")
    if value < 0:
        raise ValueError(f"{label}（{name}）に負の金額は指定できません: {value:,}円")


def _require_non_negative_int(value: object, label: str, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{label}（{name}）は整数で指定してください: {value!r}")
    if value < 0:
        raise ValueError(f"{label}（{name}）は0以上で指定してください: {value}")


def _require_positive_int(value: object, label: str, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{label}（{name}）は1以上の整数（円）で指定してください: {value!r}")


def _require_bool(value: object, label: str, name: str) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"{label}（{name}）は真偽値で指定してください: {value!r}")


def _require_text(value: object, label: str, name: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{label}（{name}）を入力してください: {value!r}")


def _as_rate(value: object) -> Fraction:
    if type(value) is Fraction and 0 < value.numerator <= value.denominator:
        return value  # already a valid rate (denominator is always positive): keep it
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        raise ValueError(
            f"補助率（rate）は分数（Fraction）で指定してください（小数は不可）: {value!r}"
        )
    rate = Fraction(value)
    if not 0 < rate <= 1:
        raise ValueError(f"補助率（rate）は0より大きく1以下で指定してください: {rate}")
    return rate


def _as_enum(enum: type[_Choice], value: object, label: str, name: str) -> _Choice:
    try:
        return enum(value)
    except ValueError:
        choices = "、".join(member.value for member in enum)
        raise ValueError(f"{label}（{name}）は {choices} のいずれかです: {value!r}") from None


__all__ = [
    "EXCLUDED_EXPENSE_NOTE",
    "NO_OWN_CAP_REASON",
    "ONCE_PER_FACILITY_REASON",
    "CalculationRule",
    "CapRateOrder",
    "ExplanationStep",
    "FacilityInput",
    "FacilityResult",
    "MenuInput",
    "MenuResult",
    "RoundingLevel",
    "Settlement",
    "calculate_claim",
    "format_rate",
    "format_yen",
    "round_down_to_unit",
]
