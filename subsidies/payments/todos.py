"""To-dos of the payments part (zaitaku_portal/todos.py PROVIDERS): a coordinator's
「請求できる額」 and 「返還期限」; staff's 「支払待ちの請求」 and 「期限を過ぎた返還」."""

from __future__ import annotations

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from subsidies.models import (
    AdvancePayment,
    ApplicationStatus,
    Confirmation,
    Decision,
    DecisionLine,
    PaymentRequest,
    RefundOrder,
    RequestKind,
    RequestStatus,
)
from subsidies.payments.reading import overdue_orders, settlement_amount, with_received
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
    decided = list(applications.filter(status=ApplicationStatus.DECIDED).order_by("pk"))
    available = requestable_totals(decided)
    items = [
        Todo(
            "請求できる額",
            1,
            reverse("subsidies:payments_application", args=[application.pk]),
            detail=f"{application.hub.name} {available[application.pk]:,}円",
        )
        for application in decided
        if available[application.pk]
    ]
    orders = with_received(RefundOrder.objects.filter(application__in=applications))
    for order in orders.select_related("application__hub").order_by("due_date", "pk"):
        left = max(0, order.amount - (order.received or 0))  # reading.outstanding, summed in SQL
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


def requestable_totals(applications: list) -> dict[int, int]:
    """reading.requestable_total of each decided application, in six queries whatever their
    number (the home page's to-dos must not cost a query per application): per recipient
    交付決定額 − 既払額 − 請求中 before 額の確定, the 精算払 left after it."""
    ids = [application.pk for application in applications]
    confirmed = _latest(Confirmation.objects.current().filter(application_id__in=ids))
    decisions = _latest(Decision.objects.current().filter(application_id__in=ids))
    decided = _sums(
        DecisionLine.objects.filter(decision_id__in=[d.pk for d in decisions.values()]),
        "decision__application_id",
        "designation_id",
        field="decided_amount",
    )
    paid = _sums(
        AdvancePayment.objects.filter(application_id__in=ids), "application_id", "designation_id"
    )
    requests = PaymentRequest.objects.filter(application_id__in=ids)
    pending = _sums(
        requests.filter(kind=RequestKind.ADVANCE, status=RequestStatus.REQUESTED),
        "application_id",
        "designation_id",
    )
    settled = _sums(requests.filter(kind=RequestKind.SETTLEMENT), "application_id", "status")
    totals = {}
    for pk in ids:
        if pk in confirmed:
            due = settlement_amount(confirmed[pk])
            taken = settled.get((pk, RequestStatus.PAID), 0) + settled.get(
                (pk, RequestStatus.REQUESTED), 0
            )
            totals[pk] = max(0, due - taken) if due > 0 else 0
            continue
        totals[pk] = sum(
            max(0, amount - paid.get(key, 0) - pending.get(key, 0))
            for key, amount in decided.items()
            if key[0] == pk
        )
    return totals


def _latest(records) -> dict[int, object]:
    """The current record of each application (the highest number, as reading's do)."""
    latest = {}
    for record in records.order_by("application_id", "number"):
        latest[record.application_id] = record
    return latest


def _sums(queryset, *keys: str, field: str = "amount") -> dict[tuple, int]:
    rows = queryset.order_by().values(*keys).annotate(total=Sum(field))
    return {tuple(row[key] for key in keys): row["total"] or 0 for row in rows}
