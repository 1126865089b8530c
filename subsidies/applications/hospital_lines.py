"""Setting (a) of issue 18 (the fiscal year's form 4-② is "lines"): the hub plans for the
hospitals it picks, not for every hospital of its area. Queries and answers only; the
writers are in services.py (add_hospital, remove_hospital, save_hospital_lines).

A hospital may be planned for in a fiscal year when its designation is 指定中 (not 内諾,
ended or withdrawn), in force during the year (started by 31 March of the year's end, not
ended before 1 April), and of an area the hub serves (or naming the hub)."""

from __future__ import annotations

import datetime

from django.db.models import Q

from hospitals.models import ActiveHospitalDesignation, HospitalContact
from hubs.models import HubCoordinator
from subsidies.applications import hospital_counts
from subsidies.applications.plan_data import LINE_FIELDS
from zaitaku_portal import figures
from zaitaku_portal.wareki import fiscal_year_label


def year_bounds(fiscal_year) -> tuple[datetime.date, datetime.date]:
    return datetime.date(fiscal_year.year, 4, 1), datetime.date(fiscal_year.year + 1, 3, 31)


def active_in(fiscal_year) -> Q:
    first, last = year_bounds(fiscal_year)
    return (
        Q(status=ActiveHospitalDesignation.Status.ACTIVE)
        & Q(start_date__lte=last)
        & (Q(end_date__isnull=True) | Q(end_date__gte=first))
    )


def of_hub(hub) -> Q:
    """The hub's areas by their ids (a small query first): with a subquery in the OR,
    PostgreSQL reads every designation of the prefecture; with the ids, their indexes."""
    return Q(hub=hub) | Q(area_id__in=list(hub.areas.values_list("pk", flat=True)))


def eligible_designations(application):
    """The designations the hub may plan for in the application's year (no DISTINCT: the
    filter joins nothing that could repeat a designation)."""
    return (
        ActiveHospitalDesignation.objects.filter(of_hub(application.hub))
        .filter(active_in(application.fiscal_year))
        .select_related("institution", "area")
        .order_by("area__display_order", "institution__name")
    )


def picks_hospitals(application) -> bool:
    """The hub's plan in a year whose form 4-② is lines: the hub picks its hospitals."""
    return (
        not application.is_hospital_application
        and hospital_counts.form_of(application.fiscal_year) == hospital_counts.LINES
    )


def form_lines(application, lines):
    """The lines the hub's plan page edits: under setting (a) the hub's own (each picked
    hospital's lines have their own page, hospital_lines_edit, so the page stays small)."""
    if picks_hospitals(application):
        return [line for line in lines if not line.designation_id]
    return lines


def picked_ids(application) -> set[int]:
    return set(
        application.lines.filter(designation__isnull=False).values_list("designation_id", flat=True)
    )


def addable(application, lines=None) -> list[ActiveHospitalDesignation]:
    """The eligible hospitals not yet in the plan ("医療機関を追加"); `lines`: the plan's
    lines when the caller has read them (the picked hospitals are theirs)."""
    if lines is None:
        picked = picked_ids(application)
    else:
        picked = {line.designation_id for line in lines if line.designation_id}
    # the hub's eligible hospitals change with the coverage only (zaitaku_portal/figures.py)
    eligible = figures.remembered(
        "eligible-designations",
        (application.hub_id, application.fiscal_year_id),
        (figures.COVERAGE,),
        lambda: list(eligible_designations(application)),
    )
    return [d for d in eligible if d.pk not in picked]


