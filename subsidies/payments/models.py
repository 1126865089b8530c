"""交付請求 (payment requests), 支払 (payments) and 返還 (refund orders and their receipts).

A PaymentRequest is what the grantee files (交付請求書): a 概算払請求 for one recipient of
the current decision before 額の確定, or a 精算払請求 for the whole application after a
confirmation with a remaining payment. Staff record its payment (a 概算払 becomes the
AdvancePayment the 精算額調 reads as I 受入額) or return it with a reason.

A RefundOrder is the 返還命令 / 納入通知書 staff issue from a confirmation with a refund or
for a withdrawn / discontinued application's advances; RefundReceipts record what came in
(partial receipts allowed, never above the order). Every write bumps `version`
(optimistic concurrency) and is audited in services.py."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from zaitaku_portal import bounds


class RequestKind(models.TextChoices):
    ADVANCE = "advance", "概算払"
    SETTLEMENT = "settlement", "精算払"


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", "支払待ち"
    RETURNED = "returned", "差戻し"
    PAID = "paid", "支払済み"


class PaymentRequest(models.Model):
    application = models.ForeignKey(
        "subsidies.Application",
        verbose_name="交付申請",
        on_delete=models.PROTECT,
        related_name="payment_requests",
    )
    kind = models.CharField("請求の種類", max_length=20, choices=RequestKind.choices)
    designation = models.ForeignKey(
        "hospitals.ActiveHospitalDesignation",
        verbose_name="積極的医療機関",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="概算払: 空欄は拠点への請求。精算払は申請全体で1件（空欄）。",
    )
    confirmation = models.ForeignKey(
        "subsidies.Confirmation",
        verbose_name="額の確定",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    amount = models.PositiveBigIntegerField(
        "請求額（円）", validators=[MaxValueValidator(bounds.YEN_MAX)]
    )
    requested_on = models.DateField("請求日")
    status = models.CharField(
        "状態", max_length=20, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    version = models.PositiveIntegerField("更新番号", default=1)
    return_reason = models.TextField("差戻しの理由", blank=True, max_length=bounds.TEXT)
    paid_on = models.DateField("支払日", null=True, blank=True)
    advance = models.OneToOneField(
        "subsidies.AdvancePayment",
        verbose_name="概算払の記録",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_request",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="請求者",
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="処理者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("登録日時", auto_now_add=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        ordering = ["application", "requested_on", "pk"]
        verbose_name = "交付請求"
        verbose_name_plural = "交付請求"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}請求 {self.amount:,}円（{self.application}）"

    @property
    def recipient_name(self) -> str:
        if self.designation_id:
            return self.designation.institution.name
        return self.application.hub.name


class RefundCause(models.TextChoices):
    CONFIRMATION = "confirmation", "額の確定"
    WITHDRAWAL = "withdrawal", "取下げ/中止・廃止"


class RefundOrder(models.Model):
    application = models.ForeignKey(
        "subsidies.Application",
        verbose_name="交付申請",
        on_delete=models.PROTECT,
        related_name="refund_orders",
    )
    cause = models.CharField("返還の理由", max_length=20, choices=RefundCause.choices)
    confirmation = models.ForeignKey(
        "subsidies.Confirmation",
        verbose_name="額の確定",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    notice_number = models.CharField("通知番号", max_length=40, unique=True)
    notice_date = models.DateField("通知日")
    amount = models.PositiveBigIntegerField(
        "返還額（円）", validators=[MaxValueValidator(bounds.YEN_MAX)]
    )
    due_date = models.DateField("納期限")
    version = models.PositiveIntegerField("更新番号", default=1)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="発行者", on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField("発行日時", auto_now_add=True)

    class Meta:
        ordering = ["application", "notice_date", "pk"]
        verbose_name = "返還命令"
        verbose_name_plural = "返還命令"

    def __str__(self) -> str:
        return f"{self.notice_number} 返還 {self.amount:,}円"


class RefundReceipt(models.Model):
    order = models.ForeignKey(
        RefundOrder, verbose_name="返還命令", on_delete=models.PROTECT, related_name="receipts"
    )
    received_on = models.DateField("収納日")
    amount = models.PositiveBigIntegerField(
        "収納額（円）", validators=[MaxValueValidator(bounds.YEN_MAX)]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登録者", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        ordering = ["order", "received_on", "pk"]
        verbose_name = "返還金の収納"
        verbose_name_plural = "返還金の収納"

    def __str__(self) -> str:
        return f"収納 {self.amount:,}円（{self.received_on}）"


class RefundReminder(models.Model):
    """One overdue reminder per refund order and day (remind_refunds is idempotent)."""

    order = models.ForeignKey(
        RefundOrder, verbose_name="返還命令", on_delete=models.CASCADE, related_name="reminders"
    )
    sent_on = models.DateField("送信日")
    sent_at = models.DateTimeField("送信日時", auto_now_add=True)

    class Meta:
        ordering = ["order", "sent_on"]
        verbose_name = "返還の督促"
        verbose_name_plural = "返還の督促"
        constraints = [
            models.UniqueConstraint(fields=["order", "sent_on"], name="one_refund_reminder_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.order} 督促 {self.sent_on}"
