"""The budget of a fiscal year: a total, optionally split into the part for hub menus
(拠点分) and the part for hospital menus (医療機関分), as seeds 000 and 004 treat them apart.

The total is also written to FiscalYear.budget_amount (the figure the what-if, the
dashboard and the summary read), so the two never disagree."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from zaitaku_portal import bounds


class Budget(models.Model):
    fiscal_year = models.OneToOneField(
        "subsidies.FiscalYear",
        verbose_name="年度",
        on_delete=models.PROTECT,
        related_name="budget",
    )
    total = models.PositiveBigIntegerField(
        "予算額（円）", validators=[MaxValueValidator(bounds.YEN_MAX)]
    )
    hub_part = models.PositiveBigIntegerField(
        "拠点分（円）", null=True, blank=True, validators=[MaxValueValidator(bounds.YEN_MAX)]
    )
    hospital_part = models.PositiveBigIntegerField(
        "医療機関分（円）", null=True, blank=True, validators=[MaxValueValidator(bounds.YEN_MAX)]
    )
    version = models.PositiveIntegerField("版", default=1)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="更新した職員",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "予算"
        verbose_name_plural = "予算"
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(hub_part__isnull=True, hospital_part__isnull=True)
                    | models.Q(
                        hub_part__isnull=False,
                        hospital_part__isnull=False,
                        total=models.F("hub_part") + models.F("hospital_part"),
                    )
                ),
                name="budget_parts_add_up",
            )
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} 予算"

    @property
    def is_split(self) -> bool:
        return self.hub_part is not None


class AllocationProposal(models.Model):
    """A proposal to share one budget part out (段階的な補助): the method, the inputs it
    was computed from and, per line, the proposed amount with the figures behind it. Kept
    once accepted: the decision pages pre-fill each line from it. Same inputs, same
    proposal (`inputs_digest`, subsidies/budget/services.py)."""

    class Method(models.TextChoices):
        PRO_RATA = "pro_rata", "調整率（按分）"
        TIERS = "tiers", "優先順位"
        CEILING = "ceiling", "1施設あたりの上限"

    class State(models.TextChoices):
        PROPOSED = "proposed", "提案"
        ACCEPTED = "accepted", "採用"
        REPLACED = "replaced", "差替え済み"

    fiscal_year = models.ForeignKey(
        "subsidies.FiscalYear",
        verbose_name="年度",
        on_delete=models.PROTECT,
        related_name="allocation_proposals",
    )
    part = models.CharField("予算の区分", max_length=10)  # "total", "hub" or "hospital"
    method = models.CharField("配分の方法", max_length=10, choices=Method.choices)
    given_ceiling = models.PositiveBigIntegerField("指定した上限（円）", null=True, blank=True)
    available = models.PositiveBigIntegerField("配分できる額（円）")
    rounding_unit = models.PositiveIntegerField("端数処理の単位（円）")
    rate_numerator = models.PositiveBigIntegerField(null=True, blank=True)
    rate_denominator = models.PositiveBigIntegerField(null=True, blank=True)
    ceiling = models.PositiveBigIntegerField("上限（円）", null=True, blank=True)
    lines = models.JSONField("配分の内訳", default=list)
    inputs_digest = models.CharField("入力の要約（SHA-256）", max_length=64)
    state = models.CharField("状態", max_length=10, choices=State.choices, default=State.PROPOSED)
    version = models.PositiveIntegerField("版", default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="作成者", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("作成日時", auto_now_add=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="採用した職員",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_at = models.DateTimeField("採用日時", null=True, blank=True)

    class Meta:
        ordering = ["fiscal_year", "part", "-pk"]
        verbose_name = "予算の配分案"
        verbose_name_plural = "予算の配分案"

    def __str__(self) -> str:
        return f"{self.fiscal_year} 配分案 第{self.pk}号"

    @property
    def part_label(self) -> str:
        return {"total": "予算額", "hub": "拠点分", "hospital": "医療機関分"}.get(self.part, "")
