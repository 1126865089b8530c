"""The claim that feeds the 精算額調: the inputs of the pure calculation gathered from the
decided application (caps, rates, units of the decided plan, decided amounts H), the
results report (A, B, D and exclusions) and the advance payments (I), for many applications
at once with a fixed number of queries (benchmarks/confirmations.py measures it).

The calculation itself is subsidies.results.calculation.calculate_claim; this module only
reads and shapes (breakdown, claim_snapshot: what the page, the xlsx and a frozen
confirmation print). Nothing here writes."""

from __future__ import annotations

import contextlib
import gc
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

from django.db.models import QuerySet, Sum

from subsidies.applications.amounts import LineInput, units_for
from subsidies.applications.plan_data import line_key
from subsidies.applications.reading import rule_of
from subsidies.models import (
    AdvancePayment,
    Application,
    Confirmation,
    ConfirmationRecipient,
    Decision,
    DecisionLine,
    ResultExpense,
    SubsidyMenu,
)
from subsidies.results.calculation import (
    CalculationRule,
    FacilityInput,
    FacilityResult,
    MenuInput,
    calculate_claim,
    format_yen,
)

UNIT_LABELS = {
    SubsidyMenu.CapUnit.PER_DISTRICT: "区割り",
    SubsidyMenu.CapUnit.PER_PERSON_HALF_DAY: "人・半日",
    SubsidyMenu.CapUnit.PER_MONTH: "か月",
}


@dataclass
class RecipientClaim:
    key: str  # "hub" or "hospital:<designation id>"
    designation_id: int | None
    recipient_name: str
    facility: FacilityInput
    result: FacilityResult
    units_text: dict[str, str]


@dataclass
class ApplicationClaim:
    application: Application
    decision: Decision | None
    rule: CalculationRule
    recipients: list[RecipientClaim] = field(default_factory=list)

    @property
    def total_amount(self) -> int:
        return sum(r.result.required_amount for r in self.recipients)

    @property
    def decided_total(self) -> int:
        return sum(r.result.decided_amount or 0 for r in self.recipients)

    @property
    def advance_total(self) -> int:
        return sum(r.result.advance_received for r in self.recipients)

    @property
    def difference(self) -> int:
        return self.advance_total - self.total_amount


_ONE_UNIT = frozenset({SubsidyMenu.CapUnit.PER_RECIPIENT, SubsidyMenu.CapUnit.ONCE_PER_FACILITY})


class _DecidedLine(NamedTuple):
    decision_id: int
    menu_id: int
    designation_id: int | None
    institution_id: int | None
    institution_name: str | None
    decided_amount: int


class _Reported(NamedTuple):
    actual_expense: int
    total_cost: int
    other_income: int
    excluded_amount: int


@dataclass
class _Gathered:
    """Everything the claims of a set of applications read, each kind in one query."""

    decisions: dict[int, Decision]
    menus: dict[int, SubsidyMenu]
    rates: dict[int, Fraction]
    rules: dict[int, CalculationRule]
    lines_by_decision: dict[int, list[_DecidedLine]]
    expenses: dict[tuple[int, int, int | None], _Reported]
    advances: dict[tuple[int, int | None], int]
    granted_before: dict[tuple[str, int], list[int]]


def load_claims(applications: QuerySet) -> dict[int, ApplicationClaim]:
    """The claim of every application in `applications`, with seven queries whatever their
    number: applications, current decisions (with the decided plan's version), the menus of
    their years, decision lines, reported expenses, advance payments, and once-per-facility
    grants of earlier years. Rows are read as tuples, not model instances: at national scale
    (62,000 decided lines) building model objects would cost more than the calculation."""
    apps = {a.pk: a for a in applications.select_related("hub", "fiscal_year").order_by("pk")}
    if not apps:
        return {}
    decisions = {
        d.application_id: d
        for d in Decision.objects.current()
        .filter(application_id__in=apps)
        .select_related("version")
    }
    years = {a.fiscal_year_id: a.fiscal_year for a in apps.values()}
    menus = {m.pk: m for m in SubsidyMenu.objects.filter(fiscal_year_id__in=years)}
    gathered = _Gathered(
        decisions=decisions,
        menus=menus,
        rates={pk: m.rate for pk, m in menus.items()},
        rules={pk: rule_of(fy) for pk, fy in years.items()},
        lines_by_decision=_decided_lines(decisions),
        expenses=_reported_expenses(apps),
        advances=_advances(apps),
        granted_before=_granted_before(max(fy.year for fy in years.values())),
    )
    with _without_cyclic_gc():
        return _build_claims(apps, gathered)


