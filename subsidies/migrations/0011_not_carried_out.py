# The results report (issues 14 and 22): 未実施 menus, seed 003 §5's items,
# disaster equipment, receipts, §6's activity kinds and the accompanied-visit trainees.

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import subsidies.results.models


class Migration(migrations.Migration):
    dependencies = [
        ("subsidies", "0010_results_counts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="leader_training",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "（リーダー研修ではない）"),
                    ("prefectural", "都道府県リーダー研修"),
                    ("area", "地域リーダー研修"),
                ],
                max_length=20,
                verbose_name="リーダー研修",
            ),
        ),
        migrations.AddField(
            model_name="activity",
            name="outreach_target",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "（選択しない）"),
                    ("community_centre", "地域包括支援センター"),
                    ("care_office", "居宅介護支援事業所等"),
                    ("hospital_discharge", "医療機関（退院調整の支援）"),
                    ("welfare", "福祉機関等"),
                    ("dental", "在宅歯科医療連携室等"),
                    ("pharmacy", "拠点薬局"),
                    ("other", "その他"),
                ],
                max_length=30,
                verbose_name="アウトリーチの訪問先",
            ),
        ),
        migrations.AddField(
            model_name="activity",
            name="result",
            field=models.TextField(
                blank=True,
                max_length=4000,
                verbose_name="結果・成果・評価（アンケート結果・参加者の声・効果）",
            ),
        ),
        migrations.AddField(
            model_name="activity",
            name="trainee_type",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "（選択しない）"),
                    ("doctors", "医師"),
                    ("doctors_and_students", "医師及び医学生"),
                    ("other", "その他"),
                ],
                max_length=30,
                verbose_name="同行訪問研修の対象者",
            ),
        ),
        migrations.AddField(
            model_name="activity",
            name="training_role",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "（選択しない）"),
                    ("attended", "受講した"),
                    ("led", "講師・主催として実施した"),
                ],
                max_length=20,
                verbose_name="研修への関わり",
            ),
        ),
        migrations.AddField(
            model_name="activity",
            name="training_site",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "（選択しない）"),
                    ("active", "積極的医療機関"),
                    ("other", "その他の医療機関"),
                    ("both", "積極的医療機関とその他の医療機関の両方"),
                ],
                max_length=20,
                verbose_name="同行訪問研修の研修先",
            ),
        ),
        migrations.AddField(
            model_name="activity",
            name="with_administrators",
            field=models.BooleanField(
                default=False, verbose_name="行政担当官・関連施設の管理者が参加"
            ),
        ),
        migrations.AddField(
            model_name="resultexpense",
            name="not_carried_out",
            field=models.BooleanField(
                default=False,
                help_text="交付決定されたが実施しなかったメニュー（理由を記入し、経費は0円）",
                verbose_name="未実施",
            ),
        ),
        migrations.AddField(
            model_name="resultexpense",
            name="not_carried_out_reason",
            field=models.TextField(blank=True, max_length=1000, verbose_name="未実施の理由"),
        ),
        migrations.AddField(
            model_name="resultreport",
            name="awareness_summary",
            field=models.TextField(
                blank=True,
                max_length=4000,
                verbose_name="（3）エ 地域住民への普及啓発（対象・内容・効果・今後の課題）",
            ),
        ),
        migrations.AddField(
            model_name="resultreport",
            name="meeting_outcomes",
            field=models.TextField(
                blank=True,
                max_length=4000,
                verbose_name="（3）ア④ 会合による成果と評価（アンケート結果・参加者の声等）",
            ),
        ),
        migrations.AddField(
            model_name="resultreport",
            name="operator_history",
            field=models.TextField(
                blank=True, max_length=4000, verbose_name="（2）拠点を担った事業者の歴史（沿革）"
            ),
        ),
        migrations.AddField(
            model_name="resultreport",
            name="operator_staff_count",
            field=models.PositiveIntegerField(
                blank=True,
                null=True,
                validators=[django.core.validators.MaxValueValidator(9999)],
                verbose_name="拠点の職員数（人）",
            ),
        ),
        migrations.AddField(
            model_name="resultreport",
            name="outreach_summary",
            field=models.TextField(
                blank=True,
                max_length=4000,
                verbose_name="（3）ウ① アウトリーチ（課題・訪問先・活動・成果と評価）",
            ),
        ),
        migrations.AddField(
            model_name="resultreport",
            name="resource_optimisation",
            field=models.TextField(
                blank=True,
                max_length=4000,
                verbose_name="（3）ウ② 資源の最適化（不足する資源の代替資源の開拓・標準化ツールの導入・成果）",
            ),
        ),
        migrations.AddField(
            model_name="resultreport",
            name="workforce_development",
            field=models.TextField(
                blank=True, max_length=4000, verbose_name="（3）オ 人材育成（具体的な内容と効果）"
            ),
        ),
        migrations.AlterField(
            model_name="activity",
            name="kind",
            field=models.CharField(
                choices=[
                    ("meeting", "多職種連携会議"),
                    ("twenty_four_hour", "24時間体制の構築"),
                    ("information_sharing", "情報共有（ICT等）"),
                    ("outreach", "関係機関への訪問・調整"),
                    ("training", "研修"),
                    ("awareness", "普及啓発"),
                    ("accompanied_visit", "同行訪問研修"),
                    ("bcp", "BCPの策定・策定支援"),
                    ("equipment", "備品・非常用電源の整備"),
                    ("nurse_placement", "退院調整看護師等の新規配置"),
                    ("emergency_beds", "緊急一時入院ベッドの確保・レスパイトサービス"),
                    ("nurse_call_centre", "訪問看護のコールセンター"),
                    ("one_stop", "医療・介護のワンストップサービス"),
                    (
                        "support_other_institutions",
                        "他の医療機関の支援（医師不在時・夜間の診療支援）",
                    ),
                ],
                max_length=30,
                verbose_name="種別",
            ),
        ),
        migrations.AlterField(
            model_name="resultreport",
            name="area_overview",
            field=models.TextField(
                blank=True,
                max_length=4000,
                verbose_name="（1）地域の概要（人口・高齢化率・医療福祉資源の種類・規模・数）",
            ),
        ),
        migrations.AlterField(
            model_name="resultreport",
            name="coordinator_role",
            field=models.TextField(
                blank=True,
                max_length=4000,
                verbose_name="（4）コーディネーター（看護師等・医療ソーシャルワーカー）の役割",
            ),
        ),
        migrations.AlterField(
            model_name="resultreport",
            name="disaster_response",
            field=models.TextField(
                blank=True,
                max_length=4000,
                verbose_name="（3）カ 災害対応（災害発生時に備えた対応策の検討）",
            ),
        ),
        migrations.AlterField(
            model_name="resultreport",
            name="information_sharing",
            field=models.TextField(
                blank=True,
                max_length=4000,
                verbose_name="（3）イ② チーム医療のための情報共有（課題・方策・ツール・成果と評価）",
            ),
        ),
        migrations.AlterField(
            model_name="resultreport",
            name="issues_and_solutions",
            field=models.TextField(
                blank=True, max_length=4000, verbose_name="（3）ア③ 抽出された連携上の課題と解決策"
            ),
        ),
        migrations.AlterField(
            model_name="resultreport",
            name="operator_overview",
            field=models.TextField(
                blank=True, max_length=4000, verbose_name="（2）拠点を担った事業者の活動内容と体制"
            ),
        ),
        migrations.AlterField(
            model_name="resultreport",
            name="other_notes",
            field=models.TextField(
                blank=True, max_length=4000, verbose_name="（7）その他特筆すべき事項"
            ),
        ),
        migrations.AlterField(
            model_name="resultreport",
            name="problems",
            field=models.TextField(blank=True, max_length=4000, verbose_name="（6）課題や改善点"),
        ),
        migrations.AlterField(
            model_name="resultreport",
            name="twenty_four_hour_system",
            field=models.TextField(
                blank=True,
                max_length=4000,
                verbose_name="（3）イ① 24時間対応の体制構築（課題・支援体制・成果と評価）",
            ),
        ),
        migrations.AlterField(
            model_name="resultreport",
            name="usefulness",
            field=models.TextField(
                blank=True, max_length=4000, verbose_name="（5）連携拠点の有用性"
            ),
        ),
        migrations.CreateModel(
            name="DisasterEquipment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "item",
                    models.CharField(
                        choices=[
                            ("aed", "自動体外式除細動器（AED）"),
                            ("suction", "携帯用吸引器（足踏み式含む）"),
                            ("stretcher", "担架"),
                            ("resuscitation_bag", "蘇生バッグ"),
                            ("satellite_phone", "衛星電話"),
                            ("transceiver", "トランシーバー"),
                            ("radio_clock", "電波時計"),
                            ("portable_radio", "携帯ラジオ"),
                            ("other", "その他"),
                        ],
                        max_length=30,
                        verbose_name="備品",
                    ),
                ),
                (
                    "other_name",
                    models.CharField(
                        blank=True, max_length=100, verbose_name="備品名（その他の場合）"
                    ),
                ),
                (
                    "quantity",
                    models.PositiveIntegerField(
                        validators=[django.core.validators.MaxValueValidator(9999)],
                        verbose_name="数量",
                    ),
                ),
                (
                    "cost",
                    models.PositiveBigIntegerField(
                        validators=[django.core.validators.MaxValueValidator(10000000000)],
                        verbose_name="購入費（円）",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="登録日時")),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="equipment",
                        to="subsidies.resultreport",
                        verbose_name="実績報告",
                    ),
                ),
            ],
            options={
                "verbose_name": "災害時の備品",
                "verbose_name_plural": "災害時の備品",
                "ordering": ["report", "pk"],
            },
        ),
        migrations.CreateModel(
            name="ExpenseReceipt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        upload_to=subsidies.results.models.receipt_path, verbose_name="ファイル"
                    ),
                ),
                ("original_name", models.CharField(max_length=200, verbose_name="ファイル名")),
                ("size", models.PositiveBigIntegerField(verbose_name="サイズ（バイト）")),
                ("uploaded_at", models.DateTimeField(auto_now_add=True, verbose_name="登録日時")),
                (
                    "expense",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="receipts",
                        to="subsidies.resultexpense",
                        verbose_name="実支出額",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="登録者",
                    ),
                ),
            ],
            options={
                "verbose_name": "領収書等",
                "verbose_name_plural": "領収書等",
                "ordering": ["expense", "pk"],
            },
        ),
    ]
