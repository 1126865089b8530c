from django.db import migrations


class Migration(migrations.Migration):
    """Notice numbers: database constraints (security round 2, point 3 and 9)."""

    dependencies = [
        ("subsidies", "0004_planned_meetings"),
    ]

    operations = []