def _decided_lines(decisions: dict[int, Decision]) -> dict[int, list[_DecidedLine]]:
    lines_by_decision: dict[int, list[_DecidedLine]] = defaultdict(list)
    for row in (
        DecisionLine.objects.filter(decision_id__in=[d.pk for d in decisions.values()])
        .order_by("decision_id", "designation_id", "menu__display_order", "pk")
        .values_list(
            "decision_id",
            "menu_id",
            "designation_id",
            "designation__institution_id",
            "designation__institution__name",
            "decided_amount",
        )
    ):
        line = _DecidedLine(*row)
        lines_by_decision[line.decision_id].append(line)
    return lines_by_decision


def _reported_expenses(apps) -> dict[tuple[int, int, int | None], _Reported]:
    return {
        (app_id, menu_id, designation_id): _Reported(*values)
        for app_id, menu_id, designation_id, *values in ResultExpense.objects.filter(
            report__application_id__in=apps
        ).values_list(
            "report__application_id",
            "menu_id",
            "designation_id",
            "actual_expense_total",
            "total_cost",
            "other_income",
            "excluded_amount",
        )
    }


def _advances(apps) -> dict[tuple[int, int | None], int]:
    return {
        (row["application_id"], row["designation_id"]): row["total"]
        for row in AdvancePayment.objects.filter(application_id__in=apps)
        .values("application_id", "designation_id")
        .annotate(total=Sum("amount"))
    }


def _granted_before(latest_year: int) -> dict[tuple[str, int], list[int]]:
    """(menu code, institution) → the earlier years a once-per-facility menu was granted."""
    granted_before: dict[tuple[str, int], list[int]] = defaultdict(list)
    for code, institution_id, year in DecisionLine.objects.filter(
        menu__cap_unit=SubsidyMenu.CapUnit.ONCE_PER_FACILITY,
        designation__isnull=False,
        decided_amount__gt=0,
        decision__in=Decision.objects.current(),
        decision__application__fiscal_year__year__lt=latest_year,
    ).values_list(
        "menu__code", "designation__institution_id", "decision__application__fiscal_year__year"
    ):
        granted_before[(code, institution_id)].append(year)
    return granted_before


@contextlib.contextmanager
def _without_cyclic_gc():
    """A year's claims create a few million small acyclic objects (inputs, Fractions, the
    explanation strings); the cyclic collector would rescan them again and again (about a
    third of the time at national scale). Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build_claims(apps, gathered: _Gathered) -> dict[int, ApplicationClaim]:
    claims = {}
    for pk, application in apps.items():
        decision = gathered.decisions.get(pk)
        claim = ApplicationClaim(application, decision, gathered.rules[application.fiscal_year_id])
        claims[pk] = claim
        if decision is None:
            continue
        grouped: dict[str, list[_DecidedLine]] = defaultdict(list)
        for line in gathered.lines_by_decision[decision.pk]:
            grouped[f"hospital:{line.designation_id}" if line.designation_id else "hub"].append(
                line
            )
        claim.recipients = [
            _recipient_claim(claim, key, recipient_lines, gathered)
            for key, recipient_lines in grouped.items()
        ]
        claim.recipients.sort(key=lambda r: (r.designation_id is not None, r.recipient_name))
    return claims


def _recipient_claim(
    claim: ApplicationClaim, key: str, lines: list[_DecidedLine], gathered: _Gathered
) -> RecipientClaim:
    """One recipient's inputs (a menu input per decided line) and its computed result."""
    application = claim.application
    snapshot_plan = (claim.decision.version.snapshot or {}).get("plan", {})
    district_count = int(snapshot_plan.get("district_count") or application.district_count)
    plan_lines = snapshot_plan.get("lines", {})
    designation_id = lines[0].designation_id
    name = lines[0].institution_name if designation_id else application.hub.name
    menu_inputs, units_text = [], {}
    for line in lines:
        menu = gathered.menus[line.menu_id]
        code = line_key(menu.code, designation_id)
        units, units_text[code] = _units(
            menu, code, key, name, plan_lines.get(code, {}), district_count, gathered
        )
        menu_inputs.append(_menu_input(application, line, menu, code, units, gathered))
    facility = FacilityInput(
        recipient_name=name,
        menus=tuple(menu_inputs),
        advance_received=gathered.advances.get((application.pk, designation_id), 0),
    )
    result = calculate_claim(facility, claim.rule)
    return RecipientClaim(key, designation_id, name, facility, result, units_text)


