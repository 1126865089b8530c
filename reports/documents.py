"""Official documents built from the workflow's records: which figures go where."""

from __future__ import annotations

import itertools
import json
from functools import partial

from reports.confirmation_documents import (  # confirmation_notice_for: re-exported for tests
    confirmation_notice_filename,
    confirmation_notice_pdf,
)
from reports.confirmation_documents import confirmation_notice_for as confirmation_notice_for
from reports.notices import (
    Notice,
    change_decision_notice,
    decision_notice,
    notice_pdf,
    terms_of,
)
from reports.procedure_documents import change_request_items, procedure_items


def filer_of(application) -> dict:
    """Who files an application's documents (the 申請者 printed above a 交付申請書 or a 実績報告書):
    the hub, or the hospital for its own application (issue 18, setting (b))."""
    grantee = application.recipient
    if application.is_hospital_application:
        areas = application.lines.filter(designation__isnull=False).values_list(
            "designation__area__name", flat=True
        )
        return {
            "name": grantee.name,
            "label": "医療機関名",
            "is_hospital": True,
            "organisation": grantee.operator_legal_name or grantee.name,
            "title": grantee.representative_title,
            "representative": grantee.representative_name,
            "areas": "、".join(sorted(set(areas))),
        }
    return {
        "name": grantee.name,
        "label": "拠点名",
        "organisation": grantee.operator_name,
        "title": grantee.representative_title,
        "representative": grantee.representative_name,
        "areas": "、".join(a.name for a in grantee.areas.all()),
    }


def decision_lines(decision) -> list[tuple[str, int]]:
    lines = []
    # a batch part reads the lines of its decisions in one query (reports/batches.py)
    rows = getattr(decision, "notice_lines", None)
    if rows is None:
        rows = decision.lines.select_related("menu").order_by("pk")
    for line in rows:
        label = line.menu.name
        if line.designation_id:
            label = f"{label}（{line.recipient_name}）"
        lines.append((label, int(line.decided_amount)))
    return lines


def decision_notice_for(decision) -> Notice:
    """交付決定通知書, or the 変更交付決定通知書 when the decision supersedes another."""
    application = decision.application
    grantee = application.recipient  # the hub, or the hospital for its own (issue 18)
    submitted = decision.version.created_at if decision.version_id else application.submitted_at
    from django.utils import timezone

    if decision.supersedes_id:
        return change_decision_notice(
            previous=decision_notice_for(decision.supersedes),
            notice_number=decision.notice_number,
            notice_date=decision.notice_date,
            request_date=timezone.localtime(submitted).date(),
            fiscal_year=application.fiscal_year.year,
            terms=terms_of(application.fiscal_year),
            lines=decision_lines(decision),
        )
    return decision_notice(
        fiscal_year=application.fiscal_year.year,
        notice_number=decision.notice_number,
        notice_date=decision.notice_date,
        application_date=timezone.localtime(submitted).date(),
        **grantee.addressee,
        terms=terms_of(application.fiscal_year),
        lines=decision_lines(decision),
    )


def decision_notice_filename(decision) -> str:
    from zaitaku_portal.filenames import safe_filename

    title = "変更交付決定通知書" if decision.supersedes_id else "交付決定通知書"
    name = decision.application.recipient.name
    return safe_filename(f"{title}_{name}_{decision.notice_number}.pdf")


def decision_notice_pdf(decision) -> bytes:
    return notice_pdf(decision_notice_for(decision), f"decision-{decision.pk}")


