"""額の確定: 補助所要額と差引過不足額を、福岡県の精算額調と同じ列 A〜J で計算する。

Why a pure function over plain values: the amount of public money paid to a hub or hospital
must be reproducible by hand and by an auditor, so every figure comes with the formula that
produced it (``ExplanationStep``) and a page or xlsx can print the 精算額調 line by line.
Prefectures differ in whether the rate is applied before or after the cap (MHLW vs Yamanashi),
in the rounding unit and level, and in where 総事業費 − 寄付金その他の収入額 (C) is compared
(per facility in the MHLW wording, per menu in some prefectures), so those are a fiscal
year's ``CalculationRule``, never constants. Money is integer yen; a rate other than 10/10
may leave a ``Fraction`` of a yen, kept exact until ``round_down_to_unit`` (切捨て by rule).
The figures are computed first; the explanation text is built only when a page, the xlsx or
a PDF reads ``steps`` (a year's claims are computed far more often than printed).

Symbols (Fukuoka 精算額調): A 総事業費, B 寄附金その他の収入額, C = A − B (0 when
negative), D 対象経費の実支出額, E 基準額, F = min(D, E), G 補助所要額, H 交付決定額,
I 受入額 (概算払), J 差引過不足額 = I − G (positive = 返還, negative = 精算払 of the
remainder). The intermediate steps C′, G1, G2, G3 and all the words are declared once in
subsidies/results/columns.py.

The steps, per menu then per facility (what an auditor follows on the 精算額調):
1. per menu: A, B; D = 実支出額 − 対象外経費 (its source and reason printed); E = 単価 ×
   units actually done (never more than decided: claim.py); F = min(D, E).
2. G1 = min(F, C) × rate (国: cap then rate), or G1 = min(D, C) × rate then G2 = min(G1, E)
   (補助率を先に乗じる); G3 = min(G1/G2, H) where H is decided; the menu's G is G3, rounded
   down when the rule rounds per menu. Here C is the menu's max(A − B, 0) where the rule
   compares C per menu (OtherIncomeLevel.MENU); where it compares C per facility, the menu
   is not bounded by C (step 3 is).
3. Per facility (FACILITY, the MHLW reading, default): C = max(ΣA − ΣB, 0) of the facility,
   written out with its floor. The 要綱's 補助所要額 = min(選定額, 差引額) × 補助率 taken per
   facility means the menus' amounts before the rate, Σ(G ÷ 補助率), are compared with C.
   If they fit, C bounds nothing. If not, C′ = the most the menus can be paid within C:
   C is applied to them in order of 補助率, highest first (equal rates: the 精算額調's
   order), each up to its G ÷ 補助率, and C′ = Σ part × 補助率. With one rate (the usual
   case) C′ = min(Σ min(F, H ÷ rate), C) × rate, the 要綱's formula exactly; highest rate
   first is the largest amount that keeps every menu within its F and H and the facility
   within C, so a larger expense never lowers it. How income is split across the menus
   never changes C and so never changes the amount.
4. The facility's G: ΣG of its menus (each named), within C′, rounded down once (rounding
   per facility) or Σ of the menus' rounded G within C′ rounded down (per menu).
5. The facility's H = ΣH, I the advance, J = I − G (△ when negative).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import TypeVar

from subsidies.catalogue.choices import CapRateOrder, OtherIncomeLevel, RoundingLevel
from subsidies.results.calculation.explanation import (
    ExplanationStep,
    facility_steps,
    format_rate,
    format_yen,
    menu_steps,
)
from subsidies.results.columns import (
    ADVANCE_RECEIVED,
    DECIDED_AMOUNT,
    ELIGIBLE_EXPENSE,
    OTHER_INCOME,
    TOTAL_COST,
)
from zaitaku_portal.money import Settlement

ONCE_PER_FACILITY_REASON = "一施設一回限りの補助で、過年度に交付済みのため対象外"
NO_OWN_CAP_REASON = "独自の基準額なし（他のメニューの経費の中で実施）"
_Choice = TypeVar("_Choice", CapRateOrder, RoundingLevel, OtherIncomeLevel)
Yen = int | Fraction

EXCLUDED_EXPENSE_NOTE = "市町村の在宅医療・介護連携推進事業・他の補助金で賄う分"


def round_down_to_unit(amount: Yen, unit: int) -> int:
    """端数切捨て: 交付要綱は「1,000円未満の端数は切り捨てる」と定め、四捨五入はしない。

    Truncates toward zero, so a negative amount (never produced here) would not grow either.
    """
    _require_positive_int(unit, "端数処理の単位", "unit")
    if type(amount) is int:
        return amount // unit * unit if amount >= 0 else -(-amount // unit * unit)
    return int(Fraction(amount) / unit) * unit


@dataclass(frozen=True)
class CalculationRule:
    """A fiscal year's rule: which order, to which unit and at which level to round down,
    and where C (総事業費 − 寄付金その他の収入額) is compared."""

    order: CapRateOrder = CapRateOrder.CAP_THEN_RATE
    rounding_unit: int = 1000
    rounding_level: RoundingLevel = RoundingLevel.FACILITY
    other_income_level: OtherIncomeLevel = OtherIncomeLevel.FACILITY

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
        object.__setattr__(
            self,
            "other_income_level",
            _as_enum(
                OtherIncomeLevel,
                self.other_income_level,
                "寄付金その他の収入額の比較の単位",
                "other_income_level",
            ),
        )

    @property
    def cut_text(self) -> str:
        return f"{self.rounding_unit:,}円未満切捨て"


@dataclass(frozen=True, kw_only=True)
class MenuInput:
    """One 補助メニュー of one facility for one year, as reported in the 実績報告.

    ``cap_amount`` is yen per unit, ``None`` for a menu funded within other menus.
    ``units`` counts districts (区割), trainees × half days, months, or 1 per recipient —
    at 額の確定 what was done, never more than decided; ``units_note`` says how (実績 and
    計画 side by side) and ``unit_label`` (e.g. "区割り", "人・半日", "か月") names the unit.
    ``excluded_expense`` is the part of ``actual_expense`` paid by the municipal
    在宅医療・介護連携推進事業 or another subsidy (``excluded_source``, ``excluded_reason``).
    ``earlier_grant`` names the earlier grant (year and notice number) that refuses a
    once-per-facility menu.
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
    units_note: str = ""
    excluded_source: str = ""
    excluded_reason: str = ""
    earlier_grant: str = ""

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
        for name in ("unit_label", "units_note", "excluded_source", "excluded_reason"):
            if type(getattr(self, name)) is not str:
                raise ValueError(f"{name} は文字列で指定してください: {getattr(self, name)!r}")
        if type(self.earlier_grant) is not str:
            raise ValueError(f"earlier_grant は文字列で指定してください: {self.earlier_grant!r}")

    @classmethod
    def trusted(cls, values: dict) -> MenuInput:
        """A MenuInput from a dict of every field, each value already validated where it
        was entered (the database's menus, decisions and results rows, all integer yen ≥ 0
        and Fraction rates); the dict becomes the input's __dict__. The national year
        builds 62,000 of them, and their checks would cost a third of it."""
        menu = object.__new__(cls)
        object.__setattr__(menu, "__dict__", values)
        return menu

    @property
    def refused(self) -> bool:
        return self.once_per_facility and self.already_granted_before

    @property
    def refusal_reason(self) -> str:
        if self.earlier_grant:
            return f"一施設一回限りの補助で、{self.earlier_grant}により交付済みのため対象外"
        return ONCE_PER_FACILITY_REASON


