# Owned by the area-and-registry helper (issue 22); empty until it adds its fields.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("zaitaku_portal", "0001_initial")]

    operations = []
