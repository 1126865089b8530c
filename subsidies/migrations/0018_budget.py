import django.core.validators
import django.db.models.deletion
import django.db.models.expressions
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("subsidies", "0017_payments"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Budget",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "total",
                    models.PositiveBigIntegerField(
                        validators=[django.core.validators.MaxValueValidator(10000000000)],
                        verbose_name="予算額（円）",
                    ),
                ),
                (
                    "hub_part",
                    models.PositiveBigIntegerField(
                        blank=True,
                        null=True,
                        validators=[django.core.validators.MaxValueValidator(10000000000)],
                        verbose_name="拠点分（円）",
                    ),
                ),
                (
                    "hospital_part",
                    models.PositiveBigIntegerField(
                        blank=True,
                        null=True,
                        validators=[django.core.validators.MaxValueValidator(10000000000)],
                        verbose_name="医療機関分（円）",
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1, verbose_name="版")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新日時")),
                (
                    "fiscal_year",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="budget",
                        to="subsidies.fiscalyear",
                        verbose_name="年度",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="更新した職員",
                    ),
                ),
            ],
            options={
                "verbose_name": "予算",
                "verbose_name_plural": "予算",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("hospital_part__isnull", True), ("hub_part__isnull", True)),
                            models.Q(
                                ("hospital_part__isnull", False),
                                ("hub_part__isnull", False),
                                (
                                    "total",
                                    django.db.models.expressions.CombinedExpression(
                                        models.F("hub_part"), "+", models.F("hospital_part")
                                    ),
                                ),
                            ),
                            _connector="OR",
                        ),
                        name="budget_parts_add_up",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="AllocationProposal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("part", models.CharField(max_length=10, verbose_name="予算の区分")),
                (
                    "method",
                    models.CharField(
                        choices=[
                            ("pro_rata", "調整率（按分）"),
                            ("tiers", "優先順位"),
                            ("ceiling", "1施設あたりの上限"),
                        ],
                        max_length=10,
                        verbose_name="配分の方法",
                    ),
                ),
                (
                    "given_ceiling",
                    models.PositiveBigIntegerField(
                        blank=True, null=True, verbose_name="指定した上限（円）"
                    ),
                ),
                ("available", models.PositiveBigIntegerField(verbose_name="配分できる額（円）")),
                ("rounding_unit", models.PositiveIntegerField(verbose_name="端数処理の単位（円）")),
                ("rate_numerator", models.PositiveBigIntegerField(blank=True, null=True)),
                ("rate_denominator", models.PositiveBigIntegerField(blank=True, null=True)),
                (
                    "ceiling",
                    models.PositiveBigIntegerField(
                        blank=True, null=True, verbose_name="上限（円）"
                    ),
                ),
                ("lines", models.JSONField(default=list, verbose_name="配分の内訳")),
                (
                    "inputs_digest",
                    models.CharField(max_length=64, verbose_name="入力の要約（SHA-256）"),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("proposed", "提案"),
                            ("accepted", "採用"),
                            ("replaced", "差替え済み"),
                        ],
                        default="proposed",
                        max_length=10,
                        verbose_name="状態",
                    ),
                ),
                ("version", models.PositiveIntegerField(default=1, verbose_name="版")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="作成日時")),
                (
                    "accepted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="採用日時"),
                ),
                (
                    "accepted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="採用した職員",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="作成者",
                    ),
                ),
                (
                    "fiscal_year",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="allocation_proposals",
                        to="subsidies.fiscalyear",
                        verbose_name="年度",
                    ),
                ),
            ],
            options={
                "verbose_name": "予算の配分案",
                "verbose_name_plural": "予算の配分案",
                "ordering": ["fiscal_year", "part", "-pk"],
            },
        ),
    ]
