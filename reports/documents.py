"""Official documents built from the workflow's records: which figures go where."""

from __future__ import annotations

import itertools
import json
from functools import partial

from reports.notices import Notice, decision_notice, notice_pdf, terms_of


def decision_lines(decision) -> list[tuple[str, int]]:
    lines = []
    for line in decision.lines.select_related("menu").order_by("pk"):
        label = line.menu.name
        if line.designation_id:
            label = f"{label}（{line.recipient_name}）"
        lines.append((label, int(line.decided_amount)))
    return lines


def decision_notice_for(decision) -> Notice:
    application = decision.application
    hub = application.hub
    submitted = decision.version.created_at if decision.version_id else application.submitted_at
    from django.utils import timezone

    return decision_notice(
        fiscal_year=application.fiscal_year.year,
        notice_number=decision.notice_number,
        notice_date=decision.notice_date,
        application_date=timezone.localtime(submitted).date(),
        **hub.addressee,
        terms=terms_of(application.fiscal_year),
        lines=decision_lines(decision),
    )


def decision_notice_filename(decision) -> str:
    from zaitaku_portal.filenames import safe_filename

    return safe_filename(
        f"交付決定通知書_{decision.application.hub.name}_{decision.notice_number}.pdf"
    )


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
    for key, line in plan.get("lines", {}).items():
        expenses = {code: int(v) for code, v in line.get("expenses", {}).items() if int(v)}
        if not line.get("wish") and not expenses:
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
    return render_pdf(
        "reports/pdf/application.html",
        {
            "hub": application.hub,
            "areas": "、".join(a.name for a in application.hub.areas.all()),
            "version": version,
            "plan": plan,
            "rows": rows,
            "by_category": sorted(by_category.items()),
            "expense_total": sum(r["expense_total"] for r in rows),
            "total": int(snapshot.get("total", 0)),
            "filed_at": timezone.localtime(created).date(),
            "fiscal_year_label": fiscal_year_label(application.fiscal_year.year),
            "governor_title": settings.GOVERNOR_TITLE,
        },
        document_key=f"application-{application.pk}-v{version.number}",
        created=created,
    )


def dossier_items(hub, fiscal_year) -> list[tuple[str, object]]:
    """Everything an auditor asks for about one hub's year, as (path in the ZIP, maker): the
    signed documents, the attachments, the versions' history and changes, the audit trail."""
    from subsidies.models import Application

    application = (
        Application.objects.filter(hub=hub, fiscal_year=fiscal_year)
        .prefetch_related("versions", "decisions", "attachments")
        .first()
    )
    if application is None:
        return []
    versions = list(application.versions.order_by("number"))
    return [
        *_document_items(application, versions),
        *_attachment_items(application),
        ("04_版の履歴/版の内容.json", partial(_history_json, versions)),
        ("04_版の履歴/版の差分.csv", partial(_changes_csv, versions)),
        ("05_監査記録.csv", partial(_audit_trail_csv, application)),
    ]


def _document_items(application, versions) -> list[tuple[str, object]]:
    """交付申請書 (each version), 交付決定通知書, 実績報告書 and 額の確定通知書, as PDFs."""
    from subsidies.models import Confirmation, ResultReportVersion

    items: list[tuple[str, object]] = [
        (f"01_交付申請書/第{v.number}版_{v.label}.pdf", partial(application_pdf, v))
        for v in versions
    ]
    items += [
        (f"02_交付決定通知書/{decision_notice_filename(d)}", partial(decision_notice_pdf, d))
        for d in application.decisions.order_by("number")
    ]
    items += [
        (f"06_実績報告書/第{v.number}版_{v.label}.pdf", partial(results_pdf, v))
        for v in ResultReportVersion.objects.filter(report__application=application).order_by(
            "number"
        )
    ]
    items += [
        (
            f"07_額の確定通知書/{confirmation_notice_filename(c)}",
            partial(confirmation_notice_pdf, c),
        )
        for c in Confirmation.objects.filter(application=application).order_by("number")
    ]
    return items


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


def _history_json(versions) -> bytes:
    data = [
        {
            "版": v.number,
            "種別": v.label,
            "提出日時": v.created_at.isoformat(),
            "提出者": str(v.created_by or ""),
            "内容": v.snapshot,
        }
        for v in versions
    ]
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


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
            "hub": application.hub,
            "areas": "、".join(a.name for a in application.hub.areas.all()),
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
            "filed_at": timezone.localtime(created).date(),
            "fiscal_year_label": fiscal_year_label(application.fiscal_year.year),
            "governor_title": settings.GOVERNOR_TITLE,
        },
        document_key=f"results-{report.pk}-v{version.number}",
        created=created,
    )


def confirmation_notice_for(confirmation) -> Notice:
    """額の確定通知書 from a frozen confirmation: the amounts of its 精算額調 snapshot."""
    from django.utils import timezone

    from reports.notices import confirmation_notice

    application = confirmation.application
    hub = application.hub
    return confirmation_notice(
        fiscal_year=application.fiscal_year.year,
        notice_number=confirmation.notice_number,
        notice_date=confirmation.notice_date,
        report_date=timezone.localtime(confirmation.report_version.created_at).date(),
        **hub.addressee,
        terms=terms_of(application.fiscal_year),
        lines=[
            (r["recipient_name"], r["columns"]["G"]) for r in confirmation.snapshot["recipients"]
        ],
        decided_total=confirmation.decided_total,
        advance_received=confirmation.advance_total,
        snapshot=confirmation.snapshot,
    )


def confirmation_notice_filename(confirmation) -> str:
    from zaitaku_portal.filenames import safe_filename

    application = confirmation.application
    return safe_filename(f"額の確定通知書_{application.hub.name}_{confirmation.notice_number}.pdf")


def confirmation_notice_pdf(confirmation) -> bytes:
    return notice_pdf(confirmation_notice_for(confirmation), f"confirmation-{confirmation.pk}")
