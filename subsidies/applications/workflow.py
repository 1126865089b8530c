"""The application workflow, declared as one table on the shared engine
(subsidies/shared/workflow.py).

Each row says everything about its action: from which states, to which state, which kind of
user, the guard that answers (allowed, reason), the form its page shows, whether a reason is
required, its effect, and the e-mail it sends (subsidies/applications/notifications.py). The
page shows the actions whose source state matches and whose actor is this user's kind; those
whose guard fails are shown disabled with the reason. services.perform() runs a row."""

from __future__ import annotations

from django.utils import timezone

from subsidies.applications.forms import DecideForm, ReasonForm, ReturnForm
from subsidies.applications.reading import key_of, label_of, labels_for, plan_view
from subsidies.applications.rules import (
    EDITABLE_STATES,
    ApplicationError,
    decision_problems,
    submission_permission,
    submission_problems,
)
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
from subsidies.shared.notice_numbers import create_numbered, lock_notice_register
from subsidies.shared.workflow import COORDINATOR, STAFF, Step, Table, Transition
from zaitaku_portal import audit
from zaitaku_portal.access import Permission

__all__ = ["COORDINATOR", "EDITABLE_STATES", "STAFF", "TABLE", "TRANSITIONS", "WORKFLOW"]


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


def _refuse(step: Step) -> None:
    step.detail = f"理由: {step.reason}"


def _request_change(step: Step) -> None:
    step.obj.is_change_request = True


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
    problems = decision_problems(step.obj, decision)
    if problems:
        raise ApplicationError("交付決定の内容に誤りがあります。", problems)
    record = _write_decision(step.obj, step.actor, decision)
    step.changes["交付決定額"] = {"from": None, "to": record.total_amount}
    step.changes["通知番号"] = {"from": None, "to": record.notice_number}
    step.detail = f"通知番号: {record.notice_number}\n交付決定額: {record.total_amount:,}円"
    step.result = record


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
        "交付決定する",
        frozenset({S.UNDER_REVIEW}),
        S.DECIDED,
        STAFF,
        _catalogue_confirmed,
        form=DecideForm,
        effect=_decide,
        notification="decide",
    ),
    Transition(
        "reject",
        "不交付とする",
        frozenset({S.UNDER_REVIEW}),
        S.REJECTED,
        STAFF,
        _not_change_request,
        danger=True,
        form=ReasonForm,
        reason_required=True,
        effect=_refuse,
        notification="reject",
    ),
    Transition(
        "request_change",
        "変更承認申請を作成する",
        frozenset({S.DECIDED}),
        S.DRAFT,
        COORDINATOR,
        effect=_request_change,
    ),
    Transition(
        "refuse_change",
        "変更を承認しない",
        frozenset({S.UNDER_REVIEW}),
        S.DECIDED,
        STAFF,
        _is_change_request,
        danger=True,
        form=ReasonForm,
        reason_required=True,
        effect=_refuse,
        notification="refuse_change",
    ),
)
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
