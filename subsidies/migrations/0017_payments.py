"""交付請求・支払・返還 (issue 15): payment requests, refund orders, receipts, reminders."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hospitals", "0007_addressees"),
        ("subsidies", "0016_withdrawals"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PaymentRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("advance", "概算払"), ("settlement", "精算払")],
                        max_length=20,
                        verbose_name="請求の種類",
                    ),
                ),
                (
                    "amount",
                    models.PositiveBigIntegerField(
                        validators=[django.core.validators.MaxValueValidator(10000000000)],
                        verbose_name="請求額（円）",
                    ),
                ),
                ("requested_on", models.DateField(verbose_name="請求日")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("requested", "支払待ち"),
                            ("returned", "差戻し"),
                            ("paid", "支払済み"),
                        ],
                        default="requested",
                        max_length=20,
                        verbose_name="状態",
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1, verbose_name="更新番号")),
                (
                    "return_reason",
                    models.TextField(blank=True, max_length=2000, verbose_name="差戻しの理由"),
                ),
                ("paid_on", models.DateField(blank=True, null=True, verbose_name="支払日")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="登録日時")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新日時")),
                (
                    "advance",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payment_request",
                        to="subsidies.advancepayment",
                        verbose_name="概算払の記録",
                    ),
                ),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payment_requests",
                        to="subsidies.application",
                        verbose_name="交付申請",
                    ),
                ),
                (
                    "confirmation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="subsidies.confirmation",
                        verbose_name="額の確定",
                    ),
                ),
                (
                    "designation",
                    models.ForeignKey(
                        blank=True,
                        help_text="概算払: 空欄は拠点への請求。精算払は申請全体で1件（空欄）。",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="hospitals.activehospitaldesignation",
                        verbose_name="積極的医療機関",
                    ),
                ),
                (
                    "handled_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="処理者",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="請求者",
                    ),
                ),
            ],
            options={
                "verbose_name": "交付請求",
                "verbose_name_plural": "交付請求",
                "ordering": ["application", "requested_on", "pk"],
            },
        ),
        migrations.CreateModel(
            name="RefundOrder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "cause",
                    models.CharField(
                        choices=[("confirmation", "額の確定"), ("withdrawal", "取下げ/中止・廃止")],
                        max_length=20,
                        verbose_name="返還の理由",
                    ),
                ),
                (
                    "notice_number",
                    models.CharField(max_length=40, unique=True, verbose_name="通知番号"),
                ),
                ("notice_date", models.DateField(verbose_name="通知日")),
                (
                    "amount",
                    models.PositiveBigIntegerField(
                        validators=[django.core.validators.MaxValueValidator(10000000000)],
                        verbose_name="返還額（円）",
                    ),
                ),
                ("due_date", models.DateField(verbose_name="納期限")),
                ("version", models.PositiveIntegerField(default=1, verbose_name="更新番号")),
                ("issued_at", models.DateTimeField(auto_now_add=True, verbose_name="発行日時")),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="refund_orders",
                        to="subsidies.application",
                        verbose_name="交付申請",
                    ),
                ),
                (
                    "confirmation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="subsidies.confirmation",
                        verbose_name="額の確定",
                    ),
                ),
                (
                    "issued_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="発行者",
                    ),
                ),
            ],
            options={
                "verbose_name": "返還命令",
                "verbose_name_plural": "返還命令",
                "ordering": ["application", "notice_date", "pk"],
            },
        ),
        migrations.CreateModel(
            name="RefundReceipt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("received_on", models.DateField(verbose_name="収納日")),
                (
                    "amount",
                    models.PositiveBigIntegerField(
                        validators=[django.core.validators.MaxValueValidator(10000000000)],
                        verbose_name="収納額（円）",
                    ),
                ),
                ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="登録日時")),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="receipts",
                        to="subsidies.refundorder",
                        verbose_name="返還命令",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="登録者",
                    ),
                ),
            ],
            options={
                "verbose_name": "返還金の収納",
                "verbose_name_plural": "返還金の収納",
                "ordering": ["order", "received_on", "pk"],
            },
        ),
        migrations.CreateModel(
            name="RefundReminder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sent_on", models.DateField(verbose_name="送信日")),
                ("sent_at", models.DateTimeField(auto_now_add=True, verbose_name="送信日時")),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reminders",
                        to="subsidies.refundorder",
                        verbose_name="返還命令",
                    ),
                ),
            ],
            options={
                "verbose_name": "返還の督促",
                "verbose_name_plural": "返還の督促",
                "ordering": ["order", "sent_on"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("order", "sent_on"), name="one_refund_reminder_a_day"
                    )
                ],
            },
        ),
    ]
