"""The survey as plain data: its menus, each hub's answer as a dict (what the web form and
the Excel upload both produce and a diff compares), the amounts the answers imply and the
staff's demand view. Queries only; nothing here writes.

    {"district_policy": str, "meeting_body_count": int | None, "meeting_members": str,
     "meeting_image": str, "other_actions": str, "other_actions_start_year": int | None,
     "hospital_other_actions": str,
     "lines": {menu code: {"wish": bool, "planned_actions": str, "start_year": int | None,
                           "hospital_count": int | None}}}

A hub menu's line says wish / planned actions / start year (資料4-①); a hospital menu's
the number of hospitals of the area wishing it and the actions (資料4-②: the count is of
those wishing it from the survey's year; its wish is count > 0)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Value, When

from subsidies.applications.plan_data import start_year_label
from subsidies.applications.reading import rule_of
from subsidies.catalogue.choices import RecipientType
from subsidies.models import FiscalYear, SubsidyMenu, Survey, SurveyAnswer
from subsidies.survey.calculation import (
    MenuTerms,
    Wish,
    amounts_by_year,
    counts_in,
    years_of,
)

ANSWER_FIELDS = {
    "district_policy": "区割りの考え方",
    "meeting_body_count": "会議体の設置数",
    "meeting_members": "会議体の参加者",
    "meeting_image": "会議体のイメージ",
    "other_actions": "その他取り組み事項",
    "other_actions_start_year": "その他取り組み事項の開始年度",
    "hospital_other_actions": "積極的医療機関のその他取り組み事項",
}
LINE_FIELDS = {
    "wish": "補助の希望",
    "planned_actions": "取り組み事項",
    "start_year": "開始年度",
    "hospital_count": "補助希望の医療機関数",
}
NUMBER_FIELDS = frozenset({"meeting_body_count", "other_actions_start_year"})
HUB_LINE_FIELDS = ("wish", "planned_actions", "start_year")
HOSPITAL_LINE_FIELDS = ("hospital_count", "planned_actions")


def menus_of(fiscal_year) -> list[SubsidyMenu]:
    """The year's menus, the hub's (4-①) before the hospitals' (4-②)."""
    hub_first = Case(
        When(recipient_type=RecipientType.HUB, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return list(
        SubsidyMenu.objects.filter(fiscal_year=fiscal_year).order_by(
            hub_first, "display_order", "pk"
        )
    )


def is_hub_menu(menu) -> bool:
    return menu.recipient_type == RecipientType.HUB


def start_year_choices(fiscal_year) -> list[int]:
    return years_of(fiscal_year.year)


def survey_of(fiscal_year) -> Survey | None:
    return Survey.objects.filter(fiscal_year=fiscal_year).first()


def answer_of(survey: Survey | None, hub) -> SurveyAnswer | None:
    if survey is None:
        return None
    return SurveyAnswer.objects.filter(survey=survey, hub=hub).first()


def empty_line() -> dict:
    return {"wish": False, "planned_actions": "", "start_year": None, "hospital_count": None}


def answer_data(answer: SurveyAnswer | None, menus: list[SubsidyMenu]) -> dict:
    data = {}
    for name in ANSWER_FIELDS:
        value = getattr(answer, name) if answer else None
        data[name] = value if name in NUMBER_FIELDS else (value or "")
    stored = {line.menu_id: line for line in answer.lines.all()} if answer else {}
    data["lines"] = {}
    for menu in menus:
        line = stored.get(menu.pk)
        data["lines"][menu.code] = (
            {name: getattr(line, name) for name in LINE_FIELDS} if line else empty_line()
        )
    return data


def _show(name: str, value) -> str:
    if value is None or value == "":
        return "（空欄）"
    if name == "wish":
        return "○" if value else "（空欄）"
    if name.endswith("start_year"):
        return start_year_label(value)
    return str(value)


def flatten(data: dict, menus: list[SubsidyMenu]) -> dict[str, tuple[str, str]]:
    flat = {name: (label, _show(name, data.get(name))) for name, label in ANSWER_FIELDS.items()}
    for menu in menus:
        line = data.get("lines", {}).get(menu.code, empty_line())
        names = HUB_LINE_FIELDS if is_hub_menu(menu) else HOSPITAL_LINE_FIELDS
        for name in names:
            flat[f"{menu.code}/{name}"] = (
                f"{menu.name}／{LINE_FIELDS[name]}",
                _show(name, line.get(name)),
            )
    return flat


def diff(before: dict, after: dict, menus) -> list[tuple[str, str, str]]:
    """[(label, before, after)] of every field that differs, in the form's order."""
    old, new = flatten(before, menus), flatten(after, menus)
    return [(new[k][0], old[k][1], new[k][1]) for k in new if old[k][1] != new[k][1]]


# --- amounts -------------------------------------------------------------------------------


def terms_of(menu) -> MenuTerms:
    return MenuTerms(
        menu_id=menu.pk,
        code=menu.code,
        name=menu.name,
        recipient_type=menu.recipient_type,
        cap_amount=menu.cap_amount,
        cap_unit=menu.cap_unit,
        max_units=menu.max_units,
        rate=menu.rate,
    )


def wishes_of(survey: Survey) -> list[Wish]:
    wishes = []
    for answer in survey.answers.prefetch_related("lines__menu"):
        for line in answer.lines.all():
            hospital = not is_hub_menu(line.menu)
            if (line.hospital_count or 0) > 0 if hospital else line.wish:
                wishes.append(
                    Wish(
                        answer.hub_id,
                        line.menu_id,
                        None if hospital else line.start_year,
                        line.hospital_count or 0 if hospital else 0,
                    )
                )
    return wishes


@dataclass
class Projection:
    fiscal_year: FiscalYear
    years: list[int]
    menus: list[SubsidyMenu]
    wishes: list[Wish]
    amounts: dict[tuple[int, int, int], int]  # (hub id, menu id, year) → yen
    hubs: dict[int, object] = field(default_factory=dict)


def projection(fiscal_year) -> Projection:
    survey = survey_of(fiscal_year)
    menus = menus_of(fiscal_year)
    wishes = wishes_of(survey) if survey else []
    hubs = {}
    if survey:
        for answer in survey.answers.select_related("hub").prefetch_related("hub__areas"):
            hubs[answer.hub_id] = answer.hub
    amounts = amounts_by_year(
        wishes,
        {menu.pk: terms_of(menu) for menu in menus},
        {pk: hub.district_count or 1 for pk, hub in hubs.items()},
        fiscal_year.year,
        rule_of(fiscal_year),
    )
    return Projection(fiscal_year, years_of(fiscal_year.year), menus, wishes, amounts, hubs)


def survey_amounts(fiscal_year) -> dict[tuple[int, int], int]:
    """(hub id, menu id) → the yen the survey implies for `fiscal_year` itself (each wished
    menu at its cap under the year's rule; wishes from a later start year are 0 and left
    out). A base for the what-if."""
    result = projection(fiscal_year)
    return {
        (hub_id, menu_id): amount
        for (hub_id, menu_id, year), amount in result.amounts.items()
        if year == fiscal_year.year and amount
    }


# --- the demand view -----------------------------------------------------------------------


@dataclass
class DemandRow:
    menu: SubsidyMenu
    area: str
    start_year: int
    hubs: int  # hubs wishing it
    hospitals: int  # hospital menus: hospitals wishing it
    amounts: list[int]  # one per year of the horizon

    @property
    def start_label(self) -> str:
        return start_year_label(self.start_year)


def area_label(hub) -> str:
    return "・".join(area.name for area in hub.areas.all()) or "（圏域なし）"


def demand_rows(result: Projection) -> list[DemandRow]:
    """Per menu, area and start year, in the catalogue's order."""
    rows: dict[tuple[int, str, int], DemandRow] = {}
    menus = {menu.pk: menu for menu in result.menus}
    year0 = result.fiscal_year.year
    for wish in result.wishes:
        area = area_label(result.hubs[wish.hub_id])
        start = wish.start_year or year0
        key = (wish.menu_id, area, start)
        if key not in rows:
            rows[key] = DemandRow(menus[wish.menu_id], area, start, 0, 0, [0] * len(result.years))
        row = rows[key]
        row.hubs += 1
        row.hospitals += wish.hospital_count
        for index, year in enumerate(result.years):
            if counts_in(wish, year0, year):
                row.amounts[index] += result.amounts.get((wish.hub_id, wish.menu_id, year), 0)
    order = {menu.pk: index for index, menu in enumerate(result.menus)}
    return sorted(rows.values(), key=lambda r: (order[r.menu.pk], r.area, r.start_year))


def menu_totals(result: Projection) -> list[tuple[SubsidyMenu, int, int, list[int]]]:
    """[(menu, hubs wishing it, hospitals wishing it, yen per year)] in the catalogue's
    order, menus nobody wished included (0)."""
    index = {year: i for i, year in enumerate(result.years)}
    amounts = {menu.pk: [0] * len(result.years) for menu in result.menus}
    hubs = dict.fromkeys(amounts, 0)
    hospitals = dict.fromkeys(amounts, 0)
    for wish in result.wishes:
        hubs[wish.menu_id] += 1
        hospitals[wish.menu_id] += wish.hospital_count
    for (_, menu_id, year), amount in result.amounts.items():
        amounts[menu_id][index[year]] += amount
    return [(m, hubs[m.pk], hospitals[m.pk], amounts[m.pk]) for m in result.menus]


TYPE_LABELS = {
    "hub": "拠点のメニュー 計",
    "hospital": "積極的医療機関のメニュー 計",
    "total": "合計",
}


def totals_by_type(result: Projection) -> dict[str, list[int]]:
    """ "hub" / "hospital" / "total" → yen per year of the horizon."""
    kinds = {menu.pk: menu.recipient_type for menu in result.menus}
    totals = {"hub": [0] * len(result.years), "hospital": [0] * len(result.years)}
    for (_, menu_id, year), amount in result.amounts.items():
        totals[kinds[menu_id]][result.years.index(year)] += amount
    totals["total"] = [a + b for a, b in zip(totals["hub"], totals["hospital"], strict=True)]
    return totals


@dataclass
class BudgetLine:
    key: str
    label: str
    demand: list[int]
    budget: list[int | None]  # the year's budget part, None when not entered

    @property
    def cells(self) -> list[tuple[int, int | None, int | None]]:
        return list(zip(self.demand, self.budget, self.gaps, strict=True))

    @property
    def gaps(self) -> list[int | None]:
        return [
            None if budget is None else budget - demand
            for demand, budget in zip(self.demand, self.budget, strict=True)
        ]


def against_budget(result: Projection) -> list[BudgetLine]:
    """Each year's demand against that year's budget (its parts when split; a year without
    a budget row shows its FiscalYear.budget_amount against the total)."""
    from subsidies.models import Budget

    totals = totals_by_type(result)
    years = {fy.year: fy for fy in FiscalYear.objects.filter(year__in=result.years)}
    budgets = {b.fiscal_year.year: b for b in Budget.objects.filter(fiscal_year__year__in=years)}

    def figure(year, name):
        budget = budgets.get(year)
        if name == "total":
            if budget is not None:
                return budget.total
            return years[year].budget_amount if year in years else None
        return getattr(budget, f"{name}_part") if budget is not None else None

    labels = {"total": "合計", "hub": "拠点分", "hospital": "医療機関分"}
    return [
        BudgetLine(key, label, totals[key], [figure(year, key) for year in result.years])
        for key, label in labels.items()
    ]
