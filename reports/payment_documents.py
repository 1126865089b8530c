"""交付請求書 (概算払 / 精算払) and 返還命令書・納入通知書 (issue 15), PDF, 和暦, byte-stable:
the PDF's creation date is the document's own date and its identifier the record's.
The 様式 numbers are this portal's until the fiscal year's settings name them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from reports.notices import letterhead, terms_of
from reports.pdf import render_pdf
from subsidies.models import PaymentRequest, RefundOrder, RequestKind
from subsidies.results.reading import current_decision
from zaitaku_portal.access import ALL_ROLES, require_roles
from zaitaku_portal.filenames import content_disposition, safe_filename
from zaitaku_portal.scopes import applications_for
from zaitaku_portal.wareki import fiscal_year_label

REQUEST_FORM_NUMBER = "様式第10号"
REFUND_FORM_NUMBER = "様式第12号"


def _created(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(9, 0)), timezone.get_default_timezone()
    )


def request_context(request: PaymentRequest) -> dict:
    application = request.application
    fiscal_year = application.fiscal_year
    terms = terms_of(fiscal_year)
    issuer_title, issuer_name = terms.issuer
    addressee = application.recipient.addressee  # the hub, or the hospital (issue 18)
    decision = current_decision(application)
    kind = "概算払" if request.kind == RequestKind.ADVANCE else "精算払"
    return {
        "form_number": REQUEST_FORM_NUMBER,
        "title": f"交付請求書（{kind}）",
        "subsidy": f"{fiscal_year_label(fiscal_year.year)}{terms.name}",
        "kind": kind,
        "request_date": request.requested_on,
        "addressee": f"{issuer_title}　{issuer_name}　様",
        "requester_name": addressee["addressee_organisation"],
        "representative": "　".join(
            p for p in (addressee["addressee_title"], addressee["addressee_name"]) if p
        ),
        "decision_number": decision.notice_number if decision else "",
        "decision_date": decision.notice_date if decision else None,
        "decided_total": decision.total_amount if decision else 0,
        "recipient_name": request.recipient_name,
        "amount": request.amount,
        "confirmation_number": request.confirmation.notice_number if request.confirmation else "",
    }


def request_pdf(request: PaymentRequest) -> bytes:
    return render_pdf(
        "reports/pdf/payment_request.html",
        {"doc": request_context(request)},
        document_key=f"payment-request-{request.pk}",
        created=_created(request.requested_on),
    )


def refund_context(order: RefundOrder) -> dict:
    application = order.application
    fiscal_year = application.fiscal_year
    terms = terms_of(fiscal_year)
    why = (
        f"{order.confirmation.notice_number}による額の確定"
        if order.confirmation
        else "交付申請の取下げ又は事業の中止・廃止"
    )
    return {
        "form_number": REFUND_FORM_NUMBER,
        "title": "返還命令書兼納入通知書",
        "notice_number": order.notice_number,
        "notice_date": order.notice_date,
        **letterhead(fiscal_year, application.recipient),
        "lead": (
            f"{fiscal_year_label(fiscal_year.year)}{terms.name}については、{why}に伴い、"
            "下記のとおり返還を命じますので、納期限までに納付してください。"
        ),
        "amount": order.amount,
        "due_date": order.due_date,
        "payee": f"{settings.PREFECTURE_NAME}（指定金融機関又は県の収納窓口）",
    }


def refund_pdf(order: RefundOrder) -> bytes:
    return render_pdf(
        "reports/pdf/refund_order.html",
        {"doc": refund_context(order)},
        document_key=f"refund-order-{order.pk}",
        created=_created(order.notice_date),
    )


@require_roles(*ALL_ROLES)
def payment_request_pdf(request, pk: int):
    payment_request = get_object_or_404(
        PaymentRequest.objects.select_related(
            "application__hub", "application__fiscal_year"
        ).filter(application__in=applications_for(request.user)),
        pk=pk,
    )
    response = HttpResponse(request_pdf(payment_request), content_type="application/pdf")
    name = f"交付請求書_{payment_request.application.recipient.name}_{payment_request.pk}.pdf"
    response["Content-Disposition"] = content_disposition(safe_filename(name))
    return response


@require_roles(*ALL_ROLES)
def refund_order_pdf(request, pk: int):
    order = get_object_or_404(
        RefundOrder.objects.select_related("application__hub", "application__fiscal_year").filter(
            application__in=applications_for(request.user)
        ),
        pk=pk,
    )
    response = HttpResponse(refund_pdf(order), content_type="application/pdf")
    name = f"返還命令書_{order.application.recipient.name}_{order.notice_number}.pdf"
    response["Content-Disposition"] = content_disposition(safe_filename(name))
    return response
