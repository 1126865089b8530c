"""取下げ and 中止・廃止 (issue 15): the rows appended to the application table
(subsidies/applications/workflow.py: WORKFLOW = (...) + WITHDRAWAL_ROWS).

- 取下げ before the decision: from 提出済み・審査中・差戻し中・再提出済み・決裁待ち → 取下げ.
  A pending draft (起案) of a decision lapses with it: the approval row (approve_*) leaves
  決裁待ち only, so it finds the application 取下げ and refuses.
  A change request (is_change_request) withdrawn goes back to 交付決定済み instead: the
  change lapses, the decided amounts (the Decision rows) are untouched and the plan goes
  back to the version the current decision was made from (restore_decided_plan).
- 取下げ届 after the decision: 交付決定済み → 取下げ within the year's `withdrawal_days`
  counted in calendar days from the notice date of the current decision, the notice day
  itself not counted (民法第140条, 初日不算入): notice 5月1日 + 10 days → the last day is
  5月11日. The decision named on the Withdrawal record lapses.
- 中止・廃止承認申請: the hub files it for a decided application (the state stays 交付決定済み
  while it is pending); staff approve it (→ 中止・廃止; the 中止・廃止承認通知書 takes a number
  of the register, typed or from the year's pattern, as a refusal does) or refuse it with a
  reason (stays 交付決定済み).

Refunds of advances already paid are subsidies/payments' part: it reads the Withdrawal /
DiscontinuationRequest records made here (the date and the decision that lapsed)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from subsidies.applications.forms import ConfirmForm, ReasonForm
from subsidies.applications.models import (
    Application,
    ApplicationStatus,
    DiscontinuationRequest,
    MenuPlan,
    Withdrawal,
)
from subsidies.applications.plan_data import APPLICATION_FIELDS, LINE_FIELDS
from subsidies.applications.reading import DecisionInput, key_of, lines_of
from subsidies.applications.rules import ApplicationError
from subsidies.shared.approvals import next_number, number_taken
from subsidies.shared.notice_numbers import (
    lock_notice_register,
    notice_number_problems,
    taken_message,
)
from subsidies.shared.workflow import COORDINATOR, STAFF, Step, Transition
from zaitaku_portal import bounds
from zaitaku_portal.access import Permission
from zaitaku_portal.wareki import wareki_date

S = ApplicationStatus
BEFORE_DECISION = frozenset({S.SUBMITTED, S.UNDER_REVIEW, S.RETURNED, S.RESUBMITTED})
# 決裁待ち too: the draft of the decision lapses with the application.
WITHDRAWABLE = BEFORE_DECISION | {S.AWAITING_APPROVAL}
# States whose decided money no longer counts (dashboards, totals): the decision lapsed.
LAPSED_STATES = frozenset({S.WITHDRAWN, S.DISCONTINUED})


def tokyo_today() -> datetime.date:
    return timezone.localtime(timezone.now(), ZoneInfo("Asia/Tokyo")).date()


def withdrawal_last_day(application: Application) -> datetime.date | None:
    """The last day a 取下げ届 is accepted: the current decision's notice date + the year's
    withdrawal_days (calendar days, the notice day not counted). None: no decision, or the
    要綱 sets no period."""
    days = application.fiscal_year.withdrawal_days
    decision = application.current_decision
    if decision is None or not days:
        return None
    return decision.notice_date + datetime.timedelta(days=days)


# --- guards --------------------------------------------------------------------------------


def _initial_application(application) -> Permission:
    if application.is_change_request:
        return Permission(
            False, "変更承認申請です（「変更承認申請を取り下げる」で交付決定済みに戻ります）。"
        )
    return Permission(True)


def _change_request(application) -> Permission:
    if application.is_change_request:
        return Permission(True)
    return Permission(False, "変更承認申請ではありません（「申請を取り下げる」を使ってください）。")


def within_withdrawal_days(application, today: datetime.date | None = None) -> Permission:
    if application.is_change_request:
        return Permission(False, "変更承認申請の途中です。先に変更承認申請を取り下げてください。")
    last = withdrawal_last_day(application)
    if last is None:
        return Permission(
            False,
            "この年度の要綱には交付決定後の取下げ期限が設定されていません（県にご相談ください）。",
        )
    if (today or tokyo_today()) > last:
        return Permission(False, f"交付決定後の取下げ期限（{wareki_date(last)}）を過ぎています。")
    return Permission(True)


def pending_discontinuation(application) -> DiscontinuationRequest | None:
    return application.discontinuations.filter(state=DiscontinuationRequest.State.PENDING).first()


def _no_pending_discontinuation(application) -> Permission:
    if application.is_change_request:
        return Permission(False, "変更承認申請の途中です。")
    if pending_discontinuation(application) is not None:
        return Permission(False, "中止・廃止承認申請を審査中です。")
    return Permission(True)


def _has_pending_discontinuation(application) -> Permission:
    if pending_discontinuation(application) is None:
        return Permission(False, "審査中の中止・廃止承認申請がありません。")
    return Permission(True)


# --- forms ---------------------------------------------------------------------------------


class WithdrawalForm(ReasonForm):
    """取下げ・取下げ届: the reason only (no notice number: nothing is decided)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = "取下げの理由"
        self.fields.pop("notice_number", None)
        self.fields["reason"].error_messages["required"] = "取下げの理由を入力してください。"

    def params(self) -> dict:
        return {"reason": self.cleaned_data["reason"]}


