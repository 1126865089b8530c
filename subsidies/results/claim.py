"""The claim that feeds the 精算額調: the inputs of the pure calculation gathered from the
decided application (caps, rates, units of the decided plan, decided amounts H), the
results report (A, B, D and exclusions with their source and reason; the activities that
give the units done) and the advance payments (I), for many applications at once with a
fixed number of queries (benchmarks/confirmations.py measures it).

Units at 額の確定 follow what was done (issue 14): a menu capped per person per half day
(同行訪問等研修) counts trainees × half days summed over the report's accompanied-visit
activities, a menu capped per month the months recorded on its nurse-placement activities
(of the same hospital for a hospital's line, of the hub itself for the hub's), each never
more than the decided plan's units. The rule's order, rounding and other-income level are
the fiscal year's.

The calculation itself is subsidies.results.calculation.calculate_claim; this module only
reads and shapes (breakdown, claim_snapshot: what the page, the xlsx and a frozen
confirmation print). Nothing here writes."""

from __future__ import annotations

import contextlib
import gc
from collections import defaultdict
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import NamedTuple

from django.db.models import QuerySet, Sum

from subsidies.applications.amounts import LineInput, units_for
from subsidies.applications.plan_data import line_key
from subsidies.applications.reading import rule_of
from subsidies.catalogue.choices import OncePerFacilityScope
from subsidies.models import (
    Activity,
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
from subsidies.results.models import ExcludedSource
from zaitaku_portal.wareki import fiscal_year_label

EXCLUDED_SOURCES = {value: label for value, label in ExcludedSource.choices if value}
UNIT_LABELS = {
    SubsidyMenu.CapUnit.PER_DISTRICT: "区割り",
    SubsidyMenu.CapUnit.PER_PERSON_HALF_DAY: "人・半日",
    SubsidyMenu.CapUnit.PER_MONTH: "か月",
}
# The activities whose counts are a count-based menu's units done.
DONE_BY_ACTIVITY = {
    SubsidyMenu.CapUnit.PER_PERSON_HALF_DAY: "accompanied_visit",
    SubsidyMenu.CapUnit.PER_MONTH: "nurse_placement",
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
    excluded_source: str
    excluded_reason: str


class _Done(NamedTuple):
    """What the activities of one recipient record: Σ trainees × half days, Σ months."""

    trainee_half_days: int
    trainee_text: str
    months: int


@dataclass
class _Gathered:
    """Everything the claims of a set of applications read, each kind in one query."""

    decisions: dict[int, Decision]
    menus: dict[int, SubsidyMenu]
    rules: dict[int, CalculationRule]
    lines_by_decision: dict[int, list[_DecidedLine]]
    expenses: dict[tuple[int, int, int | None], _Reported]
    advances: dict[tuple[int, int | None], int]
    granted_before: dict[tuple[str, int], list[tuple[int, str]]]
    done: dict[tuple[int, int | None], _Done]
    units: dict = field(default_factory=dict)  # the plan's units, by menu and counts
    templates: dict[int, dict] = field(default_factory=dict)  # a MenuInput's menu fields


def load_claims(applications: QuerySet) -> dict[int, ApplicationClaim]:
    """The claim of every application in `applications`, with eight queries whatever their
    number: applications, current decisions (with the decided plan's version), the menus of
    their years, decision lines, reported expenses, advance payments, once-per-facility
    grants of earlier years, and the count-based activities done. Rows are read as tuples,
    not model instances: at national scale (62,000 decided lines) building model objects
    would cost more than the calculation."""
    with _without_cyclic_gc():
        return _load_claims(applications)


def _load_claims(applications: QuerySet) -> dict[int, ApplicationClaim]:
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
        rules={
            pk: replace(rule_of(fy), other_income_level=fy.other_income_level)
            for pk, fy in years.items()
        },
        lines_by_decision=_decided_lines(decisions),
        expenses=_reported_expenses(apps),
        advances=_advances(apps),
        granted_before=_granted_before(max(fy.year for fy in years.values())),
        done=_done(apps),
        templates={pk: _menu_template(m) for pk, m in menus.items()},
    )
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
        lines_by_decision[row[0]].append(row)  # a _DecidedLine's fields, as a plain tuple
    return lines_by_decision


def _reported_expenses(apps) -> dict[tuple[int, int, int | None], _Reported]:
    return {  # each value a _Reported's fields, as a plain tuple (read by index below)
        row[:3]: row[3:]
        for row in ResultExpense.objects.filter(report__application_id__in=apps).values_list(
            "report__application_id",
            "menu_id",
            "designation_id",
            "actual_expense_total",
            "total_cost",
            "other_income",
            "excluded_amount",
            "excluded_source",
            "excluded_reason",
        )
    }


def _done(apps) -> dict[tuple[int, int | None], _Done]:
    """(application, designation or None for the hub) → the counts its activities record."""
    sums: dict[tuple[int, int | None], list] = defaultdict(lambda: [0, [], 0])
    for app_id, kind, designation_id, trainees, half_days, months in Activity.objects.filter(
        report__application_id__in=apps, kind__in=set(DONE_BY_ACTIVITY.values())
    ).values_list(
        "report__application_id", "kind", "designation_id", "trainees", "half_days", "months"
    ):
        entry = sums[(app_id, designation_id)]
        if kind == "accompanied_visit":
            entry[0] += (trainees or 0) * (half_days or 0)
            entry[1].append(f"{trainees or 0}人×{half_days or 0}半日")
        else:
            entry[2] += months or 0
    return {
        key: _Done(total, " + ".join(parts), months) for key, (total, parts, months) in sums.items()
    }


def _advances(apps) -> dict[tuple[int, int | None], int]:
    return {
        (row["application_id"], row["designation_id"]): row["total"]
        for row in AdvancePayment.objects.filter(application_id__in=apps)
        .values("application_id", "designation_id")
        .annotate(total=Sum("amount"))
    }


def _granted_before(latest_year: int) -> dict[tuple[str, int], list[tuple[int, str]]]:
    """(menu code, institution) → the earlier years a once-per-facility menu was granted,
    each with the notice number of that decision."""
    granted_before: dict[tuple[str, int], list[tuple[int, str]]] = defaultdict(list)
    for code, institution_id, year, number in DecisionLine.objects.filter(
        menu__cap_unit=SubsidyMenu.CapUnit.ONCE_PER_FACILITY,
        designation__isnull=False,
        decided_amount__gt=0,
        decision__in=Decision.objects.current(),
        decision__application__fiscal_year__year__lt=latest_year,
    ).values_list(
        "menu__code",
        "designation__institution_id",
        "decision__application__fiscal_year__year",
        "decision__notice_number",
    ):
        granted_before[(code, institution_id)].append((year, number))
    return granted_before


# More young objects than this at the end of a bulk read: promote them unscanned.
_PROMOTE_AT = 100_000


@contextlib.contextmanager
def _without_cyclic_gc():
    """A year's claims create about a million small acyclic objects (inputs, results, and
    their explanation strings when a snapshot prints them); the cyclic collector would scan
    them while they are built, and once more all at once when it is enabled again (a fifth
    of the time at national scale). Reference counting still frees everything. When many
    objects were created (a bulk read, not one application), they are moved to the oldest
    generation without that scan (gc.freeze + gc.unfreeze): they are long-lived results,
    and a later full collection still traverses them like any old object."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_count()[0] > _PROMOTE_AT:
                gc.freeze()
                gc.unfreeze()
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
            grouped[f"hospital:{line[2]}" if line[2] else "hub"].append(line)
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
    district_count, plan_lines = _plan_of(claim)
    designation_id = lines[0][2]
    name = lines[0][4] if designation_id else application.hub.name
    menu_inputs, units_text = [], {}
    app_pk, year = application.pk, application.fiscal_year.year
    done = gathered.done.get((app_pk, designation_id))
    for line in lines:
        menu = gathered.menus[line[1]]
        code = line_key(menu.code, designation_id)
        unit = menu.cap_unit
        if unit in _ONE_UNIT:  # most lines: 1か所, whatever was done
            units, units_text[code], note = 1, "1か所", ""
        else:
            planned = _units(
                menu, code, key, name, plan_lines.get(code, {}), district_count, gathered
            )
            units, units_text[code], note = units_done(menu, planned, done)
        menu_inputs.append(_menu_input(app_pk, year, line, menu, code, (units, note), gathered))
    facility = FacilityInput.trusted(
        name, tuple(menu_inputs), gathered.advances.get((app_pk, designation_id), 0)
    )
    result = calculate_claim(facility, claim.rule)
    return RecipientClaim(key, designation_id, name, facility, result, units_text)


def _plan_of(claim: ApplicationClaim) -> tuple[int, dict]:
    """The decided plan's 区割り数 and lines, read once per application."""
    cached = claim.__dict__.get("_plan")
    if cached is None:
        plan = (claim.decision.version.snapshot or {}).get("plan", {})
        district_count = int(plan.get("district_count") or claim.application.district_count)
        cached = claim.__dict__["_plan"] = (district_count, plan.get("lines", {}))
    return cached


def _units(menu, code, key, name, planned, district_count, gathered) -> tuple[int, str]:
    """The cap's units of the decided plan (区割り, 人・半日, か月) and their text."""
    if menu.cap_unit in _ONE_UNIT:
        return 1, "1か所"
    counts = (planned.get("trainees"), planned.get("half_days"), planned.get("months"))
    cache_key = (menu.pk, district_count, counts)
    cached = gathered.units.get(cache_key)
    if cached is None:
        cached = gathered.units[cache_key] = _plan_units(
            menu, code, key, name, planned, district_count, gathered
        )
    return cached


def _plan_units(menu, code, key, name, planned, district_count, gathered) -> tuple[int, str]:
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
            rate=gathered.templates[menu.pk]["rate"],
            wish=True,
            expense_total=0,
            district_count=district_count,
            trainees=planned.get("trainees"),
            half_days=planned.get("half_days"),
            months=planned.get("months"),
        )
    )


