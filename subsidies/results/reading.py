"""Plain reads of the results part: a report as data, its expense lines, the current
decision and confirmation, the recipients of a decision, the confirmations of a year.

Nothing here writes or refuses; rules.py judges what these functions return, and every
other module of the part (workflow, services, views, exports) reads through them."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet, Sum

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
from subsidies.results.models import NARRATIVE_FIELDS, REQUIRED_NARRATIVE

REPORT_FIELDS = {
    "consultation_hours_per_week": "相談窓口の開設時間（週あたり時間）",
    "consultation_count": "相談件数",
    **NARRATIVE_FIELDS,
}
EXPENSE_FIELDS = {
    "total_cost": TOTAL_COST.field_label,
    "other_income": OTHER_INCOME.field_label,
    "excluded_amount": "対象外とする額",
    "excluded_source": "対象外の財源",
    "excluded_reason": "対象外とする理由",
}


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
                changes[f"{line} {label}"] = {"from": was.get(name), "to": now.get(name)}
    return changes


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