def application_pdf(version) -> bytes:
    """The plan exactly as filed: rendered from the frozen version, never the live draft."""
    from django.conf import settings
    from django.utils import timezone

    from reports.pdf import render_pdf
    from subsidies.applications.plan_data import start_year_label
    from zaitaku_portal.wareki import fiscal_year_label

    application = version.application
    snapshot = version.snapshot
    plan = snapshot.get("plan", {})
    labels = snapshot.get("labels", {})
    categories = snapshot.get("categories", {})
    amounts = snapshot.get("amounts", {})
    rows = []
    by_category: dict[str, int] = {}
    year = application.fiscal_year.year
    for key, line in plan.get("lines", {}).items():
        expenses = {code: int(v) for code, v in line.get("expenses", {}).items() if int(v)}
        if not _filed_this_year(line, int(amounts.get(key, 0)), year):
            continue
        for code, amount in expenses.items():
            name = categories.get(code, code)
            by_category[name] = by_category.get(name, 0) + amount
        rows.append(
            {
                "label": labels.get(key, key),
                "wish": line.get("wish"),
                "planned_actions": line.get("planned_actions", ""),
                "start_label": start_year_label(line.get("start_year")),
                "expenses": [(categories.get(c, c), a) for c, a in expenses.items()],
                "other_income": int(line.get("other_income") or 0),
                "expense_total": sum(expenses.values()),
                "amount": int(amounts.get(key, 0)),
            }
        )
    created = version.created_at
    expense_total = sum(r["expense_total"] for r in rows)
    subsidy = int(snapshot.get("total", 0))  # the facility total (rounded as the rule says)
    other_income = sum(r["other_income"] for r in rows)
    return render_pdf(
        "reports/pdf/application.html",
        {
            "filer": filer_of(application),
            "version": version,
            "plan": plan,
            "rows": rows,
            "by_category": sorted(by_category.items()),
            "expense_total": expense_total,
            "total": subsidy,
            # 収支予算書: 自己資金 is what the 支出 leaves after the 県補助金 and other income
            "income": [
                ("県補助金", subsidy),
                ("寄付金その他の収入", other_income),
                ("自己資金", expense_total - subsidy - other_income),
            ],
            "filed_at": timezone.localtime(created).date(),
            "fiscal_year_label": fiscal_year_label(application.fiscal_year.year),
            "governor_title": settings.GOVERNOR_TITLE,
        },
        document_key=f"application-{application.pk}-v{version.number}",
        created=created,
    )


def _filed_this_year(line: dict, amount: int, year: int) -> bool:
    """A menu line belongs on this year's 申請書 only when wished and not held back: not
    planned for a later year (R9〜 in R8) and not at 0 yen for eligibility."""
    start_year = line.get("start_year")
    if not line.get("wish") or (start_year and int(start_year) > year):
        return False
    return amount > 0


def dossier_items(hub, fiscal_year) -> list[tuple[str, object]]:
    """Everything an auditor asks for about one hub's year, as (path in the ZIP, maker): the
    signed documents, the attachments, the versions' history and changes, the audit trail."""
    from subsidies.models import Application

    application = (
        # the hub's own (its hospitals' own applications, issue 18, are not its dossier)
        Application.objects.filter(hub=hub, fiscal_year=fiscal_year, institution__isnull=True)
        .prefetch_related("versions", "decisions", "attachments")
        .first()
    )
    if application is None:
        return []
    versions = list(application.versions.order_by("number"))
    latest = versions[-1].created_at if versions else None
    items = [item for provider in DOSSIER_DOCUMENTS for item in provider(application, versions)]
    return [
        *items,
        *_attachment_items(application),
        ("04_版の履歴/版の履歴.pdf", dated(partial(history_pdf, application, versions), latest)),
        ("04_版の履歴/版の差分.csv", dated(partial(_changes_csv, versions), latest)),
        ("05_監査記録.csv", partial(_audit_trail_csv, application)),
    ]


def dated(maker, when):
    """Give a dossier maker its document's own date and time (Asia/Tokyo) for the ZIP entry:
    `maker.zip_date` is a ZipInfo date_time tuple (reports/batches.py reads it)."""
    from django.utils import timezone

    if when is not None:
        local = timezone.localtime(when)
        # a ZIP stores seconds in steps of two
        second = local.second - local.second % 2
        maker.zip_date = (local.year, local.month, local.day, local.hour, local.minute, second)
    return maker


def _application_items(application, versions) -> list[tuple[str, object]]:
    """交付申請書, each version as filed."""
    return [
        (
            f"01_交付申請書/第{v.number}版_{v.label}.pdf",
            dated(partial(application_pdf, v), v.created_at),
        )
        for v in versions
    ]


def _decision_items(application, versions) -> list[tuple[str, object]]:
    """交付決定通知書 (and 変更交付決定通知書), in the order decided."""
    return [
        (
            f"02_交付決定通知書/{decision_notice_filename(d)}",
            dated(partial(decision_notice_pdf, d), d.decided_at),
        )
        for d in application.decisions.order_by("number")
    ]


