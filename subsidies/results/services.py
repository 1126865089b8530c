"""The writers of the results part: everything that changes a results report, its
activities, an advance payment or a confirmation.

Each writer owns its transaction, locks its row and re-checks inside the lock that the row
is still in the actor's scope (zaitaku_portal.scopes) and at the version the user saw,
checks the rules (rules.py) and writes audit entries; e-mails go out on commit. A workflow
step (submit, return, 額の確定 …) is one row of workflow.TABLE, run by the shared engine:
`perform` here is its entry point. Reads are in reading.py, the claim in claim.py, the
what-if in what_if.py."""

from __future__ import annotations

import datetime
from functools import partial
from pathlib import PurePath

from django.db import transaction

from subsidies.models import Activity, AdvancePayment, Application, ResultExpense, ResultReport
from subsidies.results.models import DisasterEquipment, ExpenseReceipt
from subsidies.results.reading import (
    EXPENSE_FIELDS,
    REPORT_FIELDS,
    advance_total,
    current_decision,
    expense_key,
    expense_label,
    expenses_of,
    report_data,
    report_diff,
)
from subsidies.results.report_advice import ReportAdvice
from subsidies.results.rules import (
    ADVANCE_STALE_MESSAGE,
    ClaimError,
    ConfirmationInput,
    StaleVersion,
    activity_problems,
    advance_problems,
    can_advise,
    can_edit_report,
    can_record_advance,
    can_start_report,
    equipment_problems,
    minutes_limit_problems,
    minutes_problems,
    receipt_limit_problems,
    receipt_problems,
    validate_report,
)
from subsidies.results.workflow import FLOW, lock_application, locked_report
from subsidies.shared import workflow as engine
from zaitaku_portal import audit, figures
from zaitaku_portal.attachments import removed_on_failure, stored_name

# --- the report ----------------------------------------------------------------------------


@transaction.atomic
def start_report(application: Application, actor) -> ResultReport:
    allowed, reason = can_start_report(actor, application)
    if not allowed:
        raise ClaimError(reason)
    lock_application(application, actor)
    report, created = ResultReport.objects.get_or_create(application=application)
    if created:
        if application.institution_id is None:  # the hub's desk, not a hospital's (issue 18)
            report.consultation_hours_per_week = application.hub.desk_hours_per_week
            report.save(update_fields=["consultation_hours_per_week"])
        audit.record(actor, "実績報告の作成", report)
    sync_expense_lines(report)
    return report


def sync_expense_lines(report: ResultReport) -> None:
    """One expense line per line of the current decision (a change request may add some)."""
    decision = current_decision(report.application)
    if decision is None:
        return
    existing = set(report.expenses.values_list("menu_id", "designation_id"))
    ResultExpense.objects.bulk_create(
        [
            ResultExpense(report=report, menu_id=line.menu_id, designation_id=line.designation_id)
            for line in decision.lines.all()
            if (line.menu_id, line.designation_id) not in existing
        ]
    )
    figures.changed(figures.WORK)  # bulk_create sends no post_save (figures cache)


def _editable(report: ResultReport, actor, expected_version: int | None) -> ResultReport:
    """The report locked, in the actor's scope, at the expected version and editable."""
    report = locked_report(report, expected_version, actor)
    allowed, reason = can_edit_report(actor, report)
    if not allowed:
        raise ClaimError(reason)
    return report


def _checked(report: ResultReport, data: dict, actor, expected_version: int, outcome: str):
    """The report locked at the expected version, editable by the actor, the data valid."""
    report = _editable(report, actor, expected_version)
    errors = validate_report(report, data)
    if errors:
        raise ClaimError(f"入力内容に誤りがあります。{outcome}。", errors)
    return report


@transaction.atomic
def save_report(
    report: ResultReport, data: dict, actor, expected_version: int, source: str = "画面入力"
) -> tuple[ResultReport, dict]:
    """Save the report's narrative, consultation figures and expenses (any time, while
    editable; incomplete is fine, inconsistent is not). Returns the changes made."""
    report = _checked(report, data, actor, expected_version, "保存していません")
    expenses = expenses_of(report)
    before = report_data(report, expenses)
    _apply(report, expenses, data)
    ResultExpense.objects.bulk_update(
        expenses, ["expenses", "actual_expense_total", *EXPENSE_FIELDS]
    )
    report.version += 1
    report.save()
    after = report_data(report, expenses)
    labels = {expense_key(e): expense_label(e) for e in expenses}
    changes = report_diff(before, after, labels)
    if changes:
        audit.record(actor, f"実績報告の保存（{source}）", report, changes)
    return report, changes


