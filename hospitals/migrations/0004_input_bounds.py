import django.core.validators
import zaitaku_portal.bounds
from django.db import migrations, models


class Migration(migrations.Migration):
    """Bounds on numbers and free text that fit the domain, and names on one line
    (security round 2, points 5, 6 and 10: zaitaku_portal/bounds.py)."""

    dependencies = [
        ('hospitals', '0003_registry_import_run'),
    ]

    operations = [
        migrations.AlterField(
            model_name='activehospitaldesignation',
            name='end_reason',
            field=models.TextField(blank=True, max_length=1000, verbose_name='終了理由'),
        ),
        migrations.AlterField(
            model_name='medicalinstitution',
            name='address',
            field=models.CharField(blank=True, max_length=200, validators=[zaitaku_portal.bounds.single_line], verbose_name='所在地'),
        ),
        migrations.AlterField(
            model_name='medicalinstitution',
            name='bed_count',
            field=models.PositiveIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(9999)], verbose_name='病床数'),
        ),
        migrations.AlterField(
            model_name='medicalinstitution',
            name='name',
            field=models.CharField(max_length=200, validators=[zaitaku_portal.bounds.single_line], verbose_name='医療機関名'),
        ),
        migrations.AlterField(
            model_name='medicalinstitution',
            name='phone',
            field=models.CharField(blank=True, max_length=20, validators=[zaitaku_portal.bounds.single_line], verbose_name='電話番号'),
        ),
        migrations.AlterField(
            model_name='medicalinstitution',
            name='postal_code',
            field=models.CharField(blank=True, max_length=8, validators=[zaitaku_portal.bounds.single_line], verbose_name='郵便番号'),
        ),
    ]
