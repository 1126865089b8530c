"""The workflow engine under both tables (applications, results reports).

A table is a tuple of `Transition` rows. A row carries the whole of an action: its label,
the states it leaves, the state it reaches, who does it, a guard that answers (allowed,
reason), the form it needs, whether a reason is required, its effect, and the e-mail it
sends. `perform()` is the one writer of a workflow step:

    lock (and re-check scope and version) → guard → reason → validate and effect
    → status and version → after-save hook → audit entry → e-mail on commit

A part (subsidies/applications/workflow.py, subsidies/results/workflow.py) declares its
`Table` and a `Workflow` (how to lock its object, which error to raise, how to mail), and
one action view that serves the page of every row of its table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import transaction

from zaitaku_portal import audit
from zaitaku_portal.access import STAFF_ROLES, Permission, role_of
from zaitaku_portal.models import Role

# COORDINATOR is the grantee's side (補助事業者): the hub's coordinator for a hub's
# application, the hospital's contact for a hospital's own application (issue 18).
COORDINATOR = "coordinator"
STAFF = "staff"
APPROVER = "approver"  # a member of staff with approval authority (決裁権者, issue 15)
ACTOR_LABELS = {COORDINATOR: "拠点コーディネーター", STAFF: "県職員", APPROVER: "決裁権者"}
HOSPITAL_ACTOR_LABEL = "積極的医療機関の担当者"
GRANTEE_ROLES = (Role.HUB_COORDINATOR, Role.HOSPITAL)


def application_of(obj):
    """The application an object of a workflow belongs to (itself, or its `application`)."""
    if obj is None:
        return None
    return obj if hasattr(obj, "institution_id") else getattr(obj, "application", None)


def actor_kind(user, obj=None) -> str | None:
    """STAFF, COORDINATOR (the grantee's side) or None. With `obj` (an application, or a
    report, payment request… of one) the grantee's side is the one its application names:
    a hospital's own application is the hospital contact's to act on, and the hub's
    coordinator only follows it; a hub's application is the coordinator's."""
    role = role_of(user)
    if role in STAFF_ROLES:
        return STAFF
    if role not in GRANTEE_ROLES:
        return None
    application = application_of(obj)
    if application is None:
        return COORDINATOR
    hospitals_own = application.institution_id is not None
    return COORDINATOR if hospitals_own == (role == Role.HOSPITAL) else None


def acts_as(user, kind: str, obj=None) -> bool:
    """Does `user` act as `kind` in a row (on `obj`, when given)? A 決裁権者 is staff with
    `is_approver`; they also do every staff row."""
    if kind == APPROVER:
        return actor_kind(user) == STAFF and bool(getattr(user, "is_approver", False))
    return actor_kind(user, obj) == kind


def actor_label(kind: str, obj=None) -> str:
    application = application_of(obj)
    if kind == COORDINATOR and application is not None and application.institution_id:
        return HOSPITAL_ACTOR_LABEL
    return ACTOR_LABELS[kind]


@dataclass
class Step:
    """One action being performed: what an effect reads (the locked object, the actor, the
    validated parameters) and what it adds (audit changes, the e-mail's detail, the
    reason kept in the audit entry)."""

    obj: Any
    transition: Transition
    actor: Any
    params: dict[str, Any]
    changes: dict[str, Any] = field(default_factory=dict)
    detail: str = ""
    reason: str = ""
    result: Any = None  # what the effect made (a decision, a confirmation), for the caller


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str
    actor: str
    guard: Callable[[Any], Permission] | None = None
    danger: bool = False
    # The form the action page shows and validates (a django Form class taking the object as
    # `obj=`); None for a plain confirmation page.
    form: type | None = None
    # A free-text reason (form field "reason") the actor must give.
    reason_required: bool = False
    # What the action does besides moving the status: validates what it needs from
    # step.params (raising the table's error), writes, and fills step.changes / detail.
    effect: Callable[[Step], None] | None = None
    # The key of the e-mail this action sends (the part's Workflow.notify decides the
    # recipients and the words); None: no e-mail.
    notification: str | None = None
    # A guard that also reads the user (obj, user) → Permission: e.g. a drafter never
    # approves their own draft.
    actor_guard: Callable[[Any, Any], Permission] | None = None


class Table:
    """A workflow table: its rows, the status choices of its object and the noun used in
    messages (「申請」「実績報告」)."""

    def __init__(self, rows: tuple[Transition, ...], statuses, noun: str):
        self.rows = rows
        self.statuses = statuses
        self.noun = noun
        self.by_action = {t.action: t for t in rows}
        assert len(self.by_action) == len(rows), "an action appears twice in the table"

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, action: str) -> Transition:
        return self.by_action[action]

    def get(self, action: str) -> Transition | None:
        return self.by_action.get(action)

    def check(self, obj, action: str, user) -> Permission:
        """May `user` do `action` on `obj` now, by this table? The user must already be in
        the object's scope (perform re-checks it inside the lock)."""
        transition = self.by_action.get(action)
        if transition is None:
            return Permission(False, "この操作はありません。")
        if not acts_as(user, transition.actor, obj):
            return Permission(False, f"この操作は{actor_label(transition.actor, obj)}が行います。")
        if obj.status not in transition.sources:
            allowed = "・".join(self.statuses(s).label for s in sorted(transition.sources))
            return Permission(
                False,
                f"「{allowed}」の{self.noun}にのみ行えます"
                f"（現在は「{self.statuses(obj.status).label}」）。",
            )
        if transition.guard is not None and not (permission := transition.guard(obj)):
            return permission
        if transition.actor_guard is not None:
            return transition.actor_guard(obj, user)
        return Permission(True)

    def actions_for(self, obj, user) -> list[tuple[Transition, Permission]]:
        """The actions to show: legal from this state and this user's to do; each with
        whether it is allowed now and, if not, why."""
        return [
            (t, self.check(obj, t.action, user))
            for t in self.rows
            if acts_as(user, t.actor, obj) and obj.status in t.sources
        ]


