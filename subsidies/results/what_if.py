"""The what-if: a year's amounts under the real catalogue and under a scratch copy with some
caps, the per-district multiplier or rates changed, per menu, per hub and per area, against
the budget. Reads only; the scratch copy exists in memory.

What the amounts are computed on is the *base*, chosen from a small registry:
- 交付申請（予定経費） (`PLANS`): every current application's plan, computed as the plan page
  computes it (subsidies.applications.reading.line_inputs: start years, eligibility and
  once-per-facility included), the scratch copy changing only cap and rate;
- 交付決定額 (`DECISIONS`): the current decisions' lines; the baseline is the decided amount,
  the scenario the decided version's plan recomputed under the scratch copy, a line the
  decision cut (配分・減額) keeping its cut as a ratio (below, `_decided_scenario`);
- the survey (意向調査) is a base of the budget part, which sits above this module
  (subsidies/budget/what_if.py adds it to the list the page offers).

The input order is kept: the menus are listed in the order the form shows them
(`MENU_ORDER`: hub menus first, then display order), and the changes in the order typed
into that table; hubs by name, areas in their display order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from fractions import Fraction

from django.db.models import Sum

from subsidies.applications.amounts import LineInput, line_amounts
from subsidies.applications.plan_data import line_key
from subsidies.applications.reading import current_plan, line_inputs, lines_of, rule_of
from subsidies.models import Application, Confirmation, Decision, SubsidyMenu

MENU_ORDER = ("-recipient_type", "display_order", "pk")  # the form's order: hub menus first
NO_AREA = "（圏域なし）"


@dataclass(frozen=True)
class MenuChange:
    cap_amount: int | None = None  # None: keep
    per_district: bool | None = None  # True: cap × 区割り数 in the scratch copy
    rate: Fraction | None = None

    def differs(self, menu: SubsidyMenu) -> bool:
        """Whether this change changes the menu at all (the form sends every row)."""
        return any(
            (
                self.cap_amount is not None and self.cap_amount != menu.cap_amount,
                self.rate is not None and self.rate != menu.rate,
                self.per_district is not None
                and self.per_district != (menu.cap_unit == SubsidyMenu.CapUnit.PER_DISTRICT),
            )
        )


def scenario_cap(menu: SubsidyMenu, change: MenuChange) -> tuple[int | None, str, Fraction]:
    """(cap, cap unit, rate) of the menu in the scratch copy."""
    cap_unit = menu.cap_unit
    if change.per_district is True:
        cap_unit = SubsidyMenu.CapUnit.PER_DISTRICT
    elif change.per_district is False and cap_unit == SubsidyMenu.CapUnit.PER_DISTRICT:
        cap_unit = SubsidyMenu.CapUnit.PER_RECIPIENT
    cap = menu.cap_amount if change.cap_amount is None else change.cap_amount
    return cap, cap_unit, menu.rate if change.rate is None else change.rate


@dataclass(frozen=True)
class BaseLine:
    """One line of a base: who, which menu, and its amount now and in the scratch copy."""

    source: int  # the application (or, for the survey, the hub) the line belongs to
    hub: str
    area: str
    area_order: tuple
    menu_id: int
    baseline: int
    scenario: int


@dataclass(frozen=True)
class Base:
    key: str
    label: str
    note: str
    lines: Callable[..., list[BaseLine]]  # (fiscal_year, menus, changes) → lines
    available: Callable[..., bool] = lambda fiscal_year: True


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
    base: Base
    by_menu: list[WhatIfRow]
    by_hub: list[WhatIfRow]
    by_area: list[WhatIfRow]
    baseline_total: int
    scenario_total: int
    budget: int | None
    application_count: int
    changes: list[tuple[SubsidyMenu, MenuChange]] = field(default_factory=list)
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


def menus_in_order(fiscal_year) -> list[SubsidyMenu]:
    return list(fiscal_year.menus.order_by(*MENU_ORDER))


def what_if(fiscal_year, changes: dict[int, MenuChange], base: Base | None = None) -> WhatIfResult:
    """The amounts of `base` (the plans by default) under the real catalogue and under a
    scratch copy with `changes` (menu pk → change, in the order typed), per menu, hub and
    area, against the budget."""
    base = base or PLANS
    menus = menus_in_order(fiscal_year)
    lines = base.lines(fiscal_year, {m.pk: m for m in menus}, changes)
    by_menu = {m.pk: WhatIfRow(m.name) for m in menus}
    by_hub: dict[str, WhatIfRow] = {}
    by_area: dict[tuple, WhatIfRow] = {}
    for line in lines:
        hub = by_hub.setdefault(line.hub, WhatIfRow(line.hub))
        area = by_area.setdefault(line.area_order, WhatIfRow(line.area))
        for row in (by_menu[line.menu_id], hub, area):
            row.baseline += line.baseline
            row.scenario += line.scenario
    menus_by_pk = {m.pk: m for m in menus}
    return WhatIfResult(
        base=base,
        by_menu=list(by_menu.values()),
        by_hub=[by_hub[name] for name in sorted(by_hub)],
        by_area=[by_area[key] for key in sorted(by_area)],
        baseline_total=sum(line.baseline for line in lines),
        scenario_total=sum(line.scenario for line in lines),
        budget=fiscal_year.budget_amount,
        application_count=len({line.source for line in lines}),
        changes=[
            (menus_by_pk[pk], change)
            for pk, change in changes.items()
            if pk in menus_by_pk and change.differs(menus_by_pk[pk])
        ],
        decided_total=_decided_total(fiscal_year),
        confirmed_total=_confirmed_total(fiscal_year),
    )


# --- where a line counts -------------------------------------------------------------------


def hub_area(hub) -> tuple[str, tuple]:
    """A hub's own lines count in the first of its areas (display order)."""
    areas = sorted(hub.areas.all(), key=lambda a: (a.display_order, a.name))
    if not areas:
        return NO_AREA, (10**6, NO_AREA)
    return areas[0].name, (areas[0].display_order, areas[0].name)


