"""The application as plain data: its lines, its plan, the amounts the pages show.

Queries only; nothing here writes. The rules (rules.py), the workflow table, the writers
(services.py), the forms, the views and the Excel workbook all read through this module."""

from __future__ import annotations

import copy
import datetime
import time
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from hospitals.models import ActiveHospitalDesignation
from subsidies.applications import hospital_counts, hospital_lines
from subsidies.applications.amounts import (
    LineAmount,
    LineInput,
    RecipientTotal,
    has_beds,
    is_enhanced,
    line_amounts,
)
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
    FiscalYear,
    MenuPlan,
    SubsidyMenu,
)
from subsidies.results.calculation import CalculationRule
from zaitaku_portal import figures


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


def own_application_designation(institution, fiscal_year):
    """Setting (b) (issue 18): the designation a hospital applies under in a fiscal year, its
    first 指定中 one in force during the year (April to March), or None. A 内諾 or an ended
    designation does not apply."""
    first, last = datetime.date(fiscal_year.year, 4, 1), datetime.date(fiscal_year.year + 1, 3, 31)
    return (
        ActiveHospitalDesignation.objects.filter(
            institution=institution, status="active", start_date__lte=last
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .select_related("institution", "area", "hub")
        .order_by("area__display_order", "pk")
        .first()
    )


def hub_of_designation(designation):
    """The hub a hospital's own application follows: the designation's hub, else the hub
    serving its area."""
    if designation.hub_id:
        return designation.hub
    return designation.area.hubs.order_by("pk").first()


def hospitals_own_rows(hub, fiscal_year, applications) -> list[dict]:
    """積極的医療機関の申請状況 (issue 18, setting (b)): each hospital designated 指定中 in the
    hub's areas during the year, with its own application among `applications` (the
    viewer's scope) if there is one, its status and its current decided and confirmed
    amounts. Four queries whatever the number of hospitals."""
    from subsidies.models import Confirmation

    first, last = datetime.date(fiscal_year.year, 4, 1), datetime.date(fiscal_year.year + 1, 3, 31)
    designations = list(
        hospital_designations(hub)
        .filter(start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
    )
    own = {
        a.institution_id: a
        for a in applications.filter(
            fiscal_year=fiscal_year,
            institution__in=[d.institution_id for d in designations],
        )
    }
    decided = dict(
        Decision.objects.current()
        .filter(application__in=list(own.values()))
        .values_list("application_id", "total_amount")
    )
    confirmed = dict(
        Confirmation.objects.current()
        .filter(application__in=list(own.values()))
        .values_list("application_id", "total_amount")
    )
    rows, seen = [], set()
    for designation in designations:
        if designation.institution_id in seen:  # designated in two of the hub's areas
            continue
        seen.add(designation.institution_id)
        application = own.get(designation.institution_id)
        pk = application.pk if application else None
        rows.append(
            {
                "institution": designation.institution,
                "area": designation.area,
                "application": application,
                "status": application.get_status_display() if application else "未作成",
                "decided": decided.get(pk),
                "confirmed": confirmed.get(pk),
            }
        )
    return rows


def lines_of(application: Application, references: bool = True) -> list[MenuPlan]:
    """The plan's lines, the hub's own first, each with its menu (its expense categories, and
    its requirement items unless `references=False`: what the pages' menu references show; a
    save does not read them). The menus are the year's as menus_of() keeps them."""
    lines = with_menus(application, list(application.lines.order_by()), references)
    return _in_plan_order(lines)


def _in_plan_order(lines: list[MenuPlan]) -> list[MenuPlan]:
    """`lines` (with their menus) in the plan's order: the hub's own lines first, then each
    hospital's by its name (the database's collation, as every list of institutions) and
    designation, each part by the menus' order. The lines are read alone and their hospitals
    apart (none for a hub's own plan): one query joining the designation, institution, area
    and menu cost 4-7 ms a read, mostly the planning and building of its joins, where the
    plain lines take 1 ms (issue 21)."""
    designated = {line.designation_id for line in lines if line.designation_id}
    rank, found = {None: -1}, {}
    if designated:
        designations = ActiveHospitalDesignation.objects.filter(pk__in=designated)
        for index, designation in enumerate(
            designations.select_related("institution", "area").order_by("institution__name", "pk")
        ):
            rank[designation.pk], found[designation.pk] = index, designation
        for line in lines:
            if line.designation_id:
                line.designation = found[line.designation_id]
    lines.sort(key=lambda line: (rank[line.designation_id], line.menu.display_order, line.menu_id))
    return lines


def with_menus(application: Application, lines: list[MenuPlan], references: bool = True):
    """`lines` with the year's menus as menus_of() keeps them (with their requirement items
    unless `references=False`): a save's lines read without them, shown again with them."""
    menus = menus_of(application.fiscal_year_id, references)
    if strays := {line.menu_id for line in lines} - menus.keys():  # another year's menu
        menus = {**menus, **_read_menus(None, references, strays)}
    for line in lines:
        line.menu = menus[line.menu_id]
    return lines


# what the catalogue holds, read once per process: key → (the catalogue's stamp, the value,
# when it was read)
_KEPT: dict[tuple, tuple[str, Any, float]] = {}


def kept(key: tuple, read):
    """read(), kept per process while the catalogue's stamp (zaitaku_portal/figures.py) is
    unchanged: every plan page and save reads the year's menus and the expense categories,
    and they change a few times a year. Read again each time with the figures cache off, and
    inside a transaction that has written the catalogue itself (its stamp moves only at the
    commit), and for PORTAL_FIGURES_MAX_AGE seconds at most (hosts with a file cache each do
    not see the others' stamps). What is kept is read-only: not to be changed (a menu
    carries its rendered reference, subsidies/templatetags/menu_reference.py)."""
    seconds = figures.max_age()
    if seconds <= 0 or figures.pending(figures.CATALOGUE):
        return read()
    stamp, now = figures.stamps((figures.CATALOGUE,)), time.monotonic()
    entry = _KEPT.get(key)
    if entry is not None and entry[0] == stamp and now - entry[2] < seconds:
        return entry[1]
    value = read()
    _KEPT[key] = (stamp, value, now)
    return value


def fiscal_year(pk: int) -> FiscalYear:
    """The fiscal year, kept (its rules, deadlines, notices' settings and seal): every
    application page reads it, and joining its 32 columns to the application cost about a
    third of that read (issue 21). Each call returns a copy of its own, which the caller may
    change and save like any instance it read."""
    return copy.copy(kept(("fiscal_year", pk), lambda: FiscalYear.objects.get(pk=pk)))


def fiscal_year_numbered(year: int | None = None) -> FiscalYear | None:
    """The fiscal year `year` (the newest if None) as fiscal_year() gives it, or None if it
    is not registered: what the to-dos of every home ask after each write (issue 21)."""
    years = (
        FiscalYear.objects.order_by("-year")
        if year is None
        else FiscalYear.objects.filter(year=year)
    )
    pk = kept(("fiscal_year_pk", year), lambda: years.values_list("pk", flat=True).first())
    return None if pk is None else fiscal_year(pk)


def menus_of(fiscal_year_id: int, references: bool = True) -> dict[int, SubsidyMenu]:
    """The year's menus by id with their expense categories (and requirement items), kept."""
    return kept(
        ("menus", fiscal_year_id, references),
        lambda: _read_menus(fiscal_year_id, references),
    )


def category_names() -> dict[str, str]:
    """費目: code → name, kept; the audit log's labels of a plan's changes."""
    return kept(("categories",), lambda: dict(ExpenseCategory.objects.values_list("code", "name")))


def _read_menus(
    fiscal_year_id: int | None, references: bool, pks: set[int] | None = None
) -> dict[int, SubsidyMenu]:
    menus = SubsidyMenu.objects.filter(
        Q(pk__in=pks) if pks is not None else Q(fiscal_year_id=fiscal_year_id)
    ).prefetch_related("expense_categories", *(["requirement_items"] if references else []))
    return {menu.pk: menu for menu in menus}


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
    plan.update(hospital_counts.plan_part(application))  # form 4-② as counts, if the year's
    return plan


def rule_of(fiscal_year) -> CalculationRule:
    return CalculationRule(
        order=fiscal_year.cap_rate_order,
        rounding_unit=fiscal_year.rounding_unit,
        rounding_level=fiscal_year.rounding_level,
        other_income_level=fiscal_year.other_income_level,
    )


def start_year_choices(fiscal_year) -> list[int]:
    return [fiscal_year.year, fiscal_year.year + 1, fiscal_year.year + 2]


def _once_ever(menu: SubsidyMenu) -> bool:
    """Capped once per facility and read as once ever (the menu's setting): an earlier
    year's grant refuses it; read as once per year, it does not."""
    return (
        menu.cap_unit == SubsidyMenu.CapUnit.ONCE_PER_FACILITY
        and menu.once_per_facility_scope == SubsidyMenu.OncePerFacilityScope.EVER
    )


def _granted_before(lines: list[MenuPlan], fiscal_year) -> set[tuple[str, int]]:
    """(menu code, institution id) of once-per-facility menus granted in an earlier year,
    for all the given lines in one query."""
    institutions = {
        line.designation.institution_id
        for line in lines
        if line.designation_id and _once_ever(line.menu)
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
                    _once_ever(line.menu)
                    and line.designation_id is not None
                    and (line.menu.code, line.designation.institution_id) in granted
                ),
                **_eligibility_inputs(application, line, data),
            )
        )
    return inputs