@dataclass(frozen=True, kw_only=True)
class FacilityInput:
    """Everything one recipient (hub or hospital) reports for one year."""

    recipient_name: str
    menus: tuple[MenuInput, ...]
    advance_received: int = 0

    def __post_init__(self) -> None:
        _require_text(self.recipient_name, "補助事業者名", "recipient_name")
        menus = tuple(self.menus)
        codes = set()
        for menu in menus:
            if not isinstance(menu, MenuInput):
                raise ValueError(
                    f"補助メニュー（menus）の要素が MenuInput ではありません: {menu!r}"
                )
            codes.add(menu.menu_code)
        if len(codes) != len(menus):
            listed = [menu.menu_code for menu in menus]
            duplicates = sorted({code for code in listed if listed.count(code) > 1})
            raise ValueError(
                f"補助メニューのコード（menu_code）が重複しています: {', '.join(duplicates)}"
            )
        object.__setattr__(self, "menus", menus)
        _require_yen(self.advance_received, ADVANCE_RECEIVED.label_with_note, "advance_received")

    @classmethod
    def trusted(cls, recipient_name: str, menus: tuple, advance_received: int) -> FacilityInput:
        """A FacilityInput from MenuInput.trusted menus and a validated advance: only the
        rule the database does not enforce is checked (each menu once per recipient)."""
        if len({menu.menu_code for menu in menus}) != len(menus):
            return cls(
                recipient_name=recipient_name, menus=menus, advance_received=advance_received
            )
        facility = object.__new__(cls)
        object.__setattr__(
            facility,
            "__dict__",
            {
                "recipient_name": recipient_name,
                "menus": menus,
                "advance_received": advance_received,
            },
        )
        return facility


