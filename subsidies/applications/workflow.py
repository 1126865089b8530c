"""The application workflow, declared as one table on the shared engine
(subsidies/shared/workflow.py).

Each row says everything about its action: from which states, to which state, which kind of
user, the guard that answers (allowed, reason), the form its page shows, whether a reason is
required, its effect, and the e-mail it sends (subsidies/applications/notifications.py). The
page shows the actions whose source state matches and whose actor is this user's kind; those
whose guard fails are shown disabled with the reason. services.perform() runs a row."""

from __future__ import annotations

import dataclasses

from django.utils import timezone

from subsidies.applications.forms import DecideForm, ReasonForm, ReturnForm
from subsidies.applications.reading import (
    DecisionInput,
    key_of,
    label_of,
    labels_for,
    plan_view,
)
from subsidies.applications.rules import (
    EDITABLE_STATES,
    ApplicationError,
    decision_problems,
    submission_permission,
    submission_problems,
)
from subsidies.applications.withdrawals import WITHDRAWAL_ROWS, ChangeRequestForm
from subsidies.catalogue.services import catalogue_refusal, freeze_catalogue
from subsidies.models import (
    Application,
    ApplicationVersion,
    Decision,
    DecisionLine,
    FiscalYear,
    ReturnReason,
)
from subsidies.models import ApplicationStatus as S
from subsidies.shared import approvals
from subsidies.shared.approvals import ApprovalKind as K
from subsidies.shared.notice_numbers import (
    create_numbered,
    lock_notice_register,
    notice_number_problems,
    taken_message,
)
from subsidies.shared.workflow import APPROVER, COORDINATOR, STAFF, Step, Table, Transition
from zaitaku_portal import audit
from zaitaku_portal.access import Permission

__all__ = [
    "APPROVER",
    "COORDINATOR",
    "EDITABLE_STATES",
    "STAFF",
    "TABLE",
    "TRANSITIONS",
    "WORKFLOW",
]


# --- guards --------------------------------------------------------------------------------


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


def _catalogue_confirmed(application) -> Permission:
    """No decision (first or change) on caps still 調整中: the page shows the button
    disabled with where the caps are confirmed; _decide asks again under the year's lock."""
    refusal = catalogue_refusal(application.fiscal_year)
    return Permission(False, refusal) if refusal else Permission(True)


# --- effects -------------------------------------------------------------------------------


def _freeze_version(application: Application, actor, label: str) -> ApplicationVersion:
    view = plan_view(application)
    labels, categories = labels_for(application)
    return ApplicationVersion.objects.create(
        application=application,
        number=application.versions.count() + 1,
        label=label,
        created_by=actor,
        snapshot={
            "plan": view.plan,
            "labels": labels,
            "categories": categories,
            "amounts": {k: a.computed_amount for k, a in view.amounts.items()},
            "total": view.grand_total,
            **(
                {"change_reason": application.change_reason}
                if application.is_change_request
                else {}
            ),
        },
    )


def _submitted(step: Step, suffix: str = "") -> None:
    """The plan as submitted becomes a version nobody changes."""
    application = step.obj
    label = ("変更承認申請" if application.is_change_request else "交付申請") + suffix
    version = _freeze_version(application, step.actor, label)
    application.submitted_at = timezone.now()
    step.changes["版"] = {"from": None, "to": version.number}


def _submit(step: Step) -> None:
    _submitted(step)


def _resubmit(step: Step) -> None:
    _submitted(step, "（再提出）")


def _return(step: Step) -> None:
    """The reason code and the text the hub reads are kept on the application."""
    code, text = step.params.get("reason_code") or "", step.reason
    if code not in ReturnReason.values:
        raise ApplicationError("差戻しには理由が必要です。", ["差戻し理由を選択してください。"])
    step.obj.return_reason_code = code
    step.obj.return_reason_text = text
    step.detail = f"差戻し理由: {ReturnReason(code).label}\n{text}"
    step.reason = f"{ReturnReason(code).label}: {text}"