def _results_items(application, versions) -> list[tuple[str, object]]:
    """実績報告書, each version as filed."""
    from subsidies.models import ResultReportVersion

    filed = ResultReportVersion.objects.filter(report__application=application)
    return [
        (
            f"06_実績報告書/第{v.number}版_{v.label}.pdf",
            dated(partial(results_pdf, v), v.created_at),
        )
        for v in filed.order_by("number")
    ]


def _confirmation_items(application, versions) -> list[tuple[str, object]]:
    """額の確定通知書 with its 精算額調."""
    from subsidies.models import Confirmation

    return [
        (
            f"07_額の確定通知書/{confirmation_notice_filename(c)}",
            dated(partial(confirmation_notice_pdf, c), c.confirmed_at),
        )
        for c in Confirmation.objects.filter(application=application).order_by("number")
    ]


def _refusal_items(application, versions) -> list[tuple[str, object]]:
    """不交付決定通知書 (and 変更交付申請不承認通知書), once approved and numbered."""
    from reports.refusal_notice import refusal_notice_filename, refusal_notice_pdf
    from subsidies.models import Approval, ApprovalKind, ApprovalState

    refusals = Approval.objects.filter(
        application=application,
        state=ApprovalState.APPROVED,
        kind__in=(ApprovalKind.REFUSAL, ApprovalKind.CHANGE_REFUSAL),
    ).exclude(notice_number="")
    return [
        (
            f"02_交付決定通知書/{refusal_notice_filename(a)}",
            dated(partial(refusal_notice_pdf, a), a.decided_at),
        )
        for a in refusals.order_by("decided_at", "pk")
    ]


def _payment_items(application, versions) -> list[tuple[str, object]]:
    """交付請求書 (概算払・精算払) as filed, then 返還命令書兼納入通知書, in date order."""
    from reports.payment_documents import refund_pdf, request_pdf
    from subsidies.models import PaymentRequest, RefundOrder

    requests = PaymentRequest.objects.filter(application=application).order_by("created_at", "pk")
    orders = RefundOrder.objects.filter(application=application).order_by("issued_at", "pk")
    return [
        *(
            (
                f"09_交付請求書/交付請求書_{r.requested_on:%Y%m%d}_{r.pk}.pdf",
                dated(partial(request_pdf, r), r.created_at),
            )
            for r in requests
        ),
        *(
            (
                f"10_返還命令書/返還命令書_{o.notice_number}.pdf",
                dated(partial(refund_pdf, o), o.issued_at),
            )
            for o in orders
        ),
    ]


# The dossier's signed documents, in the procedure's order. Each provider takes
# (application, versions) and returns [(path in the ZIP, maker)].
DOSSIER_DOCUMENTS = (
    _application_items,
    change_request_items,  # 変更承認申請書 (reports/procedure_documents.py)
    _decision_items,
    _refusal_items,
    _results_items,
    _confirmation_items,
    _payment_items,
    procedure_items,  # 取下げ届, 中止・廃止承認申請書 and 承認通知書
)


def _attachment_items(application) -> list[tuple[str, object]]:
    from subsidies.results.models import ExpenseReceipt

    receipts = ExpenseReceipt.objects.filter(expense__report__application=application)
    return [
        (
            f"03_添付書類/{attachment.pk}_{attachment.original_name}",
            partial(_attachment_bytes, attachment),
        )
        for attachment in application.attachments.all()
    ] + [
        (f"08_領収書等/{r.pk}_{r.original_name}", partial(_attachment_bytes, r))
        for r in receipts.order_by("pk")
    ]


def _attachment_bytes(attachment) -> bytes:
    return attachment.file.open("rb").read()


def history_pdf(application, versions) -> bytes:
    """版の履歴: each filed version, who filed it when, and what it changed (the first: every
    filled field)."""
    from django.utils import timezone

    from reports.pdf import render_pdf
    from subsidies.applications.plan_data import diff, flatten
    from zaitaku_portal.wareki import fiscal_year_label

    entries = []
    previous = None
    for v in versions:
        labels = {
            **(previous.snapshot.get("labels", {}) if previous else {}),
            **v.snapshot.get("labels", {}),
        }
        categories = {
            **(previous.snapshot.get("categories", {}) if previous else {}),
            **v.snapshot.get("categories", {}),
        }
        if previous is None:
            shown = flatten(v.snapshot.get("plan", {}), labels, categories).values()
            rows = [
                ("", label, value) for label, value in shown if value not in ("（空欄）", "0円")
            ]
        else:
            rows = diff(previous.snapshot["plan"], v.snapshot["plan"], labels, categories)
            rows = [(was, label, now) for label, was, now in rows]
        entries.append(
            {"version": v, "by": str(v.created_by or ""), "rows": rows, "first": previous is None}
        )
        previous = v
    created = versions[-1].created_at if versions else timezone.now()
    return render_pdf(
        "reports/pdf/history.html",
        {
            "filer": filer_of(application),
            "fiscal_year_label": fiscal_year_label(application.fiscal_year.year),
            "entries": entries,
        },
        document_key=f"history-{application.pk}-v{len(versions)}",
        created=created,
    )


