from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from zaitaku_portal import bounds


class FiscalYear(models.Model):
    """年度 (April to March) with its catalogue and its calculation rule.

    The order of cap and rate and the rounding unit/level differ between prefectures and
    years (DOMAIN.md), so they are settings here, not constants in code."""

    class CapRateOrder(models.TextChoices):
        CAP_THEN_RATE = "cap_then_rate", "基準額と比較してから補助率を乗じる（国の標準）"
        RATE_THEN_CAP = "rate_then_cap", "補助率を乗じてから基準額と比較する"

    class RoundingLevel(models.TextChoices):
        FACILITY = "facility", "施設ごとに端数処理（国の標準）"
        MENU = "menu", "補助メニューごとに端数処理"

    year = models.PositiveSmallIntegerField(
        "年度（西暦）",
        unique=True,
        validators=[MinValueValidator(bounds.YEAR_MIN), MaxValueValidator(bounds.YEAR_MAX)],
        help_text="令和6年度なら 2024",
    )
    catalogue_source = models.CharField(
        "補助メニューの出典", max_length=200, blank=True, help_text="例: 大阪府 令和6年度 資料3-1"
    )
    caps_provisional = models.BooleanField(
        "上限額は調整中", default=False, help_text="確定前の案（例: 沖縄県 令和8年度）"
    )
    budget_amount = models.PositiveBigIntegerField(
        "予算額（円）", null=True, blank=True, validators=[MaxValueValidator(bounds.YEN_MAX)]
    )
    cap_rate_order = models.CharField(
        "基準額と補助率の順序",
        max_length=20,
        choices=CapRateOrder.choices,
        default=CapRateOrder.CAP_THEN_RATE,
    )
    rounding_unit = models.PositiveIntegerField(
        "端数処理の単位（円）",
        default=1000,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
        help_text="この単位未満を切り捨てます（標準は1,000円）。",
    )
    rounding_level = models.CharField(
        "端数処理の単位となる範囲",
        max_length=10,
        choices=RoundingLevel.choices,
        default=RoundingLevel.FACILITY,
    )
    application_deadline = models.DateField("交付申請の締切", null=True, blank=True)
    results_deadline = models.DateField("実績報告の締切", null=True, blank=True)
    catalogue_frozen_at = models.DateTimeField(
        "補助メニュー確定日時",
        null=True,
        blank=True,
        editable=False,
        help_text="交付決定に使われた時点で記録され、以後は上限額・補助率を変更できません。",
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = "年度"
        verbose_name_plural = "年度"

    def __str__(self) -> str:
        from zaitaku_portal.wareki import fiscal_year_label

        if not isinstance(self.year, int) or not bounds.YEAR_MIN <= self.year <= bounds.YEAR_MAX:
            return f"{self.year}年度"  # an admin form re-shown with a year it refused
        return fiscal_year_label(self.year)

    @property
    def catalogue_frozen(self) -> bool:
        return self.catalogue_frozen_at is not None