@dataclass(frozen=True)
class Workflow:
    """How one part performs the rows of its table.

    - lock(obj, expected_version, actor) → the row locked for this transaction, after
      re-checking that it is still in the actor's scope and unchanged (raises `error` or
      the part's StaleVersion);
    - error: the part's exception class, raised as error(message, problems);
    - refused(obj, action, permission) → the problems listed when the guard says no;
    - after_save(step): what follows every step once the status is saved (optional);
    - notify(key, obj, base_url, detail): sends the e-mail of a row (optional)."""

    table: Table
    lock: Callable[[Any, int | None, Any], Any]
    error: type[Exception]
    refused: Callable[[Any, str, Permission], list[str]] = lambda obj, action, permission: []
    after_save: Callable[[Step], None] | None = None
    notify: Callable[[str, Any, str, str], Any] | None = None


def perform(
    flow: Workflow,
    obj,
    action: str,
    actor,
    expected_version: int | None,
    *,
    base_url: str = "http://localhost",
    **params,
):
    """Do one workflow action, or raise the part's error saying why not. Returns the step
    (step.obj is the saved object, step.result what the effect made)."""
    with transaction.atomic():
        obj = flow.lock(obj, expected_version, actor)
        permission = flow.table.check(obj, action, actor)
        if not permission:
            raise flow.error(permission.reason, flow.refused(obj, action, permission))
        transition = flow.table[action]
        reason = (params.get("reason") or "").strip()
        if transition.reason_required and not reason:
            raise flow.error(
                "理由が必要です。", [f"「{transition.label}」の理由を入力してください。"]
            )
        step = Step(obj, transition, actor, params, reason=reason)
        step.changes["状態"] = {
            "from": flow.table.statuses(obj.status).label,
            "to": flow.table.statuses(transition.target).label,
        }
        if transition.effect is not None:
            transition.effect(step)
        obj.status = transition.target
        obj.version += 1
        obj.save()
        if flow.after_save is not None:
            flow.after_save(step)
        audit.record(actor, transition.label, obj, step.changes, reason=step.reason)
        if transition.notification and flow.notify is not None:
            transaction.on_commit(
                partial(flow.notify, transition.notification, obj, base_url, step.detail)
            )
    return step
