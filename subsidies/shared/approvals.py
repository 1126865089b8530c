"""決裁 (issue 15): what staff draft (起案) takes effect only when a 決裁権者 approves it.

A draft (`Approval`) holds what the staff member's page collected (the payload: per-line
amounts and reasons, the refusal's reason, an optionally typed notice number), the version
of its object it was drafted on and a fingerprint of what it was drafted from (the plan's
amounts, the claim). The object waits in 決裁待ち; nothing is written as a Decision or a
Confirmation until an approver who is not the drafter approves it: then the record is
written, dated (the approval's date, Asia/Tokyo) and numbered. A send-back keeps its reason
for the drafter and returns the object to 審査中.

The rows (起案・決裁・差戻し) are in the parts' tables (subsidies/applications/workflow.py,
subsidies/results/workflow.py); this module is what both share: the model, the draft's
life (draft, lock, approve, send back), the fingerprint, the notice number a refusal takes
and the e-mails to the approvers and the drafter. Lock order on approval: the object's row
(the engine), the application's row (a report's approval), the draft's row, then the notice
register."""

from __future__ import annotations

import datetime
import hashlib
import json
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from subsidies.shared.notice_numbers import next_notice_number, notice_number_taken
from subsidies.shared.notifications import approver_users, notify_users, one_line
from zaitaku_portal.access import Permission


class ApprovalKind(models.TextChoices):
    DECISION = "decision", "交付決定"
    CHANGE_DECISION = "change_decision", "変更交付決定"
    REFUSAL = "refusal", "不交付決定"
    CHANGE_REFUSAL = "change_refusal", "変更の不承認"
    CONFIRMATION = "confirmation", "額の確定"
    CORRECTION = "correction", "確定額の訂正"


REFUSALS = frozenset({ApprovalKind.REFUSAL, ApprovalKind.CHANGE_REFUSAL})
REPORT_KINDS = frozenset({ApprovalKind.CONFIRMATION, ApprovalKind.CORRECTION})


class ApprovalState(models.TextChoices):
    PENDING = "pending", "決裁待ち"
    APPROVED = "approved", "決裁済み"
    SENT_BACK = "sent_back", "差戻し"


