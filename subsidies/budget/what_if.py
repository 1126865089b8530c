"""The bases the what-if page offers: the plans and the decisions (subsidies/results/what_if.py)
and, above them, the intention survey (意向調査) of the year, which lives in a part above
results (subsidies/survey/), so it is added here.

The survey base reads subsidies.survey.reading.survey_amounts(fiscal_year) → {(hub id, menu
id): yen}, the hubs' wished demand at the current caps (the survey asks no expenses). It is
offered only when that module exists and the year has a survey. In the scratch copy a survey
amount follows its cap: × scratch cap ÷ current cap (rounded down to the year's unit), × the
hub's 区割り数 when the scratch copy multiplies by it (÷ when it stops); a rate change does not
apply (there is no expense to multiply), and a menu without a current cap keeps its amount."""

from __future__ import annotations

from subsidies.models import FiscalYear, SubsidyMenu
from subsidies.results.what_if import BASES, Base, BaseLine, MenuChange, hub_area, scenario_cap


def _survey_reading():
    try:
        from subsidies.survey import reading
    except ImportError:  # the survey part is not installed in this tree
        return None
    return reading if hasattr(reading, "survey_amounts") else None


def _has_survey(fiscal_year: FiscalYear) -> bool:
    if _survey_reading() is None:
        return False
    from subsidies.models import Survey

    return Survey.objects.filter(fiscal_year=fiscal_year).exists()


def survey_scenario(amount: int, menu: SubsidyMenu, change: MenuChange, districts: int, unit: int):
    """A survey amount in the scratch copy (module docstring)."""
    cap, cap_unit, _ = scenario_cap(menu, change)
    scaled = amount
    if menu.cap_amount and cap is not None and cap != menu.cap_amount:
        scaled = amount * cap // menu.cap_amount // unit * unit
    was = menu.cap_unit == SubsidyMenu.CapUnit.PER_DISTRICT
    now = cap_unit == SubsidyMenu.CapUnit.PER_DISTRICT
    if now and not was:
        scaled *= districts
    elif was and not now:
        scaled //= max(districts, 1)
    return scaled


def survey_lines(fiscal_year, menus, changes) -> list[BaseLine]:
    from hubs.models import Hub

    amounts = _survey_reading().survey_amounts(fiscal_year)
    hubs = {
        h.pk: h
        for h in Hub.objects.filter(pk__in={k[0] for k in amounts}).prefetch_related("areas")
    }
    unit = fiscal_year.rounding_unit
    out = []
    for (hub_id, menu_id), amount in sorted(amounts.items()):
        if menu_id not in menus or hub_id not in hubs:
            continue
        hub = hubs[hub_id]
        area, order = hub_area(hub)
        change = changes.get(menu_id, MenuChange())
        scenario = survey_scenario(amount, menus[menu_id], change, hub.district_count, unit)
        out.append(BaseLine(hub_id, hub.name, area, order, menu_id, amount, scenario))
    return out


SURVEY = Base(
    "survey",
    "意向調査（補助額目安）",
    "意向調査の回答（希望する補助メニューと医療機関数）を、現在の上限額で見積もった額を基準に試算します。"
    "試算の上限額に比例して変わり、補助率の変更は反映されません（経費の回答がないため）。",
    survey_lines,
    _has_survey,
)


def bases_for(fiscal_year: FiscalYear) -> list[Base]:
    """The bases the page offers for the year, in the order shown."""
    return [base for base in (*BASES, SURVEY) if base.available(fiscal_year)]


def base_named(fiscal_year: FiscalYear, key: str | None) -> Base:
    bases = bases_for(fiscal_year)
    return next((b for b in bases if b.key == key), bases[0])
