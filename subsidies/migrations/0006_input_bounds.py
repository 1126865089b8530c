import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    """Bounds on numbers and free text that fit the domain, and names on one line
    (security round 2, points 5, 6 and 10: zaitaku_portal/bounds.py)."""

    dependencies = [
        ('subsidies', '0005_notice_numbers'),
    ]

    operations = [
        migrations.AlterField(
            model_name='activity',
            name='amount',
            field=models.PositiveBigIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(10000000000)], verbose_name='金額（円）'),
        ),
        migrations.AlterField(
            model_name='activity',
            name='attendance',
            field=models.PositiveIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(9999)], verbose_name='参加者数'),
        ),
        migrations.AlterField(
            model_name='activity',
            name='count',
            field=models.PositiveIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(9999)], verbose_name='件数・人数'),
        ),
        migrations.AlterField(
            model_name='activity',
            name='description',
            field=models.TextField(blank=True, max_length=4000, verbose_name='内容'),
        ),
        migrations.AlterField(
            model_name='activity',
            name='half_days',
            field=models.PositiveIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(999)], verbose_name='半日数'),
        ),
        migrations.AlterField(
            model_name='activity',
            name='trainees',
            field=models.PositiveIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(9999)], verbose_name='受講者数'),
        ),
        migrations.AlterField(
            model_name='application',
            name='district_count',
            field=models.PositiveSmallIntegerField(default=1, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(99)], verbose_name='区割り数'),
        ),
        migrations.AlterField(
            model_name='application',
            name='district_policy',
            field=models.TextField(blank=True, max_length=1000, verbose_name='区割りの考え方'),
        ),
        migrations.AlterField(
            model_name='application',
            name='meeting_body_count',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(99)], verbose_name='会議体の数'),
        ),
        migrations.AlterField(
            model_name='application',
            name='meeting_members',
            field=models.TextField(blank=True, max_length=1000, verbose_name='会議体の構成員'),
        ),
        migrations.AlterField(
            model_name='application',
            name='other_actions',
            field=models.TextField(blank=True, max_length=2000, verbose_name='その他取り組み事項'),
        ),
        migrations.AlterField(
            model_name='application',
            name='planned_meetings',
            field=models.PositiveSmallIntegerField(blank=True, help_text='進捗ダッシュボードで開催回数と比べます（国の目安は年4回以上）。', null=True, validators=[django.core.validators.MaxValueValidator(99)], verbose_name='多職種連携会議の開催予定回数（年）'),
        ),
        migrations.AlterField(
            model_name='application',
            name='return_reason_text',
            field=models.TextField(blank=True, max_length=2000, verbose_name='差戻しの内容'),
        ),
        migrations.AlterField(
            model_name='applicationcomment',
            name='body',
            field=models.TextField(max_length=2000, verbose_name='内容'),
        ),
        migrations.AlterField(
            model_name='confirmation',
            name='reason',
            field=models.TextField(blank=True, max_length=2000, verbose_name='訂正の理由'),
        ),
        migrations.AlterField(
            model_name='decisionline',
            name='reason',
            field=models.TextField(blank=True, max_length=1000, verbose_name='減額の理由'),
        ),
        migrations.AlterField(
            model_name='fiscalyear',
            name='budget_amount',
            field=models.PositiveBigIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(10000000000)], verbose_name='予算額（円）'),
        ),
        migrations.AlterField(
            model_name='fiscalyear',
            name='rounding_unit',
            field=models.PositiveIntegerField(default=1000, help_text='この単位未満を切り捨てます（標準は1,000円）。', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(1000000)], verbose_name='端数処理の単位（円）'),
        ),
        migrations.AlterField(
            model_name='menuplan',
            name='half_days',
            field=models.PositiveIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(999)], verbose_name='半日数'),
        ),
        migrations.AlterField(
            model_name='menuplan',
            name='months',
            field=models.PositiveIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(12)], verbose_name='月数'),
        ),
        migrations.AlterField(
            model_name='menuplan',
            name='other_income',
            field=models.PositiveBigIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(10000000000)], verbose_name='寄付金その他の収入（円）'),
        ),
        migrations.AlterField(
            model_name='menuplan',
            name='planned_actions',
            field=models.TextField(blank=True, max_length=2000, verbose_name='取り組み事項'),
        ),
        migrations.AlterField(
            model_name='menuplan',
            name='start_year',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(2019), django.core.validators.MaxValueValidator(2100)], verbose_name='開始年度（西暦）'),
        ),
        migrations.AlterField(
            model_name='menuplan',
            name='trainees',
            field=models.PositiveIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(9999)], verbose_name='受講者数'),
        ),
        migrations.AlterField(
            model_name='requirementitem',
            name='description',
            field=models.TextField(blank=True, max_length=2000, verbose_name='求められる事項'),
        ),
        migrations.AlterField(
            model_name='requirementitem',
            name='number',
            field=models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(99)], verbose_name='番号'),
        ),
        migrations.AlterField(
            model_name='resultexpense',
            name='excluded_amount',
            field=models.PositiveBigIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(10000000000)], verbose_name='対象外とする額（円）'),
        ),
        migrations.AlterField(
            model_name='resultexpense',
            name='excluded_reason',
            field=models.TextField(blank=True, max_length=1000, verbose_name='対象外とする理由'),
        ),
        migrations.AlterField(
            model_name='resultexpense',
            name='other_income',
            field=models.PositiveBigIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(10000000000)], verbose_name='寄附金その他の収入額（円）'),
        ),
        migrations.AlterField(
            model_name='resultexpense',
            name='total_cost',
            field=models.PositiveBigIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(10000000000)], verbose_name='総事業費（円）'),
        ),
        migrations.AlterField(
            model_name='resultreport',
            name='area_overview',
            field=models.TextField(blank=True, max_length=4000, verbose_name='地域の概要（人口・高齢化率・医療福祉資源の種類と数）'),
        ),
        migrations.AlterField(
            model_name='resultreport',
            name='consultation_count',
            field=models.PositiveIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(99999)], verbose_name='相談件数'),
        ),
        migrations.AlterField(
            model_name='resultreport',
            name='consultation_hours_per_week',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(168)], verbose_name='相談窓口の開設時間（週あたり時間）'),
        ),
        migrations.AlterField(
            model_name='resultreport',
            name='coordinator_role',
            field=models.TextField(blank=True, max_length=4000, verbose_name='コーディネーターの役割'),
        ),
        migrations.AlterField(
            model_name='resultreport',
            name='disaster_response',
            field=models.TextField(blank=True, max_length=4000, verbose_name='災害時の対応の検討'),
        ),
        migrations.AlterField(
            model_name='resultreport',
            name='information_sharing',
            field=models.TextField(blank=True, max_length=4000, verbose_name='情報共有の方法・ツール（ICT等）'),
        ),
        migrations.AlterField(
            model_name='resultreport',
            name='issues_and_solutions',
            field=models.TextField(blank=True, max_length=4000, verbose_name='抽出された課題と解決策'),
        ),
        migrations.AlterField(
            model_name='resultreport',
            name='operator_overview',
            field=models.TextField(blank=True, max_length=4000, verbose_name='拠点の運営主体と体制'),
        ),
        migrations.AlterField(
            model_name='resultreport',
            name='other_notes',
            field=models.TextField(blank=True, max_length=4000, verbose_name='その他'),
        ),
        migrations.AlterField(
            model_name='resultreport',
            name='problems',
            field=models.TextField(blank=True, max_length=4000, verbose_name='事業実施上の問題点'),
        ),
        migrations.AlterField(
            model_name='resultreport',
            name='return_reason',
            field=models.TextField(blank=True, max_length=2000, verbose_name='差戻しの理由'),
        ),
        migrations.AlterField(
            model_name='resultreport',
            name='twenty_four_hour_system',
            field=models.TextField(blank=True, max_length=4000, verbose_name='24時間体制の構築の状況'),
        ),
        migrations.AlterField(
            model_name='resultreport',
            name='usefulness',
            field=models.TextField(blank=True, max_length=4000, verbose_name='連携拠点の有用性'),
        ),
        migrations.AlterField(
            model_name='subsidymenu',
            name='cap_amount',
            field=models.PositiveBigIntegerField(blank=True, help_text='単位あたりの円。空欄は独自の上限なし（他のメニューの中で実施）。', null=True, validators=[django.core.validators.MaxValueValidator(10000000000)], verbose_name='上限額（円）'),
        ),
        migrations.AlterField(
            model_name='subsidymenu',
            name='examples',
            field=models.TextField(blank=True, max_length=2000, verbose_name='取り組み例'),
        ),
        migrations.AlterField(
            model_name='subsidymenu',
            name='max_units',
            field=models.PositiveIntegerField(blank=True, help_text='例: 月額の場合 12（か月）', null=True, validators=[django.core.validators.MaxValueValidator(9999)], verbose_name='単位数の上限'),
        ),
        migrations.AlterField(
            model_name='subsidymenu',
            name='note',
            field=models.TextField(blank=True, max_length=2000, verbose_name='備考'),
        ),
        migrations.AlterField(
            model_name='subsidymenu',
            name='rate_denominator',
            field=models.PositiveSmallIntegerField(default=1, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100)], verbose_name='補助率（分母）'),
        ),
        migrations.AlterField(
            model_name='subsidymenu',
            name='rate_numerator',
            field=models.PositiveSmallIntegerField(default=1, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='補助率（分子）'),
        ),
    ]