def _request_change(step: Step) -> None:
    step.obj.is_change_request = True
    step.obj.change_reason = step.reason  # printed on the 変更承認申請書 (frozen at submission)


def _decide(step: Step) -> None:
    """The Decision, its lines and the frozen catalogue. Lock order: the application's row
    (perform took it), then the notice register: the order every writer takes."""
    decision = step.params.get("decision")
    if decision is None:
        raise ApplicationError("交付決定の内容がありません。")
    lock_notice_register()
    # The year's row locked: the catalogue cannot go back to 調整中 under this decision.
    fiscal_year = FiscalYear.objects.select_for_update().get(pk=step.obj.fiscal_year_id)
    if refusal := catalogue_refusal(fiscal_year):
        raise ApplicationError(refusal)
    step.obj.fiscal_year = fiscal_year
    if not decision.notice_number.strip():  # numbered now, under the register
        decision = dataclasses.replace(decision, notice_number=approvals.next_number(fiscal_year))
    problems = decision_problems(step.obj, decision) or _refusal_number_problems(decision)
    if problems:
        raise ApplicationError("交付決定の内容に誤りがあります。", problems)
    record = _write_decision(step.obj, step.actor, decision)
    step.changes["交付決定額"] = {"from": None, "to": record.total_amount}
    step.changes["通知番号"] = {"from": None, "to": record.notice_number}
    step.detail = f"通知番号: {record.notice_number}\n交付決定額: {record.total_amount:,}円"
    step.result = record


def _refusal_number_problems(decision: DecisionInput) -> list[str]:
    number = decision.notice_number.strip()
    return [taken_message(number)] if approvals.number_taken(number) else []


def _write_decision(application: Application, actor, decision) -> Decision:
    view = plan_view(application)
    previous = application.current_decision
    record = _create_decision(
        application=application,
        number=(previous.number + 1) if previous else 1,
        version=application.versions.order_by("-number").first(),
        supersedes=previous,
        notice_number=decision.notice_number.strip(),
        notice_date=decision.notice_date,
        total_amount=0,
        decided_by=actor,
    )
    total = 0
    for line in view.lines:
        key = key_of(line)
        if not view.amounts[key].carries_money:  # not wished, or held back this year
            continue
        total += _write_decision_line(
            record, line, view.amounts[key].computed_amount, decision, actor
        )
    Decision.objects.filter(pk=record.pk).update(total_amount=total)
    record.total_amount = total
    freeze_catalogue(
        application.fiscal_year, actor, f"{application}の交付決定（{record.notice_number}）"
    )
    return record


def _write_decision_line(record: Decision, line, computed: int, decision, actor) -> int:
    """One line of the decision; a reduction is audited with its reason. Returns the
    decided amount."""
    decided, reason = decision.amounts.get(key_of(line), (computed, ""))
    DecisionLine.objects.create(
        decision=record,
        menu=line.menu,
        designation=line.designation,
        recipient_name=(
            line.designation.institution.name
            if line.designation_id
            else record.application.hub.name
        ),
        computed_amount=computed,
        decided_amount=decided,
        reason=reason.strip() if decided < computed else "",
    )
    if decided != computed:
        audit.record(
            actor,
            "交付決定額の減額",
            record.application,
            {label_of(line): {"from": computed, "to": decided}},
            reason=reason,
        )
    return decided


def _create_decision(**fields) -> Decision:
    return create_numbered(Decision, ApplicationError, "交付決定の内容に誤りがあります。", **fields)


# --- 起案 and 決裁 (subsidies/shared/approvals.py) --------------------------------------------


def _made_from(application: Application) -> dict:
    """What a draft is made from: the submitted version and the amounts now (the caps
    included). The approval reads it again under the locks and refuses if it differs."""
    view = plan_view(application)
    last = application.versions.order_by("-number").values_list("number", flat=True).first()
    return {
        "version": last,
        "plan": view.plan,
        "amounts": {k: a.computed_amount for k, a in view.amounts.items()},
    }


def _typed_number_problems(number: str) -> list[str]:
    if not number:
        return []
    problems = notice_number_problems(number)
    if not problems and approvals.number_taken(number):
        problems.append(taken_message(number))
    return problems