def _eligibility_inputs(application: Application, line: MenuPlan, data: dict) -> dict:
    """What amounts.held_back_reason reads: the years, the menu's eligibility settings and
    the institution's register data (a hub's own lines have no institution: always eligible)."""
    institution = line.designation.institution if line.designation_id else None
    return {
        "fiscal_year": application.fiscal_year.year,
        "start_year": data.get("start_year"),
        "requires_beds": line.menu.requires_beds and institution is not None,
        "targets_non_enhanced": line.menu.targets_non_enhanced and institution is not None,
        "has_beds": institution is None or has_beds(institution.kind, institution.bed_count),
        "enhanced": institution is not None and is_enhanced(institution.support_tier),
    }


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
        for group in groups.values():  # the application page shows the wished lines only
            group["wished_count"] = sum(1 for row in group["rows"] if row["data"].get("wish"))
            group["unwished_count"] = len(group["rows"]) - group["wished_count"]
            # an unwished line with nothing entered is not printed at all (issue 18)
            for row in group["rows"]:
                row["entered"] = hospital_lines.data_entered(row["data"])
            group["entered_unwished"] = [
                row for row in group["rows"] if row["entered"] and not row["data"].get("wish")
            ]
        ordered = [groups.pop("hub")] if "hub" in groups else []
        return ordered + list(groups.values())