def _changes_csv(versions) -> bytes:
    from subsidies.applications.plan_data import diff
    from zaitaku_portal.spreadsheets import Column, write_csv

    rows = []
    for before, after in itertools.pairwise(versions):
        labels = {**before.snapshot.get("labels", {}), **after.snapshot.get("labels", {})}
        categories = {
            **before.snapshot.get("categories", {}),
            **after.snapshot.get("categories", {}),
        }
        for label, was, now in diff(
            before.snapshot["plan"], after.snapshot["plan"], labels, categories
        ):
            rows.append([f"第{before.number}版→第{after.number}版", label, was, now])
    return write_csv([Column("版"), Column("項目"), Column("変更前"), Column("変更後")], rows)


def _audit_trail_csv(application) -> bytes:
    """The application's audit entries, with its results report's and confirmations'."""
    from django.db.models import Q

    from subsidies.models import Confirmation, ResultReport
    from zaitaku_portal.models import AuditEntry
    from zaitaku_portal.spreadsheets import Column, write_csv

    targets = Q(target_type=application._meta.label, target_id=str(application.pk))
    report_ids = [
        str(pk)
        for pk in ResultReport.objects.filter(application=application).values_list("pk", flat=True)
    ]
    confirmation_ids = [
        str(pk)
        for pk in Confirmation.objects.filter(application=application).values_list("pk", flat=True)
    ]
    targets |= Q(target_type=ResultReport._meta.label, target_id__in=report_ids)
    targets |= Q(target_type=Confirmation._meta.label, target_id__in=confirmation_ids)
    entries = AuditEntry.objects.filter(targets).select_related("actor").order_by("at", "pk")
    rows = [
        [
            e.at,
            str(e.actor or "システム"),
            e.action,
            json.dumps(e.changes, ensure_ascii=False),
            e.reason,
        ]
        for e in entries
    ]
    columns = [
        Column("日時", "datetime"),
        Column("操作者"),
        Column("操作"),
        Column("変更内容"),
        Column("理由"),
    ]
    return write_csv(columns, rows)


def prefecture_summary_pdf(fiscal_year, hubs, designations) -> bytes:
    """The year in one document: money against the budget per menu and area, counts, charts."""
    import datetime

    from django.db.models import Count, Q
    from django.utils import timezone

    from reports import dashboard
    from reports.charts import Series, bar_chart
    from reports.pdf import render_pdf
    from subsidies.models import Activity
    from zaitaku_portal.wareki import fiscal_year_label

    per_menu, per_area = dashboard.budget_execution(fiscal_year, hubs)
    activities = Activity.objects.filter(
        report__application__fiscal_year=fiscal_year, report__application__hub__in=hubs
    ).aggregate(
        meetings=Count("pk", filter=Q(kind="meeting")),
        trainings=Count("pk", filter=Q(kind="training")),
        awareness=Count("pk", filter=Q(kind="awareness")),
    )
    charts = [
        bar_chart(
            "補助メニュー別の交付決定額",
            [row.label for row in per_menu],
            [Series("交付決定額", tuple(row.decided for row in per_menu))],
            unit="千円",
            width=600,
        )
    ]
    if len(per_area) <= 40:
        charts.append(
            bar_chart(
                "在宅医療圏別の交付決定額と確定額",
                [row.label for row in per_area],
                [
                    Series("交付決定額", tuple(row.decided for row in per_area)),
                    Series("確定額", tuple(row.confirmed for row in per_area)),
                ],
                unit="千円",
                width=600,
            )
        )
    today = timezone.localdate()
    created = timezone.make_aware(datetime.datetime.combine(today, datetime.time(9, 0)))
    label = fiscal_year_label(fiscal_year.year)
    return render_pdf(
        "reports/pdf/summary.html",
        {
            "title": f"{label} 在宅医療提供体制強化事業 実施状況",
            "created_on": today,
            "budget": fiscal_year.budget_amount,
            "decided_total": sum(r.decided for r in per_area),
            "confirmed_total": sum(r.confirmed for r in per_area),
            "paid_total": sum(r.paid for r in per_area),
            "refunded_total": sum(r.refunded for r in per_area),
            "hub_count": hubs.count(),
            "hospital_count": designations.filter(status="active").count(),
            "per_menu": per_menu,
            "per_area": per_area,
            "charts": charts,
            **activities,
        },
        document_key=f"summary-{fiscal_year.year}-{today.isoformat()}-{dashboard.data_version()}",
        created=created,
    )


