import zaitaku_portal.bounds
from django.db import migrations, models


class Migration(migrations.Migration):
    """Bounds on numbers and free text that fit the domain, and names on one line
    (security round 2, points 5, 6 and 10: zaitaku_portal/bounds.py)."""

    dependencies = [
        ('hubs', '0002_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='hub',
            name='address',
            field=models.CharField(blank=True, max_length=200, validators=[zaitaku_portal.bounds.single_line], verbose_name='所在地'),
        ),
        migrations.AlterField(
            model_name='hub',
            name='name',
            field=models.CharField(max_length=100, unique=True, validators=[zaitaku_portal.bounds.single_line], verbose_name='拠点名'),
        ),
        migrations.AlterField(
            model_name='hub',
            name='note',
            field=models.TextField(blank=True, max_length=2000, verbose_name='備考'),
        ),
        migrations.AlterField(
            model_name='hub',
            name='operator_name',
            field=models.CharField(max_length=100, validators=[zaitaku_portal.bounds.single_line], verbose_name='運営主体名'),
        ),
        migrations.AlterField(
            model_name='hub',
            name='phone',
            field=models.CharField(blank=True, max_length=20, validators=[zaitaku_portal.bounds.single_line], verbose_name='電話番号'),
        ),
        migrations.AlterField(
            model_name='hub',
            name='postal_code',
            field=models.CharField(blank=True, max_length=8, validators=[zaitaku_portal.bounds.single_line], verbose_name='郵便番号'),
        ),
        migrations.AlterField(
            model_name='hub',
            name='representative_name',
            field=models.CharField(blank=True, max_length=50, validators=[zaitaku_portal.bounds.single_line], verbose_name='代表者氏名'),
        ),
        migrations.AlterField(
            model_name='hub',
            name='representative_title',
            field=models.CharField(blank=True, max_length=50, validators=[zaitaku_portal.bounds.single_line], verbose_name='代表者職名'),
        ),
        migrations.AlterField(
            model_name='hubcoordinator',
            name='name',
            field=models.CharField(max_length=50, validators=[zaitaku_portal.bounds.single_line], verbose_name='氏名'),
        ),
    ]
