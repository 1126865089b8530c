from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0018_budget")]

    operations = []