def results_pdf(version) -> bytes:
    """The results report exactly as filed (a frozen ResultReportVersion), in seed 003 §5's
    order: area and operator, activities per item with participants, evaluation, 精算額調."""
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    from reports.pdf import render_pdf
    from subsidies.results.models import NARRATIVE_FIELDS
    from zaitaku_portal.wareki import fiscal_year_label, wareki_date

    report = version.report
    application = report.application
    data = version.snapshot.get("report", {})
    overview_keys = ("area_overview", "operator_overview", "operator_history")
    groups: dict[str, list] = {}
    for activity in data.get("activities", []):
        held_on = activity.get("held_on")
        groups.setdefault(activity.get("kind", ""), []).append(
            {
                **activity,
                "held_on_label": wareki_date(dt.date.fromisoformat(held_on)) if held_on else "",
                "professions": list((activity.get("participants_by_profession") or {}).items()),
                "affiliations": list((activity.get("participants_by_affiliation") or {}).items()),
            }
        )
    created = version.created_at
    return render_pdf(
        "reports/pdf/results.html",
        {
            "filer": filer_of(application),
            "version": version,
            "report": data,
            "overview": [(NARRATIVE_FIELDS[k], data.get(k, "")) for k in overview_keys],
            "narrative": [
                (label, data.get(key, ""))
                for key, label in NARRATIVE_FIELDS.items()
                if key not in overview_keys
            ],
            "activity_groups": [{"kind": k, "items": v} for k, v in groups.items()],
            "claim": version.snapshot.get("claim", {}),
            "settlement": settlement_statement(data, version.snapshot.get("claim", {})),
            "filed_at": timezone.localtime(created).date(),
            "fiscal_year_label": fiscal_year_label(application.fiscal_year.year),
            "governor_title": settings.GOVERNOR_TITLE,
        },
        document_key=f"results-{report.pk}-v{version.number}",
        created=created,
    )


def settlement_statement(data: dict, claim: dict) -> dict:
    """収支精算書 of a filed results report: 収入 (県補助金 = the claimed 補助所要額 G,
    寄付金その他の収入 = B, 自己資金 = what is left of A) and 支出 by expense category (the
    costs outside the categories, A − their sum, on one line)."""
    from subsidies.catalogue.models import ExpenseCategory

    recipients = claim.get("recipients", [])
    total_cost = sum(int(r["columns"].get("A") or 0) for r in recipients)
    other_income = sum(int(r["columns"].get("B") or 0) for r in recipients)
    subsidy = int(claim.get("total_amount") or 0)
    spent: dict[str, int] = {}
    for line in (data.get("expenses") or {}).values():
        for code, amount in (line.get("expenses") or {}).items():
            if int(amount or 0):
                spent[code] = spent.get(code, 0) + int(amount)
    names = {c.code: c for c in ExpenseCategory.objects.filter(code__in=spent)}
    order = sorted(
        spent, key=lambda c: (names[c].display_order, names[c].pk) if c in names else (0, 0)
    )
    expenses = [(names[c].name if c in names else c, spent[c]) for c in order]
    outside = total_cost - sum(spent.values())
    if outside > 0:
        expenses.append(("費目外の経費", outside))
    return {
        "income": [
            ("県補助金", subsidy),
            ("寄付金その他の収入", other_income),
            ("自己資金", total_cost - subsidy - other_income),
        ],
        "expenses": expenses,
        "total": total_cost,
    }