@dataclass(frozen=True)
class FacilityBound:
    """How the facility's C bounds the sum of its menus (OtherIncomeLevel.FACILITY).

    ``need`` is what the menus' G cover before the rate (Σ G ÷ 補助率); C is applied to them
    in order of 補助率, highest first (the 精算額調's order among equal rates): ``allocation``
    lists (menu name, rate, part of C). ``bounded`` = Σ part × rate, the most the facility
    can be paid within C; with one rate it is min(ΣF, C) × rate, the 要綱's wording."""

    net_cost: int  # C = max(ΣA − ΣB, 0)
    need: Yen  # Σ (G ÷ rate) of the menus
    allocation: tuple[tuple[str, Fraction, Yen], ...]
    bounded: Yen  # C′

    @property
    def binds(self) -> bool:
        return self.net_cost < self.need


def _facility_bound(
    net_cost: int, menus: tuple[MenuResult, ...], needs: list[Yen], menus_total: Yen
) -> FacilityBound:
    """``needs`` are the menus' G ÷ 補助率, in their order."""
    need: Yen = 0
    for n in needs:
        need += n
    need = _exact(need)
    if net_cost >= need:  # the usual case: C bounds nothing
        return _built(
            FacilityBound,
            {"net_cost": net_cost, "need": need, "allocation": (), "bounded": menus_total},
        )
    left: Yen = net_cost
    allocation = []
    for m, n in sorted(zip(menus, needs, strict=True), key=lambda pair: -pair[0].source.rate):
        part = min(n, left)
        left -= part
        if part:
            allocation.append((m.menu_name, m.source.rate, part))
    bounded = _exact(sum((_times_rate(part, rate) for _, rate, part in allocation), 0))
    return FacilityBound(net_cost, need, tuple(allocation), bounded)


