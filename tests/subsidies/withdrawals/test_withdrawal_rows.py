"""取下げ・中止・廃止 (issue 15): the rows of subsidies/applications/withdrawals.py, every state
× action × role against a table written out here by hand, and the rules around them."""

import dataclasses
import datetime

import pytest
from django.db import transaction

from subsidies.applications import rules, workflow
from subsidies.applications import services as service
from subsidies.applications.withdrawals import WITHDRAWAL_ACTIONS, tokyo_today
from subsidies.applications.withdrawals import DiscontinuationInput as DI
from subsidies.models import (
    Application,
    ApplicationStatus,
    Decision,
    DiscontinuationRequest,
    Withdrawal,
)
from subsidies.shared.approvals import ApprovalKind, pending_for
from tests.subsidies.approvals import drive
from tests.subsidies.factories import application_in, decision_input
from zaitaku_portal.models import AuditEntry, Role
from zaitaku_portal.wareki import wareki_date

S = ApplicationStatus
# (state, action) → (who, to), for an initial application; written out from DOMAIN.md and the
# issue, independently of the rows. The discontinuation answers need a pending request, so
# they are walked in their own tests below (here: refused by the guard in 交付決定済み).
EXPECTED = {
    (S.SUBMITTED, "withdraw"): ("coordinator", S.WITHDRAWN),
    (S.UNDER_REVIEW, "withdraw"): ("coordinator", S.WITHDRAWN),
    (S.RETURNED, "withdraw"): ("coordinator", S.WITHDRAWN),
    (S.RESUBMITTED, "withdraw"): ("coordinator", S.WITHDRAWN),
    (S.AWAITING_APPROVAL, "withdraw"): ("coordinator", S.WITHDRAWN),
    (S.DECIDED, "withdraw_decided"): ("coordinator", S.WITHDRAWN),
    (S.DECIDED, "request_discontinuation"): ("coordinator", S.DECIDED),
}
CHANGE = {
    (S.SUBMITTED, "withdraw_change"): ("coordinator", S.DECIDED),
    (S.UNDER_REVIEW, "withdraw_change"): ("coordinator", S.DECIDED),
    (S.RETURNED, "withdraw_change"): ("coordinator", S.DECIDED),
    (S.RESUBMITTED, "withdraw_change"): ("coordinator", S.DECIDED),
    (S.AWAITING_APPROVAL, "withdraw_change"): ("coordinator", S.DECIDED),
}
KIND = {
    Role.HUB_COORDINATOR: "coordinator",
    Role.PREFECTURE_STAFF: "staff",
    Role.ADMINISTRATOR: "staff",
    Role.HEALTH_CENTER: None,
    Role.HOSPITAL: None,  # a hub's application is not the hospital's to act on (issue 18)
}
ACTIONS = [
    "withdraw",
    "withdraw_change",
    "withdraw_decided",
    "request_discontinuation",
    "approve_discontinuation",
    "refuse_discontinuation",
]


def test_the_table_holds_these_rows():
    assert sorted(WITHDRAWAL_ACTIONS) == sorted(ACTIONS)
    assert set(ACTIONS) <= set(workflow.TRANSITIONS)


def _params(action):
    if action == "request_discontinuation":
        return {"reason": "拠点の運営を終了", "decision": DI("abolish", tokyo_today())}
    return {"reason": "事業を実施できなくなったため"}


