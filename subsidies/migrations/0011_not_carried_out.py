# Owned by the plan-and-results helper (issue 14); empty until it adds its fields.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0010_results_counts")]

    operations = []