def units_done(menu, planned: tuple[int, str], done: _Done | None) -> tuple[int, str, str]:
    """The units the cap counts at 額の確定: what was done, never more than decided; with
    the page's text (実績／計画) and the formula's note. Other units are the plan's."""
    units, planned_text = planned
    if menu.cap_unit not in DONE_BY_ACTIVITY:
        return units, planned_text, ""
    unit = UNIT_LABELS[menu.cap_unit]
    if menu.cap_unit == SubsidyMenu.CapUnit.PER_PERSON_HALF_DAY:
        actual = done.trainee_half_days if done else 0
        how = f"{done.trainee_text} = " if done and done.trainee_text else ""
    else:
        actual = done.months if done else 0
        how = ""
    counted = min(actual, units)
    text = f"実績 {how}{actual:,}{unit}／計画 {planned_text}（{units:,}{unit}）"
    note = f"実績 {how}{actual:,}{unit}、計画 {planned_text}（{units:,}{unit}）の少ない方"
    return counted, text, note


def _earlier_grant(menu, institution_id, year, gathered) -> str:
    """The earlier grant that refuses a once-per-facility menu, as 「令和6年度（6医政第12号）」;
    "" when none refuses it (none granted, or the menu is read as once each year)."""
    if menu.cap_unit != SubsidyMenu.CapUnit.ONCE_PER_FACILITY:
        return ""
    if getattr(menu, "once_per_facility_scope", "") == OncePerFacilityScope.PER_YEAR:
        return ""
    earlier = sorted(
        (y, number)
        for y, number in gathered.granted_before.get((menu.code, institution_id), ())
        if y < year
    )
    if not earlier:
        return ""
    y, number = earlier[0]
    return f"{fiscal_year_label(y)}の交付決定（{number}）"


