"""The results report's workflow (実績報告 → 額の確定), declared as one table on the shared
engine (subsidies/shared/workflow.py).

Each row says everything about its action: label, from which states, to which state, which
kind of user, the guard that answers (allowed, reason), the form of its page, whether a
reason is required, its effect and its e-mail. `FLOW` tells the engine how to lock a report
(re-checking the actor's scope and the version inside the lock), which error to raise and
how to mail; services.perform runs a row through it.

The effects:
- submit / resubmit freeze a version of the report with its claim (ResultReportVersion);
- return / reopen keep the reason on the report for the coordinator;
- confirm / correct do the 額の確定: a new Confirmation (superseding the previous one, if
  any), taking the locks in the order every writer takes them — the report's row (FLOW's
  lock), then the application's (its advances are read for I), then the notice register.

A confirmed report can be corrected in two ways: staff re-confirm it directly ("correct",
e.g. after an advance payment was recorded late) or reopen it for the coordinator to fix
("reopen" → 差戻し中 → resubmit → review → confirm); either way a new Confirmation supersedes
the previous one and shows the difference."""

from __future__ import annotations

from functools import partial

from django.utils import timezone

from subsidies.models import (
    Application,
    Confirmation,
    ConfirmationRecipient,
    ResultReport,
    ResultReportVersion,
)
from subsidies.models import ResultReportStatus as S
from subsidies.results import notifications
from subsidies.results.claim import claim_for, claim_snapshot, recipient_rows
from subsidies.results.forms import ActionForm, ConfirmForm
from subsidies.results.reading import current_confirmation, jsonable, report_data, report_problems
from subsidies.results.rules import (
    OUT_OF_SCOPE_APPLICATION,
    OUT_OF_SCOPE_REPORT,
    STALE_MESSAGE,
    ClaimError,
    ConfirmationInput,
    StaleVersion,
    confirmation_problems,
)
from subsidies.shared import approvals
from subsidies.shared.approvals import ApprovalKind as K
from subsidies.shared.notice_numbers import (
    create_numbered,
    lock_notice_register,
    notice_number_problems,
    taken_message,
)
from subsidies.shared.workflow import (
    APPROVER,
    COORDINATOR,
    STAFF,
    Step,
    Table,
    Transition,
    Workflow,
)
from zaitaku_portal import audit
from zaitaku_portal.access import Permission
from zaitaku_portal.scopes import applications_for, reports_for

# --- locks ---------------------------------------------------------------------------------


def locked_report(report: ResultReport, expected_version: int | None, actor) -> ResultReport:
    """The report's row locked for this transaction, if it is still in the actor's scope
    (a coordinator removed from the hub after opening the page is refused here) and still
    at the version the page showed."""
    ResultReport.objects.select_for_update().get(pk=report.pk)
    if not reports_for(actor).filter(pk=report.pk).exists():
        raise ClaimError(OUT_OF_SCOPE_REPORT)
    current = ResultReport.objects.select_related(
        "application__hub", "application__fiscal_year"
    ).get(pk=report.pk)
    if expected_version is not None and current.version != int(expected_version):
        raise StaleVersion(STALE_MESSAGE)
    return current


def lock_application(application: Application, actor) -> Application:
    """The application's row, locked until the transaction ends, if still in the actor's
    scope. Every writer of its advances (and the confirmation that reads them) takes it
    first, so a total checked under it stays true until the insert: without it, two POSTs at
    once both saw the old total."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if not applications_for(actor).filter(pk=application.pk).exists():
        raise ClaimError(OUT_OF_SCOPE_APPLICATION)
    return locked


# --- guards --------------------------------------------------------------------------------


def _complete(report) -> Permission:
    problems = report_problems(report)
    if problems:
        return Permission(
            False, f"入力に不備があります（{len(problems)}件）: " + " / ".join(problems)
        )
    return Permission(True)


# --- effects -------------------------------------------------------------------------------


def _freeze(step: Step, label: str) -> None:
    """Submit / resubmit: the report as sent, with its claim, is kept as a version."""
    report = step.obj
    last = report.versions.order_by("-number").first()
    version = ResultReportVersion.objects.create(
        report=report,
        number=(last.number + 1) if last else 1,
        label=label,
        created_by=step.actor,
        snapshot={
            "report": jsonable(report_data(report)),
            "claim": claim_snapshot(claim_for(report.application)),
        },
    )
    report.submitted_at = timezone.now()
    report.return_reason = ""
    step.changes["版"] = {"from": None, "to": version.number}


def _keep_reason(step: Step) -> None:
    """Return / reopen: the coordinator reads why on the report and in the e-mail."""
    step.obj.return_reason = step.reason
    step.detail = f"理由: {step.reason}"


def _confirm_amount(step: Step) -> None:
    """Confirm / correct: the 額の確定 under the application's row and the notice register."""
    data: ConfirmationInput | None = step.params.get("confirmation")
    if data is None:
        raise ClaimError("額の確定の内容がありません。")
    report = step.obj
    lock_application(report.application, step.actor)  # its advances are read for I
    lock_notice_register()  # after the application's row: the order every writer takes
    if not data.notice_number.strip():  # numbered now, under the register
        number = approvals.next_number(report.application.fiscal_year)
        data = ConfirmationInput(number, data.notice_date)
    problems = confirmation_problems(data)
    if not problems and approvals.number_taken(data.notice_number.strip()):
        problems = [taken_message(data.notice_number.strip())]
    if problems:
        raise ClaimError("額の確定の内容に誤りがあります。確定していません。", problems)
    record = _confirm(report, step.actor, data, step.reason)
    previous = record.supersedes
    step.changes["確定額"] = {
        "from": previous.total_amount if previous else None,
        "to": record.total_amount,
    }
    step.changes["通知番号"] = {
        "from": previous.notice_number if previous else None,
        "to": record.notice_number,
    }
    step.result = record
    step.detail = f"通知番号: {record.notice_number}\n確定額: {record.total_amount:,}円"
    if previous is not None:
        step.detail += f"（訂正前 {previous.total_amount:,}円）\n訂正の理由: {step.reason}"


