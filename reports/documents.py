"""Official documents built from the workflow's records: which figures go where."""

from __future__ import annotations

from reports.notices import Notice, decision_notice, notice_pdf


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
        addressee_organisation=hub.operator_name,
        addressee_title=hub.representative_title,
        addressee_name=hub.representative_name,
        lines=decision_lines(decision),
    )


def decision_notice_filename(decision) -> str:
    return f"交付決定通知書_{decision.application.hub.name}_{decision.notice_number}.pdf"


def decision_notice_pdf(decision) -> bytes:
    return notice_pdf(decision_notice_for(decision), f"decision-{decision.pk}")
