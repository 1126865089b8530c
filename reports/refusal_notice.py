"""不交付決定通知書 (issue 15): the notice of a refusal (不交付決定, or 変更を承認しない on a
change request), issued once an approver approved the draft. Numbered and dated on that
approval (subsidies/shared/approvals.py keeps both on the draft), addressed as the
prefecture writes it (reports.notices.addressee_line), signed by the year's issuer
(reports.notices.terms_of), 和暦, with the reason and the 教示 (how to object).
Byte-stable: the PDF's creation date is the notice's date and its identifier the draft's."""

from __future__ import annotations

import datetime

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from reports.notices import letterhead, terms_of
from reports.pdf import render_pdf
from subsidies.models import Approval, ApprovalKind, ApprovalState
from zaitaku_portal.access import ALL_ROLES, require_roles
from zaitaku_portal.filenames import content_disposition, safe_filename
from zaitaku_portal.scopes import applications_for
from zaitaku_portal.wareki import fiscal_year_label, wareki_date

FORM_NUMBER_PLACEHOLDER = "様式第○号"  # the year's settings name no 様式 for a refusal

# 教示文 (行政不服審査法第82条): what a prefecture prints under a 処分 notice.
OBJECTION_NOTICE = (
    "1　この決定に不服がある場合には、この決定があったことを知った日の翌日から起算して"
    "3か月以内に、{issuer}に対して審査請求をすることができます。",
    "2　この決定の取消しを求める訴えは、この決定があったことを知った日の翌日から起算して"
    "6か月以内に、{prefecture}を被告として（訴訟において{prefecture}を代表する者は"
    "{issuer}となります。）提起することができます（なお、審査請求をした場合には、"
    "その審査請求に対する裁決があったことを知った日の翌日から起算して6か月以内）。",
)


def refusal_context(approval: Approval) -> dict:
    """Everything the notice prints, as plain values."""
    application = approval.application
    fiscal_year = application.fiscal_year
    terms = terms_of(fiscal_year)
    issuer_title = terms.issuer[0]
    grantee = application.recipient  # the hub, or the hospital for its own (issue 18)
    submitted = application.submitted_at or approval.drafted_at
    change = approval.kind == ApprovalKind.CHANGE_REFUSAL
    what = "変更承認申請" if change else "交付申請"
    decided = "承認しない" if change else "交付しない"
    under = f"{terms.guideline_name}に基づき、" if terms.guideline_name else ""
    from django.conf import settings

    prefecture = settings.PREFECTURE_NAME
    return {
        "form_number": getattr(fiscal_year, "refusal_form_number", "") or FORM_NUMBER_PLACEHOLDER,
        "title": "変更交付申請不承認通知書" if change else "不交付決定通知書",
        "notice_number": approval.notice_number,
        "notice_date": approval.notice_date,
        **letterhead(fiscal_year, grantee),
        "lead": (
            f"{wareki_date(timezone.localtime(submitted).date())}付けで{what}のあった"
            f"{fiscal_year_label(fiscal_year.year)}{terms.name}については、{under}"
            f"下記の理由により{decided}ことに決定したので通知します。"
        ),
        "reason": approval.payload.get("reason", ""),
        "objection": [
            t.format(issuer=issuer_title, prefecture=prefecture) for t in OBJECTION_NOTICE
        ],
    }


def refusal_notice_pdf(approval: Approval) -> bytes:
    if approval.kind not in (ApprovalKind.REFUSAL, ApprovalKind.CHANGE_REFUSAL):
        raise ValueError("不交付決定ではありません。")
    context = refusal_context(approval)
    created = timezone.make_aware(
        datetime.datetime.combine(approval.notice_date, datetime.time(9, 0)),
        timezone.get_default_timezone(),
    )
    return render_pdf(
        "reports/pdf/refusal_notice.html",
        {"notice": context},
        document_key=f"refusal-{approval.pk}",
        created=created,
    )


def refusal_notice_filename(approval: Approval) -> str:
    return safe_filename(
        f"不交付決定通知書_{approval.application.recipient.name}_{approval.notice_number}.pdf"
    )


@require_roles(*ALL_ROLES)
def refusal_notice(request, pk: int):
    """The notice of an approved refusal in the user's scope (another hub's: 404)."""
    approval = get_object_or_404(
        Approval.objects.select_related("application__hub", "application__fiscal_year").filter(
            application__in=applications_for(request.user)
        ),
        pk=pk,
    )
    if approval.state != ApprovalState.APPROVED or not approval.notice_number:
        raise Http404("不交付決定通知書はありません。")
    if approval.kind not in (ApprovalKind.REFUSAL, ApprovalKind.CHANGE_REFUSAL):
        raise Http404("不交付決定通知書はありません。")
    response = HttpResponse(refusal_notice_pdf(approval), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(refusal_notice_filename(approval))
    return response