class DiscontinuationForm(ConfirmForm):
    fields_template = "subsidies/applications/action/_reason.html"
    kind = forms.ChoiceField(label="中止・廃止の別", choices=DiscontinuationRequest.Kind.choices)
    effective_from = forms.DateField(
        label="中止・廃止の日",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "中止・廃止の日を入力してください。"},
    )
    reason = forms.CharField(
        label="中止・廃止の理由",
        max_length=bounds.TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "中止・廃止の理由を入力してください。"},
    )

    def params(self) -> dict:
        data = self.cleaned_data
        return {
            "reason": data["reason"],
            "decision": DiscontinuationInput(data["kind"], data["effective_from"]),
        }


class ChangeRequestForm(ConfirmForm):
    """変更承認申請を作成する: the reason of the change, printed on the 変更承認申請書 (the
    page asks for it; the engine keeps it optional for replays of a past year)."""

    fields_template = "subsidies/applications/action/_reason.html"
    reason = forms.CharField(
        label="変更の理由",
        max_length=bounds.TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "変更の理由を入力してください。",
            "max_length": f"変更の理由は{bounds.TEXT}文字以内で入力してください。",
        },
    )

    def params(self) -> dict:
        return {"reason": self.cleaned_data["reason"]}


class DiscontinuationApprovalForm(ConfirmForm):
    """中止・廃止を承認する: the 承認通知書's number, typed or (blank) from the year's pattern."""

    fields_template = "subsidies/applications/action/_reason.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        proposed = next_number(self.obj.fiscal_year) if self.obj is not None else ""
        self.fields["notice_number"] = forms.CharField(
            label="通知番号（中止・廃止承認通知書）",
            max_length=40,
            required=False,
            help_text=(
                f"空欄なら年度の形式で採番します（いま承認すると {proposed}）。"
                if proposed
                else "この年度には通知番号の形式がありません。通知番号を入力してください。"
            ),
            error_messages={"max_length": "通知番号は40文字以内で入力してください。"},
        )

    def params(self) -> dict:
        number = self.cleaned_data.get("notice_number", "")
        return {"decision": DecisionInput(number, None, {})}


@dataclass(frozen=True)
class DiscontinuationInput:
    """What a 中止・廃止承認申請 carries besides its reason. services.perform() passes only
    reason / reason_code / decision to the engine, so it travels as `decision=`."""

    kind: str
    effective_from: datetime.date | None


# --- effects -------------------------------------------------------------------------------


