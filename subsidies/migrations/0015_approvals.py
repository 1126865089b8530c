from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0014_procedure_statuses")]

    operations = []
