"""The application workflow, declared as one table.

Each row: action → from which states, to which state, which kind of user, and a guard that
answers (allowed, reason). The page shows the actions whose source state matches and whose
actor is this user's kind; those whose guard fails are shown disabled with the reason.
Services (subsidies/applications/services.py) check the same table before acting."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from subsidies.models import ApplicationStatus as S
from zaitaku_portal.access import STAFF_ROLES, Permission, role_of
from zaitaku_portal.models import Role

COORDINATOR = "coordinator"
STAFF = "staff"
ACTOR_LABELS = {COORDINATOR: "拠点コーディネーター", STAFF: "県職員"}


def _complete(application) -> Permission:
    from subsidies.applications.services import submission_problems

    problems = submission_problems(application)
    if problems:
        return Permission(
            False, f"入力に不備があります（{len(problems)}件）: " + " / ".join(problems)
        )
    return Permission(True)


def _is_change_request(application) -> Permission:
    if application.is_change_request:
        return Permission(True)
    return Permission(False, "変更承認申請ではありません（当初の申請は不交付とします）。")


def _not_change_request(application) -> Permission:
    if application.is_change_request:
        return Permission(
            False, "変更承認申請は不交付にできません（「変更を承認しない」を使ってください）。"
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


WORKFLOW: tuple[Transition, ...] = (
    Transition("submit", "提出する", frozenset({S.DRAFT}), S.SUBMITTED, COORDINATOR, _complete),
    Transition(
        "start_review",
        "審査を開始する",
        frozenset({S.SUBMITTED, S.RESUBMITTED}),
        S.UNDER_REVIEW,
        STAFF,
    ),
    Transition("return", "差し戻す", frozenset({S.UNDER_REVIEW}), S.RETURNED, STAFF, danger=True),
    Transition(
        "resubmit", "再提出する", frozenset({S.RETURNED}), S.RESUBMITTED, COORDINATOR, _complete
    ),
    Transition("decide", "交付決定する", frozenset({S.UNDER_REVIEW}), S.DECIDED, STAFF),
    Transition(
        "reject",
        "不交付とする",
        frozenset({S.UNDER_REVIEW}),
        S.REJECTED,
        STAFF,
        _not_change_request,
        danger=True,
    ),
    Transition(
        "request_change", "変更承認申請を作成する", frozenset({S.DECIDED}), S.DRAFT, COORDINATOR
    ),
    Transition(
        "refuse_change",
        "変更を承認しない",
        frozenset({S.UNDER_REVIEW}),
        S.DECIDED,
        STAFF,
        _is_change_request,
        danger=True,
    ),
)
TRANSITIONS = {t.action: t for t in WORKFLOW}
EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})


def actor_kind(user) -> str | None:
    role = role_of(user)
    if role in STAFF_ROLES:
        return STAFF
    if role == Role.HUB_COORDINATOR:
        return COORDINATOR
    return None


def check_in(transitions, statuses, obj, action: str, user, noun: str) -> Permission:
    """May `user` do `action` on `obj` now, by the declared `transitions`? The user must
    already be in the object's scope. Shared by every workflow table (applications,
    results reports)."""
    transition = transitions.get(action)
    if transition is None:
        return Permission(False, "この操作はありません。")
    if actor_kind(user) != transition.actor:
        return Permission(False, f"この操作は{ACTOR_LABELS[transition.actor]}が行います。")
    if obj.status not in transition.sources:
        allowed = "・".join(statuses(s).label for s in sorted(transition.sources))
        return Permission(
            False,
            f"「{allowed}」の{noun}にのみ行えます（現在は「{statuses(obj.status).label}」）。",
        )
    if transition.guard is not None:
        return transition.guard(obj)
    return Permission(True)


def actions_in(table, check_one, obj, user) -> list[tuple[Transition, Permission]]:
    """The actions to show: legal from this state and this user's to do; each with whether
    it is allowed now and, if not, why."""
    kind = actor_kind(user)
    return [
        (t, check_one(obj, t.action, user))
        for t in table
        if t.actor == kind and obj.status in t.sources
    ]


def check(application, action: str, user) -> Permission:
    """May `user` do `action` on `application` now? The user must already be in its scope
    (zaitaku_portal.access.applications_for)."""
    return check_in(TRANSITIONS, S, application, action, user, "申請")


def actions_for(application, user) -> list[tuple[Transition, Permission]]:
    return actions_in(WORKFLOW, check, application, user)