def _record_withdrawal(step: Step, kind: str) -> Withdrawal:
    decision = step.obj.current_decision if kind == Withdrawal.Kind.AFTER_DECISION else None
    record = Withdrawal.objects.create(
        application=step.obj,
        kind=kind,
        reason=step.reason,
        withdrawn_on=tokyo_today(),
        lapsed_decision=decision,
        filed_by=step.actor,
    )
    step.changes["取下げ"] = {"from": None, "to": record.get_kind_display()}
    if decision is not None:
        step.changes["効力を失った交付決定"] = {"from": decision.notice_number, "to": None}
    step.detail = f"{record.get_kind_display()}\n理由: {step.reason}"
    step.result = record
    return record


def _withdraw(step: Step) -> None:
    _record_withdrawal(step, Withdrawal.Kind.BEFORE_DECISION)


def _withdraw_change(step: Step) -> None:
    _record_withdrawal(step, Withdrawal.Kind.CHANGE_REQUEST)
    step.obj.is_change_request = False
    step.obj.change_reason = ""
    restored = restore_decided_plan(step.obj)
    if restored:
        step.changes["事業計画"] = {"from": "変更承認申請の内容", "to": restored}


# A plan line as a new application starts it (MenuPlan's defaults).
_EMPTY_LINE = {"wish": False, "planned_actions": "", "other_income": 0}


def restore_decided_plan(application: Application) -> str:
    """The plan goes back to what the current decision was made from (the version it names):
    a withdrawn change leaves nothing of itself in the plan. Returns the version's words
    ('' when the decision names no version)."""
    decision = application.current_decision
    version = decision.version if decision is not None else None
    if version is None:
        return ""
    plan = version.snapshot.get("plan", {})
    for field in APPLICATION_FIELDS:
        if field in plan:
            setattr(application, field, plan[field])
    lines = {key_of(line): line for line in lines_of(application)}
    kept = plan.get("lines", {})
    for key, line in lines.items():
        data = kept.get(key, {})  # a line added since the decision: back to empty
        for field in LINE_FIELDS:
            setattr(line, field, data.get(field, _EMPTY_LINE.get(field)))
        line.expenses = {k: int(v) for k, v in data.get("expenses", {}).items() if int(v)}
    MenuPlan.objects.bulk_update(list(lines.values()), [*LINE_FIELDS, "expenses"])
    return f"第{version.number}版（{decision.notice_number}の交付決定時）"


def _withdraw_decided(step: Step) -> None:
    # Asked again inside the lock: the day may have turned since the page was shown.
    if not (permission := within_withdrawal_days(step.obj)):
        raise ApplicationError(permission.reason)
    _record_withdrawal(step, Withdrawal.Kind.AFTER_DECISION)


def _file_discontinuation(step: Step) -> None:
    given = step.params.get("decision")
    kind = getattr(given, "kind", "")
    effective_from = getattr(given, "effective_from", None)
    reason = step.reason
    problems = []
    if kind not in DiscontinuationRequest.Kind.values:
        problems.append("中止・廃止の別を選んでください。")
    if not isinstance(effective_from, datetime.date):
        problems.append("中止・廃止の日を入力してください。")
    if not reason:
        problems.append("中止・廃止の理由を入力してください。")
    if problems:
        raise ApplicationError("中止・廃止承認申請の内容に誤りがあります。", problems)
    record = DiscontinuationRequest.objects.create(
        application=step.obj,
        kind=kind,
        reason=reason,
        effective_from=effective_from,
        decision=step.obj.current_decision,
        filed_by=step.actor,
    )
    step.reason = reason
    step.changes["中止・廃止承認申請"] = {"from": None, "to": record.get_kind_display()}
    step.changes["中止・廃止の日"] = {"from": None, "to": effective_from.isoformat()}
    step.detail = (
        f"{record.get_kind_display()}（{wareki_date(effective_from)}から）\n理由: {reason}"
    )
    step.result = record