def _units(menu, code, key, name, planned, district_count, gathered) -> tuple[int, str]:
    """The cap's units of the decided plan (区割り, 人・半日, か月) and their text."""
    if menu.cap_unit in _ONE_UNIT:
        return 1, "1か所"
    return units_for(
        LineInput(
            key=code,
            recipient_key=key,
            recipient_name=name,
            menu_code=menu.code,
            menu_name=menu.name,
            cap_amount=menu.cap_amount,
            cap_unit=menu.cap_unit,
            max_units=menu.max_units,
            rate=gathered.rates[menu.pk],
            wish=True,
            expense_total=0,
            district_count=district_count,
            trainees=planned.get("trainees"),
            half_days=planned.get("half_days"),
            months=planned.get("months"),
        )
    )


def _menu_input(application, line: _DecidedLine, menu, code, units, gathered) -> MenuInput:
    expense = gathered.expenses.get((application.pk, menu.pk, line.designation_id))
    actual = expense.actual_expense if expense else 0
    once = menu.cap_unit == SubsidyMenu.CapUnit.ONCE_PER_FACILITY
    year = application.fiscal_year.year
    before = once and any(
        y < year for y in gathered.granted_before.get((menu.code, line.institution_id), ())
    )
    return MenuInput(
        menu_code=code,
        menu_name=menu.name,
        cap_amount=menu.cap_amount,
        units=units,
        rate=gathered.rates[menu.pk],
        actual_expense=actual,
        excluded_expense=min(expense.excluded_amount, actual) if expense else 0,
        total_cost=expense.total_cost if expense else 0,
        other_income=expense.other_income if expense else 0,
        decided_amount=line.decided_amount,
        once_per_facility=once,
        already_granted_before=before,
        unit_label=UNIT_LABELS.get(menu.cap_unit, ""),
    )


def claim_for(application: Application) -> ApplicationClaim:
    return load_claims(Application.objects.filter(pk=application.pk))[application.pk]


def _amount_text(amount: int | Fraction | None) -> str:
    return "—" if amount is None else format_yen(amount)


def breakdown(recipient: RecipientClaim) -> dict:
    """One recipient's 精算額調 as plain JSON data: what the page, the xlsx and a frozen
    confirmation all print."""
    r = recipient.result
    return {
        "key": recipient.key,
        "designation_id": recipient.designation_id,
        "recipient_name": recipient.recipient_name,
        "columns": {
            "A": r.total_cost,
            "B": r.other_income,
            "C": r.net_cost,
            "D": r.eligible_expense,
            "E": r.base_amount,
            "F": r.capped_expense,
            "G": r.required_amount,
            "H": r.decided_amount,
            "I": r.advance_received,
            "J": r.difference,
        },
        "settlement": r.settlement.label,
        "steps": [[s.symbol, s.label, _amount_text(s.amount), s.formula] for s in r.steps],
        "menus": [
            {
                "code": m.menu_code,
                "name": m.menu_name,
                "units_text": recipient.units_text.get(m.menu_code, ""),
                "A": m.total_cost,
                "B": m.other_income,
                "C": m.net_cost,
                "D_actual": m.actual_expense,
                "excluded": m.excluded_expense,
                "D": m.eligible_expense,
                "E": m.base_amount,
                "F": m.capped_expense,
                "G": _amount_text(m.required_amount),
                "H": m.decided_amount,
                "reason": m.reason or "",
                "steps": [[s.symbol, s.label, _amount_text(s.amount), s.formula] for s in m.steps],
            }
            for m in r.menus
        ],
    }


def claim_snapshot(claim: ApplicationClaim) -> dict:
    rule = claim.rule
    return {
        "rule": {
            "order": rule.order.label,
            "rounding_unit": rule.rounding_unit,
            "rounding_level": rule.rounding_level.label,
        },
        "recipients": [breakdown(r) for r in claim.recipients],
        "total_amount": claim.total_amount,
        "decided_total": claim.decided_total,
        "advance_total": claim.advance_total,
        "difference": claim.difference,
    }


def recipient_rows(record: Confirmation, claim: ApplicationClaim) -> list[ConfirmationRecipient]:
    """The confirmation's per-recipient rows, built from the claim (not yet saved)."""
    return [
        ConfirmationRecipient(
            confirmation=record,
            designation_id=r.designation_id,
            recipient_name=r.recipient_name,
            total_cost=r.result.total_cost,
            other_income=r.result.other_income,
            net_cost=r.result.net_cost,
            eligible_expense=r.result.eligible_expense,
            base_amount=r.result.base_amount,
            capped_expense=r.result.capped_expense,
            required_amount=r.result.required_amount,
            decided_amount=r.result.decided_amount or 0,
            advance_received=r.result.advance_received,
            difference=r.result.difference,
        )
        for r in claim.recipients
    ]
