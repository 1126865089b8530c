"""The workflow table, exhaustively: every state × action × role, through check() and
through the service that acts (which must agree, and must change nothing when refused)."""

import pytest
from django.db import transaction

from subsidies.applications import reading, rules, workflow
from subsidies.applications import services as service
from subsidies.applications.withdrawals import WITHDRAWAL_ACTIONS
from subsidies.models import Application, ApplicationStatus, Decision
from tests.subsidies.approvals import drive
from tests.subsidies.factories import application_in, decision_input
from zaitaku_portal.models import AuditEntry, Role

S = ApplicationStatus
# Written out independently of subsidies.applications.workflow on purpose:
# (state, action) → who, to.
EXPECTED = {
    (S.DRAFT, "submit"): ("coordinator", S.SUBMITTED),
    (S.SUBMITTED, "start_review"): ("staff", S.UNDER_REVIEW),
    (S.RESUBMITTED, "start_review"): ("staff", S.UNDER_REVIEW),
    (S.UNDER_REVIEW, "return"): ("staff", S.RETURNED),
    (S.RETURNED, "resubmit"): ("coordinator", S.RESUBMITTED),
    (S.UNDER_REVIEW, "decide"): ("staff", S.AWAITING_APPROVAL),
    (S.UNDER_REVIEW, "reject"): ("staff", S.AWAITING_APPROVAL),
    (S.DECIDED, "request_change"): ("coordinator", S.DRAFT),
    # 決裁 (no Role is a 決裁権者 by itself: tests/subsidies/approvals/ walk the approver)
    (S.AWAITING_APPROVAL, "approve_decide"): ("approver", S.DECIDED),
    (S.AWAITING_APPROVAL, "send_back"): ("approver", S.UNDER_REVIEW),
}
CHANGE_ONLY = {(S.UNDER_REVIEW, "refuse_change"): ("staff", S.AWAITING_APPROVAL)}
NOT_FOR_CHANGE = {(S.UNDER_REVIEW, "reject")}
ACTIONS = [
    "submit",
    "start_review",
    "return",
    "resubmit",
    "decide",
    "reject",
    "request_change",
    "refuse_change",
    "approve_decide",
    "approve_reject",
    "approve_refuse_change",
    "send_back",
]
KIND = {
    Role.HUB_COORDINATOR: "coordinator",
    Role.PREFECTURE_STAFF: "staff",
    Role.ADMINISTRATOR: "staff",
    Role.HEALTH_CENTER: None,
    Role.HOSPITAL: None,  # a hub's application is outside a hospital contact's scope
}


def test_the_declared_table_lists_exactly_these_actions():
    # 取下げ・中止・廃止 rows: tests/subsidies/withdrawals/test_withdrawal_rows.py
    own = [t.action for t in workflow.WORKFLOW if t.action not in WITHDRAWAL_ACTIONS]
    assert sorted(own) == sorted(ACTIONS)


def _params(application, action):
    if action == "return":
        return {"reason_code": "missing", "reason": "添付がありません"}
    if action in ("reject", "refuse_change"):
        return {"reason": "補助対象外のため"}
    if action == "send_back":
        return {"reason": "減額の理由を書き直してください"}
    if action == "decide":
        return {"decision": decision_input(application)}
    return {}


CASES = [(state, False) for state in S] + [(state, True) for state in S if state != S.REJECTED]