def _decided_now(w):
    """Decided today, so that the 取下げ window (10 days) is open."""
    application = application_in(S.UNDER_REVIEW, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    decision = dataclasses.replace(decision_input(application), notice_date=tokyo_today())
    return drive.decide(application, w.staff, decision=decision)


@pytest.fixture
def wd_world(apps_world):
    apps_world.fiscal_year.withdrawal_days = 10
    # the 中止・廃止承認通知書 is numbered from the year's pattern when none is typed
    apps_world.fiscal_year.notice_number_pattern = "8医政第{n}号"
    apps_world.fiscal_year.save()
    return apps_world


CASES = [(s, False) for s in S] + [
    (s, True) for s in (S.SUBMITTED, S.UNDER_REVIEW, S.RETURNED, S.RESUBMITTED, S.DECIDED)
]


@pytest.mark.parametrize(("state", "change"), CASES, ids=[f"{s}-{c}" for s, c in CASES])
def test_every_state_action_role(wd_world, state, change):
    w = wd_world
    base = _decided_now(w)  # a decision exists: 取下げ届 reads its notice date
    Application.objects.filter(pk=base.pk).update(status=state, is_change_request=change)
    failures = []
    for action in ACTIONS:
        expected = (CHANGE if change else EXPECTED).get((state, action))
        for role, user in w.users.items():
            allowed = expected is not None and expected[0] == KIND[role]
            application = Application.objects.get(pk=base.pk)
            permission = workflow.check(application, action, user)
            if bool(permission) != allowed:
                failures.append(f"check {state}/{action}/{role}: {permission}")
            if not permission and not permission.reason:
                failures.append(f"no reason for {state}/{action}/{role}")
            audits = AuditEntry.objects.count()
            sid = transaction.savepoint()
            try:
                service.perform(application, action, user, application.version, **_params(action))
            except rules.ApplicationError:
                if allowed:
                    failures.append(f"perform {state}/{action}/{role} refused")
                after = Application.objects.get(pk=base.pk)
                if (after.status, after.version) != (state, application.version):
                    failures.append(f"refused {state}/{action}/{role} changed it")
                if AuditEntry.objects.count() != audits:
                    failures.append(f"refused {state}/{action}/{role} audited")
            else:
                after = Application.objects.get(pk=base.pk)
                if not allowed:
                    failures.append(f"perform {state}/{action}/{role} should be refused")
                elif after.status != expected[1] or AuditEntry.objects.count() <= audits:
                    failures.append(f"{state}/{action}/{role} went to {after.status}")
            transaction.savepoint_rollback(sid)
    assert not failures, "\n".join(failures)


def test_withdrawn_while_awaiting_approval_cannot_be_decided(wd_world):
    w = wd_world
    application = application_in(S.UNDER_REVIEW, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    application = service.perform(
        application, "decide", w.staff, application.version, decision=decision_input(application)
    )
    assert application.status == S.AWAITING_APPROVAL
    assert pending_for(application).kind == ApprovalKind.DECISION
    application = service.perform(
        application, "withdraw", w.coordinator, application.version, reason="辞退します"
    )
    assert application.status == S.WITHDRAWN
    record = Withdrawal.objects.get(application=application)
    assert record.kind == Withdrawal.Kind.BEFORE_DECISION and record.lapsed_decision is None
    with pytest.raises(rules.ApplicationError, match="決裁待ち"):
        drive.approve(application)
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN and not application.decisions.exists()
    with pytest.raises(rules.ApplicationError):
        service.perform(application, "resubmit", w.coordinator, application.version)
    with pytest.raises(rules.ApplicationError):
        service.perform(
            application,
            "decide",
            w.staff,
            application.version,
            decision=decision_input(application),
        )


def test_withdrawal_needs_a_reason_and_saves_nothing_without(wd_world):
    w = wd_world
    application = application_in(S.SUBMITTED, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    with pytest.raises(rules.ApplicationError) as refused:
        service.perform(application, "withdraw", w.coordinator, application.version, reason=" ")
    assert "理由" in refused.value.message
    assert Application.objects.get(pk=application.pk).status == S.SUBMITTED
    assert not Withdrawal.objects.exists()


def test_withdrawn_change_request_keeps_the_decided_amounts(wd_world):
    w = wd_world
    application = _decided_now(w)
    decision = application.current_decision
    application = service.perform(application, "request_change", w.coordinator, application.version)
    application = service.perform(application, "submit", w.coordinator, application.version)
    application = service.perform(
        application, "withdraw_change", w.coordinator, application.version, reason="変更しません"
    )
    assert application.status == S.DECIDED and not application.is_change_request
    assert application.current_decision == decision
    assert Decision.objects.current().get(application=application).total_amount == 400_000


def _decided_on(w, notice_date):
    application = application_in(S.UNDER_REVIEW, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    decision = dataclasses.replace(decision_input(application), notice_date=notice_date)
    return drive.decide(application, w.staff, decision=decision)


def test_last_day_of_the_withdrawal_days_is_allowed(wd_world):
    # withdrawal_days = 10, the notice day not counted: noticed 10 days ago → today is day 10.
    w = wd_world
    application = _decided_on(w, tokyo_today() - datetime.timedelta(days=10))
    decision = application.current_decision
    application = service.perform(
        application, "withdraw_decided", w.coordinator, application.version, reason="辞退"
    )
    assert application.status == S.WITHDRAWN
    record = Withdrawal.objects.get(application=application)
    assert record.lapsed_decision == decision and record.withdrawn_on == tokyo_today()
    assert record.kind == Withdrawal.Kind.AFTER_DECISION


def test_the_day_after_the_withdrawal_days_is_refused_naming_the_last_day(wd_world):
    w = wd_world
    noticed = tokyo_today() - datetime.timedelta(days=11)
    application = _decided_on(w, noticed)
    last = wareki_date(noticed + datetime.timedelta(days=10))
    permission = workflow.check(application, "withdraw_decided", w.coordinator)
    assert not permission
    assert permission.reason == f"交付決定後の取下げ期限（{last}）を過ぎています。"
    assert "令和" in permission.reason
    with pytest.raises(rules.ApplicationError, match="取下げ期限"):
        service.perform(
            application, "withdraw_decided", w.coordinator, application.version, reason="辞退"
        )
    assert Application.objects.get(pk=application.pk).status == S.DECIDED


def test_no_withdrawal_days_in_the_year_means_no_withdrawal_after_decision(wd_world):
    w = wd_world
    w.fiscal_year.withdrawal_days = None
    w.fiscal_year.save()
    application = _decided_now(w)
    permission = workflow.check(application, "withdraw_decided", w.coordinator)
    assert not permission and "設定されていません" in permission.reason


def test_decided_totals_stop_counting_a_withdrawn_decision(wd_world):
    w = wd_world
    application = _decided_now(w)
    # complete_plan: hub-meeting 300,000 + 100,000 expenses at the full rate → 400,000 decided.
    current = Decision.objects.current().filter(application__fiscal_year=w.fiscal_year)
    assert sum(d.total_amount for d in current) == 400_000
    service.perform(
        application, "withdraw_decided", w.coordinator, application.version, reason="辞退"
    )
    current = Decision.objects.current().filter(application__fiscal_year=w.fiscal_year)
    assert list(current) == []
    assert Decision.objects.filter(application=application).count() == 1  # kept, lapsed


def test_discontinuation_approved(wd_world):
    w = wd_world
    application = _decided_now(w)
    application = service.perform(
        application, "request_discontinuation", w.coordinator, application.version,
        reason="医師の退職", decision=DI("suspend", datetime.date(2026, 10, 1)),
    )  # fmt: skip
    assert application.status == S.DECIDED
    again = workflow.check(application, "request_discontinuation", w.coordinator)
    assert not again and "審査中" in again.reason
    application = service.perform(
        application, "approve_discontinuation", w.staff, application.version
    )
    assert application.status == S.DISCONTINUED
    record = DiscontinuationRequest.objects.get(application=application)
    assert record.state == "approved" and record.answered_by == w.staff
    assert record.effective_from == datetime.date(2026, 10, 1)
    # numbered from the pattern: one above the highest serial of the register, which is the
    # decision's typed 8医政第N号 (decision_input) → 8医政第N+1号
    serial = int(Decision.objects.get(application=application).notice_number[4:-1])
    assert record.notice_number == f"8医政第{serial + 1}号"
    assert not Decision.objects.current().filter(application=application).exists()


def test_discontinuation_refused_stays_decided_with_the_reason(wd_world):
    w = wd_world
    application = _decided_now(w)
    application = service.perform(
        application, "request_discontinuation", w.coordinator, application.version,
        reason="統合", decision=DI("abolish", datetime.date(2026, 9, 1)),
    )  # fmt: skip
    with pytest.raises(rules.ApplicationError, match="理由"):
        service.perform(application, "refuse_discontinuation", w.staff, application.version)
    application = service.perform(
        application, "refuse_discontinuation", w.staff, application.version, reason="継続可能"
    )
    assert application.status == S.DECIDED
    record = DiscontinuationRequest.objects.get(application=application)
    assert record.state == "refused" and record.refusal_reason == "継続可能"
    assert workflow.check(application, "request_discontinuation", w.coordinator)


def test_discontinuation_request_with_gaps_names_them(wd_world):
    w = wd_world
    application = _decided_now(w)
    with pytest.raises(rules.ApplicationError) as refused:
        service.perform(
            application, "request_discontinuation", w.coordinator, application.version,
            reason="x", decision=DI("", None),
        )  # fmt: skip
    assert "中止・廃止の別を選んでください。" in refused.value.problems
    assert "中止・廃止の日を入力してください。" in refused.value.problems
    assert not DiscontinuationRequest.objects.exists()


def test_the_application_page_says_the_decision_lapsed_after_a_discontinuation(wd_world, client):
    """After an approved 中止 the page no longer shows the decision as 有効 (issue 15)."""
    w = wd_world
    application = _decided_now(w)
    client.force_login(w.coordinator)
    page = client.get(f"/subsidies/applications/{application.pk}/").content.decode()
    assert "有効</span>" in page and "により失効" not in page
    application = service.perform(
        application, "request_discontinuation", w.coordinator, application.version,
        reason="医師の退職", decision=DI("suspend", datetime.date(2026, 10, 1)),
    )  # fmt: skip
    service.perform(application, "approve_discontinuation", w.staff, application.version)
    page = client.get(f"/subsidies/applications/{application.pk}/").content.decode()
    assert "中止・廃止により失効" in page
    assert "有効</span>" not in page
