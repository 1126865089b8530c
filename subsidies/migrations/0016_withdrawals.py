import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("subsidies", "0015_approvals"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Withdrawal",
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
                        choices=[
                            ("before", "交付決定前の取下げ"),
                            ("after", "交付決定後の取下げ（取下げ届）"),
                            ("change", "変更承認申請の取下げ"),
                        ],
                        max_length=10,
                        verbose_name="種別",
                    ),
                ),
                ("reason", models.TextField(max_length=2000, verbose_name="取下げの理由")),
                ("withdrawn_on", models.DateField(verbose_name="取下げ日")),
                ("filed_at", models.DateTimeField(auto_now_add=True, verbose_name="届出日時")),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="withdrawals",
                        to="subsidies.application",
                        verbose_name="申請",
                    ),
                ),
                (
                    "filed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="届出者",
                    ),
                ),
                (
                    "lapsed_decision",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="withdrawals",
                        to="subsidies.decision",
                        verbose_name="効力を失った交付決定",
                    ),
                ),
            ],
            options={
                "verbose_name": "取下げ",
                "verbose_name_plural": "取下げ",
                "ordering": ["application", "filed_at"],
            },
        ),
        migrations.CreateModel(
            name="DiscontinuationRequest",
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
                        choices=[("suspend", "中止"), ("abolish", "廃止")],
                        max_length=10,
                        verbose_name="中止・廃止の別",
                    ),
                ),
                ("reason", models.TextField(max_length=2000, verbose_name="中止・廃止の理由")),
                ("effective_from", models.DateField(verbose_name="中止・廃止の日")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "審査中"),
                            ("approved", "承認"),
                            ("refused", "不承認"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="状態",
                    ),
                ),
                ("filed_at", models.DateTimeField(auto_now_add=True, verbose_name="申請日時")),
                (
                    "answered_on",
                    models.DateField(blank=True, null=True, verbose_name="承認・不承認の日"),
                ),
                (
                    "refusal_reason",
                    models.TextField(blank=True, max_length=2000, verbose_name="不承認の理由"),
                ),
                (
                    "notice_number",
                    models.CharField(blank=True, max_length=40, verbose_name="通知番号"),
                ),
                (
                    "answered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="承認・不承認をした職員",
                    ),
                ),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="discontinuations",
                        to="subsidies.application",
                        verbose_name="申請",
                    ),
                ),
                (
                    "decision",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="discontinuations",
                        to="subsidies.decision",
                        verbose_name="対象の交付決定",
                    ),
                ),
                (
                    "filed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="申請者",
                    ),
                ),
            ],
            options={
                "verbose_name": "中止・廃止承認申請",
                "verbose_name_plural": "中止・廃止承認申請",
                "ordering": ["application", "filed_at"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("state", "pending")),
                        fields=("application",),
                        name="one_pending_discontinuation",
                    )
                ],
            },
        ),
    ]
