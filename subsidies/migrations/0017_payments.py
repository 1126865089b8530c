from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0016_withdrawals")]

    operations = []
