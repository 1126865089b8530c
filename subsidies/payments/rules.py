"""What a payment request, a payment, a refund order or a receipt must satisfy. Each
problem is a Japanese sentence naming the field and, for amounts, the figures."""

from __future__ import annotations

import datetime

from subsidies.models import Application, PaymentRequest, RefundOrder, RequestKind, RequestStatus
from subsidies.payments.reading import Ceiling, ceilings_of, outstanding
from subsidies.shared.notice_numbers import notice_number_problems
from subsidies.shared.workflow import COORDINATOR, STAFF, actor_kind, actor_label
from zaitaku_portal.bounds import YEN_MAX

STALE_MESSAGE = (
    "この画面を開いた後に、ほかの人がこの請求・返還を更新しました。"
    "最新の内容を表示しましたので、確認してからもう一度操作してください。"
)


class PaymentError(Exception):
    """Refused, with a Japanese message and optionally every problem."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class StalePayment(PaymentError):
    pass


# --- who may ---------------------------------------------------------------------------


def can_request(user, application=None) -> tuple[bool, str]:
    if actor_kind(user, application) != COORDINATOR:
        who = actor_label(COORDINATOR, application)
        return False, f"交付請求は{who}（補助事業者）が行います。"
    return True, ""


def can_handle(user) -> tuple[bool, str]:
    if actor_kind(user) != STAFF:
        return False, "支払・返還の登録は県職員が行います。"
    return True, ""


# --- amounts -------------------------------------------------------------------------------


def amount_problems(amount, label: str) -> list[str]:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        return [f"「{label}」は1円以上の円単位の整数で入力してください。"]
    if amount > YEN_MAX:
        return [f"「{label}」は{YEN_MAX:,}円以下で入力してください。"]
    return []


def find_ceiling(application: Application, kind: str, designation) -> Ceiling | None:
    designation_id = designation.pk if designation is not None else None
    for ceiling in ceilings_of(application):
        own = ceiling.designation.pk if ceiling.designation is not None else None
        if ceiling.kind == kind and own == designation_id:
            return ceiling
    return None


def request_problems(application: Application, kind: str, designation, amount) -> list[str]:
    """Every reason the request cannot be filed; the ceiling is read under the lock the
    caller holds, so two requests at once cannot together exceed what is due."""
    problems = amount_problems(amount, "請求額")
    if kind not in RequestKind.values:
        return [*problems, "「請求の種類」は概算払・精算払から選んでください。"]
    ceiling = find_ceiling(application, kind, designation)
    if ceiling is None:
        if kind == RequestKind.ADVANCE:
            problems.append(
                "概算払を請求できるのは、交付決定後・額の確定前の申請の補助事業者だけです"
                "（「請求先」を交付決定された補助事業者から選んでください）。"
            )
        else:
            problems.append(
                "精算払を請求できるのは、額の確定で支払額（精算払）がある申請だけです"
                "（返還または過不足なしの場合は請求できません）。"
            )
        return problems
    if not problems and amount > ceiling.available:
        problems.append(
            f"「請求額」{amount:,}円が請求可能額を超えます（{ceiling.recipient_name}: "
            f"{ceiling.figures()}）。"
        )
    return problems


def payment_problems(request: PaymentRequest, paid_on) -> list[str]:
    problems = []
    if request.status != RequestStatus.REQUESTED:
        problems.append(f"「{request.get_status_display()}」の請求には支払を登録できません。")
    if not isinstance(paid_on, datetime.date):
        problems.append("「支払日」を入力してください。")
    elif paid_on < request.requested_on:
        problems.append(
            f"「支払日」{paid_on:%Y-%m-%d}が請求日 {request.requested_on:%Y-%m-%d}より前です。"
        )
    return problems


def return_problems(request: PaymentRequest, reason: str) -> list[str]:
    problems = []
    if request.status != RequestStatus.REQUESTED:
        problems.append(f"「{request.get_status_display()}」の請求は差し戻せません。")
    if not (reason or "").strip():
        problems.append("「差戻しの理由」を入力してください。")
    return problems


def refund_problems(amount, due: int, notice_number: str, notice_date) -> list[str]:
    problems = amount_problems(amount, "返還額")
    problems += notice_number_problems(notice_number)
    if not isinstance(notice_date, datetime.date):
        problems.append("「通知日」を入力してください。")
    if due <= 0:
        problems.append("この申請には返還を命じる額がありません。")
    elif not amount_problems(amount, "返還額") and amount > due:
        problems.append(f"「返還額」{amount:,}円が返還すべき額 {due:,}円を超えます。")
    return problems


def receipt_problems(order: RefundOrder, amount, received_on) -> list[str]:
    problems = amount_problems(amount, "収納額")
    if not isinstance(received_on, datetime.date):
        problems.append("「収納日」を入力してください。")
    elif received_on < order.notice_date:
        problems.append(
            f"「収納日」{received_on:%Y-%m-%d}が通知日 {order.notice_date:%Y-%m-%d}より前です。"
        )
    left = outstanding(order)
    if not problems and amount > left:
        problems.append(
            f"「収納額」{amount:,}円が未収額 {left:,}円を超えます"
            f"（返還額 {order.amount:,}円、収納済み {order.amount - left:,}円）。"
        )
    return problems
