# Owned by the storage helper (issue 16); empty until it adds its fields.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0011_not_carried_out")]

    operations = []
