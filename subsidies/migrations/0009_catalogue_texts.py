# The catalogue as the seeds write it (issue 14): 推進事業 items
# and their examples per menu, 補助対象外 actions, 独自の上限なし; caps_provisional replaced by
# catalogue_status (0008 carried its value over).

import django.core.validators
from django.db import migrations, models


def null_caps_were_within_other_menus(apps, schema_editor):
    """Until now an empty cap meant 独自の上限なし (done within other menus): say so."""
    SubsidyMenu = apps.get_model("subsidies", "SubsidyMenu")
    SubsidyMenu.objects.filter(cap_amount__isnull=True).update(cap_within_other_menus=True)


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0008_money_rules_settings")]

    operations = [
        migrations.RemoveField(model_name="fiscalyear", name="caps_provisional"),
        migrations.AddField(
            model_name="requirementitem",
            name="action_examples",
            field=models.TextField(
                blank=True,
                help_text="補助対象外の事項について、資料に書かれた取組の例（1行に1つ）。",
                max_length=2000,
                verbose_name="取組（案）の例",
            ),
        ),
        migrations.AddField(
            model_name="requirementitem",
            name="action_name",
            field=models.CharField(
                blank=True,
                help_text="この年度に補助メニューがない事項（補助対象外）について、資料に書かれた取組名。",
                max_length=200,
                verbose_name="取組（案）",
            ),
        ),
        migrations.AddField(
            model_name="subsidymenu",
            name="cap_within_other_menus",
            field=models.BooleanField(
                default=False,
                help_text="例: 大阪府 令和6年度 ③（上記①、②で対応）。上限額は空欄にします。",
                verbose_name="独自の上限なし（他のメニューの中で実施）",
            ),
        ),
        migrations.AddField(
            model_name="subsidymenu",
            name="promotion_examples",
            field=models.TextField(
                blank=True,
                help_text="市町村の推進事業として既に行われている取組の例（1行に1つ）。",
                max_length=2000,
                verbose_name="各地区医師会での主な取り組み（推進事業・参考）",
            ),
        ),
        migrations.AddField(
            model_name="subsidymenu",
            name="promotion_items",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text=(
                    '（ア）〜（キ）のコードの一覧（例: ["a", "u"]）。'
                    "市町村事業で行う取組は補助対象外です。"
                ),
                verbose_name="関連する在宅医療・介護連携推進事業の項目",
            ),
        ),
        migrations.AlterField(
            model_name="fiscalyear",
            name="catalogue_frozen_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="交付決定に使われた時点で記録され、以後は上限額・補助率を変更できません。",
                null=True,
                verbose_name="上限額・補助率の固定日時",
            ),
        ),
        migrations.AlterField(
            model_name="subsidymenu",
            name="cap_amount",
            field=models.PositiveBigIntegerField(
                blank=True,
                help_text="単位あたりの円。独自の上限がないメニューだけ空欄にします。",
                null=True,
                validators=[django.core.validators.MaxValueValidator(10000000000)],
                verbose_name="上限額（円）",
            ),
        ),
        migrations.AlterField(
            model_name="subsidymenu",
            name="examples",
            field=models.TextField(
                blank=True,
                help_text="資料の記載どおり、1行に1つ。",
                max_length=2000,
                verbose_name="取り組み例",
            ),
        ),
        migrations.RunPython(null_caps_were_within_other_menus, migrations.RunPython.noop),
    ]
