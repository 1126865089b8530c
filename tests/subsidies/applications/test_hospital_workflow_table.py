"""The workflow table on a hospital's own application (issue 18, setting (b)), every state ×
action × role value: the hospital's contact does the grantee's rows (the coordinator column
of the hub grid in tests/subsidies/applications/test_workflow_table.py), staff and the
決裁権者 do theirs as on a hub's, and the coordinator of the hospital's hub, who follows the
application, does none: 「この操作は積極的医療機関の担当者が行います。」."""

import pytest
from django.db import transaction

from subsidies.applications import reading, rules, workflow
from subsidies.applications import services as service
from subsidies.applications.hospital_applications import start_hospital_application
from subsidies.models import Application, ApplicationStatus
from tests.subsidies.applications.test_workflow_table import (
    ACTIONS,
    APPROVER_ROWS,
    ARRIVES,
    CASES,
    CHANGE_REQUEST_CELLS,
    STAFF_COLUMNS,
    _grid,
    _params,
    _refusal_problem,
)
from tests.subsidies.approvals import drive
from tests.subsidies.factories import decision_input
from zaitaku_portal.models import AuditEntry, Role

S = ApplicationStatus
HOSPITAL_ACTS = "この操作は積極的医療機関の担当者が行います。"


@pytest.fixture
def own_world(apps_world):
    """The 2026 catalogue set to "counts": hospital A applies itself."""
    w = apps_world
    w.fiscal_year.hospital_plan_form = "counts"
    w.fiscal_year.save(update_fields=["hospital_plan_form"])
    w.hospital = w.users[Role.HOSPITAL]
    return w


def _own_application_in(w, state, change_request) -> Application:
    """Hospital A's application, its plan complete (退院調整看護師の配置, 賃金 3,000,000円),
    in `state`; in 決裁待ち with a real draft of a decision by staff."""
    application = start_hospital_application(w.hospital_a, w.fiscal_year, w.hospital)
    plan = reading.current_plan(application)
    plan["lines"][f"hosp-nurse@{w.designation_a.pk}"].update(
        wish=True,
        planned_actions="退院調整看護師を1名新規配置",
        start_year=w.fiscal_year.year,
        expenses={"wages": 3_000_000},
    )
    application, _ = service.save_plan(application, plan, w.hospital, application.version)
    if state != S.DRAFT:
        service.perform(application, "submit", w.hospital, application.version)
    target = S.UNDER_REVIEW if state == S.AWAITING_APPROVAL else state
    Application.objects.filter(pk=application.pk).update(
        status=target, is_change_request=change_request
    )
    if state == S.AWAITING_APPROVAL:
        base = Application.objects.get(pk=application.pk)
        service.perform(base, "decide", w.staff, base.version, decision=decision_input(base))
    return Application.objects.get(pk=application.pk)


def _own_cell(state, action, role, change_request) -> str:
    """The hub grid's cell, with the grantee's column moved to the hospital's contact; the
    hub's coordinator is refused every grantee row (HOSPITAL_ACTS)."""
    if role == "approver":
        if action in APPROVER_ROWS:
            return APPROVER_ROWS[action] if state == "awaiting_approval" else "state"
        role = Role.PREFECTURE_STAFF.value
    cells = _grid()[1][(state, action)]
    grantee = cells[Role.HUB_COORDINATOR.value]
    if role == Role.HOSPITAL.value:
        return grantee
    if role == Role.HUB_COORDINATOR.value:
        return "actor" if grantee == "actor" else "follower"
    if change_request and role in STAFF_COLUMNS and (state, action) in CHANGE_REQUEST_CELLS:
        return CHANGE_REQUEST_CELLS[(state, action)]
    return cells[role]


@pytest.mark.parametrize(
    ("state", "change_request"),
    CASES,
    ids=[f"{s}-{'change' if c else 'initial'}" for s, c in CASES],
)
def test_every_state_action_and_role_on_a_hospitals_own_application(
    own_world, state, change_request
):
    w = own_world
    users = {role.value: user for role, user in w.users.items()} | {"approver": drive.approver()}
    base = _own_application_in(w, state, change_request)
    assert base.is_hospital_application
    failures = []
    for action in ACTIONS:
        for role, user in users.items():
            where = f"{state}/{action}/{role}/{'change' if change_request else 'initial'}"
            cell = _own_cell(state, action, role, change_request)
            application = Application.objects.get(pk=base.pk)
            permission = workflow.check(application, action, user)
            if cell.startswith("→") != bool(permission):
                failures.append(f"{where}: check says {permission}, grid says {cell}")
                continue
            if cell == "follower":
                if permission.reason != HOSPITAL_ACTS:
                    failures.append(f"{where}: refused with {permission.reason!r}")
            elif not permission and (
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
                elif error.message != permission.reason:
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


def test_the_hub_coordinator_is_shown_no_action_on_a_hospitals_application(own_world):
    w = own_world
    application = _own_application_in(w, S.DRAFT, False)
    assert [t.action for t, _ in workflow.actions_for(application, w.hospital)] == ["submit"]
    assert workflow.actions_for(application, w.coordinator) == []
    assert workflow.actions_for(application, w.health_center) == []


def test_another_hospitals_contact_is_refused_by_the_scope(own_world):
    """Hospital B's contact on hospital A's application: the table would let a grantee
    submit, the service refuses it as outside its scope, and nothing is written."""
    from tests.factories import hospital_contact_of

    w = own_world
    application = _own_application_in(w, S.DRAFT, False)
    other = hospital_contact_of(w.hospital_b, username="hospital_b")
    audits = AuditEntry.objects.count()
    with pytest.raises(rules.ApplicationError) as refused:
        service.perform(application, "submit", other, application.version)
    assert refused.value.message == rules.OUT_OF_SCOPE_MESSAGE
    assert Application.objects.get(pk=application.pk).status == S.DRAFT
    assert AuditEntry.objects.count() == audits
