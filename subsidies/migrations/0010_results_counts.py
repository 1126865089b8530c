# Caps follow what was done (issue 14): the months a placement actually ran.

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0009_catalogue_texts")]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="months",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="看護師等の配置など月額の上限のメニューで、実際に配置した月数",
                null=True,
                validators=[django.core.validators.MaxValueValidator(12)],
                verbose_name="配置した月数",
            ),
        ),
    ]
