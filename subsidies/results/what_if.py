"""The what-if: the totals of a year's current applications under the real catalogue and
under a scratch copy with some caps, the per-district multiplier or rates changed, per menu
and per area, against the budget. Reads only; the scratch copy exists in memory as
LineInputs, and the computation is the plan's own (subsidies.applications.amounts)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from django.db.models import Sum

from subsidies.applications.amounts import LineInput, line_amounts
from subsidies.applications.plan_data import line_key
from subsidies.applications.reading import rule_of
from subsidies.models import Application, Confirmation, Decision, MenuPlan, SubsidyMenu


@dataclass(frozen=True)
class MenuChange:
    cap_amount: int | None = None  # None: keep
    per_district: bool | None = None  # True: cap × 区割り数 in the scratch copy
    rate: Fraction | None = None


@dataclass
class WhatIfRow:
    label: str
    baseline: int = 0
    scenario: int = 0

    @property
    def difference(self) -> int:
        return self.scenario - self.baseline


@dataclass
class WhatIfResult:
    by_menu: list[WhatIfRow]
    by_area: list[WhatIfRow]
    baseline_total: int
    scenario_total: int
    budget: int | None
    application_count: int
    decided_total: int = 0  # the real current decisions of the year, for reference
    confirmed_total: int = 0  # the real current confirmations of the year

    @property
    def difference(self) -> int:
        return self.scenario_total - self.baseline_total

    @property
    def scenario_balance(self) -> int | None:
        return None if self.budget is None else self.budget - self.scenario_total

    @property
    def baseline_balance(self) -> int | None:
        return None if self.budget is None else self.budget - self.baseline_total


CURRENT_STATES = ("submitted", "under_review", "returned", "resubmitted", "decided")


def what_if(fiscal_year, changes: dict[int, MenuChange]) -> WhatIfResult:
    """Totals of all current applications of the year under the real catalogue and under a
    scratch copy with `changes` (menu pk → change), per menu and per area, against the budget.

    Planned expenses are used (the what-if is how caps are chosen before the year), each
    application's plan as last submitted or saved; the baseline is the same computation
    under the real catalogue."""
    rule = replace(rule_of(fiscal_year), other_income_level=fiscal_year.other_income_level)
    menus = {m.pk: m for m in fiscal_year.menus.all()}
    applications = _current_applications(fiscal_year)
    lines = _wished_lines(applications)
    baseline_inputs, scenario_inputs, areas = [], [], {}
    for line in lines:
        application = applications[line.application_id]
        menu = menus[line.menu_id]
        common = _common_input(application, menu, line)
        areas[common["key"]] = _area_of(application, line)
        baseline_inputs.append(
            LineInput(**common, cap_amount=menu.cap_amount, cap_unit=menu.cap_unit, rate=menu.rate)
        )
        scenario_inputs.append(_scenario_input(common, menu, changes.get(menu.pk, MenuChange())))
    baseline, _ = line_amounts(baseline_inputs, rule)
    scenario, _ = line_amounts(scenario_inputs, rule)
    by_menu, by_area = _totals(menus, lines, baseline_inputs, areas, baseline, scenario)
    return WhatIfResult(
        by_menu=by_menu,
        by_area=by_area,
        baseline_total=sum(a.computed_amount for a in baseline.values()),
        scenario_total=sum(a.computed_amount for a in scenario.values()),
        budget=fiscal_year.budget_amount,
        application_count=len(applications),
        decided_total=_decided_total(fiscal_year),
        confirmed_total=_confirmed_total(fiscal_year),
    )


def _current_applications(fiscal_year) -> dict[int, Application]:
    return {
        a.pk: a
        for a in Application.objects.filter(
            fiscal_year=fiscal_year, status__in=CURRENT_STATES
        ).prefetch_related("hub__areas")
    }


def _wished_lines(applications: dict[int, Application]) -> list[MenuPlan]:
    return list(
        MenuPlan.objects.filter(application_id__in=applications, wish=True).select_related(
            "designation__institution", "designation__area"
        )
    )


def _common_input(application: Application, menu: SubsidyMenu, line: MenuPlan) -> dict:
    """What the real and the scratch LineInput of a plan line share (all but cap and rate)."""
    recipient_key = (
        f"{application.pk}:hospital:{line.designation_id}"
        if line.designation_id
        else f"{application.pk}:hub"
    )
    return {
        "key": f"{application.pk}:{line_key(menu.code, line.designation_id)}",
        "recipient_key": recipient_key,
        "recipient_name": recipient_key,
        "menu_code": menu.code,
        "menu_name": menu.name,
        "max_units": menu.max_units,
        "wish": True,
        "expense_total": line.expense_total,
        "other_income": line.other_income,
        "district_count": application.district_count,
        "trainees": line.trainees,
        "half_days": line.half_days,
        "months": line.months,
    }


def _area_of(application: Application, line: MenuPlan) -> str:
    """A hospital's line counts in its designation's area, a hub's in the hub's first."""
    if line.designation_id:
        return line.designation.area.name
    hub_areas = list(application.hub.areas.all())
    return hub_areas[0].name if hub_areas else "（圏域なし）"


def _scenario_input(common: dict, menu: SubsidyMenu, change: MenuChange) -> LineInput:
    cap_unit = menu.cap_unit
    if change.per_district is True:
        cap_unit = SubsidyMenu.CapUnit.PER_DISTRICT
    elif change.per_district is False and cap_unit == SubsidyMenu.CapUnit.PER_DISTRICT:
        cap_unit = SubsidyMenu.CapUnit.PER_RECIPIENT
    return LineInput(
        **common,
        cap_amount=menu.cap_amount if change.cap_amount is None else change.cap_amount,
        cap_unit=cap_unit,
        rate=menu.rate if change.rate is None else change.rate,
    )


def _totals(menus, lines, baseline_inputs, areas, baseline, scenario):
    """(rows per menu in catalogue order, rows per area by name)."""
    by_menu = {m.pk: WhatIfRow(m.name) for m in menus.values()}
    by_area: dict[str, WhatIfRow] = {}
    for line, base_input in zip(lines, baseline_inputs, strict=True):
        key = base_input.key
        row = by_menu[line.menu_id]
        area = by_area.setdefault(areas[key], WhatIfRow(areas[key]))
        for target in (row, area):
            target.baseline += baseline[key].computed_amount
            target.scenario += scenario[key].computed_amount
    return list(by_menu.values()), sorted(by_area.values(), key=lambda r: r.label)


def _decided_total(fiscal_year) -> int:
    current = Decision.objects.current().filter(application__fiscal_year=fiscal_year)
    return current.aggregate(total=Sum("total_amount"))["total"] or 0


def _confirmed_total(fiscal_year) -> int:
    current = Confirmation.objects.current().filter(application__fiscal_year=fiscal_year)
    return current.aggregate(total=Sum("total_amount"))["total"] or 0