def _confirm(report: ResultReport, actor, data: ConfirmationInput, reason: str) -> Confirmation:
    application = report.application
    claim = claim_for(application)
    if claim.decision is None:
        raise ClaimError("交付決定がないため額を確定できません。")
    version = report.versions.order_by("-number").first()
    if version is None:
        raise ClaimError("提出された実績報告がありません。")
    previous = current_confirmation(application)
    snapshot = claim_snapshot(claim)
    if previous is not None:
        snapshot["previous"] = {
            "notice_number": previous.notice_number,
            "total_amount": previous.total_amount,
            "difference": previous.difference,
            "by_recipient": {
                str(r.designation_id or "hub"): r.required_amount for r in previous.recipients.all()
            },
        }
    record = _create_confirmation(
        application=application,
        report_version=version,
        decision=claim.decision,
        number=(previous.number + 1) if previous else 1,
        supersedes=previous,
        notice_number=data.notice_number.strip(),
        notice_date=data.notice_date,
        total_amount=claim.total_amount,
        decided_total=claim.decided_total,
        advance_total=claim.advance_total,
        difference=claim.difference,
        reason=reason,
        snapshot=snapshot,
        confirmed_by=actor,
    )
    ConfirmationRecipient.objects.bulk_create(recipient_rows(record, claim))
    _audit_confirmation(actor, record, previous, reason)
    return record


def _audit_confirmation(actor, record: Confirmation, previous, reason: str) -> None:
    if previous is not None:
        audit.record(
            actor,
            "確定額の訂正",
            record,
            {
                "確定額": {"from": previous.total_amount, "to": record.total_amount},
                "差額": {"from": None, "to": record.total_amount - previous.total_amount},
            },
            reason=reason,
        )
    else:
        audit.record(
            actor, "額の確定", record, {"確定額": {"from": None, "to": record.total_amount}}
        )


def _create_confirmation(**fields) -> Confirmation:
    return create_numbered(
        Confirmation, ClaimError, "額の確定の内容に誤りがあります。確定していません。", **fields
    )


# --- 起案 and 決裁 (subsidies/shared/approvals.py) --------------------------------------------


def _made_from(report: ResultReport) -> dict:
    """What a draft of the 額の確定 is made from: the submitted version and the claim (the
    advances received included). Read again under the locks at the approval."""
    last = report.versions.order_by("-number").values_list("number", flat=True).first()
    return {"version": last, "claim": claim_snapshot(claim_for(report.application))}


def _draft_confirmation(step: Step) -> None:
    """額の確定・確定額の訂正の起案: nothing is confirmed until the approval."""
    data: ConfirmationInput | None = step.params.get("confirmation")
    number = (data.notice_number if data else "").strip()
    report = step.obj
    if not number and not approvals.next_number(report.application.fiscal_year):
        raise ClaimError(
            "通知番号を入力してください（この年度には通知番号の形式が設定されていません）。"
        )
    problems = notice_number_problems(number) if number else []
    if number and not problems and approvals.number_taken(number):
        problems = [taken_message(number)]
    if problems:
        raise ClaimError("通知番号に誤りがあります。", problems)
    if claim_for(report.application).decision is None:
        raise ClaimError("交付決定がないため額を確定できません。")
    kind = K.CORRECTION if report.status == S.CONFIRMED else K.CONFIRMATION
    approvals.draft(
        step,
        kind,
        {"notice_number": number, "reason": step.reason},
        _made_from(report),
        application=report.application,
        report=report,
        error=ClaimError,
    )


