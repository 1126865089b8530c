# Owned by the storage-and-proxy helper (issue 16); empty until it adds its fields.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("zaitaku_portal", "0002_area_records")]

    operations = []