class Approval(models.Model):
    """One 起案 and its 決裁. Written by the workflow rows only (起案 creates it; 決裁 or
    差戻し closes it once)."""

    kind = models.CharField("種別", max_length=20, choices=ApprovalKind.choices)
    state = models.CharField(
        "状態", max_length=20, choices=ApprovalState.choices, default=ApprovalState.PENDING
    )
    application = models.ForeignKey(
        "subsidies.Application",
        verbose_name="申請",
        on_delete=models.PROTECT,
        related_name="approvals",
    )
    report = models.ForeignKey(
        "subsidies.ResultReport",
        verbose_name="実績報告",
        on_delete=models.PROTECT,
        related_name="approvals",
        null=True,
        blank=True,
    )
    payload = models.JSONField("起案の内容", default=dict)
    object_version = models.PositiveIntegerField("起案時の更新番号")
    fingerprint = models.CharField("起案時の内容の指紋", max_length=64)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="起案者",
        on_delete=models.PROTECT,
        related_name="drafted_approvals",
    )
    drafted_at = models.DateTimeField("起案日時", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="決裁者",
        on_delete=models.PROTECT,
        related_name="decided_approvals",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField("決裁日時", null=True, blank=True)
    reason = models.TextField("差戻しの理由", blank=True)
    # The record the approval wrote (a decision, a confirmation); a refusal keeps its own
    # number and date here (the 不交付決定通知書 reads them).
    decision = models.ForeignKey(
        "subsidies.Decision",
        verbose_name="交付決定",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmation = models.ForeignKey(
        "subsidies.Confirmation",
        verbose_name="額の確定",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    notice_number = models.CharField("通知番号（不交付）", max_length=40, blank=True)
    notice_date = models.DateField("通知日（不交付）", null=True, blank=True)

    class Meta:
        ordering = ["-drafted_at", "-pk"]
        verbose_name = "起案"
        verbose_name_plural = "起案"
        constraints = [
            models.UniqueConstraint(
                fields=["notice_number"],
                condition=~Q(notice_number=""),
                name="one_refusal_per_notice_number",
            ),
            # one open draft per object at a time
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(state="pending", report__isnull=True),
                name="one_pending_application_draft",
            ),
            models.UniqueConstraint(
                fields=["report"],
                condition=Q(state="pending", report__isnull=False),
                name="one_pending_report_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}の起案（{self.application}）"

    @property
    def is_refusal(self) -> bool:
        return self.kind in REFUSALS

    @property
    def target(self):
        return self.report if self.report_id else self.application

    def detail_path(self) -> str:
        return reverse("subsidies:approval_detail", args=[self.pk])


# --- what the draft was made from ----------------------------------------------------------


def fingerprint(data) -> str:
    """A short digest of what the draft was made from (the plan's amounts, the claim): the
    approval compares it with the same data read again under the locks."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def tokyo_today() -> datetime.date:
    return timezone.localtime(timezone.now(), ZoneInfo("Asia/Tokyo")).date()


def approval_date(step) -> datetime.date:
    """The notice's date: the day of the approval, in Asia/Tokyo. Only code that replays a
    past year (the demo seed, tests) states another through the engine (`approved_on`);
    the pages and the services never pass it."""
    return step.params.get("approved_on") or tokyo_today()


# --- the draft's life ----------------------------------------------------------------------


def pending_for(obj, *, report: bool = False, lock: bool = False) -> Approval | None:
    """The open draft of an application (report=False) or a results report."""
    drafts = Approval.objects.filter(state=ApprovalState.PENDING)
    drafts = drafts.filter(report=obj) if report else drafts.filter(application=obj, report=None)
    if lock:  # the draft's row only: not the drafter's User row the join brings along
        drafts = drafts.select_for_update(of=("self",))
    return drafts.select_related("drafted_by").first()


def last_sent_back(obj, *, report: bool = False) -> Approval | None:
    """The latest draft sent back (its reason is shown to staff until the next draft)."""
    drafts = (
        Approval.objects.filter(report=obj)
        if report
        else Approval.objects.filter(application=obj, report=None)
    )
    latest = drafts.select_related("decided_by").first()
    return latest if latest and latest.state == ApprovalState.SENT_BACK else None


def kind_is(*kinds: str, report: bool = False):
    """A row's guard: the object's open draft is of one of these kinds."""

    def guard(obj) -> Permission:
        draft = pending_for(obj, report=report)
        if draft is None:
            return Permission(False, "決裁を待つ起案がありません。")
        if draft.kind not in kinds:
            return Permission(False, f"この起案は「{draft.get_kind_display()}」です。")
        return Permission(True)

    return guard


def not_the_drafter(*, report: bool = False):
    """A row's actor guard: a drafter never approves (nor sends back) their own draft."""

    def guard(obj, user) -> Permission:
        draft = pending_for(obj, report=report)
        if draft is not None and draft.drafted_by_id == user.pk:
            return Permission(
                False, "自分が起案したものは決裁できません（他の決裁権者が行います）。"
            )
        return Permission(True)

    return guard


def draft(
    step, kind: str, payload: dict, made_from, *, application, report=None, error
) -> Approval:
    """起案: the draft row (the object's status becomes 決裁待ち by the row) and the e-mail
    to the approvers once committed."""
    if pending_for(report or application, report=report is not None) is not None:
        raise error("この対象には決裁待ちの起案が既にあります。")
    record = Approval.objects.create(
        kind=kind,
        application=application,
        report=report,
        payload=payload,
        object_version=step.obj.version + 1,  # the version the row saves
        fingerprint=fingerprint(made_from),
        drafted_by=step.actor,
    )
    step.changes["起案"] = {"from": None, "to": record.get_kind_display()}
    step.result = record
    transaction.on_commit(partial(_tell_approvers, record.pk))
    return record


def approvable(step, made_from, *, report: bool = False, error) -> Approval:
    """The open draft, locked, if it may be approved now: not by its drafter, drafted on
    this very version of the object and from the same amounts. Raises `error` otherwise."""
    record = pending_for(step.obj, report=report, lock=True)
    if record is None:
        raise error("決裁を待つ起案がありません。")
    if record.drafted_by_id == step.actor.pk:
        raise error("自分が起案したものは決裁できません（他の決裁権者が行います）。")
    if step.obj.version != record.object_version or fingerprint(made_from) != record.fingerprint:
        raise error(
            "起案の後に内容が変わっています（計画・経費・概算払など）。"
            "決裁できません。差し戻して、起案し直してください。"
        )
    return record


def approved(step, record: Approval, **written) -> None:
    """Close the draft as approved with what it wrote; tell the drafter once committed."""
    record.state = ApprovalState.APPROVED
    record.decided_by = step.actor
    record.decided_at = timezone.now()
    for name, value in written.items():
        setattr(record, name, value)
    record.save()
    step.changes["決裁"] = {"from": "決裁待ち", "to": f"{record.get_kind_display()}（決裁済み）"}
    transaction.on_commit(partial(_tell_drafter, record.pk))


def send_back(step, *, report: bool = False, error) -> Approval:
    """差戻し: the draft closed with the reason; the drafter is told once committed."""
    record = pending_for(step.obj, report=report, lock=True)
    if record is None:
        raise error("決裁を待つ起案がありません。")
    record.state = ApprovalState.SENT_BACK
    record.decided_by = step.actor
    record.decided_at = timezone.now()
    record.reason = step.reason
    record.save()
    step.changes["起案"] = {"from": record.get_kind_display(), "to": "差戻し"}
    step.result = record
    transaction.on_commit(partial(_tell_drafter, record.pk))
    return record


# --- the number a refusal takes --------------------------------------------------------------


def number_taken(number: str) -> bool:
    """Used by a decision, a confirmation, a refusal or any other numbered notice."""
    return notice_number_taken(number)


def next_number(fiscal_year) -> str:
    """The year's next number from its pattern, past every number of the register; '' without
    a (valid) pattern. Called under the register lock."""
    return next_notice_number(fiscal_year)


def number_preview(fiscal_year) -> str:
    """The help text of a draft's number field: what an approval now would take."""
    number = next_number(fiscal_year)
    if number:
        return f"空欄のまま起案すると、決裁の時に採番します（いま決裁すると {number}）。"
    return (
        "この年度には通知番号の形式がありません。通知番号を入力してください（例: 8医政第1234号）。"
    )


# --- e-mails -------------------------------------------------------------------------------


def _base_url() -> str:
    return getattr(settings, "PORTAL_BASE_URL", "http://localhost").rstrip("/")


def refusal_notice_line(record: Approval) -> str:
    """The line of the grantee's e-mail that leads to the 不交付決定通知書 (PDF)."""
    path = reverse("reports:refusal_notice", args=[record.pk])
    return f"不交付決定通知書（PDF）: {_base_url()}{path}"


def _tell_approvers(pk: int) -> int:
    record = Approval.objects.select_related("application__hub", "report", "drafted_by")
    record = record.filter(pk=pk).first()
    if record is None:  # rolled back after all
        return 0
    approvers = [u for u in approver_users() if u.pk != record.drafted_by_id]
    subject = one_line(f"【決裁依頼】{record.target}の{record.get_kind_display()}")
    body = "\n".join(
        [
            "決裁権者 各位",
            "",
            f"{one_line(record.drafted_by)}さんが{record.get_kind_display()}を起案しました。",
            "内容を確認し、決裁または差戻しをしてください。",
            _base_url() + record.detail_path(),
        ]
    )
    return notify_users(approvers, subject, body, record.detail_path())


def _tell_drafter(pk: int) -> int:
    record = Approval.objects.select_related("application__hub", "report", "decided_by")
    record = record.filter(pk=pk).first()
    if record is None:
        return 0
    what = record.get_kind_display()
    if record.state == ApprovalState.SENT_BACK:
        subject = one_line(f"【起案の差戻し】{record.target}の{what}")
        lines = [f"起案した{what}が差し戻されました。", f"差戻しの理由: {record.reason}"]
    else:
        subject = one_line(f"【決裁済み】{record.target}の{what}")
        lines = [f"起案した{what}が決裁されました。"]
    body = "\n".join(
        [f"{one_line(record.drafted_by)} 様", "", *lines, "", _base_url() + record.detail_path()]
    )
    return notify_users([record.drafted_by], subject, body, record.detail_path())