def _answer(step: Step, state: str) -> DiscontinuationRequest:
    record = DiscontinuationRequest.objects.select_for_update().get(
        pk=pending_discontinuation(step.obj).pk
    )
    record.state = state
    record.answered_by = step.actor
    record.answered_on = tokyo_today()
    record.refusal_reason = step.reason if state == DiscontinuationRequest.State.REFUSED else ""
    record.save()
    step.changes["中止・廃止承認申請"] = {
        "from": DiscontinuationRequest.State.PENDING.label,
        "to": record.get_state_display(),
    }
    step.result = record
    return record


def _approval_number(step: Step) -> str:
    """The 中止・廃止承認通知書's number, as a refusal takes its own: typed, or the year's next
    from its pattern, under the register lock; one number, one notice."""
    lock_notice_register()
    given = step.params.get("decision")
    typed = (getattr(given, "notice_number", "") or "").strip()
    number = typed or next_number(step.obj.fiscal_year)
    if not number:
        raise ApplicationError(
            "通知番号を入力してください（この年度には通知番号の形式が設定されていません）。"
        )
    problems = notice_number_problems(number)
    if not problems and number_taken(number):
        problems = [taken_message(number)]
    if problems:
        raise ApplicationError("通知番号に誤りがあります。", problems)
    return number


def _approve_discontinuation(step: Step) -> None:
    number = _approval_number(step)
    record = _answer(step, DiscontinuationRequest.State.APPROVED)
    record.notice_number = number
    record.save(update_fields=["notice_number"])
    step.changes["通知番号"] = {"from": None, "to": number}
    step.detail = (
        f"{record.get_kind_display()}を承認しました（{wareki_date(record.effective_from)}から）。"
        f"\n通知番号: {number}"
    )


def _refuse_discontinuation(step: Step) -> None:
    record = _answer(step, DiscontinuationRequest.State.REFUSED)
    step.detail = f"{record.get_kind_display()}は承認されませんでした。\n理由: {step.reason}"


# --- the rows ------------------------------------------------------------------------------

WITHDRAWAL_ROWS: tuple[Transition, ...] = (
    Transition(
        "withdraw",
        "申請を取り下げる",
        WITHDRAWABLE,
        S.WITHDRAWN,
        COORDINATOR,
        _initial_application,
        danger=True,
        form=WithdrawalForm,
        reason_required=True,
        effect=_withdraw,
        notification="withdraw",
    ),
    Transition(
        "withdraw_change",
        "変更承認申請を取り下げる",
        WITHDRAWABLE,
        S.DECIDED,
        COORDINATOR,
        _change_request,
        danger=True,
        form=WithdrawalForm,
        reason_required=True,
        effect=_withdraw_change,
        notification="withdraw_change",
    ),
    Transition(
        "withdraw_decided",
        "取下げ届を提出する",
        frozenset({S.DECIDED}),
        S.WITHDRAWN,
        COORDINATOR,
        within_withdrawal_days,
        danger=True,
        form=WithdrawalForm,
        reason_required=True,
        effect=_withdraw_decided,
        notification="withdraw_decided",
    ),
    Transition(
        "request_discontinuation",
        "中止・廃止承認申請を提出する",
        frozenset({S.DECIDED}),
        S.DECIDED,
        COORDINATOR,
        _no_pending_discontinuation,
        danger=True,
        form=DiscontinuationForm,
        reason_required=True,
        effect=_file_discontinuation,
        notification="request_discontinuation",
    ),
    Transition(
        "approve_discontinuation",
        "中止・廃止を承認する",
        frozenset({S.DECIDED}),
        S.DISCONTINUED,
        STAFF,
        _has_pending_discontinuation,
        danger=True,
        form=DiscontinuationApprovalForm,
        effect=_approve_discontinuation,
        notification="discontinuation_approved",
    ),
    Transition(
        "refuse_discontinuation",
        "中止・廃止を承認しない",
        frozenset({S.DECIDED}),
        S.DECIDED,
        STAFF,
        _has_pending_discontinuation,
        danger=True,
        form=ReasonForm,
        reason_required=True,
        effect=_refuse_discontinuation,
        notification="discontinuation_refused",
    ),
)
WITHDRAWAL_ACTIONS = tuple(t.action for t in WITHDRAWAL_ROWS)