def _menu_input(app_pk, year, line: _DecidedLine, menu, code, units, gathered) -> MenuInput:
    """``units`` is (units counted, their note for the E formula)."""
    _decision_id, menu_id, designation_id, institution_id, _name, decided = line
    expense = gathered.expenses.get((app_pk, menu_id, designation_id))
    actual, total_cost, other_income, excluded, source, why = expense or _NO_EXPENSE
    template = gathered.templates[menu_id]
    once = template["once_per_facility"]
    earlier = _earlier_grant(menu, institution_id, year, gathered) if once else ""
    return MenuInput.trusted(  # every value from validated rows (see MenuInput.trusted)
        {
            **template,
            "menu_code": code,
            "units": units[0],
            "units_note": units[1],
            "actual_expense": actual,
            "excluded_expense": min(excluded, actual),
            "excluded_source": EXCLUDED_SOURCES.get(source, "") if source else "",
            "excluded_reason": why,
            "total_cost": total_cost,
            "other_income": other_income,
            "decided_amount": decided,
            "already_granted_before": bool(earlier),
            "earlier_grant": earlier,
        }
    )


def _menu_template(menu: SubsidyMenu) -> dict:
    """The fields of a MenuInput that are the menu's own, the same on every line of it."""
    return {
        "menu_name": menu.name,
        "cap_amount": menu.cap_amount,
        "rate": menu.rate,
        "once_per_facility": menu.cap_unit == SubsidyMenu.CapUnit.ONCE_PER_FACILITY,
        "unit_label": UNIT_LABELS.get(menu.cap_unit, ""),
    }


