"""The workflow table, exhaustively: every state × action × role, through check() and
through the service that acts (which must agree, and must change nothing when refused)."""

import pytest
from django.db import transaction

from subsidies.applications import services as service
from subsidies.applications import workflow
from subsidies.models import Application, ApplicationStatus, Decision
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
    (S.UNDER_REVIEW, "decide"): ("staff", S.DECIDED),
    (S.UNDER_REVIEW, "reject"): ("staff", S.REJECTED),
    (S.DECIDED, "request_change"): ("coordinator", S.DRAFT),
}
CHANGE_ONLY = {(S.UNDER_REVIEW, "refuse_change"): ("staff", S.DECIDED)}
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
]
KIND = {
    Role.HUB_COORDINATOR: "coordinator",
    Role.PREFECTURE_STAFF: "staff",
    Role.ADMINISTRATOR: "staff",
    Role.HEALTH_CENTER: None,
}


def test_the_declared_table_lists_exactly_these_actions():
    assert sorted(t.action for t in workflow.WORKFLOW) == sorted(ACTIONS)


def _params(application, action):
    if action == "return":
        return {"reason_code": "missing", "reason": "添付がありません"}
    if action in ("reject", "refuse_change"):
        return {"reason": "補助対象外のため"}
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
            except service.ApplicationError as error:
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
    plan = service.current_plan(application)
    plan["lines"]["hub-meeting"]["expenses"] = {"honoraria": 500_000}
    application, _ = service.save_plan(application, plan, w.coordinator, application.version)
    for action in ("submit", "start_review"):
        user = w.coordinator if action == "submit" else w.staff
        application = service.perform(application, action, user, application.version)
    application = service.perform(
        application, "decide", w.staff, application.version, decision=decision_input(application)
    )
    second = application.current_decision
    assert second.supersedes == first and second.total_amount == 500_000
    first.refresh_from_db()
    assert first.total_amount == 400_000
    assert Decision.objects.filter(application=application).count() == 2
    assert first.version.snapshot["plan"]["lines"]["hub-meeting"]["expenses"] == {
        "honoraria": 300_000,
        "travel": 100_000,
    }
