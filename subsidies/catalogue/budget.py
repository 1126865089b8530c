"""What remains of a fiscal year's budget, per part, and the refusal of a decision that
would exceed it. Read by the decision's rules (subsidies/applications/rules.py), the
decision pages and the budget page.

Parts: without a split, one part (予算額) covers every menu; with a split, 拠点分 covers
the hub menus and 医療機関分 the hospital menus (SubsidyMenu.recipient_type).

決定済み is the sum of the decided amounts of the year's current decisions (a change
decision replaces the one it supersedes), of applications not withdrawn (取下げ frees the
money). The application being decided is left out: its new decision replaces its old one.
The decision itself locks the fiscal year's row (applications/workflow.py `_decide`), so
two decisions of one year are checked one after the other, never against the same figure."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum

from subsidies.catalogue.choices import RecipientType
from subsidies.models import AllocationProposal, ApplicationStatus, Budget, Decision, DecisionLine

TOTAL = "total"
PART_LABELS = {TOTAL: "予算額", RecipientType.HUB: "拠点分", RecipientType.HOSPITAL: "医療機関分"}


@dataclass(frozen=True)
class BudgetPart:
    key: str  # "total", or a RecipientType value when the budget is split
    amount: int
    decided: int

    @property
    def label(self) -> str:
        return PART_LABELS[self.key]

    @property
    def remaining(self) -> int:
        return self.amount - self.decided

    def covers(self, recipient_type: str) -> bool:
        return self.key in (TOTAL, recipient_type)


def budget_of(fiscal_year) -> Budget | None:
    """The year's budget; a total typed in the admin alone (FiscalYear.budget_amount) reads
    as an unsplit budget."""
    budget = Budget.objects.filter(fiscal_year=fiscal_year).first()
    if budget is None and fiscal_year.budget_amount is not None:
        return Budget(fiscal_year=fiscal_year, total=fiscal_year.budget_amount)
    return budget


def decided_by_type(fiscal_year, exclude_application_id=None, exclude=()) -> dict[str, int]:
    """RecipientType → the sum of the current decided amounts of the year (without the
    applications excluded: the one being decided, or those a proposal shares out)."""
    lines = DecisionLine.objects.filter(
        decision__in=Decision.objects.current(),
        decision__application__fiscal_year=fiscal_year,
    ).exclude(decision__application__status=ApplicationStatus.WITHDRAWN)
    if exclude_application_id is not None:
        lines = lines.exclude(decision__application_id=exclude_application_id)
    if exclude:
        lines = lines.exclude(decision__application_id__in=list(exclude))
    rows = lines.values("menu__recipient_type").annotate(total=Sum("decided_amount"))
    sums = {value: 0 for value in RecipientType.values}
    for row in rows:
        sums[row["menu__recipient_type"]] = row["total"] or 0
    return sums


def budget_parts(fiscal_year, exclude_application_id=None) -> list[BudgetPart]:
    """The parts with their amount and what is decided; [] when the year has no budget."""
    budget = budget_of(fiscal_year)
    if budget is None:
        return []
    decided = decided_by_type(fiscal_year, exclude_application_id)
    if not budget.is_split:
        return [BudgetPart(TOTAL, budget.total, sum(decided.values()))]
    return [
        BudgetPart(RecipientType.HUB, budget.hub_part, decided[RecipientType.HUB]),
        BudgetPart(RecipientType.HOSPITAL, budget.hospital_part, decided[RecipientType.HOSPITAL]),
    ]


def excess_message(part: BudgetPart, this_decision: int) -> str:
    excess = part.decided + this_decision - part.amount
    return (
        f"予算（{part.label}）を超えるため交付決定できません: 予算額 {part.amount:,}円、"
        f"決定済み {part.decided:,}円、この決定 {this_decision:,}円、超過額 {excess:,}円。"
        "減額するか、予算額を見直してください。"
    )


def budget_problems(fiscal_year, application_id, amounts_by_type: dict[str, int]) -> list[str]:
    """A refusal per part the decision (its decided amounts per RecipientType) would
    exceed; nothing when the year has no budget."""
    problems = []
    for part in budget_parts(fiscal_year, exclude_application_id=application_id):
        this = sum(a for kind, a in amounts_by_type.items() if part.covers(kind))
        if part.decided + this > part.amount:
            problems.append(excess_message(part, this))
    return problems


def accepted_amounts(application) -> dict[str, tuple[int, str]]:
    """Line key → (amount, reason) from the accepted allocation proposals of the year that
    share this application's lines out: the decision page's initial values."""
    amounts = {}
    proposals = AllocationProposal.objects.filter(
        fiscal_year_id=application.fiscal_year_id, state=AllocationProposal.State.ACCEPTED
    ).order_by("pk")
    for proposal in proposals:
        for line in proposal.lines:
            if line["application"] == application.pk:
                amounts[line["key"]] = (line["amount"], line.get("reason") or line["basis"])
    return amounts
