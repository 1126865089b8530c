"""The application as plain data: its lines, its plan, the amounts the pages show.

Queries only; nothing here writes. The rules (rules.py), the workflow table, the writers
(services.py), the forms, the views and the Excel workbook all read through this module."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q

from hospitals.models import ActiveHospitalDesignation
from subsidies.applications.amounts import LineAmount, LineInput, RecipientTotal, line_amounts
from subsidies.applications.plan_data import (
    APPLICATION_FIELDS,
    LINE_FIELDS,
    line_key,
    start_year_label,
)
from subsidies.models import (
    Application,
    Decision,
    DecisionLine,
    ExpenseCategory,
    MenuPlan,
    SubsidyMenu,
)
from subsidies.results.calculation import CalculationRule


def hospital_designations(hub):
    """The active hospitals of the hub's areas: the ones form 4-② asks the hub about."""
    return (
        ActiveHospitalDesignation.objects.filter(
            Q(hub=hub) | Q(area__in=hub.areas.all()), status="active"
        )
        .select_related("institution", "area")
        .distinct()
        .order_by("area__display_order", "institution__name")
    )


def lines_of(application: Application) -> list[MenuPlan]:
    return list(
        application.lines.select_related("menu", "designation__institution", "designation__area")
        .prefetch_related("menu__expense_categories")
        .order_by(
            # The hub's own lines first on every database (NULLs sort differently).
            F("designation__institution__name").asc(nulls_first=True),
            F("designation_id").asc(nulls_first=True),
            "menu__display_order",
            "menu_id",
        )
    )


def key_of(line: MenuPlan) -> str:
    return line_key(line.menu.code, line.designation_id)


def label_of(line: MenuPlan) -> str:
    if line.designation_id:
        return f"{line.designation.institution.name}：{line.menu.name}"
    return line.menu.name


def current_plan(application: Application, lines: list[MenuPlan] | None = None) -> dict:
    lines = lines if lines is not None else lines_of(application)
    plan: dict[str, Any] = {field: getattr(application, field) for field in APPLICATION_FIELDS}
    plan["lines"] = {
        key_of(line): {
            **{field: getattr(line, field) for field in LINE_FIELDS},
            "expenses": {k: int(v) for k, v in line.expenses.items() if int(v)},
        }
        for line in lines
    }
    return plan


def rule_of(fiscal_year) -> CalculationRule:
    return CalculationRule(
        order=fiscal_year.cap_rate_order,
        rounding_unit=fiscal_year.rounding_unit,
        rounding_level=fiscal_year.rounding_level,
    )


def start_year_choices(fiscal_year) -> list[int]:
    return [fiscal_year.year, fiscal_year.year + 1, fiscal_year.year + 2]


def _granted_before(lines: list[MenuPlan], fiscal_year) -> set[tuple[str, int]]:
    """(menu code, institution id) of once-per-facility menus granted in an earlier year,
    for all the given lines in one query."""
    institutions = {
        line.designation.institution_id
        for line in lines
        if line.designation_id and line.menu.cap_unit == SubsidyMenu.CapUnit.ONCE_PER_FACILITY
    }
    if not institutions:
        return set()
    return set(
        DecisionLine.objects.filter(
            menu__cap_unit=SubsidyMenu.CapUnit.ONCE_PER_FACILITY,
            designation__institution_id__in=institutions,
            decided_amount__gt=0,
            decision__application__fiscal_year__year__lt=fiscal_year.year,
            decision__in=Decision.objects.current(),
        ).values_list("menu__code", "designation__institution_id")
    )


def line_inputs(application: Application, lines: list[MenuPlan], plan: dict) -> list[LineInput]:
    inputs = []
    granted = _granted_before(lines, application.fiscal_year)
    for line in lines:
        key = key_of(line)
        data = plan["lines"].get(key, {})
        recipient_key = f"hospital:{line.designation_id}" if line.designation_id else "hub"
        inputs.append(
            LineInput(
                key=key,
                recipient_key=recipient_key,
                recipient_name=(
                    line.designation.institution.name
                    if line.designation_id
                    else application.hub.name
                ),
                menu_code=line.menu.code,
                menu_name=line.menu.name,
                cap_amount=line.menu.cap_amount,
                cap_unit=line.menu.cap_unit,
                max_units=line.menu.max_units,
                rate=line.menu.rate,
                wish=bool(data.get("wish")),
                expense_total=sum(int(v) for v in data.get("expenses", {}).values()),
                other_income=int(data.get("other_income") or 0),
                district_count=int(plan.get("district_count") or 1),
                trainees=data.get("trainees"),
                half_days=data.get("half_days"),
                months=data.get("months"),
                already_granted_before=(
                    line.menu.cap_unit == SubsidyMenu.CapUnit.ONCE_PER_FACILITY
                    and line.designation_id is not None
                    and (line.menu.code, line.designation.institution_id) in granted
                ),
            )
        )
    return inputs


@dataclass
class PlanView:
    """Everything the pages show about a plan: lines grouped by recipient with amounts."""

    application: Application
    lines: list[MenuPlan]
    plan: dict
    amounts: dict[str, LineAmount]
    totals: list[RecipientTotal]

    @property
    def grand_total(self) -> int:
        return sum(t.computed_amount for t in self.totals)

    @property
    def expense_total(self) -> int:
        return sum(t.expense_total for t in self.totals)

    def groups(self) -> list[dict]:
        groups: dict[str, dict] = {}
        totals = {t.recipient_key: t for t in self.totals}
        for line in self.lines:
            rkey = f"hospital:{line.designation_id}" if line.designation_id else "hub"
            group = groups.setdefault(
                rkey,
                {
                    "key": rkey,
                    "name": (
                        line.designation.institution.name
                        if line.designation_id
                        else self.application.hub.name
                    ),
                    "designation": line.designation,
                    "rows": [],
                    "total": totals.get(rkey),
                },
            )
            key = key_of(line)
            group["rows"].append(
                {
                    "key": key,
                    "line": line,
                    "menu": line.menu,
                    "data": self.plan["lines"].get(key, {}),
                    "amount": self.amounts[key],
                    "start_year_label": start_year_label(
                        self.plan["lines"].get(key, {}).get("start_year")
                    ),
                }
            )
        ordered = [groups.pop("hub")] if "hub" in groups else []
        return ordered + list(groups.values())


def plan_view(application: Application, plan: dict | None = None) -> PlanView:
    lines = lines_of(application)
    plan = plan if plan is not None else current_plan(application, lines)
    amounts, totals = line_amounts(
        line_inputs(application, lines, plan), rule_of(application.fiscal_year)
    )
    return PlanView(application, lines, plan, amounts, totals)


def labels_for(application: Application) -> tuple[dict[str, str], dict[str, str]]:
    lines = lines_of(application)
    return (
        {key_of(line): label_of(line) for line in lines},
        dict(ExpenseCategory.objects.values_list("code", "name")),
    )


def decision_rows(application: Application) -> list[dict]:
    """The wished lines the decision page asks an amount for, with the computed amount."""
    view = plan_view(application)
    return [
        {
            "key": key_of(line),
            "label": label_of(line),
            "computed": view.amounts[key_of(line)].computed_amount,
            "amount": view.amounts[key_of(line)],
        }
        for line in view.lines
        if view.plan["lines"][key_of(line)].get("wish")
    ]


@dataclass
class DecisionInput:
    notice_number: str
    notice_date: datetime.date
    amounts: dict[str, tuple[int, str]]  # line key → (decided amount, reason if reduced)
