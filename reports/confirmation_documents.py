"""額の確定通知書 (the confirmation notice): its Notice built from a frozen Confirmation's
精算額調 snapshot, its file name and its PDF. Split out of documents.py, which re-exports
these three for the dossier and the callers that import them from there."""

from __future__ import annotations

from reports.notices import Notice, notice_pdf, terms_of


def confirmation_notice_for(confirmation) -> Notice:
    """額の確定通知書 from a frozen confirmation: the amounts of its 精算額調 snapshot."""
    from django.utils import timezone

    from reports.notices import confirmation_notice

    application = confirmation.application
    grantee = application.recipient  # the hub, or the hospital for its own (issue 18)
    return confirmation_notice(
        fiscal_year=application.fiscal_year.year,
        notice_number=confirmation.notice_number,
        notice_date=confirmation.notice_date,
        report_date=timezone.localtime(confirmation.report_version.created_at).date(),
        **grantee.addressee,
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
    name = application.recipient.name
    return safe_filename(f"額の確定通知書_{name}_{confirmation.notice_number}.pdf")


def confirmation_notice_pdf(confirmation) -> bytes:
    return notice_pdf(confirmation_notice_for(confirmation), f"confirmation-{confirmation.pk}")
