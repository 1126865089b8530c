"""Choosing and checking hubs: the candidate list of seed 001's タタキ台, and the municipal
在宅医療・介護連携推進事業 a hub's operator may also run (seed 001; seed 000's last paragraph:
what that program pays for is not eligible for this subsidy)."""

from django.conf import settings
from django.db import models

from zaitaku_portal import bounds
from zaitaku_portal.promotion_items import PromotionItem, promotion_item_labels

ONE_LINE = [bounds.single_line]


class HubCandidate(models.Model):
    """A candidate for an area's 連携の拠点, in seed 001's order ①②③."""

    class Tier(models.IntegerChoices):
        MUNICIPAL_DESK = 1, "① 市町村が在宅医療・介護連携推進事業により設置している相談窓口"
        ASSOCIATION = 2, "② 地域医師会、医療法人等関係団体"
        MUNICIPALITY = 3, "③ 市町村や市町村が委託している地域包括支援センター"

    class Outcome(models.TextChoices):
        CANDIDATE = "candidate", "候補"
        CONSULTING = "consulting", "協議中"
        SELECTED = "selected", "選定"
        DECLINED = "declined", "見送り"

    area = models.ForeignKey(
        "zaitaku_portal.HomeCareArea",
        verbose_name="在宅医療圏",
        on_delete=models.CASCADE,
        related_name="hub_candidates",
    )
    tier = models.PositiveSmallIntegerField("候補の区分", choices=Tier.choices)
    name = models.CharField("候補の名称", max_length=100, validators=ONE_LINE)
    municipality = models.ForeignKey(
        "zaitaku_portal.Municipality",
        verbose_name="市区町村",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    also_active_hospital = models.BooleanField(
        "積極的医療機関と同一",
        default=False,
        help_text="拠点は積極的医療機関と同一でもよい（seed 001 ①の注）。",
    )
    outcome = models.CharField(
        "検討状況", max_length=16, choices=Outcome.choices, default=Outcome.CANDIDATE
    )
    hub = models.ForeignKey(
        "hubs.Hub",
        verbose_name="選定後の拠点",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidacies",
    )
    note = models.TextField("備考", blank=True, max_length=bounds.SHORT_TEXT)

    class Meta:
        ordering = ["area", "tier", "name"]
        verbose_name = "連携の拠点の候補"
        verbose_name_plural = "連携の拠点の候補"

    def __str__(self) -> str:
        return f"{self.name}（{self.area}）"


class MunicipalProgramAgreement(models.Model):
    """A municipality the hub's operator agreed with (seed 001: 事前に市町村と十分に協議), and
    the 推進事業 items (ア〜キ) that municipality's program already does for the area."""

    hub = models.ForeignKey(
        "hubs.Hub",
        verbose_name="拠点",
        on_delete=models.CASCADE,
        related_name="program_agreements",
    )
    municipality = models.ForeignKey(
        "zaitaku_portal.Municipality",
        verbose_name="協議した市区町村",
        on_delete=models.PROTECT,
        related_name="+",
    )
    agreed_on = models.DateField("協議日", null=True, blank=True)
    program_items = models.JSONField(
        "推進事業として実施している項目",
        default=list,
        blank=True,
        help_text="この項目の取組は推進事業の費用で行うため、この補助金の対象外です。",
    )
    note = models.TextField("備考", blank=True, max_length=bounds.SHORT_TEXT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登録者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["hub", "municipality__code"]
        verbose_name = "市町村との協議（在宅医療・介護連携推進事業）"
        verbose_name_plural = "市町村との協議（在宅医療・介護連携推進事業）"
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "municipality"],
                name="one_agreement_per_municipality",
                violation_error_message="この市区町村との協議は既に登録されています。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.hub}・{self.municipality}"

    @property
    def item_labels(self) -> list[str]:
        return promotion_item_labels(self.program_items)


ITEM_CODES = frozenset(item.value for item in PromotionItem)
