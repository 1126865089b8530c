"""Pages of the payments part: one page per application (its ceilings, requests, payments
and refunds, with the forms of the user's role) and the staff's list per fiscal year.
Every object is read through zaitaku_portal.scopes (another hub's → 404)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from subsidies.models import FiscalYear, PaymentRequest, RefundOrder, RequestKind, RequestStatus
from subsidies.payments import services
from subsidies.payments.exports import HEADER, csv_rows, payment_rows
from subsidies.payments.forms import (
    PaymentForm,
    ReceiptForm,
    RefundForm,
    RequestForm,
    ReturnForm,
)
from subsidies.payments.reading import ceilings_of, is_overdue, overdue_orders, with_received
from subsidies.payments.rules import PaymentError, StalePayment
from subsidies.shared.notice_numbers import next_notice_number
from subsidies.shared.workflow import COORDINATOR, STAFF, actor_kind
from zaitaku_portal.access import ALL_ROLES, STAFF_ROLES, require_roles
from zaitaku_portal.exports import csv_response, xlsx_response
from zaitaku_portal.query import BadQuery, number, refuses_bad_query
from zaitaku_portal.scopes import applications_for
from zaitaku_portal.wareki import fiscal_year_label, fiscal_year_of

SHOWS = {
    "": "すべて",
    "waiting": "支払待ちの請求",
    "paid": "支払済み",
    "refunds": "返還",
    "overdue": "期限を過ぎた返還",
}


def _application(request, pk: int):
    return get_object_or_404(applications_for(request.user), pk=pk)


def _add_errors(form, error: PaymentError) -> None:
    form.add_error(None, error.message)
    for problem in error.problems:
        form.add_error(None, problem)


def _page(request, application, *, request_form=None, refund_form=None, status=200):
    kind = actor_kind(request.user, application)
    ceilings = ceilings_of(application)
    today = timezone.localdate()
    if request_form is None and kind == COORDINATOR and any(c.available for c in ceilings):
        request_form = RequestForm(ceilings=ceilings)
    cause, _confirmation, due = services.refund_due(application)
    if refund_form is None and kind == STAFF and due > 0:
        refund_form = RefundForm(
            initial={
                "notice_number": next_notice_number(application.fiscal_year),
                "notice_date": today,
                "amount": due,
            }
        )
    orders = list(with_received(application.refund_orders.all()))
    for order in orders:
        order.outstanding = order.amount - (order.received or 0)
        order.overdue = is_overdue(order, today)
    return render(
        request,
        "subsidies/payments/application.html",
        {
            "application": application,
            "ceilings": ceilings,
            "requests": application.payment_requests.select_related(
                "designation__institution", "requested_by"
            ),
            "orders": orders,
            "request_form": request_form,
            "refund_form": refund_form,
            "refund_cause": cause,
            "refund_due": due,
            "is_staff": kind == STAFF,
            "payment_form": PaymentForm(initial={"paid_on": today}),
            "receipt_form": ReceiptForm(initial={"received_on": today}),
        },
        status=status,
    )


@require_roles(*ALL_ROLES)
def application_payments(request, pk: int):
    return _page(request, _application(request, pk))


@require_roles(*ALL_ROLES)
@require_POST
def file_request(request, pk: int):
    application = _application(request, pk)
    form = RequestForm(request.POST, ceilings=ceilings_of(application))
    if form.is_valid():
        ceiling = form.ceiling()
        try:
            services.file_request(
                application,
                request.user,
                kind=ceiling.kind,
                designation=ceiling.designation,
                amount=form.cleaned_data["amount"],
            )
        except PaymentError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "交付請求を提出しました。")
            return redirect("subsidies:payments_application", pk=pk)
    return _page(request, application, request_form=form, status=400)


def _request_action(request, pk: int, form_class, action, done: str):
    payment_request = get_object_or_404(
        PaymentRequest.objects.filter(application__in=applications_for(request.user)), pk=pk
    )
    form = form_class(request.POST)
    if not form.is_valid():
        for field_errors in form.errors.values():
            for e in field_errors:
                messages.error(request, e)
        return redirect("subsidies:payments_application", pk=payment_request.application_id)
    try:
        action(payment_request, form.cleaned_data)
    except StalePayment as error:
        messages.error(request, error.message)
    except PaymentError as error:
        messages.error(request, " ".join([error.message, *error.problems]))
    else:
        messages.success(request, done)
    return redirect("subsidies:payments_application", pk=payment_request.application_id)


@require_roles(*STAFF_ROLES)
@require_POST
def record_payment(request, pk: int):
    return _request_action(
        request,
        pk,
        PaymentForm,
        lambda r, data: services.record_payment(
            r, request.user, paid_on=data["paid_on"], expected_version=data["version"]
        ),
        "支払を登録しました。",
    )


@require_roles(*STAFF_ROLES)
@require_POST
def return_request(request, pk: int):
    return _request_action(
        request,
        pk,
        ReturnForm,
        lambda r, data: services.return_request(
            r, request.user, reason=data["reason"], expected_version=data["version"]
        ),
        "請求を差し戻しました。",
    )


@require_roles(*STAFF_ROLES)
@require_POST
def issue_refund(request, pk: int):
    application = _application(request, pk)
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            services.issue_refund(application, request.user, **form.cleaned_data)
        except PaymentError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "返還命令を発行しました。")
            return redirect("subsidies:payments_application", pk=pk)
    return _page(request, application, refund_form=form, status=400)


@require_roles(*STAFF_ROLES)
@require_POST
def record_receipt(request, pk: int):
    order = get_object_or_404(
        RefundOrder.objects.filter(application__in=applications_for(request.user)), pk=pk
    )
    form = ReceiptForm(request.POST)
    if form.is_valid():
        try:
            services.record_receipt(
                order,
                request.user,
                amount=form.cleaned_data["amount"],
                received_on=form.cleaned_data["received_on"],
                expected_version=form.cleaned_data["version"],
            )
        except PaymentError as error:
            messages.error(request, " ".join([error.message, *error.problems]))
        else:
            messages.success(request, "収納を登録しました。")
    else:
        for field_errors in form.errors.values():
            for e in field_errors:
                messages.error(request, e)
    return redirect("subsidies:payments_application", pk=order.application_id)


def year_of(request) -> int:
    """The year asked for (?year=2026), the current fiscal year when none (or blank) is given."""
    if "year" in request.GET:
        year = number(request, "year", "年度", minimum=2000, maximum=2100)
        if year is not None:
            return year
    return fiscal_year_of(timezone.localdate())


@require_roles(*STAFF_ROLES)
@refuses_bad_query
def payment_list(request):
    year = year_of(request)
    show = request.GET.get("show", "")
    if show not in SHOWS:
        raise BadQuery("「表示」（show）の指定が正しくありません。一覧の選択肢から選んでください。")
    applications = applications_for(request.user).filter(fiscal_year__year=year)
    requests = PaymentRequest.objects.filter(application__in=applications).select_related(
        "application__hub", "designation__institution"
    )
    orders = RefundOrder.objects.filter(application__in=applications).select_related(
        "application__hub"
    )
    today = timezone.localdate()
    if show == "waiting":
        requests = requests.filter(status=RequestStatus.REQUESTED)
    elif show == "paid":
        requests = requests.filter(status=RequestStatus.PAID)
    if show in ("waiting", "paid"):
        order_rows = []
    elif show == "overdue":
        order_rows = overdue_orders(orders, today)
    else:
        order_rows = list(with_received(orders))
    if show in ("refunds", "overdue"):
        requests = requests.none()
    for order in order_rows:
        order.outstanding = order.amount - (order.received or 0)
        order.overdue = is_overdue(order, today)
    return render(
        request,
        "subsidies/payments/list.html",
        {
            "year": year,
            "show": show,
            "shows": SHOWS.items(),
            "years": FiscalYear.objects.order_by("-year").values_list("year", flat=True),
            "requests": requests.order_by("status", "requested_on", "pk"),
            "orders": order_rows,
            "kinds": RequestKind,
        },
    )


def _year_rows(request, year: int) -> list[list]:
    return payment_rows(applications_for(request.user).filter(fiscal_year__year=year))


@require_roles(*STAFF_ROLES)
def payments_csv(request, year: int):
    """UTF-8 with BOM, CRLF, dates YYYY-MM-DD, amounts plain digits (docs/payment-export.md)."""
    name = f"支払一覧_{fiscal_year_label(year)}.csv"
    return csv_response(name, HEADER, csv_rows(_year_rows(request, year)))


@require_roles(*STAFF_ROLES)
def payments_xlsx(request, year: int):
    name = f"支払一覧_{fiscal_year_label(year)}.xlsx"
    return xlsx_response(name, "支払一覧", HEADER, _year_rows(request, year))
