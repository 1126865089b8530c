"""Plain reads of the results part: a report as data, its expense lines, the current
decision and confirmation, the recipients of a decision, the confirmations of a year.

Nothing here writes or refuses; rules.py judges what these functions return, and every
other module of the part (workflow, services, views, exports) reads through them."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet, Sum

from hubs.area.summary import area_summary
from subsidies.applications.plan_data import line_key
from subsidies.models import (
    ActivityKind,
    AdvancePayment,
    Application,
    Confirmation,
    Decision,
    DecisionLine,
    ExpenseCategory,
    ResultExpense,
    ResultReport,
)
from subsidies.results.columns import OTHER_INCOME, TOTAL_COST
from subsidies.results.models import (
    NARRATIVE_FIELDS,
    REQUIRED_NARRATIVE,
    ExpenseReceipt,
)
from subsidies.results.report_advice import ReportAdvice
from zaitaku_portal.wareki import wareki_date

COUNT_FIELDS = {
    "consultation_hours_per_week": "相談窓口の開設時間（週あたり時間）",
    "consultation_count": "相談件数",
    "operator_staff_count": "拠点の職員数（人）",
}
REPORT_FIELDS = {**COUNT_FIELDS, **NARRATIVE_FIELDS}
EXPENSE_FIELDS = {
    "total_cost": TOTAL_COST.field_label,
    "other_income": OTHER_INCOME.field_label,
    "excluded_amount": "対象外とする額",
    "excluded_source": "対象外の財源",
    "excluded_reason": "対象外とする理由",
    "not_carried_out": "未実施",
    "not_carried_out_reason": "未実施の理由",
}
# seed 003 §4 1)ア: at least four multi-profession meetings a year, one of them with the
# area's administrators and the heads of the related facilities
MEETINGS_REQUIRED = 4
ADMINISTRATORS_MEETING_KIND = "管理者・施設長の会議"


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


def current_confirmation(application: Application) -> Confirmation | None:
    return application.confirmations.current().order_by("-number").first()


def report_data(report: ResultReport, expenses: list[ResultExpense] | None = None) -> dict:
    """The report as plain data: what the form edits, a version freezes and a diff compares."""
    expenses = expenses if expenses is not None else expenses_of(report)
    return {
        **{name: getattr(report, name) for name in REPORT_FIELDS},
        "expenses": {
            expense_key(e): {
                "label": expense_label(e, report.application.hub.name),
                "actual_expense": e.actual_expense,
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
                "months": a.months,
                "amount": a.amount,
                "description": a.description,
                "with_administrators": a.with_administrators,
                "outreach_target": a.get_outreach_target_display() if a.outreach_target else "",
                "leader_training": a.get_leader_training_display() if a.leader_training else "",
                "training_role": a.get_training_role_display() if a.training_role else "",
                "trainee_type": a.get_trainee_type_display() if a.trainee_type else "",
                "training_site": a.get_training_site_display() if a.training_site else "",
                "result": a.result,
            }
            for a in report.activities.select_related(
                "requirement_item", "designation__institution"
            )
        ],
        "equipment": [
            {"item": e.name, "quantity": e.quantity, "cost": e.cost} for e in report.equipment.all()
        ],
        "area_figures": area_figures(report),
        "receipts": [
            {
                "line": expense_label(r.expense, report.application.hub.name),
                "name": r.original_name,
                "size": r.size,
            }
            for r in receipts_of(report)
        ],
    }


def area_figures(report: ResultReport) -> list[dict]:
    """seed 003 §5(1): per area of the hub, the latest figures the prefecture recorded up to
    the report's fiscal year (hubs.area.summary, read-only here): population, ageing rate and
    the resources by kind and number, medical first, in the register's order of kinds."""
    year = report.application.fiscal_year.year
    figures = []
    for area in report.application.hub.areas.order_by("pk"):
        whole = area_summary(area, year).whole
        if whole is None:
            continue
        figures.append(
            {
                "area": area.name,
                "figure_year": whole.figure_year,
                "figure_label": _year_label(whole.figure_year),
                "population": whole.population,
                "ageing_rate": str(whole.ageing_rate),
                "resources": [{"kind": r.label, "count": r.count} for r in whole.resources],
            }
        )
    return figures


def _year_label(year: int) -> str:
    """令和6年 for 2024 (a calendar year, as officials write the year of a figure)."""
    return wareki_date(datetime.date(year, 12, 31)).split("年", 1)[0] + "年"