def _apply(report: ResultReport, expenses: list[ResultExpense], data: dict) -> None:
    """Put the entered values on the report and its expense lines, in memory only."""
    for name in REPORT_FIELDS:
        if name in data:
            setattr(report, name, data[name])
    by_key = {expense_key(e): e for e in expenses}
    for key, values in data.get("expenses", {}).items():
        line = by_key[key]
        line.expenses = {k: int(v) for k, v in values.get("expenses", {}).items() if int(v)}
        for name in EXPENSE_FIELDS:
            if name in values:
                setattr(line, name, values[name])
        if not line.excluded_amount:
            line.excluded_reason = (line.excluded_reason or "").strip()
        line.actual_expense_total = line.actual_expense


def preview_report(report: ResultReport, data: dict, actor, expected_version: int) -> dict:
    """What save_report would change, checked the same way (the same lock and scope check),
    with nothing saved (the Excel upload shows it before the coordinator confirms)."""
    with transaction.atomic():
        report = _checked(report, data, actor, expected_version, "取り込んでいません")
        expenses = expenses_of(report)
        before = report_data(report, expenses)
        _apply(report, expenses, data)
        labels = {expense_key(e): expense_label(e) for e in expenses}
        return report_diff(before, report_data(report, expenses), labels)


# --- activities ----------------------------------------------------------------------------


def add_activity(
    report: ResultReport, data: dict, actor, expected_version: int, minutes=None
) -> Activity:
    """A save that fails, the commit included, deletes the stored minutes again."""
    with removed_on_failure() as written, transaction.atomic():
        report = _editable(report, actor, expected_version)
        problems = (
            activity_problems(report, data)
            + minutes_problems(minutes)
            + minutes_limit_problems(report, minutes)
        )
        if problems:
            raise ClaimError("活動実績の入力に誤りがあります。保存していません。", problems)
        fields = {k: v for k, v in data.items() if k != "participants"}
        activity = Activity(report=report, **fields)
        if minutes is not None:
            activity.minutes_name = PurePath(minutes.name).name
            written.save(activity.minutes, stored_name(activity.minutes_name), minutes)
        activity.save()
        report.version += 1
        report.save(update_fields=["version", "updated_at"])
        change = {"活動実績": {"from": None, "to": str(activity)}}
        audit.record(actor, "活動実績の登録", report, change)
    return activity


@transaction.atomic
def delete_activity(report: ResultReport, activity_pk: int, actor, expected_version: int) -> None:
    report = _editable(report, actor, expected_version)
    activity = report.activities.filter(pk=activity_pk).first()
    if activity is None:
        raise ClaimError("その活動実績はありません。")
    label = str(activity)
    if activity.minutes:
        transaction.on_commit(partial(activity.minutes.storage.delete, activity.minutes.name))
    activity.delete()
    report.version += 1
    report.save(update_fields=["version", "updated_at"])
    audit.record(actor, "活動実績の削除", report, {"活動実績": {"from": label, "to": None}})


# --- disaster equipment and receipts ------------------------------------------------------


@transaction.atomic
def add_equipment(
    report: ResultReport, data: dict, actor, expected_version: int
) -> DisasterEquipment:
    report = _editable(report, actor, expected_version)
    problems = equipment_problems(data)
    if problems:
        raise ClaimError("災害時の備品の入力に誤りがあります。保存していません。", problems)
    item = DisasterEquipment.objects.create(report=report, **data)
    _bump(report)
    change = {"災害時の備品": {"from": None, "to": f"{item}・{item.cost:,}円"}}
    audit.record(actor, "災害時の備品の登録", report, change)
    return item


@transaction.atomic
def delete_equipment(report: ResultReport, item_pk: int, actor, expected_version: int) -> None:
    report = _editable(report, actor, expected_version)
    item = report.equipment.filter(pk=item_pk).first()
    if item is None:
        raise ClaimError("その備品はありません。")
    label = f"{item}・{item.cost:,}円"
    item.delete()
    _bump(report)
    audit.record(actor, "災害時の備品の削除", report, {"災害時の備品": {"from": label, "to": None}})


