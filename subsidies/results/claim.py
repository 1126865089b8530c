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

The calculation itself is subsidies.results.calculation.calculate_claim and the 精算額調 as
data (breakdown, claim_snapshot: what the page, the xlsx and a frozen confirmation print)
subsidies.results.calculation.sheet; this module only reads and shapes. Nothing here
writes."""

from __future__ import annotations

import contextlib
import gc
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
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
)
from subsidies.results.calculation.sheet import breakdown as breakdown  # re-exported
from subsidies.results.calculation.sheet import claim_snapshot
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
    """One application's claim. ``decision`` (the decision in force, None without one) and
    ``application`` are model instances made only when read: a year's claims are read as
    tuples (load_claims). ``decision`` needs no query; ``application`` one, unless claim_for
    was given it."""

    application_id: int
    hub_name: str
    year: int
    rule: CalculationRule
    decision_row: tuple | None = None  # (database alias, the decision's _DECISION_FIELDS)
    recipients: list[RecipientClaim] = field(default_factory=list)

    @cached_property
    def decision(self) -> Decision | None:
        if self.decision_row is None:
            return None
        db, values = self.decision_row
        return Decision.from_db(db, _DECISION_FIELDS, values)

    @cached_property
    def application(self) -> Application:
        return Application.objects.select_related("hub", "fiscal_year").get(pk=self.application_id)

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


class _Year(NamedTuple):
    """What a claim reads of its fiscal year (rule_of reads the rest)."""

    year: int
    cap_rate_order: str
    rounding_unit: int
    rounding_level: str
    other_income_level: str


class _Plan(NamedTuple):
    """One application's claim inputs besides its lines: the decided plan's 区割り数 and lines."""

    pk: int
    hub_name: str
    year: int
    district_count: int
    lines: dict


# Read as values, made a model only when ApplicationClaim.decision is read.
_DECISION_FIELDS = tuple(f.attname for f in Decision._meta.concrete_fields)
_DECISION_PK = _DECISION_FIELDS.index(Decision._meta.pk.attname)
_DECISION_APPLICATION = _DECISION_FIELDS.index("application_id")


@dataclass
class _Gathered:
    """Everything the claims of a set of applications read, each kind in one query."""

    db: str
    decisions: dict[int, tuple]  # application → the decision's _DECISION_FIELDS + snapshot
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
    number: applications (with their hub's name and fiscal year), current decisions (with
    the decided plan's version), the menus of their years, decision lines, reported
    expenses, advance payments, once-per-facility grants of earlier years, and the
    count-based activities done. Rows are read as tuples, not model instances: at national
    scale (2,000 applications, 62,000 decided lines) building model objects would cost more
    than the calculation."""
    with _without_cyclic_gc():
        return _load_claims(applications)


def _load_claims(applications: QuerySet) -> dict[int, ApplicationClaim]:
    apps = {
        row[0]: row
        for row in applications.order_by("pk").values_list(
            "pk",
            "hub__name",
            "district_count",
            "fiscal_year_id",
            *(f"fiscal_year__{name}" for name in _Year._fields),
        )
    }
    if not apps:
        return {}
    years = {row[3]: _Year(*row[4:]) for row in apps.values()}
    decisions = (  # the last number wins, as in the model's ordering (without its joins)
        Decision.objects.current()
        .filter(application_id__in=apps)
        .order_by("application_id", "number")
    )
    menus = {m.pk: m for m in SubsidyMenu.objects.filter(fiscal_year_id__in=years)}
    gathered = _Gathered(
        db=decisions.db,
        decisions={
            row[_DECISION_APPLICATION]: row
            for row in decisions.values_list(*_DECISION_FIELDS, "version__snapshot")
        },
        menus=menus,
        rules={pk: rule_of(fy) for pk, fy in years.items()},
        lines_by_decision={},
        expenses=_reported_expenses(apps),
        advances=_advances(apps),
        granted_before=_granted_before(max(fy.year for fy in years.values())),
        done=_done(apps),
        templates={pk: _menu_template(m) for pk, m in menus.items()},
    )
    gathered.lines_by_decision = _decided_lines(
        [row[_DECISION_PK] for row in gathered.decisions.values()]
    )
    return _build_claims(apps, years, gathered)


