"""The results report's workflow (実績報告 → 額の確定), declared as one table.

Same shape as subsidies/applications/workflow.py: action → from which states, to which
state, which kind of user, and a guard that answers (allowed, reason). The page shows the
actions whose source matches and whose actor is this user's kind, disabled with the reason
when the guard fails.
subsidies/results/services.py checks the same table before acting.

A confirmed report can be corrected in two ways: staff re-confirm it directly ("correct",
e.g. after an advance payment was recorded late) or reopen it for the coordinator to fix
("reopen" → 差戻し中 → resubmit → review → confirm); either way a new Confirmation supersedes
the previous one and shows the difference."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from subsidies.applications.workflow import COORDINATOR, STAFF, actions_in, check_in
from subsidies.models import ResultReportStatus as S
from zaitaku_portal.access import Permission


def _complete(report) -> Permission:
    from subsidies.results.services import report_problems

    problems = report_problems(report)
    if problems:
        return Permission(
            False, f"入力に不備があります（{len(problems)}件）: " + " / ".join(problems)
        )
    return Permission(True)


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str
    actor: str
    guard: Callable[[object], Permission] | None = None
    danger: bool = False
    needs_reason: bool = False


RESULTS_WORKFLOW: tuple[Transition, ...] = (
    Transition(
        "submit", "実績報告を提出する", frozenset({S.DRAFT}), S.SUBMITTED, COORDINATOR, _complete
    ),
    Transition(
        "start_review",
        "審査を開始する",
        frozenset({S.SUBMITTED, S.RESUBMITTED}),
        S.UNDER_REVIEW,
        STAFF,
    ),
    Transition(
        "return",
        "差し戻す",
        frozenset({S.UNDER_REVIEW}),
        S.RETURNED,
        STAFF,
        danger=True,
        needs_reason=True,
    ),
    Transition(
        "resubmit", "再提出する", frozenset({S.RETURNED}), S.RESUBMITTED, COORDINATOR, _complete
    ),
    Transition("confirm", "額を確定する", frozenset({S.UNDER_REVIEW}), S.CONFIRMED, STAFF),
    Transition(
        "correct",
        "確定額を訂正する",
        frozenset({S.CONFIRMED}),
        S.CONFIRMED,
        STAFF,
        needs_reason=True,
    ),
    Transition(
        "reopen",
        "訂正のため差し戻す",
        frozenset({S.CONFIRMED}),
        S.RETURNED,
        STAFF,
        danger=True,
        needs_reason=True,
    ),
)
TRANSITIONS = {t.action: t for t in RESULTS_WORKFLOW}
EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})
CONFIRM_ACTIONS = frozenset({"confirm", "correct"})


def check(report, action: str, user) -> Permission:
    """May `user` do `action` on `report` now? The user must already be in its scope."""
    return check_in(TRANSITIONS, S, report, action, user, "実績報告")


def actions_for(report, user) -> list[tuple[Transition, Permission]]:
    return actions_in(RESULTS_WORKFLOW, check, report, user)
