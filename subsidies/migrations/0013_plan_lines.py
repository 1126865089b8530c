# Owned by the plan helper (issue 14 / 22); empty until it adds its fields.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0012_files_in_storage")]

    operations = []
