from django.db import migrations, models


def refuse_duplicate_decision_numbers(apps, schema_editor):
    """Say which numbers to correct, rather than fail inside the constraint's DDL."""
    Decision = apps.get_model("subsidies", "Decision")
    duplicates = list(
        Decision.objects.values("notice_number")
        .annotate(count=models.Count("pk"))
        .filter(count__gt=1)
        .values_list("notice_number", flat=True)[:20]
    )
    if duplicates:
        raise RuntimeError(
            "交付決定の通知番号が重複しています。訂正してから移行してください: "
            + "、".join(duplicates)
        )


class Migration(migrations.Migration):
    """Notice numbers: database constraints (security round 2, point 3 and 9).

    A decision's notice number is unique over all decisions (a 変更交付決定 gets its own
    notice); Confirmation.notice_number was unique already."""

    dependencies = [
        ("subsidies", "0004_planned_meetings"),
    ]

    operations = [
        migrations.RunPython(refuse_duplicate_decision_numbers, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="decision",
            constraint=models.UniqueConstraint(
                fields=("notice_number",), name="one_decision_per_notice_number"
            ),
        ),
    ]
