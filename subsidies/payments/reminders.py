"""Overdue refunds (返還金の納期限経過): one reminder per refund order and day to the grantee
and staff. Idempotent: a RefundReminder row per (order, day) is written in the same
transaction as the notice, so a second run the same day sends nothing."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction

from subsidies.models import RefundOrder, RefundReminder
from subsidies.payments import notifications
from subsidies.payments.reading import overdue_orders


def send_refund_reminders(today: datetime.date) -> list[RefundOrder]:
    """Remind every overdue refund not yet reminded today; returns the orders reminded."""
    sent = []
    orders = RefundOrder.objects.select_related("application__hub", "application__fiscal_year")
    for order in overdue_orders(orders, today):
        if RefundReminder.objects.filter(order=order, sent_on=today).exists():
            continue
        left = order.amount - (order.received or 0)
        try:
            with transaction.atomic():
                RefundReminder.objects.create(order=order, sent_on=today)
                notifications.refund_overdue(order, left, today)
        except IntegrityError:  # another run reminded it just now
            continue
        sent.append(order)
    return sent
