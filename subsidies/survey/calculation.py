"""What the survey's wishes imply in yen, per year of the three-year horizon (R8, R9, R10
for a 令和8年度 survey). Pure: plain values in, integer yen out, no ORM.

The survey asks no expenses (caps are still 調整中, seed 004), so each wished menu is taken
at its cap: the planned expense is the cap × the units, and the amount is what the year's
rule (subsidies/applications/amounts.line_amounts: cap and rate, rounding unit and level)
gives for it. The units the survey does not ask are assumed and said on the page
(UNIT_ASSUMPTIONS): the hub's 区割り数 for a per-district cap; one trainee for one half-day
for a per-person cap; the menu's maximum months (12 without one) for a monthly cap.

A hub's own menus are one facility (its rounding is the hub's); a hospital menu wished by
n hospitals is n facilities of the same amount (the hospitals are not named yet). A wish
from R9〜 counts in R9 and R10, a wish without a start year from the survey's year."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from subsidies.applications.amounts import (
    PER_DISTRICT,
    PER_MONTH,
    PER_PERSON_HALF_DAY,
    LineInput,
    line_amounts,
)
from subsidies.results.calculation import CalculationRule

HORIZON = 3  # the survey's year and the next two (seed 004: R8〜 / R9〜 / R10〜)
DEFAULT_MONTHS = 12
UNIT_ASSUMPTIONS = {
    PER_DISTRICT: "区割り数は拠点の登録値",
    PER_PERSON_HALF_DAY: "受講者1人・半日として見込み",
    PER_MONTH: "上限の月数（なければ12か月）として見込み",
}


@dataclass(frozen=True)
class MenuTerms:
    menu_id: int
    code: str
    name: str
    recipient_type: str
    cap_amount: int | None
    cap_unit: str
    max_units: int | None
    rate: Fraction


@dataclass(frozen=True)
class Wish:
    hub_id: int
    menu_id: int
    start_year: int | None
    hospital_count: int = 0  # hospital menus: how many hospitals wish it


def years_of(fiscal_year: int) -> list[int]:
    return [fiscal_year + offset for offset in range(HORIZON)]


def counts_in(wish: Wish, survey_year: int, year: int) -> bool:
    return (wish.start_year or survey_year) <= year


def _line(terms: MenuTerms, recipient: str, district_count: int) -> LineInput:
    months = terms.max_units or DEFAULT_MONTHS
    units = {
        PER_DISTRICT: district_count,
        PER_PERSON_HALF_DAY: 1,
        PER_MONTH: min(months, terms.max_units or months),
    }.get(terms.cap_unit, 1)
    return LineInput(
        key=terms.code,
        recipient_key=recipient,
        recipient_name=recipient,
        menu_code=terms.code,
        menu_name=terms.name,
        cap_amount=terms.cap_amount,
        cap_unit=terms.cap_unit,
        max_units=terms.max_units,
        rate=terms.rate,
        wish=True,
        expense_total=(terms.cap_amount or 0) * units,
        district_count=district_count,
        trainees=1,
        half_days=1,
        months=months,
    )


def hub_amounts(
    terms: list[MenuTerms], district_count: int, rule: CalculationRule
) -> dict[int, int]:
    """menu id → amount, for one hub's wished own menus of one year (one facility)."""
    if not terms:
        return {}
    amounts, _ = line_amounts([_line(t, "hub", district_count) for t in terms], rule)
    return {t.menu_id: amounts[t.code].computed_amount for t in terms}


def hospital_amount(terms: MenuTerms, rule: CalculationRule) -> int:
    """One hospital's amount for one hospital menu (one facility)."""
    amounts, _ = line_amounts([_line(terms, "hospital", 1)], rule)
    return amounts[terms.code].computed_amount


def amounts_by_year(
    wishes: list[Wish],
    terms: dict[int, MenuTerms],
    district_counts: dict[int, int],
    survey_year: int,
    rule: CalculationRule,
) -> dict[tuple[int, int, int], int]:
    """(hub id, menu id, year) → amount, over the horizon. Hospital menus: the hospitals'
    count × one hospital's amount."""
    result: dict[tuple[int, int, int], int] = {}
    per_hospital = {
        m: hospital_amount(t, rule) for m, t in terms.items() if t.recipient_type != "hub"
    }
    by_hub: dict[int, list[Wish]] = {}
    for wish in wishes:
        by_hub.setdefault(wish.hub_id, []).append(wish)
    for year in years_of(survey_year):
        for hub_id, hub_wishes in by_hub.items():
            active = [w for w in hub_wishes if counts_in(w, survey_year, year)]
            own = [terms[w.menu_id] for w in active if terms[w.menu_id].recipient_type == "hub"]
            for menu_id, amount in hub_amounts(own, district_counts[hub_id], rule).items():
                result[(hub_id, menu_id, year)] = amount
            for wish in active:
                if terms[wish.menu_id].recipient_type != "hub":
                    amount = per_hospital[wish.menu_id] * wish.hospital_count
                    result[(hub_id, wish.menu_id, year)] = amount
    return result