def plan_view(
    application: Application, plan: dict | None = None, lines: list[MenuPlan] | None = None
) -> PlanView:
    """`lines`: lines_of(application) when the caller has read them already."""
    lines = lines if lines is not None else lines_of(application)
    plan = plan if plan is not None else current_plan(application, lines)
    amounts, totals = line_amounts(
        line_inputs(application, lines, plan), rule_of(application.fiscal_year)
    )
    return PlanView(application, lines, plan, amounts, totals)


def labels_for(
    application: Application, lines: list[MenuPlan] | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    lines = lines if lines is not None else lines_of(application)
    return (
        {key_of(line): label_of(line) for line in lines} | hospital_counts.labels(application),
        category_names(),
    )


def decision_rows(application: Application, view: PlanView | None = None) -> list[dict]:
    """The wished lines the decision page asks an amount for, with the computed amount. A
    wished line held back this year (a later start year, not eligible) gets no amount and no
    decision line: held_back_rows lists it."""
    view = view or plan_view(application)
    return [
        {
            "key": key_of(line),
            "label": label_of(line),
            "computed": view.amounts[key_of(line)].computed_amount,
            "amount": view.amounts[key_of(line)],
        }
        for line in view.lines
        if view.amounts[key_of(line)].carries_money
    ]


def held_back_rows(view: PlanView) -> list[dict]:
    """The wished lines the decision gives no amount, with the reason the pages show."""
    rows = []
    for line in view.lines:
        amount = view.amounts[key_of(line)]
        if amount.wish and not amount.carries_money:
            rows.append(
                {"key": key_of(line), "label": label_of(line), "reason": amount.no_money_reason}
            )
    return rows


@dataclass
class DecisionInput:
    notice_number: str
    notice_date: datetime.date
    amounts: dict[str, tuple[int, str]]  # line key → (decided amount, reason if reduced)
