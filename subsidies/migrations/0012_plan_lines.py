# その他取り組み事項 with their own start years (issue 22, seed 004): for the hub (様式4-①)
# and for the area's active hospitals (様式4-②).

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0011_not_carried_out")]

    operations = [
        migrations.AddField(
            model_name="application",
            name="other_actions_start_year",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(2019),
                    django.core.validators.MaxValueValidator(2100),
                ],
                verbose_name="その他取り組み事項の開始年度（西暦）",
            ),
        ),
        migrations.AddField(
            model_name="application",
            name="hospital_other_actions",
            field=models.TextField(
                blank=True, max_length=2000, verbose_name="積極的医療機関のその他取り組み事項"
            ),
        ),
        migrations.AddField(
            model_name="application",
            name="hospital_other_actions_start_year",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(2019),
                    django.core.validators.MaxValueValidator(2100),
                ],
                verbose_name="積極的医療機関のその他取り組み事項の開始年度（西暦）",
            ),
        ),
    ]