def _line_area(application: Application, designation) -> tuple[str, tuple]:
    """A hospital's line counts in its designation's area, a hub's in the hub's first."""
    if designation is not None:
        area = designation.area
        return area.name, (area.display_order, area.name)
    return hub_area(application.hub)


# --- the plans ------------------------------------------------------------------------------


def _scenario_inputs(inputs: list[LineInput], menus_by_code, changes) -> list[LineInput]:
    out = []
    for line in inputs:
        menu = menus_by_code[line.menu_code]
        cap, cap_unit, rate = scenario_cap(menu, changes.get(menu.pk, MenuChange()))
        out.append(replace(line, cap_amount=cap, cap_unit=cap_unit, rate=rate))
    return out


def _computed(application, lines, plan, menus, changes):
    """(line → real LineAmount, line → scratch LineAmount) of one plan."""
    rule = rule_of(application.fiscal_year)
    inputs = line_inputs(application, lines, plan)
    by_code = {m.code: m for m in menus.values()}
    real, _ = line_amounts(inputs, rule)
    scratch, _ = line_amounts(_scenario_inputs(inputs, by_code, changes), rule)
    return real, scratch


def _applications(fiscal_year, states):
    return (
        Application.objects.filter(fiscal_year=fiscal_year, status__in=states)
        .select_related("hub", "fiscal_year")
        .prefetch_related("hub__areas")
        .order_by("hub__name", "pk")
    )


def plan_lines(fiscal_year, menus, changes) -> list[BaseLine]:
    """Every wished line of the current applications' plans (one query per application,
    about 2,000 at national scale: the page is for a prefecture's few hundred)."""
    out = []
    for application in _applications(fiscal_year, CURRENT_STATES):
        lines = lines_of(application)
        real, scratch = _computed(
            application, lines, current_plan(application, lines), menus, changes
        )
        for line in lines:
            key = line_key(line.menu.code, line.designation_id)
            if not line.wish:
                continue
            area, order = _line_area(application, line.designation)
            out.append(
                BaseLine(
                    application.pk,
                    application.hub.name,
                    area,
                    order,
                    line.menu_id,
                    real[key].computed_amount,
                    scratch[key].computed_amount,
                )
            )
    return out


# --- the decisions --------------------------------------------------------------------------


def _decided_scenario(decided: int, computed: int, scratch: int, unit: int) -> int:
    """A decided line in the scratch copy: the scratch amount when the decision gave the
    computed amount; when it cut the line (配分・減額), the same share of the scratch amount
    (decided ÷ computed), rounded down to the year's unit; unchanged when the scratch copy
    computes the same amount."""
    if scratch == computed:
        return decided
    if decided == computed:
        return scratch
    if computed == 0:
        return 0
    return scratch * decided // computed // unit * unit


def decision_lines(fiscal_year, menus, changes) -> list[BaseLine]:
    """Every line of the year's current decisions: decided amount, and the decided version's
    plan recomputed under the scratch copy."""
    decisions = (
        Decision.objects.current()
        .filter(application__fiscal_year=fiscal_year)
        .select_related("application__hub", "application__fiscal_year", "version")
        .prefetch_related("application__hub__areas", "lines__menu", "lines__designation__area")
        .order_by("application__hub__name", "pk")
    )
    unit = fiscal_year.rounding_unit
    out = []
    for decision in decisions:
        application = decision.application
        plan = decision.version.snapshot.get("plan") or current_plan(application)
        _, scratch = _computed(application, lines_of(application), plan, menus, changes)
        for line in decision.lines.all():
            key = line_key(line.menu.code, line.designation_id)
            scratch_amount = scratch[key].computed_amount if key in scratch else 0
            area, order = _line_area(application, line.designation)
            out.append(
                BaseLine(
                    application.pk,
                    application.hub.name,
                    area,
                    order,
                    line.menu_id,
                    line.decided_amount,
                    _decided_scenario(
                        line.decided_amount, line.computed_amount, scratch_amount, unit
                    ),
                )
            )
    return out


PLANS = Base(
    "plans",
    "交付申請（予定経費）",
    "提出済み以降の申請の計画を、申請の画面と同じ計算（開始年度・対象要件を含む）で試算します。",
    plan_lines,
)
DECISIONS = Base(
    "decisions",
    "交付決定額",
    "現在の交付決定の額を基準に、決定した版の計画を試算の設定で計算し直します"
    "（配分・減額した行は、決定額÷計算額の割合を保ち、端数処理の単位未満を切り捨てます）。",
    decision_lines,
)
BASES = (PLANS, DECISIONS)  # the order the page offers them; the budget part adds the survey


def _decided_total(fiscal_year) -> int:
    current = Decision.objects.current().filter(application__fiscal_year=fiscal_year)
    return current.aggregate(total=Sum("total_amount"))["total"] or 0


def _confirmed_total(fiscal_year) -> int:
    current = Confirmation.objects.current().filter(application__fiscal_year=fiscal_year)
    return current.aggregate(total=Sum("total_amount"))["total"] or 0
