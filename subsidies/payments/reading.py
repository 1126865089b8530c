"""Plain reads of the payments part: what a grantee may still request (the ceiling, with
the figures the messages and pages show), the lists per fiscal year, and the refunds'
balances and overdue state.

The ceiling (請求可能額):
- 概算払, per recipient of the current decision (the hub, or one 積極的医療機関): its
  交付決定額 (the sum of its decision lines) − 既払額 (its AdvancePayment rows, whether
  recorded from a request or directly by staff) − 請求中 (its requests waiting for payment).
  Only before 額の確定 and while the application is 交付決定済み.
- 精算払, for the whole application: the current confirmation's 支払額（精算払）(−J of the
  精算額調 when J < 0) − 既払額 (its paid 精算払 requests) − 請求中. Never when the settlement is
  a refund or nothing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Sum

from subsidies.models import (
    AdvancePayment,
    Application,
    ApplicationStatus,
    PaymentRequest,
    RefundOrder,
    RequestKind,
    RequestStatus,
)
from subsidies.results.reading import current_confirmation, current_decision
from zaitaku_portal.money import Settlement


@dataclass(frozen=True)
class Ceiling:
    kind: str  # RequestKind
    designation: object  # ActiveHospitalDesignation or None (the hub / the whole application)
    recipient_name: str
    due: int  # 交付決定額 (概算払) or 支払額（精算払）
    paid: int  # 既払額
    pending: int  # 請求中
    due_label: str = "交付決定額"

    @property
    def available(self) -> int:
        return max(0, self.due - self.paid - self.pending)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.designation.pk if self.designation else 'hub'}"

    def figures(self) -> str:
        return (
            f"{self.due_label} {self.due:,}円、既払額 {self.paid:,}円、"
            f"請求中 {self.pending:,}円、請求可能額 {self.available:,}円"
        )


def _sum(queryset, field: str = "amount") -> int:
    return queryset.aggregate(total=Sum(field))["total"] or 0


def _waiting(application: Application, kind: str):
    return PaymentRequest.objects.filter(
        application=application, kind=kind, status=RequestStatus.REQUESTED
    )


def advance_ceilings(application: Application) -> list[Ceiling]:
    """One Ceiling per recipient of the current decision; [] when 概算払 is not possible."""
    decision = current_decision(application)
    if (
        decision is None
        or application.status != ApplicationStatus.DECIDED
        or current_confirmation(application) is not None
    ):
        return []
    decided: dict = {}
    names: dict = {}
    for line in decision.lines.select_related("designation__institution").order_by(
        "designation_id", "pk"
    ):
        decided[line.designation_id] = decided.get(line.designation_id, 0) + line.decided_amount
        names.setdefault(line.designation_id, (line.designation, line.recipient_name))
    ceilings = []
    for designation_id, amount in decided.items():
        designation, name = names[designation_id]
        paid = _sum(
            AdvancePayment.objects.filter(application=application, designation_id=designation_id)
        )
        pending = _sum(
            _waiting(application, RequestKind.ADVANCE).filter(designation_id=designation_id)
        )
        ceilings.append(Ceiling(RequestKind.ADVANCE, designation, name, amount, paid, pending))
    return ceilings


def settlement_amount(confirmation) -> int:
    """支払額（精算払）of a confirmation: −J when J < 0, else 0."""
    if Settlement.of_difference(confirmation.difference) != Settlement.REMAINING_PAYMENT:
        return 0
    return -confirmation.difference


def refund_amount(confirmation) -> int:
    """返還額 of a confirmation: J when J > 0, else 0."""
    if Settlement.of_difference(confirmation.difference) != Settlement.REFUND:
        return 0
    return confirmation.difference


def settlement_ceiling(application: Application) -> Ceiling | None:
    """The 精算払 ceiling, or None when there is no confirmation with a remaining payment."""
    confirmation = current_confirmation(application)
    if confirmation is None:
        return None
    due = settlement_amount(confirmation)
    if due <= 0:
        return None
    requests = PaymentRequest.objects.filter(application=application, kind=RequestKind.SETTLEMENT)
    paid = _sum(requests.filter(status=RequestStatus.PAID))
    pending = _sum(requests.filter(status=RequestStatus.REQUESTED))
    return Ceiling(
        RequestKind.SETTLEMENT,
        None,
        application.hub.name,
        due,
        paid,
        pending,
        due_label="支払額（精算払）",
    )


def ceilings_of(application: Application) -> list[Ceiling]:
    settlement = settlement_ceiling(application)
    return [*advance_ceilings(application), *([settlement] if settlement else [])]


def requestable_total(application: Application) -> int:
    return sum(c.available for c in ceilings_of(application))


# --- refunds -------------------------------------------------------------------------------


def received_total(order: RefundOrder) -> int:
    return _sum(order.receipts.all())


def outstanding(order: RefundOrder) -> int:
    return max(0, order.amount - received_total(order))


def is_overdue(order: RefundOrder, today: datetime.date) -> bool:
    return order.due_date < today and outstanding(order) > 0


def with_received(orders):
    """Refund orders annotated with `received` (the sum of their receipts)."""
    return orders.annotate(received=Sum("receipts__amount"))


def overdue_orders(orders, today: datetime.date) -> list[RefundOrder]:
    """The orders whose due date has passed and that are not fully received, oldest first."""
    found = []
    for order in with_received(orders.filter(due_date__lt=today)).order_by("due_date", "pk"):
        if (order.received or 0) < order.amount:
            found.append(order)
    return found


def withdrawal_refund_due(application: Application) -> int:
    """What a withdrawn / discontinued application owes back: its advances (概算払) minus
    what refund orders already ask for."""
    if application.status not in (ApplicationStatus.WITHDRAWN, ApplicationStatus.DISCONTINUED):
        return 0
    paid = _sum(AdvancePayment.objects.filter(application=application))
    ordered = _sum(RefundOrder.objects.filter(application=application))
    return max(0, paid - ordered)


def confirmation_refund_due(application: Application) -> tuple[object, int]:
    """(confirmation, amount still to order) for a current confirmation with a refund."""
    confirmation = current_confirmation(application)
    if confirmation is None:
        return None, 0
    due = refund_amount(confirmation)
    ordered = _sum(RefundOrder.objects.filter(confirmation=confirmation))
    return confirmation, max(0, due - ordered)