@dataclass(frozen=True, kw_only=True)
class MenuResult:
    """Columns A–H of one menu's line. I and J exist only per facility (one 概算払)."""

    menu_code: str
    menu_name: str
    total_cost: int  # A
    other_income: int  # B
    net_cost: int | None  # C of the menu; None where C is compared per facility
    actual_expense: int  # D before exclusion
    excluded_expense: int
    eligible_expense: int  # D
    base_amount: int  # E
    capped_expense: int  # F
    rated_amount: Yen | None  # G1 (None when refused)
    rated_within_base: Yen | None  # G2 (補助率を先に乗じる only)
    computed_amount: Yen  # G before the comparison with H
    required_amount: Yen  # G, unrounded, never above H
    required_amount_rounded: int | None  # G rounded down; only with RoundingLevel.MENU
    decided_amount: int | None  # H
    reason: str | None  # why G is 0 by rule, if it is
    source: MenuInput
    rule: CalculationRule

    @cached_property
    def steps(self) -> tuple[ExplanationStep, ...]:
        return menu_steps(self)

    @property
    def amount(self) -> Yen:
        """The G printed for this menu (rounded when the rule rounds per menu)."""
        if self.required_amount_rounded is not None:
            return self.required_amount_rounded
        return self.required_amount


@dataclass(frozen=True, kw_only=True)
class FacilityResult:
    """The facility's 精算額調: sums of the menu columns, then G, H, I and J."""

    recipient_name: str
    rule: CalculationRule
    menus: tuple[MenuResult, ...]
    total_cost: int  # A
    other_income: int  # B
    net_cost: int  # C: max(ΣA − ΣB, 0) per facility, or the sum of the menus' C
    eligible_expense: int  # D
    base_amount: int  # E
    capped_expense: int  # F
    bound: FacilityBound | None  # how C bounds the menus (per facility only)
    required_amount_unrounded: Yen  # the menus' ΣG (within C′ where C is per facility), unrounded
    required_amount: int  # G, the confirmed amount (確定額)
    decided_amount: int | None  # H, None unless every menu has one
    advance_received: int  # I
    difference: int  # J = I - G
    settlement: Settlement

    @cached_property
    def steps(self) -> tuple[ExplanationStep, ...]:
        return facility_steps(self)


def calculate_claim(facility: FacilityInput, rule: CalculationRule) -> FacilityResult:
    """The confirmed subsidy of one facility, with the 精算額調 that proves it."""
    per_menu = rule.other_income_level is OtherIncomeLevel.MENU
    cap_first = rule.order is CapRateOrder.CAP_THEN_RATE
    unit = rule.rounding_unit if rule.rounding_level is RoundingLevel.MENU else None
    results, needs = [], []
    # the sums of the columns, in the same pass (a national year has 14,000 facilities)
    total_cost = other_income = eligible = base = capped = 0
    unrounded: Yen = 0
    for source in facility.menus:
        m, need = _calculate_menu(source, rule, per_menu, cap_first, unit)
        results.append(m)
        needs.append(need)
        total_cost += m.total_cost
        other_income += m.other_income
        eligible += m.eligible_expense
        base += m.base_amount
        capped += m.capped_expense
        unrounded += m.required_amount
    menus = tuple(results)
    unrounded = _exact(unrounded)
    bound = None
    if not per_menu:
        bound = _facility_bound(max(total_cost - other_income, 0), menus, needs, unrounded)
        unrounded = bound.bounded
    if unit is None:
        total = round_down_to_unit(unrounded, rule.rounding_unit)
    else:
        total = sum(m.required_amount_rounded or 0 for m in menus)
        if bound is not None and bound.binds:
            total = min(total, round_down_to_unit(bound.bounded, rule.rounding_unit))
    # Each menu's G is already at most its H, so the total cannot exceed the sum of H.
    decided = [menu.decided_amount for menu in menus]
    decided_total = sum(decided) if menus and None not in decided else None  # type: ignore[arg-type]
    difference = facility.advance_received - total
    return _built(
        FacilityResult,
        {
            "recipient_name": facility.recipient_name,
            "rule": rule,
            "menus": menus,
            "total_cost": total_cost,
            "other_income": other_income,
            "net_cost": bound.net_cost if bound else sum(m.net_cost or 0 for m in menus),
            "eligible_expense": eligible,
            "base_amount": base,
            "capped_expense": capped,
            "bound": bound,
            "required_amount_unrounded": unrounded,
            "required_amount": total,
            "decided_amount": decided_total,
            "advance_received": facility.advance_received,
            "difference": difference,
            "settlement": Settlement.of_difference(difference),
        },
    )


