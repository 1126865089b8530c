"""Everything that changes a results report, an advance payment or a confirmation, and the
claim computation that feeds the 精算額調.

Each writer owns its transaction, checks the declared table (subsidies/results_workflow.py)
and the version the user saw, and writes audit entries. The calculation itself is the pure
subsidies.results.calculation.calculate_claim; this module only gathers its inputs from the decided
application (caps, rates, units of the decided plan, decided amounts H), the results report
(A, B, D and exclusions) and the advance payments (I), for many applications at once with a
fixed number of queries (benchmarks/confirmations.py measures it)."""

from __future__ import annotations

import contextlib
import datetime
import gc
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from functools import partial
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from subsidies.applications.amounts import LineInput, line_amounts, units_for
from subsidies.applications.plan_data import line_key
from subsidies.applications.services import rule_of
from subsidies.models import (
    Activity,
    ActivityKind,
    AdvancePayment,
    Application,
    Confirmation,
    ConfirmationRecipient,
    Decision,
    DecisionLine,
    ExcludedSource,
    ExpenseCategory,
    ResultExpense,
    ResultReport,
    ResultReportStatus,
    ResultReportVersion,
    SubsidyMenu,
)
from subsidies.results import workflow
from subsidies.results.calculation import (
    CalculationRule,
    FacilityInput,
    FacilityResult,
    MenuInput,
    calculate_claim,
    format_yen,
)
from subsidies.results.models import NARRATIVE_FIELDS, REQUIRED_NARRATIVE
from subsidies.shared.notice_numbers import (
    lock_notice_register,
    notice_number_problems,
    notice_number_taken,
    taken_message,
)
from zaitaku_portal import audit
from zaitaku_portal.attachments import (
    content_problem,
    file_name_problem,
    human_size,
    removed_on_failure,
    stored_name,
)
from zaitaku_portal.scopes import confirmations_for, reports_for  # noqa: F401 - re-exported
from zaitaku_portal.wareki import fiscal_year_label

REPORT_FIELDS = {
    "consultation_hours_per_week": "相談窓口の開設時間（週あたり時間）",
    "consultation_count": "相談件数",
    **NARRATIVE_FIELDS,
}
EXPENSE_FIELDS = {
    "total_cost": "総事業費（A）",
    "other_income": "寄附金その他の収入額（B）",
    "excluded_amount": "対象外とする額",
    "excluded_source": "対象外の財源",
    "excluded_reason": "対象外とする理由",
}
UNIT_LABELS = {
    SubsidyMenu.CapUnit.PER_DISTRICT: "区割り",
    SubsidyMenu.CapUnit.PER_PERSON_HALF_DAY: "人・半日",
    SubsidyMenu.CapUnit.PER_MONTH: "か月",
}
STALE_MESSAGE = (
    "この実績報告は、画面を開いた後に他の方が更新しました。内容は上書きしていません。"
    "画面を再読み込みして最新の内容を確認してから、もう一度操作してください。"
)


