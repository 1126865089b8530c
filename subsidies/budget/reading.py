"""What a budget part is asked for: one claim per line of the applications awaiting their
decision (審査中), with its computed amount, and the priority tier of each.

Tiers (priority tiers method): tier 1 the hub menus and the hospital lines of a hospital
with no decided line in an earlier fiscal year (first-time); tier 2 the repeat hospitals.
The line key is "<application pk>:<line key>"; claims are listed by hub name, then
application pk, then the plan's line order: the documented order the proposal shows
(the amounts themselves do not depend on it, subsidies/budget/calculation.py)."""

from __future__ import annotations

from dataclasses import dataclass

from subsidies.applications.reading import key_of, label_of, plan_view
from subsidies.budget.calculation import Claim
from subsidies.catalogue.choices import RecipientType
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


def claim_lines(fiscal_year, part: str) -> list[ClaimLine]:
    """The lines of the part ("total", "hub" or "hospital") awaiting a decision."""
    applications = (
        Application.objects.filter(fiscal_year=fiscal_year, status=ApplicationStatus.UNDER_REVIEW)
        .select_related("hub", "fiscal_year")
        .order_by("hub__name", "pk")
    )
    repeat = _repeat_institutions(fiscal_year)
    lines = []
    for application in applications:
        view = plan_view(application)
        for line in view.lines:
            amount = view.amounts[key_of(line)]
            kind = line.menu.recipient_type
            if not amount.carries_money or part not in ("total", kind):
                continue
            tier = 1
            if kind == RecipientType.HOSPITAL and line.designation.institution_id in repeat:
                tier = 2
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