def _draft_decision(step: Step) -> None:
    """交付決定・変更交付決定の起案: checked as a decision would be now (the number the year
    would give stands in for an empty one); nothing is decided until the approval."""
    decision = step.params.get("decision")
    if decision is None:
        raise ApplicationError("交付決定の内容がありません。")
    number = decision.notice_number.strip()
    preview = number or approvals.next_number(step.obj.fiscal_year)
    if not preview:
        raise ApplicationError(
            "通知番号を入力してください（この年度には通知番号の形式が設定されていません）。"
        )
    checked = DecisionInput(preview, approvals.tokyo_today(), decision.amounts)
    problems = decision_problems(step.obj, checked) or _typed_number_problems(number)
    if problems:
        raise ApplicationError("交付決定の内容に誤りがあります。", problems)
    kind = K.CHANGE_DECISION if step.obj.is_change_request else K.DECISION
    payload = {
        "notice_number": number,
        "amounts": {key: [amount, reason] for key, (amount, reason) in decision.amounts.items()},
    }
    approvals.draft(
        step, kind, payload, _made_from(step.obj), application=step.obj, error=ApplicationError
    )
    step.detail = f"起案: {K(kind).label}"


def _draft_refusal(step: Step) -> None:
    """不交付決定・変更の不承認の起案: the reason (and a typed number) kept for the approval."""
    decision = step.params.get("decision")  # the refusal's typed number, if any
    number = (decision.notice_number if decision else "").strip()
    if problems := _typed_number_problems(number):
        raise ApplicationError("通知番号に誤りがあります。", problems)
    kind = K.CHANGE_REFUSAL if step.obj.is_change_request else K.REFUSAL
    payload = {"notice_number": number, "reason": step.reason}
    approvals.draft(
        step, kind, payload, _made_from(step.obj), application=step.obj, error=ApplicationError
    )


def _approve_decision(step: Step) -> None:
    """決裁: the Decision written as the draft says, dated today and numbered now."""
    record = approvals.approvable(step, _made_from(step.obj), error=ApplicationError)
    payload = record.payload
    step.params["decision"] = DecisionInput(
        notice_number=payload.get("notice_number", ""),
        notice_date=approvals.approval_date(step),
        amounts={key: (int(a), str(r)) for key, (a, r) in payload["amounts"].items()},
    )
    _decide(step)
    approvals.approved(step, record, decision=step.result)


def _approve_refusal(step: Step) -> None:
    """決裁 of a refusal: its number and date are kept on the draft (不交付決定通知書)."""
    record = approvals.approvable(step, _made_from(step.obj), error=ApplicationError)
    lock_notice_register()
    typed = record.payload.get("notice_number", "").strip()
    number = typed or approvals.next_number(step.obj.fiscal_year)
    if not number:
        raise ApplicationError(
            "通知番号を決められません（年度の通知番号の形式がなく、起案に番号もありません）。"
            "差し戻して、番号を入れて起案し直してください。"
        )
    if problems := _typed_number_problems(number):
        raise ApplicationError("通知番号に誤りがあります。", problems)
    step.reason = record.payload.get("reason", "")
    approvals.approved(
        step, record, notice_number=number, notice_date=approvals.approval_date(step)
    )
    step.changes["通知番号"] = {"from": None, "to": number}
    step.detail = (
        f"通知番号: {number}\n理由: {step.reason}\n{approvals.refusal_notice_line(record)}"
    )
    step.result = record


def _send_back(step: Step) -> None:
    approvals.send_back(step, error=ApplicationError)
    step.detail = f"差戻しの理由: {step.reason}"


_NOT_THE_DRAFTER = approvals.not_the_drafter()


# --- the table -----------------------------------------------------------------------------

