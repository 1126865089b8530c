"""What a budget part is asked for: one claim per line of the applications awaiting their
decision (審査中), with its computed amount, and the priority tier of each.

Tiers (priority tiers method, subsidies/budget/calculation.priority_tier): tier 1 the lines
in a home-care area with a coverage gap (no hub or no active hospital, hospitals/coverage.py)
on the fiscal year's first day, 1 April (fixed, so the same lines give the same proposal
whatever the day it is made): a hospital's line in its designation's area, a hub's line when
any area the hub serves has a gap; tier 2 the hospital lines of a hospital with no decided
line in an earlier fiscal year (first-time); tier 3 the rest (hub lines outside gap areas,
repeat hospitals). A line that fits two tiers takes the first.
The line key is "<application pk>:<line key>"; claims are listed by hub name, then
application pk, then the plan's line order: the documented order the proposal shows
(the amounts themselves do not depend on it, subsidies/budget/calculation.py)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from subsidies.applications.reading import key_of, label_of, plan_view
from subsidies.budget.calculation import Claim, priority_tier
from subsidies.models import Application, ApplicationStatus, DecisionLine


@dataclass(frozen=True)
class ClaimLine:
    claim: Claim
    application_id: int
    line_key: str
    hub: str
    label: str
    recipient_type: str


def _repeat_institutions(fiscal_year) -> set[int]:
    return set(
        DecisionLine.objects.filter(
            decision__application__fiscal_year__year__lt=fiscal_year.year,
            designation__isnull=False,
        ).values_list("designation__institution_id", flat=True)
    )


def gap_day(fiscal_year) -> datetime.date:
    """The day the tiers read the coverage on: the fiscal year's first day."""
    return datetime.date(fiscal_year.year, 4, 1)


def gap_area_ids(fiscal_year) -> set[int]:
    """The areas with a coverage gap on 1 April of the fiscal year (the one rule of
    hospitals/coverage.py, over every area, hub and designation)."""
    from hospitals.coverage import coverage_of
    from hospitals.models import ActiveHospitalDesignation
    from hubs.models import Hub
    from zaitaku_portal.models import HomeCareArea

    coverage = coverage_of(
        HomeCareArea.objects.all(),
        Hub.objects.all(),
        ActiveHospitalDesignation.objects.all(),
        gap_day(fiscal_year),
        detail=False,
    )
    return {c.area.pk for c in coverage if c.is_gap}


def _tier(application, line, repeat: set[int], gaps: set[int]) -> int:
    if line.designation_id:
        return priority_tier(
            line.designation.area_id in gaps,
            True,
            line.designation.institution_id not in repeat,
        )
    in_gap = any(area.pk in gaps for area in application.hub.areas.all())
    return priority_tier(in_gap, False, False)


def claim_lines(fiscal_year, part: str) -> list[ClaimLine]:
    """The lines of the part ("total", "hub" or "hospital") awaiting a decision."""
    applications = (
        Application.objects.filter(fiscal_year=fiscal_year, status=ApplicationStatus.UNDER_REVIEW)
        .select_related("hub", "fiscal_year")
        .prefetch_related("hub__areas")
        .order_by("hub__name", "pk")
    )
    repeat = _repeat_institutions(fiscal_year)
    gaps = gap_area_ids(fiscal_year)
    lines = []
    for application in applications:
        view = plan_view(application)
        for line in view.lines:
            amount = view.amounts[key_of(line)]
            kind = line.menu.recipient_type
            if not amount.carries_money or part not in ("total", kind):
                continue
            tier = _tier(application, line, repeat, gaps)
            key = f"{application.pk}:{key_of(line)}"
            lines.append(
                ClaimLine(
                    Claim(key, amount.computed_amount, tier),
                    application.pk,
                    key_of(line),
                    application.hub.name,
                    label_of(line),
                    kind,
                )
            )
    return lines
