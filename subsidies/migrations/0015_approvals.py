import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("subsidies", "0014_procedure_statuses"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Approval",
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
                            ("decision", "交付決定"),
                            ("change_decision", "変更交付決定"),
                            ("refusal", "不交付決定"),
                            ("change_refusal", "変更の不承認"),
                            ("confirmation", "額の確定"),
                            ("correction", "確定額の訂正"),
                        ],
                        max_length=20,
                        verbose_name="種別",
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "決裁待ち"),
                            ("approved", "決裁済み"),
                            ("sent_back", "差戻し"),
                        ],
                        default="pending",
                        max_length=20,
                        verbose_name="状態",
                    ),
                ),
                ("payload", models.JSONField(default=dict, verbose_name="起案の内容")),
                ("object_version", models.PositiveIntegerField(verbose_name="起案時の更新番号")),
                ("fingerprint", models.CharField(max_length=64, verbose_name="起案時の内容の指紋")),
                ("drafted_at", models.DateTimeField(auto_now_add=True, verbose_name="起案日時")),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="決裁日時"),
                ),
                ("reason", models.TextField(blank=True, verbose_name="差戻しの理由")),
                (
                    "notice_number",
                    models.CharField(blank=True, max_length=40, verbose_name="通知番号（不交付）"),
                ),
                (
                    "notice_date",
                    models.DateField(blank=True, null=True, verbose_name="通知日（不交付）"),
                ),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="approvals",
                        to="subsidies.application",
                        verbose_name="申請",
                    ),
                ),
                (
                    "confirmation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="subsidies.confirmation",
                        verbose_name="額の確定",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="decided_approvals",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="決裁者",
                    ),
                ),
                (
                    "decision",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="subsidies.decision",
                        verbose_name="交付決定",
                    ),
                ),
                (
                    "drafted_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="drafted_approvals",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="起案者",
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="approvals",
                        to="subsidies.resultreport",
                        verbose_name="実績報告",
                    ),
                ),
            ],
            options={
                "verbose_name": "起案",
                "verbose_name_plural": "起案",
                "ordering": ["-drafted_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("notice_number", ""), _negated=True),
                        fields=("notice_number",),
                        name="one_refusal_per_notice_number",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("report__isnull", True), ("state", "pending")),
                        fields=("application",),
                        name="one_pending_application_draft",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("report__isnull", False), ("state", "pending")),
                        fields=("report",),
                        name="one_pending_report_draft",
                    ),
                ],
            },
        ),
    ]