def _decided_lines(decision_ids: list[int]) -> dict[int, list[_DecidedLine]]:
    lines_by_decision: dict[int, list[_DecidedLine]] = defaultdict(list)
    for row in (
        DecisionLine.objects.filter(decision_id__in=decision_ids)
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
        for row in ResultExpense.objects.filter(report__application_id__in=apps)
        .order_by()  # one row per key (constraints): the model's ordering would join menus
        .values_list(
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


def _build_claims(apps, years, gathered: _Gathered) -> dict[int, ApplicationClaim]:
    claims = {}
    for pk, hub_name, district_count, year_id, *_year in apps.values():
        year = years[year_id].year
        claim = claims[pk] = ApplicationClaim(pk, hub_name, year, gathered.rules[year_id])
        decision = gathered.decisions.get(pk)
        if decision is None:
            continue
        claim.decision_row = (gathered.db, decision[:-1])
        plan = _plan_of(pk, hub_name, year, district_count, decision[-1])
        grouped: dict[str, list[_DecidedLine]] = defaultdict(list)
        for line in gathered.lines_by_decision[decision[_DECISION_PK]]:
            grouped[f"hospital:{line[2]}" if line[2] else "hub"].append(line)
        claim.recipients = [
            _recipient_claim(claim.rule, plan, key, recipient_lines, gathered)
            for key, recipient_lines in grouped.items()
        ]
        claim.recipients.sort(key=lambda r: (r.designation_id is not None, r.recipient_name))
    return claims


def _recipient_claim(
    rule: CalculationRule, plan: _Plan, key: str, lines: list[_DecidedLine], gathered: _Gathered
) -> RecipientClaim:
    """One recipient's inputs (a menu input per decided line) and its computed result."""
    designation_id = lines[0][2]
    name = lines[0][4] if designation_id else plan.hub_name
    menu_inputs, units_text = [], {}
    app_pk, year = plan.pk, plan.year
    done = gathered.done.get((app_pk, designation_id))
    menus, templates, expense_of = gathered.menus, gathered.templates, gathered.expenses.get
    for _decision_id, menu_id, _designation_id, institution_id, _name, decided in lines:
        menu, template = menus[menu_id], templates[menu_id]
        code = line_key(menu.code, designation_id)
        if menu.cap_unit in _ONE_UNIT:  # most lines: 1か所, whatever was done
            units, units_text[code], note = 1, "1か所", ""
        else:
            planned = _units(
                menu, code, key, name, plan.lines.get(code, {}), plan.district_count, gathered
            )
            units, units_text[code], note = units_done(menu, planned, done)
        actual, total_cost, other_income, excluded, source, why = expense_of(
            (app_pk, menu_id, designation_id), _NO_EXPENSE
        )
        earlier = (
            _earlier_grant(menu, institution_id, year, gathered)
            if template["once_per_facility"]
            else ""
        )
        menu_inputs.append(
            MenuInput.trusted(  # every value from validated rows (see MenuInput.trusted)
                {
                    **template,
                    "menu_code": code,
                    "units": units,
                    "units_note": note,
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
        )
    facility = FacilityInput.trusted(
        name, tuple(menu_inputs), gathered.advances.get((app_pk, designation_id), 0)
    )
    result = calculate_claim(facility, rule)
    return RecipientClaim(key, designation_id, name, facility, result, units_text)


def _plan_of(pk, hub_name, year, district_count, snapshot) -> _Plan:
    """The decided plan's 区割り数 (the application's when the plan has none) and lines."""
    plan = (snapshot or {}).get("plan", {})
    count = int(plan.get("district_count") or district_count)
    return _Plan(pk, hub_name, year, count, plan.get("lines", {}))


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
    claim = load_claims(Application.objects.filter(pk=application.pk))[application.pk]
    claim.application = application  # the caller's (a cached_property: no query to read it)
    return claim


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
