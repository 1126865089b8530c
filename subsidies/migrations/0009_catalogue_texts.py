# Owned by the catalogue helper (issue 14); empty until it adds its fields.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0008_money_rules_settings")]

    operations = []