def _approve_confirmation(step: Step) -> None:
    """決裁: the Confirmation written as the draft says, dated today and numbered now.
    Locks: the report (the engine), the application, the draft, the notice register."""
    lock_application(step.obj.application, step.actor)
    record = approvals.approvable(step, _made_from(step.obj), report=True, error=ClaimError)
    step.reason = record.payload.get("reason", "")
    step.params["confirmation"] = ConfirmationInput(
        record.payload.get("notice_number", ""), approvals.approval_date(step)
    )
    _confirm_amount(step)
    approvals.approved(step, record, confirmation=step.result)


def _send_back(step: Step) -> None:
    approvals.send_back(step, report=True, error=ClaimError)
    step.detail = f"差戻しの理由: {step.reason}"


_NOT_THE_DRAFTER = approvals.not_the_drafter(report=True)


def _approval_rows() -> tuple[Transition, ...]:
    """決裁 and 差戻し of the drafts (the draft's kind says which row; a correction sent
    back leaves the confirmation as it was)."""
    rows = []
    for kind, approve, send_back, back_to, notification in (
        (K.CONFIRMATION, "approve_confirm", "send_back", S.UNDER_REVIEW, notifications.CONFIRMED),
        (
            K.CORRECTION,
            "approve_correct",
            "send_back_correction",
            S.CONFIRMED,
            notifications.CORRECTED,
        ),
    ):
        guard = approvals.kind_is(kind, report=True)
        rows.append(
            Transition(
                approve,
                f"決裁する（{K(kind).label}）",
                frozenset({S.AWAITING_APPROVAL}),
                S.CONFIRMED,
                APPROVER,
                guard,
                form=ActionForm,
                effect=_approve_confirmation,
                notification=notification,
                actor_guard=_NOT_THE_DRAFTER,
            )
        )
        rows.append(
            Transition(
                send_back,
                "起案を差し戻す",
                frozenset({S.AWAITING_APPROVAL}),
                back_to,
                APPROVER,
                guard,
                danger=True,
                form=ActionForm,
                reason_required=True,
                effect=_send_back,
                actor_guard=_NOT_THE_DRAFTER,
            )
        )
    return tuple(rows)


# --- the table -------------------------------------------------------------------------------

TABLE = Table(
    (
        Transition(
            "submit",
            "実績報告を提出する",
            frozenset({S.DRAFT}),
            S.SUBMITTED,
            COORDINATOR,
            _complete,
            form=ActionForm,
            effect=partial(_freeze, label="実績報告"),
            notification=notifications.SUBMITTED,
        ),
        Transition(
            "start_review",
            "審査を開始する",
            frozenset({S.SUBMITTED, S.RESUBMITTED}),
            S.UNDER_REVIEW,
            STAFF,
            form=ActionForm,
        ),
        Transition(
            "return",
            "差し戻す",
            frozenset({S.UNDER_REVIEW}),
            S.RETURNED,
            STAFF,
            danger=True,
            form=ActionForm,
            reason_required=True,
            effect=_keep_reason,
            notification=notifications.RETURNED,
        ),
        Transition(
            "resubmit",
            "再提出する",
            frozenset({S.RETURNED}),
            S.RESUBMITTED,
            COORDINATOR,
            _complete,
            form=ActionForm,
            effect=partial(_freeze, label="実績報告（再提出）"),
            notification=notifications.RESUBMITTED,
        ),
        Transition(
            "confirm",
            "額の確定を起案する",
            frozenset({S.UNDER_REVIEW}),
            S.AWAITING_APPROVAL,
            STAFF,
            form=ConfirmForm,
            effect=_draft_confirmation,
        ),
        Transition(
            "correct",
            "確定額の訂正を起案する",
            frozenset({S.CONFIRMED}),
            S.AWAITING_APPROVAL,
            STAFF,
            form=ConfirmForm,
            reason_required=True,
            effect=_draft_confirmation,
        ),
        Transition(
            "reopen",
            "訂正のため差し戻す",
            frozenset({S.CONFIRMED}),
            S.RETURNED,
            STAFF,
            danger=True,
            form=ActionForm,
            reason_required=True,
            effect=_keep_reason,
            notification=notifications.REOPENED,
        ),
        *_approval_rows(),
    ),
    S,
    "実績報告",
)
# The row that approves each kind of draft, and the row that sends it back.
APPROVE_ROWS = {K.CONFIRMATION: "approve_confirm", K.CORRECTION: "approve_correct"}
SEND_BACK_ROWS = {K.CONFIRMATION: "send_back", K.CORRECTION: "send_back_correction"}


def _refused(report, action: str, permission: Permission) -> list[str]:
    """A refused (re)submission lists every missing item of the report."""
    transition = TABLE.get(action)
    return report_problems(report) if transition and transition.guard is _complete else []


FLOW = Workflow(
    table=TABLE,
    lock=locked_report,
    error=ClaimError,
    refused=_refused,
    notify=notifications.notify,
)
