"""The writers of the payments part. Each owns its transaction, locks the application's
row (the same lock as every writer of its advances: subsidies.results.workflow), re-checks
inside the lock that the record is in the actor's scope and at the version the user saw,
checks the rules and writes an audit entry; notices go out on commit."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from subsidies.models import (
    Application,
    PaymentRequest,
    RefundCause,
    RefundOrder,
    RefundReceipt,
    RequestKind,
    RequestStatus,
)
from subsidies.payments import notifications
from subsidies.payments.reading import (
    confirmation_refund_due,
    current_confirmation,
    withdrawal_refund_due,
)
from subsidies.payments.rules import (
    STALE_MESSAGE,
    PaymentError,
    StalePayment,
    can_handle,
    can_request,
    payment_problems,
    receipt_problems,
    refund_problems,
    request_problems,
    return_problems,
)
from subsidies.results import services as results_services
from subsidies.results.rules import ClaimError
from subsidies.shared.notice_numbers import (
    lock_notice_register,
    notice_number_taken,
    taken_message,
)
from zaitaku_portal import audit
from zaitaku_portal.scopes import applications_for

OUT_OF_SCOPE = "この申請は表示できる範囲にありません。"


def _lock(application: Application, actor) -> Application:
    locked = (
        Application.objects.select_for_update()
        .select_related("hub", "fiscal_year")
        .get(pk=application.pk)
    )
    if not applications_for(actor).filter(pk=application.pk).exists():
        raise PaymentError(OUT_OF_SCOPE)
    return locked


def _allowed(check, actor, *args) -> None:
    allowed, reason = check(actor, *args)
    if not allowed:
        raise PaymentError(reason)


def _locked_request(request: PaymentRequest, actor, expected_version) -> PaymentRequest:
    _lock(request.application, actor)
    locked = PaymentRequest.objects.select_for_update().get(pk=request.pk)
    if expected_version is not None and locked.version != int(expected_version):
        raise StalePayment(STALE_MESSAGE)
    return locked


@transaction.atomic
def file_request(
    application: Application,
    actor,
    *,
    kind: str,
    amount: int,
    designation=None,
    requested_on: datetime.date | None = None,
) -> PaymentRequest:
    """交付請求書: never above what is still due (read under the application's lock)."""
    _allowed(can_request, actor, application)
    application = _lock(application, actor)
    if kind == RequestKind.SETTLEMENT:
        designation = None
    problems = request_problems(application, kind, designation, amount)
    if problems:
        raise PaymentError("交付請求の入力に誤りがあります。請求していません。", problems)
    request = PaymentRequest.objects.create(
        application=application,
        kind=kind,
        designation=designation,
        confirmation=current_confirmation(application) if kind == RequestKind.SETTLEMENT else None,
        amount=amount,
        requested_on=requested_on or timezone.localdate(),
        requested_by=actor,
    )
    audit.record(
        actor,
        f"{request.get_kind_display()}の請求",
        application,
        {
            f"{request.get_kind_display()}請求（{request.recipient_name}）": {
                "from": None,
                "to": amount,
            }
        },
    )
    transaction.on_commit(lambda: notifications.request_filed(request))
    return request


@transaction.atomic
def record_payment(
    request: PaymentRequest, actor, *, paid_on: datetime.date | None, expected_version=None
) -> PaymentRequest:
    """支払: a 概算払 becomes the AdvancePayment the 精算額調 reads (results' rules: never
    beyond the recipient's decided amount); a 精算払 is marked paid."""
    _allowed(can_handle, actor)
    request = _locked_request(request, actor, expected_version)
    problems = payment_problems(request, paid_on)
    if problems:
        raise PaymentError("支払の入力に誤りがあります。登録していません。", problems)
    if request.kind == RequestKind.ADVANCE:
        try:
            request.advance = results_services.record_advance(
                request.application,
                actor,
                amount=request.amount,
                paid_on=paid_on,
                designation=request.designation,
                note=f"交付請求（{request.requested_on:%Y-%m-%d}）による支払",
            )
        except ClaimError as error:
            raise PaymentError(error.message, error.problems) from None
    request.status = RequestStatus.PAID
    request.paid_on = paid_on
    request.handled_by = actor
    request.version += 1
    request.save()
    audit.record(
        actor,
        f"{request.get_kind_display()}の支払",
        request.application,
        {
            "支払日": {"from": None, "to": paid_on.isoformat()},
            "支払額": {"from": None, "to": request.amount},
        },
    )
    transaction.on_commit(lambda: notifications.request_paid(request))
    return request


@transaction.atomic
def return_request(
    request: PaymentRequest, actor, *, reason: str, expected_version=None
) -> PaymentRequest:
    _allowed(can_handle, actor)
    request = _locked_request(request, actor, expected_version)
    problems = return_problems(request, reason)
    if problems:
        raise PaymentError("差し戻せませんでした。", problems)
    request.status = RequestStatus.RETURNED
    request.return_reason = reason.strip()
    request.handled_by = actor
    request.version += 1
    request.save()
    audit.record(
        actor,
        f"{request.get_kind_display()}請求の差戻し",
        request.application,
        {"状態": {"from": RequestStatus.REQUESTED.label, "to": RequestStatus.RETURNED.label}},
        reason=request.return_reason,
    )
    transaction.on_commit(lambda: notifications.request_returned(request))
    return request


def refund_due(application: Application) -> tuple[str, object, int]:
    """(cause, confirmation or None, amount still to order) of the application."""
    confirmation, due = confirmation_refund_due(application)
    if due > 0:
        return RefundCause.CONFIRMATION, confirmation, due
    return RefundCause.WITHDRAWAL, None, withdrawal_refund_due(application)


@transaction.atomic
def issue_refund(
    application: Application,
    actor,
    *,
    amount: int,
    notice_number: str,
    notice_date: datetime.date | None,
) -> RefundOrder:
    """返還命令 / 納入通知書: due date = notice date + the year's refund_due_days."""
    _allowed(can_handle, actor)
    application = _lock(application, actor)
    lock_notice_register()
    cause, confirmation, due = refund_due(application)
    number = (notice_number or "").strip()
    problems = refund_problems(amount, due, number, notice_date)
    if not problems and (notice_number_taken(number)):
        problems.append(taken_message(number))
    if problems:
        raise PaymentError("返還命令の入力に誤りがあります。発行していません。", problems)
    days = application.fiscal_year.refund_due_days
    try:
        with transaction.atomic():
            order = RefundOrder.objects.create(
                application=application,
                cause=cause,
                confirmation=confirmation,
                notice_number=number,
                notice_date=notice_date,
                amount=amount,
                due_date=notice_date + datetime.timedelta(days=days),
                issued_by=actor,
            )
    except IntegrityError:
        raise PaymentError("返還命令を発行していません。", [taken_message(number)]) from None
    audit.record(
        actor,
        "返還命令の発行",
        application,
        {
            "通知番号": {"from": None, "to": number},
            "返還額": {"from": None, "to": amount},
            "納期限": {"from": None, "to": order.due_date.isoformat()},
        },
    )
    transaction.on_commit(lambda: notifications.refund_ordered(order))
    return order


@transaction.atomic
def record_receipt(
    order: RefundOrder,
    actor,
    *,
    amount: int,
    received_on: datetime.date | None,
    expected_version=None,
) -> RefundReceipt:
    """収納: partial receipts allowed, never above what is outstanding."""
    _allowed(can_handle, actor)
    _lock(order.application, actor)
    order = RefundOrder.objects.select_for_update().get(pk=order.pk)
    if expected_version is not None and order.version != int(expected_version):
        raise StalePayment(STALE_MESSAGE)
    problems = receipt_problems(order, amount, received_on)
    if problems:
        raise PaymentError("収納の入力に誤りがあります。登録していません。", problems)
    receipt = RefundReceipt.objects.create(
        order=order, amount=amount, received_on=received_on, recorded_by=actor
    )
    order.version += 1
    order.save(update_fields=["version"])
    audit.record(
        actor,
        "返還金の収納",
        order.application,
        {f"収納額（{order.notice_number}）": {"from": None, "to": amount}},
    )
    return receipt