def add_receipt(
    report: ResultReport, expense_pk: int, upload, actor, expected_version: int
) -> ExpenseReceipt:
    """The whole file is checked before it is written; the line must be the report's; the
    count and total are checked under the report's lock; a failed save removes the file."""
    problems = receipt_problems(upload)
    if problems:
        raise ClaimError("領収書等を登録できませんでした。", problems)
    name = PurePath(upload.name).name
    with removed_on_failure() as written, transaction.atomic():
        report = _editable(report, actor, expected_version)
        expense = report.expenses.select_related("menu", "designation__institution")
        expense = expense.filter(pk=expense_pk).first()
        if expense is None:
            raise ClaimError("「経費の行」はこの実績報告の行から選んでください。")
        problems = receipt_limit_problems(report, upload.size)
        if problems:
            raise ClaimError("領収書等を登録できませんでした。", problems)
        receipt = ExpenseReceipt(
            expense=expense, original_name=name, size=upload.size, uploaded_by=actor
        )
        written.save(receipt.file, stored_name(name), upload)
        receipt.save()
        _bump(report)
        change = {f"領収書等（{expense_label(expense)}）": {"from": None, "to": name}}
        audit.record(actor, "領収書等の登録", report, change)
    return receipt


@transaction.atomic
def delete_receipt(report: ResultReport, receipt_pk: int, actor, expected_version: int) -> None:
    """The file goes when the row's deletion commits (a rollback keeps both)."""
    report = _editable(report, actor, expected_version)
    receipt = (
        ExpenseReceipt.objects.filter(expense__report=report, pk=receipt_pk)
        .select_related("expense__menu", "expense__designation__institution")
        .first()
    )
    if receipt is None:
        raise ClaimError("その領収書等はありません。")
    transaction.on_commit(partial(receipt.file.storage.delete, receipt.file.name))
    label = f"領収書等（{expense_label(receipt.expense)}）"
    name = receipt.original_name
    receipt.delete()
    _bump(report)
    audit.record(actor, "領収書等の削除", report, {label: {"from": name, "to": None}})


def _bump(report: ResultReport) -> None:
    report.version += 1
    report.save(update_fields=["version", "updated_at"])


# --- 保健所の助言 -------------------------------------------------------------------------


@transaction.atomic
def add_advice(report: ResultReport, actor, body: str) -> ReportAdvice:
    """The health center's advice, checked inside the report's lock (still in its scope,
    still handed in and not confirmed). The report's version is not bumped: an advice
    changes nothing the coordinator or the staff have open."""
    body = (body or "").strip()
    if not body:
        raise ClaimError("「助言の内容」を入力してください。")
    report = locked_report(report, None, actor)
    allowed, reason = can_advise(actor, report)
    if not allowed:
        raise ClaimError(reason)
    advice = ReportAdvice.objects.create(report=report, author=actor, body=body)
    audit.record(actor, "保健所の助言", report)
    return advice


# --- the workflow --------------------------------------------------------------------------


def perform(
    report: ResultReport,
    action: str,
    actor,
    expected_version: int,
    *,
    reason: str = "",
    confirmation: ConfirmationInput | None = None,
    base_url: str = "http://localhost",
) -> ResultReport:
    """Do one row of the results table (workflow.TABLE), or raise ClaimError/StaleVersion
    saying why not. The engine locks the report and re-checks scope and version, checks the
    row's guard and reason, runs its effect, saves status and version, writes the audit
    entry and sends the row's e-mail on commit."""
    step = engine.perform(
        FLOW,
        report,
        action,
        actor,
        expected_version,
        base_url=base_url,
        reason=reason,
        confirmation=confirmation,
    )
    return step.obj


# --- advance payments ----------------------------------------------------------------------


@transaction.atomic
def record_advance(
    application: Application,
    actor,
    *,
    amount: int,
    paid_on: datetime.date | None,
    designation=None,
    note: str = "",
    expected_total: int | None = None,
) -> AdvancePayment:
    """Record one 概算払, never beyond the recipient's decided amount. `expected_total` is
    the advance total the form was shown with: a second POST of the same page (a double
    click, or someone else in between) is refused with nothing recorded."""
    allowed, reason = can_record_advance(actor)
    if not allowed:
        raise ClaimError(reason)
    lock_application(application, actor)
    if expected_total is not None and advance_total(application) != int(expected_total):
        raise StaleVersion(ADVANCE_STALE_MESSAGE)
    problems = advance_problems(application, amount, paid_on, designation)
    if problems:
        raise ClaimError("概算払の入力に誤りがあります。登録していません。", problems)
    payment = AdvancePayment.objects.create(
        application=application,
        designation=designation,
        amount=amount,
        paid_on=paid_on,
        note=(note or "").strip(),
        recorded_by=actor,
    )
    recipient = designation.institution.name if designation else application.hub.name
    audit.record(
        actor,
        "概算払の登録",
        application,
        {f"概算払（{recipient}）": {"from": None, "to": amount}},
    )
    return payment
