"""To-dos of the payments part (zaitaku_portal/todos.py PROVIDERS): a coordinator's
「請求できる額」 and 「返還期限」; staff's 「支払待ちの請求」 and 「期限を過ぎた返還」."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from subsidies.models import ApplicationStatus, PaymentRequest, RefundOrder, RequestStatus
from subsidies.payments.reading import outstanding, overdue_orders, requestable_total
from subsidies.shared.workflow import COORDINATOR, STAFF, actor_kind
from zaitaku_portal.scopes import applications_for
from zaitaku_portal.todos import Todo


def todos(user) -> list[Todo]:
    kind = actor_kind(user)
    if kind == STAFF:
        return _staff(user)
    if kind == COORDINATOR:
        return _coordinator(user)
    return []


def _staff(user) -> list[Todo]:
    today = timezone.localdate()
    applications = applications_for(user)
    waiting = PaymentRequest.objects.filter(
        application__in=applications, status=RequestStatus.REQUESTED
    )
    overdue = overdue_orders(RefundOrder.objects.filter(application__in=applications), today)
    url = reverse("subsidies:payments_list")
    return [
        Todo("支払待ちの請求", waiting.count(), f"{url}?show=waiting"),
        Todo(
            "期限を過ぎた返還",
            len(overdue),
            f"{url}?show=overdue",
            due=overdue[0].due_date if overdue else None,
            urgent=bool(overdue),
        ),
    ]


def _coordinator(user) -> list[Todo]:
    today = timezone.localdate()
    applications = applications_for(user)
    items = []
    for application in applications.filter(status=ApplicationStatus.DECIDED):
        available = requestable_total(application)
        if available:
            items.append(
                Todo(
                    "請求できる額",
                    1,
                    reverse("subsidies:payments_application", args=[application.pk]),
                    detail=f"{application.hub.name} {available:,}円",
                )
            )
    for order in RefundOrder.objects.filter(application__in=applications).select_related(
        "application__hub"
    ):
        left = outstanding(order)
        if left:
            items.append(
                Todo(
                    "返還期限",
                    1,
                    reverse("subsidies:payments_application", args=[order.application_id]),
                    due=order.due_date,
                    detail=f"{order.notice_number} 未納 {left:,}円",
                    urgent=(order.due_date - today).days <= 7,
                )
            )
    return items