WORKFLOW: tuple[Transition, ...] = (
    Transition(
        "submit",
        "提出する",
        frozenset({S.DRAFT}),
        S.SUBMITTED,
        COORDINATOR,
        submission_permission,
        effect=_submit,
        notification="submit",
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
        form=ReturnForm,
        reason_required=True,
        effect=_return,
        notification="return",
    ),
    Transition(
        "resubmit",
        "再提出する",
        frozenset({S.RETURNED}),
        S.RESUBMITTED,
        COORDINATOR,
        submission_permission,
        effect=_resubmit,
        notification="resubmit",
    ),
    Transition(
        "decide",
        "交付決定を起案する",
        frozenset({S.UNDER_REVIEW}),
        S.AWAITING_APPROVAL,
        STAFF,
        _catalogue_confirmed,
        form=DecideForm,
        effect=_draft_decision,
    ),
    Transition(
        "reject",
        "不交付を起案する",
        frozenset({S.UNDER_REVIEW}),
        S.AWAITING_APPROVAL,
        STAFF,
        _not_change_request,
        danger=True,
        form=ReasonForm,
        reason_required=True,
        effect=_draft_refusal,
    ),
    Transition(
        "request_change",
        "変更承認申請を作成する",
        frozenset({S.DECIDED}),
        S.DRAFT,
        COORDINATOR,
        form=ChangeRequestForm,
        effect=_request_change,
    ),
    Transition(
        "refuse_change",
        "変更の不承認を起案する",
        frozenset({S.UNDER_REVIEW}),
        S.AWAITING_APPROVAL,
        STAFF,
        _is_change_request,
        danger=True,
        form=ReasonForm,
        reason_required=True,
        effect=_draft_refusal,
    ),
    Transition(
        "approve_decide",
        "決裁する（交付決定）",
        frozenset({S.AWAITING_APPROVAL}),
        S.DECIDED,
        APPROVER,
        approvals.kind_is(K.DECISION, K.CHANGE_DECISION),
        effect=_approve_decision,
        notification="decide",
        actor_guard=_NOT_THE_DRAFTER,
    ),
    Transition(
        "approve_reject",
        "決裁する（不交付決定）",
        frozenset({S.AWAITING_APPROVAL}),
        S.REJECTED,
        APPROVER,
        approvals.kind_is(K.REFUSAL),
        effect=_approve_refusal,
        notification="reject",
        actor_guard=_NOT_THE_DRAFTER,
    ),
    Transition(
        "approve_refuse_change",
        "決裁する（変更の不承認）",
        frozenset({S.AWAITING_APPROVAL}),
        S.DECIDED,
        APPROVER,
        approvals.kind_is(K.CHANGE_REFUSAL),
        effect=_approve_refusal,
        notification="refuse_change",
        actor_guard=_NOT_THE_DRAFTER,
    ),
    Transition(
        "send_back",
        "起案を差し戻す",
        frozenset({S.AWAITING_APPROVAL}),
        S.UNDER_REVIEW,
        APPROVER,
        danger=True,
        form=ReasonForm,
        reason_required=True,
        effect=_send_back,
        actor_guard=_NOT_THE_DRAFTER,
    ),
    *WITHDRAWAL_ROWS,  # 取下げ・中止・廃止 (subsidies/applications/withdrawals.py)
)
# The row that approves each kind of draft, and the row that sends one back.
APPROVE_ROWS = {
    K.DECISION: "approve_decide",
    K.CHANGE_DECISION: "approve_decide",
    K.REFUSAL: "approve_reject",
    K.CHANGE_REFUSAL: "approve_refuse_change",
}
SEND_BACK_ROW = "send_back"
TABLE = Table(WORKFLOW, S, "申請")
TRANSITIONS = TABLE.by_action


def check(application, action: str, user) -> Permission:
    """May `user` do `action` on `application` now? The user must already be in its scope
    (zaitaku_portal.scopes.applications_for)."""
    return TABLE.check(application, action, user)


def actions_for(application, user) -> list[tuple[Transition, Permission]]:
    return TABLE.actions_for(application, user)


def refused_problems(application, action: str, permission: Permission | None = None) -> list:
    """What to list under a refusal: every gap in the plan, for the rows whose guard is the
    plan's completeness."""
    transition = TABLE.get(action)
    if transition is not None and transition.guard is submission_permission:
        return submission_problems(application)
    return []
