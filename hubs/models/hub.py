from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from zaitaku_portal import bounds

ONE_LINE = [bounds.single_line]


class Hub(models.Model):
    """連携の拠点: the body that coordinates home care in one or more home-care areas."""

    class OperatorType(models.TextChoices):
        MUNICIPALITY = "municipality", "市町村"
        MEDICAL_ASSOCIATION = "medical_association", "郡市区医師会"
        HOSPITAL = "hospital", "病院"
        CLINIC = "clinic", "診療所"
        VISITING_NURSE = "visiting_nurse", "訪問看護ステーション"
        HEALTH_CENTER = "health_center", "保健所"
        COMMUNITY_SUPPORT = "community_support", "地域包括支援センター"
        OTHER = "other", "その他"

    name = models.CharField("拠点名", max_length=100, unique=True, validators=ONE_LINE)
    operator_type = models.CharField("運営主体の種別", max_length=32, choices=OperatorType.choices)
    operator_name = models.CharField("運営主体名", max_length=100, validators=ONE_LINE)
    operator_legal_name = models.CharField(
        "運営主体の正式名称（通知の宛名）",
        max_length=100,
        blank=True,
        validators=ONE_LINE,
        help_text="例: 一般社団法人北部地区医師会、石垣市。空欄なら運営主体名を使います。",
    )
    representative_title = models.CharField(
        "代表者職名",
        max_length=50,
        blank=True,
        validators=ONE_LINE,
        help_text="例: 会長、市長（市町村は「石垣市長」のように団体名と続けて印字します）。",
    )
    representative_name = models.CharField(
        "代表者氏名", max_length=50, blank=True, validators=ONE_LINE
    )
    postal_code = models.CharField("郵便番号", max_length=8, blank=True, validators=ONE_LINE)
    address = models.CharField("所在地", max_length=200, blank=True, validators=ONE_LINE)
    phone = models.CharField("電話番号", max_length=20, blank=True, validators=ONE_LINE)
    email = models.EmailField("連絡先メール", blank=True)
    areas = models.ManyToManyField(
        "zaitaku_portal.HomeCareArea", verbose_name="担当する在宅医療圏", related_name="hubs"
    )
    district_count = models.PositiveSmallIntegerField(
        "区割り数",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(bounds.DISTRICTS_MAX)],
        help_text="会議体を置く区割りの数。区割り単位の上限額（基本額×区割り数）に使います。",
    )
    desk_hours_per_week = models.PositiveSmallIntegerField(
        "相談窓口の週あたり開設時間",
        default=0,
        validators=[MaxValueValidator(bounds.HOURS_PER_WEEK_MAX)],
    )
    designated_from = models.DateField("指定開始日")
    designated_until = models.DateField("指定終了日", null=True, blank=True)
    note = models.TextField("備考", blank=True, max_length=bounds.TEXT)
    runs_municipal_program = models.BooleanField(
        "運営主体が市町村の在宅医療・介護連携推進事業も実施",
        default=False,
        help_text="実施している場合、推進事業として行う取組はこの補助金の対象外です（資料3-1）。",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "連携の拠点"
        verbose_name_plural = "連携の拠点"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(designated_until__isnull=True)
                | models.Q(designated_until__gte=models.F("designated_from")),
                name="hub_designation_period_ordered",
                violation_error_message="指定終了日は指定開始日以降の日付にしてください。",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def addressee(self) -> dict[str, str]:
        """The notice's addressee as the prefecture writes it (reports.notices.addressee_line
        joins them: 一般社団法人〇〇医師会　会長　〇〇 〇〇　様, 石垣市長　〇〇 〇〇　様)."""
        return {
            "addressee_organisation": self.operator_legal_name or self.operator_name,
            "addressee_title": self.representative_title,
            "addressee_name": self.representative_name,
        }

    @property
    def desk_hours_band(self) -> str:
        """Osaka City's grouping of consultation-desk hours (seed 002)."""
        hours = self.desk_hours_per_week
        if hours >= 20:
            return "20時間以上"
        if hours >= 10:
            return "10〜19時間"
        if hours >= 1:
            return "1〜9時間"
        return "開設なし"