class ClaimError(Exception):
    """Refused, with a Japanese message for the user and optionally every problem."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class StaleVersion(ClaimError):
    pass


# --- reading the report --------------------------------------------------------------------


def expense_key(expense: ResultExpense | DecisionLine) -> str:
    return line_key(expense.menu.code, expense.designation_id)


def expense_label(expense: ResultExpense | DecisionLine, hub_name: str = "") -> str:
    if expense.designation_id:
        return f"{expense.designation.institution.name}：{expense.menu.name}"
    return f"{hub_name}：{expense.menu.name}" if hub_name else expense.menu.name


def expenses_of(report: ResultReport) -> list[ResultExpense]:
    return list(
        report.expenses.select_related("menu", "designation__institution").prefetch_related(
            "menu__expense_categories"
        )
    )


def current_decision(application: Application) -> Decision | None:
    return application.decisions.current().order_by("-number").first()


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


def report_data(report: ResultReport, expenses: list[ResultExpense] | None = None) -> dict:
    """The report as plain data: what the form edits, a version freezes and a diff compares."""
    expenses = expenses if expenses is not None else expenses_of(report)
    return {
        **{name: getattr(report, name) for name in REPORT_FIELDS},
        "expenses": {
            expense_key(e): {
                "expenses": {k: int(v) for k, v in e.expenses.items() if int(v)},
                **{name: getattr(e, name) for name in EXPENSE_FIELDS},
            }
            for e in expenses
        },
        "activities": [
            {
                "kind": a.get_kind_display(),
                "held_on": a.held_on.isoformat() if a.held_on else None,
                "title": a.title,
                "requirement_item": str(a.requirement_item) if a.requirement_item else "",
                "hospital": a.designation.institution.name if a.designation_id else "",
                "meeting_kind": a.meeting_kind,
                "topics": a.topics,
                "audience": a.audience,
                "participants_by_profession": a.participants_by_profession,
                "participants_by_affiliation": a.participants_by_affiliation,
                "attendance": a.attendance,
                "trainees": a.trainees,
                "half_days": a.half_days,
                "count": a.count,
                "amount": a.amount,
                "description": a.description,
            }
            for a in report.activities.select_related(
                "requirement_item", "designation__institution"
            )
        ],
    }


def report_problems(report: ResultReport) -> list[str]:
    """Every reason the report cannot be submitted yet, each naming the field."""
    problems = []
    for name in REQUIRED_NARRATIVE:
        if not (getattr(report, name) or "").strip():
            problems.append(f"「{NARRATIVE_FIELDS[name]}」が未入力です。")
    if report.consultation_hours_per_week is None:
        problems.append(f"「{REPORT_FIELDS['consultation_hours_per_week']}」が未入力です。")
    if not report.activities.exists():
        problems.append("活動実績が一件も登録されていません。")
    hub_name = report.application.hub.name
    for expense in expenses_of(report):
        if expense.total_cost == 0 and expense.actual_expense == 0:
            problems.append(
                f"「{expense_label(expense, hub_name)}」の実支出額と総事業費が入力されていません"
                "（実施しなかった場合は総事業費に0円ではなく経費の実績を入力するか、"
                "県に相談してください）。"
            )
    return problems


def meeting_count(report: ResultReport) -> int:
    return report.activities.filter(kind=ActivityKind.MEETING).count()


# --- writing the report --------------------------------------------------------------------


def _locked(report: ResultReport, expected_version: int | None) -> ResultReport:
    current = ResultReport.objects.select_for_update().get(pk=report.pk)
    current = ResultReport.objects.select_related(
        "application__hub", "application__fiscal_year"
    ).get(pk=current.pk)
    if expected_version is not None and current.version != int(expected_version):
        raise StaleVersion(STALE_MESSAGE)
    return current


def can_start_report(user, application: Application) -> tuple[bool, str]:
    from subsidies.applications.workflow import COORDINATOR, actor_kind

    if actor_kind(user) != COORDINATOR:
        return False, "実績報告の作成は拠点コーディネーターが行います。"
    if current_decision(application) is None:
        return False, "交付決定されていない申請には実績報告を作成できません。"
    return True, ""


@transaction.atomic
def start_report(application: Application, actor) -> ResultReport:
    allowed, reason = can_start_report(actor, application)
    if not allowed:
        raise ClaimError(reason)
    report, created = ResultReport.objects.get_or_create(application=application)
    if created:
        hub = application.hub
        report.consultation_hours_per_week = hub.desk_hours_per_week
        report.save(update_fields=["consultation_hours_per_week"])
        audit.record(actor, "実績報告の作成", report)
    sync_expense_lines(report)
    return report


def can_edit_report(user, report: ResultReport) -> tuple[bool, str]:
    from subsidies.applications.workflow import COORDINATOR, actor_kind

    if actor_kind(user) != COORDINATOR:
        return False, "実績報告の入力は拠点コーディネーターが行います。"
    if report.status not in workflow.EDITABLE_STATES:
        return (
            False,
            f"「{report.get_status_display()}」の実績報告は編集できません（作成中・差戻し中のみ）。",
        )
    return True, ""


def validate_report(report: ResultReport, data: dict) -> list[str]:
    """Consistency checks shared by the web form and any upload. Each names the line."""
    errors: list[str] = []
    hours = data.get("consultation_hours_per_week")
    if hours is not None and not 0 <= hours <= 168:
        errors.append(
            f"「{REPORT_FIELDS['consultation_hours_per_week']}」は0〜168で入力してください。"
        )
    categories = dict(ExpenseCategory.objects.values_list("code", "name"))
    hub_name = report.application.hub.name
    lines = {expense_key(e): e for e in expenses_of(report)}
    for key, values in data.get("expenses", {}).items():
        line = lines.get(key)
        if line is None:
            errors.append(f"交付決定にない補助メニューの経費です: {key}")
            continue
        label = expense_label(line, hub_name)
        allowed = {c.code for c in line.menu.expense_categories.all()}
        actual = 0
        for code, amount in values.get("expenses", {}).items():
            name = categories.get(code, code)
            if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
                errors.append(f"「{label}」の{name}は0以上の円単位の整数で入力してください。")
                continue
            if amount and allowed and code not in allowed:
                errors.append(f"「{label}」では費目「{name}」は補助対象外です。")
            actual += amount
        total = values.get("total_cost", 0)
        income = values.get("other_income", 0)
        excluded = values.get("excluded_amount", 0)
        source = values.get("excluded_source", "")
        reason = (values.get("excluded_reason") or "").strip()
        if total < actual:
            errors.append(
                f"「{label}」の総事業費（A）{total:,}円は、費目別の実支出額の合計 {actual:,}円"
                "以上で入力してください。"
            )
        if income > total:
            errors.append(
                f"「{label}」の寄附金その他の収入額（B）{income:,}円が総事業費（A）"
                f"{total:,}円を超えています。"
            )
        if excluded > actual:
            errors.append(
                f"「{label}」の対象外とする額 {excluded:,}円が実支出額 {actual:,}円を超えています。"
            )
        if source not in ExcludedSource.values:
            errors.append(f"「{label}」の対象外の財源が選択肢にありません。")
        if excluded and not source:
            errors.append(
                f"「{label}」の対象外とする額があります。財源（市町村の在宅医療・介護連携推進事業"
                "または他の補助金）を選択してください。"
            )
        if excluded and not reason:
            errors.append(f"「{label}」の対象外とする理由を入力してください。")
        if source and not excluded:
            errors.append(f"「{label}」の対象外の財源が選ばれていますが、対象外とする額が0円です。")
        errors += _bound_problems(label, values)
    return errors


def _bound_problems(label: str, values: dict) -> list[str]:
    """The bounds of the model (zaitaku_portal/bounds.py) for whatever path the data took:
    the web form, the expense workbook or the session between preview and save."""
    from zaitaku_portal.bounds import YEN_MAX, max_length_of

    problems = []
    amounts = [*values.get("expenses", {}).values()]
    amounts += [values.get(name, 0) for name in ("total_cost", "other_income", "excluded_amount")]
    if any(isinstance(a, int) and a > YEN_MAX for a in amounts):
        problems.append(f"「{label}」の金額が大きすぎます。{YEN_MAX:,}円以下で入力してください。")
    reason = values.get("excluded_reason") or ""
    limit = max_length_of(ResultExpense, "excluded_reason")
    if len(reason) > limit:
        problems.append(
            f"「{label}」の対象外とする理由は{limit:,}文字以内で入力してください"
            f"（入力は{len(reason):,}文字）。"
        )
    return problems


def _diff(before: dict, after: dict, labels: dict[str, str]) -> dict[str, dict]:
    changes: dict[str, dict] = {}
    for name, label in REPORT_FIELDS.items():
        if before.get(name) != after.get(name):
            changes[label] = {"from": before.get(name), "to": after.get(name)}
    categories = dict(ExpenseCategory.objects.values_list("code", "name"))
    for key, now in after["expenses"].items():
        was = before["expenses"].get(key, {})
        line = labels.get(key, key)
        for code in sorted(set(was.get("expenses", {})) | set(now.get("expenses", {}))):
            a, b = was.get("expenses", {}).get(code), now.get("expenses", {}).get(code)
            if a != b:
                changes[f"{line} {categories.get(code, code)}"] = {"from": a, "to": b}
        for name, label in EXPENSE_FIELDS.items():
            if was.get(name) != now.get(name):
                changes[f"{line} {label}"] = {"from": was.get(name), "to": now.get(name)}
    return changes


def _checked(report: ResultReport, data: dict, actor, expected_version: int, outcome: str):
    """The report locked at the expected version, editable by the actor, the data valid."""
    report = _locked(report, expected_version)
    allowed, reason = can_edit_report(actor, report)
    if not allowed:
        raise ClaimError(reason)
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
    changes = _diff(before, after, labels)
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
    """What save_report would change, checked the same way, with nothing saved (the Excel
    upload shows it before the coordinator confirms)."""
    with transaction.atomic():
        report = _checked(report, data, actor, expected_version, "取り込んでいません")
        expenses = expenses_of(report)
        before = report_data(report, expenses)
        _apply(report, expenses, data)
        labels = {expense_key(e): expense_label(e) for e in expenses}
        return _diff(before, report_data(report, expenses), labels)


def activity_problems(report: ResultReport, data: dict) -> list[str]:
    """What an activity of this kind must state, and whether its date is in the year."""
    problems = []
    kind = data.get("kind")
    if kind not in ActivityKind.values:
        return ["活動の種別を選択してください。"]
    label = ActivityKind(kind).label
    year = report.application.fiscal_year.year
    start, end = datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)
    held_on = data.get("held_on")
    needs = {
        ActivityKind.MEETING: ("held_on", "meeting_kind", "participants"),
        ActivityKind.TRAINING: ("held_on", "attendance"),
        ActivityKind.AWARENESS: ("held_on", "audience", "attendance"),
        ActivityKind.OUTREACH: ("audience", "count"),
        ActivityKind.ACCOMPANIED_VISIT: ("designation", "trainees", "half_days"),
        ActivityKind.BCP: ("count",),
        ActivityKind.EQUIPMENT: ("amount",),
        ActivityKind.NURSE_PLACEMENT: ("designation", "count"),
        ActivityKind.TWENTY_FOUR_HOUR: ("description",),
        ActivityKind.INFORMATION_SHARING: ("description",),
    }[ActivityKind(kind)]
    names = {
        "held_on": "実施日",
        "meeting_kind": "会議の種類",
        "participants": "職種別の参加者数",
        "attendance": "参加者数",
        "audience": "対象・訪問先",
        "count": "件数・人数",
        "designation": "実施した積極的医療機関",
        "trainees": "受講者数",
        "half_days": "半日数",
        "amount": "金額",
        "description": "内容",
    }
    if not (data.get("title") or "").strip():
        problems.append(f"{label}の「名称・テーマ」を入力してください。")
    for name in needs:
        if name == "participants":
            if not sum(data.get("participants_by_profession", {}).values()):
                problems.append(f"{label}の「{names[name]}」を1人以上入力してください。")
        elif not data.get(name):
            problems.append(f"{label}の「{names[name]}」を入力してください。")
    if held_on and not start <= held_on <= end:
        problems.append(
            f"「実施日」は{fiscal_year_label(year)}（{start:%Y-%m-%d}〜{end:%Y-%m-%d}）の日付を"
            "入力してください。"
        )
    by_profession = sum(data.get("participants_by_profession", {}).values())
    by_affiliation = sum(data.get("participants_by_affiliation", {}).values())
    if by_profession and by_affiliation and by_profession != by_affiliation:
        problems.append(
            f"職種別の参加者数の合計（{by_profession}人）と所属別の参加者数の合計"
            f"（{by_affiliation}人）が一致しません。"
        )
    designation = data.get("designation")
    if designation is not None:
        decision = current_decision(report.application)
        hospitals = (
            set(decision.lines.exclude(designation=None).values_list("designation_id", flat=True))
            if decision
            else set()
        )
        if designation.pk not in hospitals:
            problems.append(
                "「実施した積極的医療機関」は、この申請で交付決定された医療機関から選んでください。"
            )
    return problems


MINUTES_TYPES = {
    ".pdf": b"%PDF",
    ".docx": b"PK\x03\x04",
    ".xlsx": b"PK\x03\x04",
    ".png": b"\x89PNG",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
}
MINUTES_MAX_BYTES = 10 * 1024 * 1024


def minutes_problems(upload) -> list[str]:
    """The minutes must be a PDF, Word, Excel or image file whose content matches its name."""
    from pathlib import PurePath

    if upload is None:
        return []
    name = PurePath(upload.name).name
    suffix = PurePath(name).suffix.lower()
    if suffix not in MINUTES_TYPES:
        return [f"「議事録」の「{name}」は受け付けられません（PDF・Word・Excel・PNG・JPEGのみ）。"]
    if upload.size > MINUTES_MAX_BYTES:
        return [f"「議事録」の「{name}」は10MB以下にしてください。"]
    if problem := minutes_name_problem(name):
        return [problem]
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(MINUTES_TYPES[suffix]):
        return [f"「議事録」の「{name}」の中身が拡張子（{suffix}）と一致しません。"]
    if problem := content_problem(upload, suffix, MINUTES_MAX_BYTES):
        return [f"「議事録」の「{name}」：{problem}"]
    return []


def minutes_name_problem(name: str) -> str | None:
    """Shared by the form (a field error) and the service."""
    problem = file_name_problem(name, Activity._meta.get_field("minutes_name").max_length)
    return f"「議事録」の{problem}" if problem else None


def minutes_limit_problems(report: ResultReport, upload) -> list[str]:
    """At most settings.MINUTES_MAX_COUNT minutes of MINUTES_MAX_TOTAL_BYTES in all for one
    results report (call under the report's lock)."""
    from django.conf import settings

    if upload is None:
        return []
    held = [activity.minutes for activity in report.activities.exclude(minutes="")]
    total = sum(_stored_size(minutes) for minutes in held)
    if len(held) >= settings.MINUTES_MAX_COUNT:
        return [
            f"議事録は1件の実績報告につき{settings.MINUTES_MAX_COUNT}件までです"
            f"（現在{len(held)}件）。"
        ]
    if total + upload.size > settings.MINUTES_MAX_TOTAL_BYTES:
        return [
            f"議事録の合計は1件の実績報告につき{human_size(settings.MINUTES_MAX_TOTAL_BYTES)}"
            f"までです（現在{human_size(total)}、追加すると{human_size(total + upload.size)}）。"
        ]
    return []


def _stored_size(field_file) -> int:
    try:
        return field_file.size
    except OSError:  # the file is gone from disk: it holds no space
        return 0


def add_activity(
    report: ResultReport, data: dict, actor, expected_version: int, minutes=None
) -> Activity:
    """A save that fails, the commit included, deletes the stored minutes again."""
    with removed_on_failure() as written, transaction.atomic():
        report = _locked(report, expected_version)
        allowed, reason = can_edit_report(actor, report)
        if not allowed:
            raise ClaimError(reason)
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
            from pathlib import PurePath

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
    report = _locked(report, expected_version)
    allowed, reason = can_edit_report(actor, report)
    if not allowed:
        raise ClaimError(reason)
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


# --- the claim ---------------------------------------------------------------------------


@dataclass
class RecipientClaim:
    key: str  # "hub" or "hospital:<designation id>"
    designation_id: int | None
    recipient_name: str
    facility: FacilityInput
    result: FacilityResult
    units_text: dict[str, str]


@dataclass
class ApplicationClaim:
    application: Application
    decision: Decision | None
    rule: CalculationRule
    recipients: list[RecipientClaim] = field(default_factory=list)

    @property
    def total_amount(self) -> int:
        return sum(r.result.required_amount for r in self.recipients)

    @property
    def decided_total(self) -> int:
        return sum(r.result.decided_amount or 0 for r in self.recipients)

    @property
    def advance_total(self) -> int:
        return sum(r.result.advance_received for r in self.recipients)

    @property
    def difference(self) -> int:
        return self.advance_total - self.total_amount


_ONE_UNIT = frozenset({SubsidyMenu.CapUnit.PER_RECIPIENT, SubsidyMenu.CapUnit.ONCE_PER_FACILITY})


class _DecidedLine(NamedTuple):
    decision_id: int
    menu_id: int
    designation_id: int | None
    institution_id: int | None
    institution_name: str | None
    decided_amount: int


class _Reported(NamedTuple):
    actual_expense: int
    total_cost: int
    other_income: int
    excluded_amount: int


def load_claims(applications: QuerySet) -> dict[int, ApplicationClaim]:
    """The claim of every application in `applications`, with seven queries whatever their
    number: applications, current decisions (with the decided plan's version), the menus of
    their years, decision lines, reported expenses, advance payments, and once-per-facility
    grants of earlier years. Rows are read as tuples, not model instances: at national scale
    (62,000 decided lines) building model objects would cost more than the calculation."""
    apps = {a.pk: a for a in applications.select_related("hub", "fiscal_year").order_by("pk")}
    if not apps:
        return {}
    decisions = {
        d.application_id: d
        for d in Decision.objects.current()
        .filter(application_id__in=apps)
        .select_related("version")
    }
    years = {a.fiscal_year_id: a.fiscal_year for a in apps.values()}
    menus = {m.pk: m for m in SubsidyMenu.objects.filter(fiscal_year_id__in=years)}
    rates = {pk: m.rate for pk, m in menus.items()}
    rules = {pk: rule_of(fy) for pk, fy in years.items()}
    lines_by_decision: dict[int, list[_DecidedLine]] = defaultdict(list)
    for row in (
        DecisionLine.objects.filter(decision_id__in=[d.pk for d in decisions.values()])
        .order_by("decision_id", "designation_id", "menu__display_order", "pk")
        .values_list(
            "decision_id",
            "menu_id",
            "designation_id",
            "designation__institution_id",
            "designation__institution__name",
            "decided_amount",
        )
    ):
        line = _DecidedLine(*row)
        lines_by_decision[line.decision_id].append(line)
    expenses: dict[tuple[int, int, int | None], _Reported] = {
        (app_id, menu_id, designation_id): _Reported(*values)
        for app_id, menu_id, designation_id, *values in ResultExpense.objects.filter(
            report__application_id__in=apps
        ).values_list(
            "report__application_id",
            "menu_id",
            "designation_id",
            "actual_expense_total",
            "total_cost",
            "other_income",
            "excluded_amount",
        )
    }
    advances = {
        (row["application_id"], row["designation_id"]): row["total"]
        for row in AdvancePayment.objects.filter(application_id__in=apps)
        .values("application_id", "designation_id")
        .annotate(total=Sum("amount"))
    }
    latest_year = max(fy.year for fy in years.values())
    granted_before: dict[tuple[str, int], list[int]] = defaultdict(list)
    for code, institution_id, year in DecisionLine.objects.filter(
        menu__cap_unit=SubsidyMenu.CapUnit.ONCE_PER_FACILITY,
        designation__isnull=False,
        decided_amount__gt=0,
        decision__in=Decision.objects.current(),
        decision__application__fiscal_year__year__lt=latest_year,
    ).values_list(
        "menu__code", "designation__institution_id", "decision__application__fiscal_year__year"
    ):
        granted_before[(code, institution_id)].append(year)

    with _without_cyclic_gc():
        return _build_claims(
            apps,
            decisions,
            menus,
            rates,
            rules,
            lines_by_decision,
            expenses,
            advances,
            granted_before,
        )


@contextlib.contextmanager
def _without_cyclic_gc():
    """A year's claims create a few million small acyclic objects (inputs, Fractions, the
    explanation strings); the cyclic collector would rescan them again and again (about a
    third of the time at national scale). Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build_claims(
    apps, decisions, menus, rates, rules, lines_by_decision, expenses, advances, granted_before
) -> dict[int, ApplicationClaim]:
    claims = {}
    for pk, application in apps.items():
        rule = rules[application.fiscal_year_id]
        year = application.fiscal_year.year
        decision = decisions.get(pk)
        claim = ApplicationClaim(application, decision, rule)
        claims[pk] = claim
        if decision is None:
            continue
        snapshot_plan = (decision.version.snapshot or {}).get("plan", {})
        district_count = int(snapshot_plan.get("district_count") or application.district_count)
        plan_lines = snapshot_plan.get("lines", {})
        grouped: dict[str, list[_DecidedLine]] = defaultdict(list)
        for line in lines_by_decision[decision.pk]:
            grouped[f"hospital:{line.designation_id}" if line.designation_id else "hub"].append(
                line
            )
        for key, recipient_lines in grouped.items():
            designation_id = recipient_lines[0].designation_id
            name = recipient_lines[0].institution_name if designation_id else application.hub.name
            menu_inputs, units_text = [], {}
            for line in recipient_lines:
                menu = menus[line.menu_id]
                code = line_key(menu.code, designation_id)
                planned = plan_lines.get(code, {})
                units, text = (
                    (1, "1か所")
                    if menu.cap_unit in _ONE_UNIT
                    else units_for(
                        LineInput(
                            key=code,
                            recipient_key=key,
                            recipient_name=name,
                            menu_code=menu.code,
                            menu_name=menu.name,
                            cap_amount=menu.cap_amount,
                            cap_unit=menu.cap_unit,
                            max_units=menu.max_units,
                            rate=rates[menu.pk],
                            wish=True,
                            expense_total=0,
                            district_count=district_count,
                            trainees=planned.get("trainees"),
                            half_days=planned.get("half_days"),
                            months=planned.get("months"),
                        )
                    )
                )
                units_text[code] = text
                expense = expenses.get((pk, menu.pk, designation_id))
                actual = expense.actual_expense if expense else 0
                once = menu.cap_unit == SubsidyMenu.CapUnit.ONCE_PER_FACILITY
                before = once and any(
                    y < year for y in granted_before.get((menu.code, line.institution_id), ())
                )
                menu_inputs.append(
                    MenuInput(
                        menu_code=code,
                        menu_name=menu.name,
                        cap_amount=menu.cap_amount,
                        units=units,
                        rate=rates[menu.pk],
                        actual_expense=actual,
                        excluded_expense=min(expense.excluded_amount, actual) if expense else 0,
                        total_cost=expense.total_cost if expense else 0,
                        other_income=expense.other_income if expense else 0,
                        decided_amount=line.decided_amount,
                        once_per_facility=once,
                        already_granted_before=before,
                        unit_label=UNIT_LABELS.get(menu.cap_unit, ""),
                    )
                )
            facility = FacilityInput(
                recipient_name=name,
                menus=tuple(menu_inputs),
                advance_received=advances.get((pk, designation_id), 0),
            )
            claim.recipients.append(
                RecipientClaim(
                    key, designation_id, name, facility, calculate_claim(facility, rule), units_text
                )
            )
        claim.recipients.sort(key=lambda r: (r.designation_id is not None, r.recipient_name))
    return claims


def claim_for(application: Application) -> ApplicationClaim:
    return load_claims(Application.objects.filter(pk=application.pk))[application.pk]


def _amount_text(amount: int | Fraction | None) -> str:
    return "—" if amount is None else format_yen(amount)


def breakdown(recipient: RecipientClaim) -> dict:
    """One recipient's 精算額調 as plain JSON data: what the page, the xlsx and a frozen
    confirmation all print."""
    r = recipient.result
    return {
        "key": recipient.key,
        "designation_id": recipient.designation_id,
        "recipient_name": recipient.recipient_name,
        "columns": {
            "A": r.total_cost,
            "B": r.other_income,
            "C": r.net_cost,
            "D": r.eligible_expense,
            "E": r.base_amount,
            "F": r.capped_expense,
            "G": r.required_amount,
            "H": r.decided_amount,
            "I": r.advance_received,
            "J": r.difference,
        },
        "settlement": r.settlement.label,
        "steps": [[s.symbol, s.label, _amount_text(s.amount), s.formula] for s in r.steps],
        "menus": [
            {
                "code": m.menu_code,
                "name": m.menu_name,
                "units_text": recipient.units_text.get(m.menu_code, ""),
                "A": m.total_cost,
                "B": m.other_income,
                "C": m.net_cost,
                "D_actual": m.actual_expense,
                "excluded": m.excluded_expense,
                "D": m.eligible_expense,
                "E": m.base_amount,
                "F": m.capped_expense,
                "G": _amount_text(m.required_amount),
                "H": m.decided_amount,
                "reason": m.reason or "",
                "steps": [[s.symbol, s.label, _amount_text(s.amount), s.formula] for s in m.steps],
            }
            for m in r.menus
        ],
    }


def claim_snapshot(claim: ApplicationClaim) -> dict:
    rule = claim.rule
    return {
        "rule": {
            "order": rule.order.label,
            "rounding_unit": rule.rounding_unit,
            "rounding_level": rule.rounding_level.label,
        },
        "recipients": [breakdown(r) for r in claim.recipients],
        "total_amount": claim.total_amount,
        "decided_total": claim.decided_total,
        "advance_total": claim.advance_total,
        "difference": claim.difference,
    }


# --- workflow, confirmation --------------------------------------------------------------


@dataclass
class ConfirmationInput:
    notice_number: str
    notice_date: datetime.date | None


def confirmation_problems(data: ConfirmationInput) -> list[str]:
    number = (data.notice_number or "").strip()
    problems = notice_number_problems(number)
    if not problems and notice_number_taken(number):
        problems.append(taken_message(number))
    if not data.notice_date:
        problems.append("「通知日」を入力してください。")
    return problems


def _freeze_version(report: ResultReport, actor, label: str) -> ResultReportVersion:
    last = report.versions.order_by("-number").first()
    claim = claim_for(report.application)
    return ResultReportVersion.objects.create(
        report=report,
        number=(last.number + 1) if last else 1,
        label=label,
        created_by=actor,
        snapshot={"report": _jsonable(report_data(report)), "claim": claim_snapshot(claim)},
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def current_confirmation(application: Application) -> Confirmation | None:
    return application.confirmations.current().order_by("-number").first()


@transaction.atomic
def perform(
    report: ResultReport,
    action: str,
    actor,
    expected_version: int,
    *,
    reason: str = "",
    confirmation: ConfirmationInput | None = None,
) -> ResultReport:
    """Do one workflow action, or raise ClaimError/StaleVersion saying why not."""
    report = _locked(report, expected_version)
    permission = workflow.check(report, action, actor)
    if not permission:
        problems = report_problems(report) if action in ("submit", "resubmit") else []
        raise ClaimError(permission.reason, problems)
    transition = workflow.TRANSITIONS[action]
    reason = (reason or "").strip()
    if transition.needs_reason and not reason:
        raise ClaimError("理由が必要です。", [f"「{transition.label}」の理由を入力してください。"])
    changes: dict[str, Any] = {
        "状態": {
            "from": ResultReportStatus(report.status).label,
            "to": ResultReportStatus(transition.target).label,
        }
    }
    if action in ("submit", "resubmit"):
        label = "実績報告" + ("（再提出）" if action == "resubmit" else "")
        version = _freeze_version(report, actor, label)
        report.submitted_at = timezone.now()
        report.return_reason = ""
        changes["版"] = {"from": None, "to": version.number}
    elif action in ("return", "reopen"):
        report.return_reason = reason
    elif action in workflow.CONFIRM_ACTIONS:
        if confirmation is None:
            raise ClaimError("額の確定の内容がありません。")
        _lock_application(report.application)  # its advances are read for I
        lock_notice_register()  # after the application's row: the order every writer takes
        problems = confirmation_problems(confirmation)
        if problems:
            raise ClaimError("額の確定の内容に誤りがあります。確定していません。", problems)
        record = _confirm(report, actor, confirmation, reason)
        previous = record.supersedes
        changes["確定額"] = {
            "from": previous.total_amount if previous else None,
            "to": record.total_amount,
        }
        changes["通知番号"] = {
            "from": previous.notice_number if previous else None,
            "to": record.notice_number,
        }
    report.status = transition.target
    report.version += 1
    report.save()
    audit.record(actor, transition.label, report, changes, reason=reason)
    return report


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
    return record


def _create_confirmation(**fields) -> Confirmation:
    """Insert, turning the unique constraint's refusal into the form's message (a writer
    that did not take the register lock may have inserted the number after our check)."""
    try:
        with transaction.atomic():
            return Confirmation.objects.create(**fields)
    except IntegrityError:
        number = fields["notice_number"]
        if notice_number_taken(number):
            raise ClaimError(
                "額の確定の内容に誤りがあります。確定していません。", [taken_message(number)]
            ) from None
        raise


def recipient_rows(record: Confirmation, claim: ApplicationClaim) -> list[ConfirmationRecipient]:
    return [
        ConfirmationRecipient(
            confirmation=record,
            designation_id=r.designation_id,
            recipient_name=r.recipient_name,
            total_cost=r.result.total_cost,
            other_income=r.result.other_income,
            net_cost=r.result.net_cost,
            eligible_expense=r.result.eligible_expense,
            base_amount=r.result.base_amount,
            capped_expense=r.result.capped_expense,
            required_amount=r.result.required_amount,
            decided_amount=r.result.decided_amount or 0,
            advance_received=r.result.advance_received,
            difference=r.result.difference,
        )
        for r in claim.recipients
    ]


def correction_rows(record: Confirmation) -> list[dict]:
    """Per recipient: the previous confirmed G, this one, and the difference."""
    previous = (record.snapshot or {}).get("previous")
    if not previous:
        return []
    rows = []
    for r in record.recipients.all():
        was = previous["by_recipient"].get(str(r.designation_id or "hub"), 0)
        rows.append(
            {
                "recipient_name": r.recipient_name,
                "before": was,
                "after": r.required_amount,
                "difference": r.required_amount - was,
            }
        )
    return rows


# --- advance payments ----------------------------------------------------------------------


def can_record_advance(user) -> tuple[bool, str]:
    from subsidies.applications.workflow import STAFF, actor_kind

    if actor_kind(user) != STAFF:
        return False, "概算払の登録は県職員が行います。"
    return True, ""


ADVANCE_STALE_MESSAGE = (
    "この申請の概算払は、画面を開いた後に他の方が更新しました。再読み込みしてください。"
    "今回の入力は登録していません。"
)


def _lock_application(application: Application) -> Application:
    """The application's row, locked until the transaction ends. Every writer of its
    advances (and the confirmation that reads them) takes it first, so a total checked under
    it stays true until the insert: without it, two POSTs at once both saw the old total."""
    return Application.objects.select_for_update().get(pk=application.pk)


def advance_total(application: Application) -> int:
    """All advances of the application, every recipient: what the form shows it was read
    at (each payment is at least 1円, so the total changes with every payment)."""
    paid = AdvancePayment.objects.filter(application=application).aggregate(total=Sum("amount"))
    return paid["total"] or 0


def advance_problems(application: Application, amount, paid_on, designation) -> list[str]:
    """Every reason the advance cannot be recorded, each naming the field."""
    problems = []
    decision = current_decision(application)
    if decision is None:
        problems.append("交付決定されていない申請には概算払を登録できません。")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        problems.append("「支払額」は1円以上の円単位の整数で入力してください。")
    if not paid_on:
        problems.append("「支払日」を入力してください。")
    if decision is None or problems:
        return problems
    lines = decision.lines.filter(designation=designation)
    if not lines.exists():
        return ["「支払先」はこの申請で交付決定された補助事業者から選んでください。"]
    decided = sum(line.decided_amount for line in lines)
    paid = (
        AdvancePayment.objects.filter(application=application, designation=designation).aggregate(
            total=Sum("amount")
        )["total"]
        or 0
    )
    if paid + amount > decided:
        problems.append(
            f"「支払額」の累計 {paid + amount:,}円が交付決定額 {decided:,}円を超えます"
            f"（支払済み {paid:,}円）。"
        )
    return problems


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
    _lock_application(application)
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


def recipients_of(application: Application) -> list[tuple[Any, str]]:
    """(designation or None, name) of every recipient of the current decision."""
    decision = current_decision(application)
    if decision is None:
        return []
    seen, result = set(), []
    for line in decision.lines.select_related("designation__institution").order_by(
        "designation_id", "pk"
    ):
        if line.designation_id in seen:
            continue
        seen.add(line.designation_id)
        name = line.designation.institution.name if line.designation_id else application.hub.name
        result.append((line.designation, name))
    return result


# --- what-if -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MenuChange:
    cap_amount: int | None = None  # None: keep
    per_district: bool | None = None  # True: cap × 区割り数 in the scratch copy
    rate: Fraction | None = None


@dataclass
class WhatIfRow:
    label: str
    baseline: int = 0
    scenario: int = 0

    @property
    def difference(self) -> int:
        return self.scenario - self.baseline


@dataclass
class WhatIfResult:
    by_menu: list[WhatIfRow]
    by_area: list[WhatIfRow]
    baseline_total: int
    scenario_total: int
    budget: int | None
    application_count: int
    decided_total: int = 0  # the real current decisions of the year, for reference
    confirmed_total: int = 0  # the real current confirmations of the year

    @property
    def difference(self) -> int:
        return self.scenario_total - self.baseline_total

    @property
    def scenario_balance(self) -> int | None:
        return None if self.budget is None else self.budget - self.scenario_total

    @property
    def baseline_balance(self) -> int | None:
        return None if self.budget is None else self.budget - self.baseline_total


CURRENT_STATES = ("submitted", "under_review", "returned", "resubmitted", "decided")


def what_if(fiscal_year, changes: dict[int, MenuChange]) -> WhatIfResult:
    """Totals of all current applications of the year under the real catalogue and under a
    scratch copy with `changes` (menu pk → change), per menu and per area, against the budget.

    Reads only; the scratch copy exists in memory as LineInputs. Planned expenses are used
    (the what-if is how caps are chosen before the year), each application's plan as last
    submitted or saved; the baseline is the same computation under the real catalogue."""
    from subsidies.models import MenuPlan

    rule = rule_of(fiscal_year)
    menus = {m.pk: m for m in fiscal_year.menus.all()}
    applications = {
        a.pk: a
        for a in Application.objects.filter(
            fiscal_year=fiscal_year, status__in=CURRENT_STATES
        ).prefetch_related("hub__areas")
    }
    lines = list(
        MenuPlan.objects.filter(application_id__in=applications, wish=True).select_related(
            "designation__institution", "designation__area"
        )
    )
    baseline_inputs, scenario_inputs, areas = [], [], {}
    for line in lines:
        application = applications[line.application_id]
        menu = menus[line.menu_id]
        change = changes.get(menu.pk, MenuChange())
        recipient_key = (
            f"{application.pk}:hospital:{line.designation_id}"
            if line.designation_id
            else f"{application.pk}:hub"
        )
        key = f"{application.pk}:{line_key(menu.code, line.designation_id)}"
        if line.designation_id:
            areas[key] = line.designation.area.name
        else:
            hub_areas = list(application.hub.areas.all())
            areas[key] = hub_areas[0].name if hub_areas else "（圏域なし）"
        common = {
            "key": key,
            "recipient_key": recipient_key,
            "recipient_name": recipient_key,
            "menu_code": menu.code,
            "menu_name": menu.name,
            "max_units": menu.max_units,
            "wish": True,
            "expense_total": line.expense_total,
            "other_income": line.other_income,
            "district_count": application.district_count,
            "trainees": line.trainees,
            "half_days": line.half_days,
            "months": line.months,
        }
        baseline_inputs.append(
            LineInput(**common, cap_amount=menu.cap_amount, cap_unit=menu.cap_unit, rate=menu.rate)
        )
        cap_unit = menu.cap_unit
        if change.per_district is True:
            cap_unit = SubsidyMenu.CapUnit.PER_DISTRICT
        elif change.per_district is False and cap_unit == SubsidyMenu.CapUnit.PER_DISTRICT:
            cap_unit = SubsidyMenu.CapUnit.PER_RECIPIENT
        scenario_inputs.append(
            LineInput(
                **common,
                cap_amount=menu.cap_amount if change.cap_amount is None else change.cap_amount,
                cap_unit=cap_unit,
                rate=menu.rate if change.rate is None else change.rate,
            )
        )
    baseline, _ = line_amounts(baseline_inputs, rule)
    scenario, _ = line_amounts(scenario_inputs, rule)
    by_menu = {m.pk: WhatIfRow(m.name) for m in menus.values()}
    by_area: dict[str, WhatIfRow] = {}
    for line, base_input in zip(lines, baseline_inputs, strict=True):
        key = base_input.key
        row = by_menu[line.menu_id]
        area = by_area.setdefault(areas[key], WhatIfRow(areas[key]))
        for target in (row, area):
            target.baseline += baseline[key].computed_amount
            target.scenario += scenario[key].computed_amount
    return WhatIfResult(
        by_menu=list(by_menu.values()),
        by_area=sorted(by_area.values(), key=lambda r: r.label),
        baseline_total=sum(a.computed_amount for a in baseline.values()),
        scenario_total=sum(a.computed_amount for a in scenario.values()),
        budget=fiscal_year.budget_amount,
        application_count=len(applications),
        decided_total=Decision.objects.current()
        .filter(application__fiscal_year=fiscal_year)
        .aggregate(total=Sum("total_amount"))["total"]
        or 0,
        confirmed_total=Confirmation.objects.current()
        .filter(application__fiscal_year=fiscal_year)
        .aggregate(total=Sum("total_amount"))["total"]
        or 0,
    )


def confirmed_of_year(year: int) -> QuerySet:
    """The current (not superseded) confirmation of every application of the year."""
    return (
        Confirmation.objects.current()
        .filter(application__fiscal_year__year=year)
        .select_related("application__hub", "application__fiscal_year")
        .prefetch_related("recipients__designation__institution")
        .order_by("application__hub__name")
    )