def refusal(application, designation) -> str | None:
    """Why the hub cannot plan for this hospital in the year (None: it can)."""
    name = designation.institution.name
    year = fiscal_year_label(application.fiscal_year.year)
    if hospital_counts.form_of(application.fiscal_year) != hospital_counts.LINES:
        return (
            f"{year}は医療機関ごとの申請の年度です（様式4-②は医療機関数）。"
            "拠点の計画に医療機関は追加できません。"
        )
    if application.is_hospital_application:
        return "医療機関の申請には、ほかの医療機関を追加できません。"
    if not ActiveHospitalDesignation.objects.filter(of_hub(application.hub)).filter(
        pk=designation.pk
    ):
        return f"{name}は{application.hub.name}の在宅医療圏の積極的医療機関ではありません。"
    if designation.status == ActiveHospitalDesignation.Status.TENTATIVE:
        return f"{name}は内諾の段階で、まだ指定されていません（補助の対象は指定中の医療機関です）。"
    if not eligible_designations(application).filter(pk=designation.pk).exists():
        return f"{name}は{year}に指定中の積極的医療機関ではありません（指定終了・内諾取下げ等）。"
    return None


def is_empty(line) -> bool:
    """Nothing entered on the line: it may go without asking."""
    return not (
        line.wish
        or (line.planned_actions or "").strip()
        or line.start_year
        or line.trainees
        or line.half_days
        or line.months
        or line.other_income
        or any(int(v) for v in (line.expenses or {}).values())
    )


def data_entered(data: dict) -> bool:
    """The same for a line of the plan as plain data."""
    return bool(
        any(data.get(field) for field in LINE_FIELDS)
        or any(int(v) for v in (data.get("expenses") or {}).values())
    )


def plan_problems(application, plan: dict) -> list[str]:
    """A wished hospital line of a hospital not active in the year is refused (the form,
    the Excel upload and the hospital's own page all save through validate_plan)."""
    wished = {
        int(key.split("@", 1)[1])
        for key, data in plan.get("lines", {}).items()
        if "@" in key and data.get("wish")
    }
    if not wished:
        return []
    eligible = set(
        eligible_designations(application).filter(pk__in=wished).values_list("pk", flat=True)
    )
    problems = []
    for designation in ActiveHospitalDesignation.objects.filter(
        pk__in=wished - eligible
    ).select_related("institution"):
        problems.append(
            f"「{designation.institution.name}」は"
            f"{fiscal_year_label(application.fiscal_year.year)}に指定中の積極的医療機関では"
            "ないため、補助を希望できません（希望を外すか、計画から外してください）。"
        )
    return problems


def entered_by_labels(lines) -> dict[int, str]:
    """{designation id: "入力: 甲病院 山田 / 拠点コーディネーター 佐藤"} for the lines given
    (who last wrote each line of the hospital), in three queries whatever the count."""
    from django.contrib.auth import get_user_model

    people: dict[int, list[int]] = {}
    institution_of: dict[int, int] = {}
    for line in lines:
        if line.designation_id and line.entered_by_id:
            seen = people.setdefault(line.designation_id, [])
            if line.entered_by_id not in seen:
                seen.append(line.entered_by_id)
            institution_of[line.designation_id] = line.designation.institution_id
    ids = {user_id for users in people.values() for user_id in users}
    if not ids:
        return {}
    users = get_user_model().objects.in_bulk(ids)
    contacts = {
        (c.user_id, c.institution_id): c
        for c in HospitalContact.objects.filter(user_id__in=ids).select_related("institution")
    }
    coordinators = {c.user_id: c for c in HubCoordinator.objects.filter(user_id__in=ids)}
    labels = {}
    for designation_id, user_ids in people.items():
        names = []
        for user_id in user_ids:
            user = users.get(user_id)
            contact = contacts.get((user_id, institution_of[designation_id]))
            if contact is not None:
                names.append(f"{contact.institution.name} {contact.name}")
            elif user_id in coordinators:
                names.append(f"拠点コーディネーター {coordinators[user_id].name}")
            elif user is not None:
                names.append(user.full_name or user.username)
        labels[designation_id] = "入力: " + " / ".join(names)
    return labels


def annotate_groups(groups: list[dict], lines) -> list[dict]:
    """Each hospital's group of a plan page gets who entered its lines."""
    labels = entered_by_labels(lines)
    for group in groups:
        designation = group.get("designation")
        group["entered_by"] = labels.get(designation.pk, "") if designation else ""
    return groups