def _calculate_menu(
    menu: MenuInput, rule: CalculationRule, per_menu: bool, cap_first: bool, unit: int | None
) -> tuple[MenuResult, Yen]:
    """One menu's A〜H, and its G ÷ 補助率 (what C bounds per facility); C bounds it here
    only where C is compared per menu. ``unit`` is the rounding unit where the rule rounds
    per menu (None: rounded per facility)."""
    a, b, cap, rate = menu.total_cost, menu.other_income, menu.cap_amount, menu.rate
    numerator, denominator = rate.numerator, rate.denominator  # read once: properties
    d = max(menu.actual_expense - menu.excluded_expense, 0)
    e = 0 if cap is None else cap * menu.units
    f = min(d, e)
    c = max(a - b, 0) if per_menu else None
    reason = NO_OWN_CAP_REASON if cap is None else None
    g1: Yen | None = None
    g2: Yen | None = None
    if menu.once_per_facility and menu.already_granted_before:  # MenuInput.refused
        g: Yen = 0
        reason = menu.refusal_reason
    elif cap_first:
        g = g1 = _int_times(f if c is None else min(f, c), numerator, denominator)
    else:
        g1 = _int_times(d if c is None else min(d, c), numerator, denominator)
        g = g2 = min(g1, e)
    computed = g
    h = menu.decided_amount
    if h is not None and h < g:
        g = h
    if numerator == denominator:
        need = g
    elif type(g) is int:
        need = _int_times(g, denominator, numerator)
    else:
        need = _exact(g / rate)
    result = _built(
        MenuResult,
        {
            "menu_code": menu.menu_code,
            "menu_name": menu.menu_name,
            "total_cost": a,
            "other_income": b,
            "net_cost": c,
            "actual_expense": menu.actual_expense,
            "excluded_expense": menu.excluded_expense,
            "eligible_expense": d,
            "base_amount": e,
            "capped_expense": f,
            "rated_amount": g1,
            "rated_within_base": g2,
            "computed_amount": computed,
            "required_amount": g,
            "required_amount_rounded": None if unit is None else round_down_to_unit(g, unit),
            "decided_amount": h,
            "reason": reason,
            "source": menu,
            "rule": rule,
        },
    )
    return result, need


def _built(cls, values: dict):
    """A frozen result dataclass from all its fields at once, the given dict becoming its
    __dict__: the generated __init__ sets each field through object.__setattr__, which at
    62,000 menus a year is a tenth of the time; results have no __post_init__ to skip."""
    result = object.__new__(cls)
    object.__setattr__(result, "__dict__", values)
    return result


def _exact(amount: Yen) -> Yen:
    """A Fraction that is whole yen becomes an int, so what follows stays on ints."""
    if type(amount) is Fraction and amount.denominator == 1:
        return amount.numerator
    return amount


def _times_rate(amount: Yen, rate: Fraction) -> Yen:
    """amount × 補助率, exact; an int when no fraction of a yen arises (the usual case), so
    the comparisons and formatting that follow stay on the fast integer path."""
    if type(amount) is int:
        return _int_times(amount, rate.numerator, rate.denominator)
    return _exact(amount * rate)


def _int_times(amount: int, numerator: int, denominator: int) -> Yen:
    """Whole yen × numerator ÷ denominator, exact: an int when it divides."""
    if denominator == 1:
        return amount * numerator
    whole, rest = divmod(amount * numerator, denominator)
    return whole if rest == 0 else Fraction(amount * numerator, denominator)


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
    "FacilityBound",
    "FacilityInput",
    "FacilityResult",
    "MenuInput",
    "MenuResult",
    "OtherIncomeLevel",
    "RoundingLevel",
    "Settlement",
    "calculate_claim",
    "format_rate",
    "format_yen",
    "round_down_to_unit",
]