_NO_EXPENSE = (0, 0, 0, 0, "", "")


def claim_for(application: Application) -> ApplicationClaim:
    return load_claims(Application.objects.filter(pk=application.pk))[application.pk]


def _amount_text(amount: int | Fraction | None) -> str:
    return "—" if amount is None else format_yen(amount)


def _whole_yen(amount: int | Fraction | None) -> int | None:
    """A step's amount as a number cell: whole yen (a fraction of a yen, only before the
    rule rounds down, is cut here; the text column keeps it exact)."""
    return None if amount is None else int(amount)


def _steps(steps) -> list[list]:
    """[symbol, label, amount text, formula, amount in whole yen]."""
    return [
        [symbol, label, format_yen(amount), formula, amount]  # whole yen already
        if type(amount) is int
        else [symbol, label, _amount_text(amount), formula, _whole_yen(amount)]
        for symbol, label, amount, formula in steps
    ]


def _bound(r) -> dict | None:
    """How the facility's C bounds the sum of its menus (C compared per facility)."""
    if r.bound is None:
        return None
    b = r.bound
    return {
        "net_cost": b.net_cost,
        "need": _whole_yen(b.need),
        "bounded": _whole_yen(b.bounded),
        "binds": b.binds,
        "menus_total": _whole_yen(sum(m.required_amount for m in r.menus)),
    }


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
        "bound": _bound(r),
        "settlement": r.settlement.label,
        "steps": _steps(r.steps),
        "menus": [
            {
                "code": m.menu_code,
                "name": m.menu_name,
                "units_text": recipient.units_text.get(m.menu_code, ""),
                "units": m.source.units,
                "A": m.total_cost,
                "B": m.other_income,
                "C": m.net_cost,
                "D_actual": m.actual_expense,
                "excluded": m.excluded_expense,
                "excluded_source": m.source.excluded_source,
                "excluded_reason": m.source.excluded_reason,
                "D": m.eligible_expense,
                "E": m.base_amount,
                "F": m.capped_expense,
                "G": _whole_yen(m.amount),
                "G_text": _amount_text(m.amount),
                "H": m.decided_amount,
                "reason": m.reason or "",
                "steps": _steps(m.steps),
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
            "other_income_level": rule.other_income_level.label,
        },
        "recipients": [breakdown(r) for r in claim.recipients],
        "total_amount": claim.total_amount,
        "decided_total": claim.decided_total,
        "advance_total": claim.advance_total,
        "difference": claim.difference,
    }


def claim_snapshots(claims) -> list[dict]:
    """The snapshot of each claim (a year's, at once): their steps are a few million small
    strings and tuples, built without the cyclic collector rescanning them (as load_claims)."""
    with _without_cyclic_gc():
        return [claim_snapshot(claim) for claim in claims]


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