def receipts_of(report: ResultReport) -> list[ExpenseReceipt]:
    return list(
        ExpenseReceipt.objects.filter(expense__report=report)
        .select_related("expense__menu", "expense__designation__institution")
        .order_by("expense__designation_id", "expense__menu__display_order", "pk")
    )


def jsonable(value: Any) -> Any:
    """Plain data with its dates as ISO text, as a frozen version stores it."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def report_diff(before: dict, after: dict, labels: dict[str, str]) -> dict[str, dict]:
    """What changed between two report_data, keyed by the label a person reads."""
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
                shown = _done_label if name == "not_carried_out" else _same
                changes[f"{line} {label}"] = {
                    "from": shown(was.get(name)),
                    "to": shown(now.get(name)),
                }
    return changes


def _same(value):
    return value


def _done_label(value) -> str | None:
    """未実施 as a person reads it in the audit log and the upload preview."""
    return None if value is None else ("未実施" if value else "実施")


HOSPITAL_REQUIRED_NARRATIVE = ("problems",)


def report_problems(report: ResultReport) -> list[str]:
    """Every reason the report cannot be submitted yet, each naming the field."""
    problems = []
    # A hospital's own report (issue 18) answers for its own menus: the hub's items (the
    # coordinator's role, the hub's usefulness, its desk hours, the area's issues) are not
    # its to write; what went wrong and what to improve is.
    hospitals_own = report.application.institution_id is not None
    for name in HOSPITAL_REQUIRED_NARRATIVE if hospitals_own else REQUIRED_NARRATIVE:
        if not (getattr(report, name) or "").strip():
            problems.append(f"「{NARRATIVE_FIELDS[name]}」が未入力です。")
    if report.consultation_hours_per_week is None and not hospitals_own:
        problems.append(f"「{REPORT_FIELDS['consultation_hours_per_week']}」が未入力です。")
    if not report.activities.exists():
        problems.append("活動実績が一件も登録されていません。")
    hub_name = report.application.recipient.name
    for expense in expenses_of(report):
        label = expense_label(expense, hub_name)
        if expense.not_carried_out:
            if not (expense.not_carried_out_reason or "").strip():
                problems.append(f"「{label}」は未実施です。「未実施の理由」を入力してください。")
        elif expense.menu.cap_amount is None:
            continue  # no own cap (done within other menus): actions without expenses
        elif expense.total_cost == 0 and expense.actual_expense == 0:
            problems.append(
                f"「{label}」の実支出額と総事業費が入力されていません"
                "（実施しなかった場合は「未実施」を選び、その理由を入力してください）。"
            )
    return problems


def mandatory_warnings(report: ResultReport) -> list[str]:
    """What seed 003 §4 1)ア requires of the meetings, said but never refused: at least four
    a year, one of them with administrators and facility heads."""
    meetings = list(report.activities.filter(kind=ActivityKind.MEETING))
    warnings = []
    if len(meetings) < MEETINGS_REQUIRED:
        warnings.append(
            f"多職種連携会議の登録は{len(meetings)}回です。手順書（§4 1)ア）では年"
            f"{MEETINGS_REQUIRED}回以上の開催が必須です。"
        )
    if not any(
        m.with_administrators or m.meeting_kind == ADMINISTRATORS_MEETING_KIND for m in meetings
    ):
        warnings.append(
            "行政担当官及び関連施設の管理者が参加した会議が登録されていません"
            "（手順書 §4 1)ア：年4回以上のうち1回は必須）。"
        )
    return warnings


def meeting_count(report: ResultReport) -> int:
    return report.activities.filter(kind=ActivityKind.MEETING).count()


def advance_total(application: Application) -> int:
    """All advances of the application, every recipient: what the form shows it was read
    at (each payment is at least 1円, so the total changes with every payment)."""
    paid = AdvancePayment.objects.filter(application=application).aggregate(total=Sum("amount"))
    return paid["total"] or 0


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


def confirmed_of_year(year: int) -> QuerySet:
    """The current (not superseded) confirmation of every application of the year."""
    return (
        Confirmation.objects.current()
        .filter(application__fiscal_year__year=year)
        .select_related("application__hub", "application__fiscal_year")
        .prefetch_related("recipients__designation__institution")
        .order_by("application__hub__name")
    )


def advice_of(report: ResultReport) -> QuerySet:
    """保健所の助言 on this report, oldest first, with who wrote it."""
    return ReportAdvice.objects.filter(report=report).select_related("author")
