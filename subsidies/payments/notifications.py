"""E-mails and in-portal notices of the payments part (sent after the transaction commits):
a request filed → staff; paid or returned → the grantee; a refund order issued → the
grantee; a refund overdue → the grantee and staff (remind_refunds)."""

from __future__ import annotations

from django.urls import reverse

from subsidies.shared.notifications import coordinator_users, notify_users, staff_users
from zaitaku_portal.wareki import fiscal_year_label, wareki_date


def application_path(application) -> str:
    return reverse("subsidies:payments_application", args=[application.pk])


def _who(application) -> str:
    return f"{application.recipient.name}（{fiscal_year_label(application.fiscal_year.year)}）"


def request_filed(request) -> None:
    application = request.application
    notify_users(
        staff_users(),
        f"【交付請求】{_who(application)}から{request.get_kind_display()}の請求がありました",
        f"{request.recipient_name} の{request.get_kind_display()}請求 {request.amount:,}円"
        f"（請求日 {wareki_date(request.requested_on)}）が届きました。\n"
        "ポータルで内容を確認し、支払日を登録してください。",
        application_path(application),
    )


def request_paid(request) -> None:
    application = request.application
    notify_users(
        coordinator_users(application),
        f"【交付請求】{request.get_kind_display()} {request.amount:,}円を支払いました",
        f"{_who(application)}の{request.get_kind_display()}請求 {request.amount:,}円について、"
        f"{wareki_date(request.paid_on)}に支払いを登録しました。",
        application_path(application),
    )


def request_returned(request) -> None:
    application = request.application
    notify_users(
        coordinator_users(application),
        f"【交付請求】{request.get_kind_display()}の請求が差し戻されました",
        f"{_who(application)}の{request.get_kind_display()}請求 {request.amount:,}円が"
        f"差し戻されました。\n理由: {request.return_reason}",
        application_path(application),
    )


def refund_ordered(order) -> None:
    application = order.application
    notify_users(
        coordinator_users(application),
        f"【返還命令】{_who(application)} 返還金 {order.amount:,}円の納入通知",
        f"{order.notice_number}（{wareki_date(order.notice_date)}）により、返還金 "
        f"{order.amount:,}円の返還を命じます。\n納期限: {wareki_date(order.due_date)}\n"
        "ポータルで返還命令書・納入通知書を確認し、納期限までに納付してください。",
        application_path(application),
    )


def refund_overdue(order, left: int, today) -> None:
    application = order.application
    users = [*coordinator_users(application), *staff_users()]
    notify_users(
        users,
        f"【返還金】{_who(application)} 返還金の納期限を過ぎています（未納 {left:,}円）",
        f"{order.notice_number} の返還金 {order.amount:,}円のうち {left:,}円が未納です。\n"
        f"納期限: {wareki_date(order.due_date)}（{wareki_date(today)}現在）\n"
        "速やかに納付してください。納付済みの場合は県の担当者にご連絡ください。",
        application_path(application),
    )