@pytest.mark.parametrize(
    ("state", "change_request"),
    CASES,
    ids=[f"{s}-{'change' if c else 'initial'}" for s, c in CASES],
)
def test_every_state_action_role(apps_world, state, change_request):
    w = apps_world
    base = application_in(S.DRAFT, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    if state != S.DRAFT:
        # The plan is complete; a version exists for states after submission.
        service.perform(base, "submit", w.coordinator, base.version)
    Application.objects.filter(pk=base.pk).update(status=state, is_change_request=change_request)
    failures = []
    for action in ACTIONS:
        for role, user in w.users.items():
            expected = EXPECTED.get((state, action))
            if change_request:
                expected = CHANGE_ONLY.get((state, action)) or (
                    None if (state, action) in NOT_FOR_CHANGE else expected
                )
            allowed = expected is not None and expected[0] == KIND[role]
            application = Application.objects.get(pk=base.pk)
            permission = workflow.check(application, action, user)
            if bool(permission) != allowed:
                failures.append(f"check {state}/{action}/{role}: {permission}")
            if not permission and not permission.reason:
                failures.append(f"no reason for {state}/{action}/{role}")
            audit_count = AuditEntry.objects.count()
            sid = transaction.savepoint()
            try:
                service.perform(
                    application, action, user, application.version, **_params(application, action)
                )
            except rules.ApplicationError as error:
                if allowed:
                    failures.append(f"perform {state}/{action}/{role} refused: {error.message}")
                after = Application.objects.get(pk=base.pk)
                if (after.status, after.version) != (state, application.version):
                    failures.append(f"refused {state}/{action}/{role} changed the application")
                if AuditEntry.objects.count() != audit_count:
                    failures.append(f"refused {state}/{action}/{role} wrote an audit entry")
            else:
                after = Application.objects.get(pk=base.pk)
                if not allowed:
                    failures.append(f"perform {state}/{action}/{role} should be refused")
                elif after.status != expected[1] or after.version != application.version + 1:
                    failures.append(f"{state}/{action}/{role} went to {after.status}")
                elif AuditEntry.objects.count() <= audit_count:
                    failures.append(f"{state}/{action}/{role} wrote no audit entry")
            transaction.savepoint_rollback(sid)
    assert not failures, "\n".join(failures)


def test_shown_actions_are_the_legal_ones_with_reasons_for_disabled(apps_world):
    w = apps_world
    application = service.start_application(w.hub_a, w.fiscal_year, w.coordinator)
    shown = workflow.actions_for(application, w.coordinator)
    assert [(t.action, p.allowed) for t, p in shown] == [("submit", False)]
    assert "取り組み事項" in shown[0][1].reason or "補助を希望" in shown[0][1].reason
    assert workflow.actions_for(application, w.staff) == []
    assert workflow.actions_for(application, w.health_center) == []


def test_decided_amounts_never_change_and_change_request_supersedes(apps_world):
    w = apps_world
    application = application_in(S.DECIDED, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    first = application.current_decision
    assert first.total_amount == 400_000
    with pytest.raises(ValueError, match="変更できません"):
        first.save()
    application = service.perform(application, "request_change", w.coordinator, application.version)
    assert application.is_change_request and application.status == S.DRAFT
    plan = reading.current_plan(application)
    plan["lines"]["hub-meeting"]["expenses"] = {"honoraria": 500_000}
    application, _ = service.save_plan(application, plan, w.coordinator, application.version)
    for action in ("submit", "start_review"):
        user = w.coordinator if action == "submit" else w.staff
        application = service.perform(application, action, user, application.version)
    application = drive.decide(application, w.staff, decision=decision_input(application))
    second = application.current_decision
    assert second.supersedes == first and second.total_amount == 500_000
    first.refresh_from_db()
    assert first.total_amount == 400_000
    assert Decision.objects.filter(application=application).count() == 2
    assert first.version.snapshot["plan"]["lines"]["hub-meeting"]["expenses"] == {
        "honoraria": 300_000,
        "travel": 100_000,
    }


# The same table, cell by cell, for every Role value (issue 13): what each role gets for each
# action in each state of an initial application, written out by hand from DOMAIN.md's
# process. "→x": done, the application is then in state x ("→awaiting": 決裁待ち); "actor":
# refused, another kind of user does it; "state": refused, not from this state; "guard":
# refused by the row's guard. 決裁 (issue 15): staff draft (decide/reject/refuse_change →
# 決裁待ち); only a 決裁権者 (APPROVER_CELLS, a member of staff with is_approver) approves
# or sends back. In 決裁待ち the application holds a draft of a 交付決定 by `staff`.
# The hospital's column (issue 18) is "scope" in every row (added by _grid): a hospital's
# contact on a hub's application is never its actor (the table says who does the row), and
# the service refuses it as out of its scope. Its own application: test_hospital_workflow_table.
GRID = """
state             action                hub_coordinator prefecture_staff administrator health_center
draft             submit                →submitted      actor            actor         actor
submitted         submit                state           actor            actor         actor
under_review      submit                state           actor            actor         actor
returned          submit                state           actor            actor         actor
resubmitted       submit                state           actor            actor         actor
awaiting_approval submit                state           actor            actor         actor
decided           submit                state           actor            actor         actor
rejected          submit                state           actor            actor         actor
withdrawn         submit                state           actor            actor         actor
discontinued      submit                state           actor            actor         actor
draft             start_review          actor           state            state         actor
submitted         start_review          actor           →under_review    →under_review actor
under_review      start_review          actor           state            state         actor
returned          start_review          actor           state            state         actor
resubmitted       start_review          actor           →under_review    →under_review actor
awaiting_approval start_review          actor           state            state         actor
decided           start_review          actor           state            state         actor
rejected          start_review          actor           state            state         actor
withdrawn         start_review          actor           state            state         actor
discontinued      start_review          actor           state            state         actor
draft             return                actor           state            state         actor
submitted         return                actor           state            state         actor
under_review      return                actor           →returned        →returned     actor
returned          return                actor           state            state         actor
resubmitted       return                actor           state            state         actor
awaiting_approval return                actor           state            state         actor
decided           return                actor           state            state         actor
rejected          return                actor           state            state         actor
withdrawn         return                actor           state            state         actor
discontinued      return                actor           state            state         actor
draft             resubmit              state           actor            actor         actor
submitted         resubmit              state           actor            actor         actor
under_review      resubmit              state           actor            actor         actor
returned          resubmit              →resubmitted    actor            actor         actor
resubmitted       resubmit              state           actor            actor         actor
awaiting_approval resubmit              state           actor            actor         actor
decided           resubmit              state           actor            actor         actor
rejected          resubmit              state           actor            actor         actor
withdrawn         resubmit              state           actor            actor         actor
discontinued      resubmit              state           actor            actor         actor
draft             decide                actor           state            state         actor
submitted         decide                actor           state            state         actor
under_review      decide                actor           →awaiting        →awaiting     actor
returned          decide                actor           state            state         actor
resubmitted       decide                actor           state            state         actor
awaiting_approval decide                actor           state            state         actor
decided           decide                actor           state            state         actor
rejected          decide                actor           state            state         actor
withdrawn         decide                actor           state            state         actor
discontinued      decide                actor           state            state         actor
draft             reject                actor           state            state         actor
submitted         reject                actor           state            state         actor
under_review      reject                actor           →awaiting        →awaiting     actor
returned          reject                actor           state            state         actor
resubmitted       reject                actor           state            state         actor
awaiting_approval reject                actor           state            state         actor
decided           reject                actor           state            state         actor
rejected          reject                actor           state            state         actor
withdrawn         reject                actor           state            state         actor
discontinued      reject                actor           state            state         actor
draft             request_change        state           actor            actor         actor
submitted         request_change        state           actor            actor         actor
under_review      request_change        state           actor            actor         actor
returned          request_change        state           actor            actor         actor
resubmitted       request_change        state           actor            actor         actor
awaiting_approval request_change        state           actor            actor         actor
decided           request_change        →draft          actor            actor         actor
rejected          request_change        state           actor            actor         actor
withdrawn         request_change        state           actor            actor         actor
discontinued      request_change        state           actor            actor         actor
draft             refuse_change         actor           state            state         actor
submitted         refuse_change         actor           state            state         actor
under_review      refuse_change         actor           guard            guard         actor
returned          refuse_change         actor           state            state         actor
resubmitted       refuse_change         actor           state            state         actor
awaiting_approval refuse_change         actor           state            state         actor
decided           refuse_change         actor           state            state         actor
rejected          refuse_change         actor           state            state         actor
withdrawn         refuse_change         actor           state            state         actor
discontinued      refuse_change         actor           state            state         actor
draft             approve_decide        actor           actor            actor         actor
submitted         approve_decide        actor           actor            actor         actor
under_review      approve_decide        actor           actor            actor         actor
returned          approve_decide        actor           actor            actor         actor
resubmitted       approve_decide        actor           actor            actor         actor
awaiting_approval approve_decide        actor           actor            actor         actor
decided           approve_decide        actor           actor            actor         actor
rejected          approve_decide        actor           actor            actor         actor
withdrawn         approve_decide        actor           actor            actor         actor
discontinued      approve_decide        actor           actor            actor         actor
draft             approve_reject        actor           actor            actor         actor
submitted         approve_reject        actor           actor            actor         actor
under_review      approve_reject        actor           actor            actor         actor
returned          approve_reject        actor           actor            actor         actor
resubmitted       approve_reject        actor           actor            actor         actor
awaiting_approval approve_reject        actor           actor            actor         actor
decided           approve_reject        actor           actor            actor         actor
rejected          approve_reject        actor           actor            actor         actor
withdrawn         approve_reject        actor           actor            actor         actor
discontinued      approve_reject        actor           actor            actor         actor
draft             approve_refuse_change actor           actor            actor         actor
submitted         approve_refuse_change actor           actor            actor         actor
under_review      approve_refuse_change actor           actor            actor         actor
returned          approve_refuse_change actor           actor            actor         actor
resubmitted       approve_refuse_change actor           actor            actor         actor
awaiting_approval approve_refuse_change actor           actor            actor         actor
decided           approve_refuse_change actor           actor            actor         actor
rejected          approve_refuse_change actor           actor            actor         actor
withdrawn         approve_refuse_change actor           actor            actor         actor
discontinued      approve_refuse_change actor           actor            actor         actor
draft             send_back             actor           actor            actor         actor
submitted         send_back             actor           actor            actor         actor
under_review      send_back             actor           actor            actor         actor
returned          send_back             actor           actor            actor         actor
resubmitted       send_back             actor           actor            actor         actor
awaiting_approval send_back             actor           actor            actor         actor
decided           send_back             actor           actor            actor         actor
rejected          send_back             actor           actor            actor         actor
withdrawn         send_back             actor           actor            actor         actor
discontinued      send_back             actor           actor            actor         actor
"""
# A change request (変更承認申請) differs in two cells of each staff column: it cannot be
# rejected (the change is refused instead), and refusing the change keeps the decision.
CHANGE_REQUEST_CELLS = {
    ("under_review", "reject"): "guard",
    ("under_review", "refuse_change"): "→awaiting",
}
# The 決裁権者's column: a member of staff, so the staff column for staff rows; the rows of
# 決裁 are theirs alone, from 決裁待ち only, and the draft there is a 交付決定.
APPROVER_ROWS = {
    "approve_decide": "→decided",
    "approve_reject": "guard",
    "approve_refuse_change": "guard",
    "send_back": "→under_review",
}
REFUSALS = {
    "actor": "が行います",
    "state": "にのみ行えます",
    "scope": "が行います",
}
GUARD_REFUSALS = {
    ("reject", True): "変更承認申請は不交付にできません",
    ("refuse_change", False): "変更承認申請ではありません",
    ("approve_reject", False): "この起案は「交付決定」です",
    ("approve_reject", True): "この起案は「変更交付決定」です",
    ("approve_refuse_change", False): "この起案は「交付決定」です",
    ("approve_refuse_change", True): "この起案は「変更交付決定」です",
}
ARRIVES = {"awaiting": "awaiting_approval"}


def _grid() -> tuple[list[str], dict[tuple[str, str], dict[str, str]]]:
    header, *rows = [line.split() for line in GRID.strip().splitlines()]
    roles = [*header[2:], Role.HOSPITAL.value]
    return roles, {(r[0], r[1]): dict(zip(roles, [*r[2:], "scope"], strict=True)) for r in rows}


def test_the_grid_has_a_column_for_every_role_and_a_row_for_every_state_and_action():
    roles, cells = _grid()
    assert sorted(roles) == sorted(Role.values)
    assert set(cells) == {(state, action) for state in S.values for action in ACTIONS}


def _cell(state, action, role, change_request) -> str:
    if role == "approver":
        if action in APPROVER_ROWS:
            return APPROVER_ROWS[action] if state == "awaiting_approval" else "state"
        role = Role.PREFECTURE_STAFF.value
    cell = _grid()[1][(state, action)][role]
    if change_request and role in STAFF_COLUMNS and (state, action) in CHANGE_REQUEST_CELLS:
        return CHANGE_REQUEST_CELLS[(state, action)]
    return cell


STAFF_COLUMNS = {Role.PREFECTURE_STAFF.value, Role.ADMINISTRATOR.value}


def _refusal_problem(permission, cell, action, change_request) -> str | None:
    expected = GUARD_REFUSALS[(action, change_request)] if cell == "guard" else REFUSALS[cell]
    if expected not in permission.reason:
        return f"refused with {permission.reason!r}, expected {expected!r}"
    return None


@pytest.mark.parametrize(
    ("state", "change_request"),
    CASES,
    ids=[f"{s}-{'change' if c else 'initial'}" for s, c in CASES],
)
def test_every_state_action_and_role_value_against_the_grid(apps_world, state, change_request):
    w = apps_world
    assert set(w.users) == set(Role), "the world has a user of every role"
    users = {role.value: user for role, user in w.users.items()} | {"approver": drive.approver()}
    base = _in_state(w, state, change_request)
    failures = []
    for action in ACTIONS:
        for role, user in users.items():
            where = f"{state}/{action}/{role}/{'change' if change_request else 'initial'}"
            cell = _cell(state, action, role, change_request)
            application = Application.objects.get(pk=base.pk)
            permission = workflow.check(application, action, user)
            if cell.startswith("→") != bool(permission):
                failures.append(f"{where}: check says {permission}, grid says {cell}")
                continue
            if not permission and (
                problem := _refusal_problem(permission, cell, action, change_request)
            ):
                failures.append(f"{where}: {problem}")
            audit_count = AuditEntry.objects.count()
            sid = transaction.savepoint()
            try:
                done = service.perform(
                    application, action, user, application.version, **_params(application, action)
                )
            except rules.ApplicationError as error:
                if cell.startswith("→"):
                    failures.append(f"{where}: perform refused: {error.message}")
                elif error.message != (
                    rules.OUT_OF_SCOPE_MESSAGE if cell == "scope" else permission.reason
                ):
                    failures.append(f"{where}: perform said {error.message!r}")
                after = Application.objects.get(pk=base.pk)
                if (after.status, after.version) != (state, application.version):
                    failures.append(f"{where}: the refusal changed the application")
                if AuditEntry.objects.count() != audit_count:
                    failures.append(f"{where}: the refusal wrote an audit entry")
            else:
                if not cell.startswith("→"):
                    failures.append(f"{where}: perform did what the grid refuses ({cell})")
                elif (done.status, done.version) != (
                    ARRIVES.get(cell[1:], cell[1:]),
                    application.version + 1,
                ):
                    failures.append(f"{where}: went to {done.status} v{done.version}")
            transaction.savepoint_rollback(sid)
    assert not failures, "\n".join(failures)


def _in_state(w, state, change_request) -> Application:
    """An application in `state`; in 決裁待ち with a real draft of a decision by staff."""
    base = application_in(S.DRAFT, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    if state != S.DRAFT:
        service.perform(base, "submit", w.coordinator, base.version)
    target = S.UNDER_REVIEW if state == S.AWAITING_APPROVAL else state
    Application.objects.filter(pk=base.pk).update(status=target, is_change_request=change_request)
    if state == S.AWAITING_APPROVAL:
        base = Application.objects.get(pk=base.pk)
        service.perform(base, "decide", w.staff, base.version, decision=decision_input(base))
    return Application.objects.get(pk=base.pk)


def test_an_action_not_in_the_table_is_refused_with_its_reason(apps_world):
    w = apps_world
    application = service.start_application(w.hub_a, w.fiscal_year, w.coordinator)
    for role, user in w.users.items():
        permission = workflow.check(application, "approve", user)
        assert not permission and permission.reason == "この操作はありません。"
        # a hospital's contact is refused first by the scope, asked inside the lock
        said = rules.OUT_OF_SCOPE_MESSAGE if role == Role.HOSPITAL else "この操作はありません。"
        with pytest.raises(rules.ApplicationError) as refused:
            service.perform(application, "approve", user, application.version)
        assert refused.value.message == said, role
