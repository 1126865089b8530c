"""The amount each plan line would get, under the fiscal year's rule.

Pure functions over plain values (no ORM): a plan line becomes a `MenuInput` of
subsidies.results.calculation with the planned expense as both 総事業費 and 対象経費, and each
recipient (the hub, each active hospital) is one facility. Under facility-level rounding the
line amounts are whole yen and the 1,000円未満 cut of the facility is taken from its last
wished line, so the default decided amounts per menu add up to the facility's total.

A wished line can carry no money this year, for a reason the line shows (`held_back`):
its 開始年度 is later than the application's year (R9〜 in a 令和8年度 plan), or the
institution's register data rules it out (a menu for institutions with beds; a menu for
institutions not yet 機能強化型). Such a line is left out of the calculation (its expenses
neither count towards the facility's rounding nor its other income) and its amount is 0.
A menu without its own cap (Osaka ③, done within ① and ②) is calculated as 0 with the
calculation's own reason."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from subsidies.results.calculation import (
    NO_OWN_CAP_REASON,
    CalculationRule,
    FacilityInput,
    MenuInput,
    RoundingLevel,
    calculate_claim,
)
from zaitaku_portal.wareki import fiscal_year_label

PER_RECIPIENT = "per_recipient"
PER_DISTRICT = "per_district"
PER_PERSON_HALF_DAY = "per_person_half_day"
PER_MONTH = "per_month"
ONCE_PER_FACILITY = "once_per_facility"


@dataclass(frozen=True, kw_only=True)
class LineInput:
    key: str
    recipient_key: str
    recipient_name: str
    menu_code: str
    menu_name: str
    cap_amount: int | None
    cap_unit: str
    max_units: int | None
    rate: Fraction
    wish: bool
    expense_total: int
    other_income: int = 0
    district_count: int = 1
    trainees: int | None = None
    half_days: int | None = None
    months: int | None = None
    already_granted_before: bool = False
    # what decides whether the line carries money this year (held_back_reason)
    fiscal_year: int | None = None
    start_year: int | None = None
    requires_beds: bool = False
    targets_non_enhanced: bool = False
    has_beds: bool = True
    enhanced: bool = False


HOSPITAL_KIND = "hospital"
ENHANCED_TIERS = frozenset({"enhanced_single", "enhanced_linked"})


def has_beds(kind: str, bed_count: int | None) -> bool:
    """入院機能を有する: the register's bed count when it has one (0 = none); without one, a
    病院 has beds by definition (医療法第1条の5: 20床以上) and a 診療所 is read as 無床 (the
    health bureau's list gives the beds of a 有床診療所)."""
    if bed_count is not None:
        return bed_count > 0
    return kind == HOSPITAL_KIND


def is_enhanced(support_tier: str) -> bool:
    """機能強化型 (単独型 or 連携型) in the 施設基準 list (受理記号 支援病/支援診 1・2)."""
    return support_tier in ENHANCED_TIERS


def planned_later(line: LineInput) -> bool:
    return bool(line.start_year and line.fiscal_year and line.start_year > line.fiscal_year)


def held_back_reason(line: LineInput) -> str:
    """Why this line gets no money this year ('' when it may): the start year first, then the
    institution's eligibility from the register."""
    if planned_later(line):
        return (
            f"{fiscal_year_label(line.start_year)}からの実施予定のため、"
            f"{fiscal_year_label(line.fiscal_year)}の交付対象外（0円）"
        )
    if line.requires_beds and not line.has_beds:
        return (
            "入院機能（病床）を有する医療機関に限るメニューのため対象外（医療機関の登録で病床なし）"
        )
    if line.targets_non_enhanced and line.enhanced:
        return (
            "機能強化型でない医療機関が対象のメニューのため対象外"
            "（医療機関の登録で機能強化型の在宅療養支援病院・診療所）"
        )
    return ""


@dataclass(frozen=True, kw_only=True)
class LineAmount:
    key: str
    units: int
    units_text: str
    cap_total: int | None  # cap × units, None when the menu has no own cap
    expense_total: int
    other_income: int
    computed_amount: int  # whole yen, the amount that would be decided for this line
    over_cap: bool
    note: str
    wish: bool = False
    held_back: str = ""  # why the line would carry no money this year, wished or not
    planned_later: bool = False  # its 開始年度 is after the application's year

    @property
    def no_money_reason(self) -> str:
        """Why the decision gives this line no amount: held back this year, or a menu
        without its own cap (its actions are done within other menus)."""
        if self.held_back:
            return self.held_back
        return NO_OWN_CAP_REASON if self.cap_total is None else ""

    @property
    def carries_money(self) -> bool:
        """A wished line the decision gives an amount (and a decision line) for."""
        return self.wish and not self.no_money_reason


@dataclass(frozen=True)
class RecipientTotal:
    recipient_key: str
    recipient_name: str
    expense_total: int
    computed_amount: int  # the facility's G under the rule


def units_for(line: LineInput) -> tuple[int, str]:
    """How many cap units this recipient has for this menu, and how it reads."""
    if line.cap_unit == PER_DISTRICT:
        return line.district_count, f"{line.district_count}区割り"
    if line.cap_unit == PER_PERSON_HALF_DAY:
        trainees, half_days = line.trainees or 0, line.half_days or 0
        return trainees * half_days, f"{trainees}人×{half_days}半日"
    if line.cap_unit == PER_MONTH:
        months = line.months or 0
        if line.max_units is not None and months > line.max_units:
            return line.max_units, f"{line.max_units}か月（上限。計画は{months}か月）"
        return months, f"{months}か月"
    return 1, "1か所"


def line_amounts(
    lines: list[LineInput], rule: CalculationRule
) -> tuple[dict[str, LineAmount], list[RecipientTotal]]:
    results: dict[str, LineAmount] = {}
    totals: list[RecipientTotal] = []
    by_recipient: dict[str, list[LineInput]] = {}
    for line in lines:
        by_recipient.setdefault(line.recipient_key, []).append(line)
    for recipient_key, recipient_lines in by_recipient.items():
        wished = [line for line in recipient_lines if line.wish and not held_back_reason(line)]
        menu_inputs = []
        for line in wished:
            units, _ = units_for(line)
            menu_inputs.append(
                MenuInput(
                    menu_code=line.key,
                    menu_name=line.menu_name,
                    cap_amount=line.cap_amount,
                    units=units,
                    rate=line.rate,
                    actual_expense=line.expense_total,
                    total_cost=line.expense_total,
                    other_income=min(line.other_income, line.expense_total),
                    once_per_facility=line.cap_unit == ONCE_PER_FACILITY,
                    already_granted_before=line.already_granted_before,
                )
            )
        computed: dict[str, int] = {}
        notes: dict[str, str] = {}
        facility_total = 0
        if menu_inputs:
            result = calculate_claim(
                FacilityInput(
                    recipient_name=recipient_lines[0].recipient_name, menus=tuple(menu_inputs)
                ),
                rule,
            )
            facility_total = result.required_amount
            for menu in result.menus:
                if rule.rounding_level is RoundingLevel.MENU:
                    computed[menu.menu_code] = menu.required_amount_rounded or 0
                else:
                    computed[menu.menu_code] = int(menu.required_amount)  # whole yen, 切捨て
                notes[menu.menu_code] = menu.reason or ""
            cut = sum(computed.values()) - facility_total
            for line in reversed(wished):
                if cut <= 0:
                    break
                take = min(cut, computed[line.key])
                computed[line.key] -= take
                cut -= take
                if take:
                    notes[line.key] = (
                        notes[line.key] + f" 施設ごとの{rule.rounding_unit:,}円未満切捨て"
                        f"（{take:,}円）をこの行で調整"
                    ).strip()
        for line in recipient_lines:
            units, units_text = units_for(line)
            cap_total = None if line.cap_amount is None else line.cap_amount * units
            held_back = held_back_reason(line)
            results[line.key] = LineAmount(
                key=line.key,
                units=units,
                units_text=units_text,
                cap_total=cap_total,
                expense_total=line.expense_total,
                other_income=line.other_income,
                computed_amount=computed.get(line.key, 0),
                over_cap=bool(
                    line.wish
                    and not held_back
                    and cap_total is not None
                    and line.expense_total > cap_total
                ),
                note=(held_back or notes.get(line.key, "")) if line.wish else "補助の希望なし",
                wish=line.wish,
                held_back=held_back,
                planned_later=planned_later(line),
            )
        totals.append(
            RecipientTotal(
                recipient_key=recipient_key,
                recipient_name=recipient_lines[0].recipient_name,
                expense_total=sum(line.expense_total for line in wished),
                computed_amount=facility_total,
            )
        )
    return results, totals
