from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models

from hospitals.codes import code_format_problem, luhn_check_passes
from zaitaku_portal import bounds

ONE_LINE = [bounds.single_line]


def validate_institution_code(value: str) -> None:
    problem = code_format_problem(value)
    if problem:
        raise ValidationError(problem)


class MedicalInstitution(models.Model):
    """A hospital or clinic, as the health bureau's list and the prefecture know it."""

    class Kind(models.TextChoices):
        HOSPITAL = "hospital", "病院"
        CLINIC = "clinic", "診療所"

    class SupportTier(models.TextChoices):
        """受理記号 支援病/支援診 1・2・3 of the 施設基準 list."""

        NONE = "none", "届出なし"
        ENHANCED_SINGLE = "enhanced_single", "機能強化型（単独型）"
        ENHANCED_LINKED = "enhanced_linked", "機能強化型（連携型）"
        CONVENTIONAL = "conventional", "従来型"

    class LinkedSubtype(models.TextChoices):
        NONE = "", "—"
        A = "a", "２ア"
        I = "i", "２イ"  # noqa: E741

    code = models.CharField(
        "医療機関コード",
        max_length=10,
        unique=True,
        validators=[validate_institution_code],
        help_text="都道府県2桁＋点数表1桁＋郡市区2桁＋番号4桁＋検証番号1桁",
    )
    code_check_passed = models.BooleanField(
        "検証番号の照合",
        default=True,
        editable=False,
        help_text="検証番号がLuhn方式と一致しない場合は要確認として表示します。",
    )
    name = models.CharField("医療機関名", max_length=200, validators=ONE_LINE)
    kind = models.CharField("種別", max_length=10, choices=Kind.choices)
    operator_legal_name = models.CharField(
        "開設者の正式名称（通知の宛名）",
        max_length=100,
        blank=True,
        db_default="",  # the registry import COPYs named columns only (hospitals/registry)
        validators=ONE_LINE,
        help_text="例: 医療法人〇〇会。",
    )
    representative_title = models.CharField(
        "代表者職名",
        max_length=50,
        blank=True,
        db_default="",
        validators=ONE_LINE,
        help_text="例: 理事長",
    )
    representative_name = models.CharField(
        "代表者氏名", max_length=50, blank=True, db_default="", validators=ONE_LINE
    )
    postal_code = models.CharField("郵便番号", max_length=8, blank=True, validators=ONE_LINE)
    address = models.CharField("所在地", max_length=200, blank=True, validators=ONE_LINE)
    phone = models.CharField("電話番号", max_length=20, blank=True, validators=ONE_LINE)
    municipality = models.ForeignKey(
        "zaitaku_portal.Municipality",
        verbose_name="市区町村",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="institutions",
    )
    bed_count = models.PositiveIntegerField(
        "病床数", null=True, blank=True, validators=[MaxValueValidator(bounds.PEOPLE_MAX)]
    )
    beds_text = models.CharField("病床数（名簿の記載）", max_length=200, blank=True)
    support_tier = models.CharField(
        "在宅療養支援病院・診療所の区分",
        max_length=20,
        choices=SupportTier.choices,
        default=SupportTier.NONE,
    )
    linked_subtype = models.CharField(
        "連携型の細分（令和8年度〜）",
        max_length=1,
        choices=LinkedSubtype.choices,
        default=LinkedSubtype.NONE,
        blank=True,
    )
    is_backup_hospital = models.BooleanField("在宅療養後方支援病院", default=False)
    support_since = models.DateField("算定開始年月日", null=True, blank=True)
    listed_as_of = models.DateField("名簿の時点", null=True, blank=True)
    missing_from_latest_list = models.BooleanField(
        "最新の名簿に掲載なし", default=False, help_text="削除せず、要確認として表示します。"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "医療機関"
        verbose_name_plural = "医療機関"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.code_check_passed = not code_format_problem(self.code) and luhn_check_passes(self.code)
        super().save(*args, **kwargs)

    @property
    def addressee(self) -> dict[str, str]:
        """The addressee as the prefecture writes it (reports.notices.addressee_line):
        医療法人〇〇会　理事長　〇〇 〇〇　様; the institution's name when no 開設者 is set."""
        return {
            "addressee_organisation": self.operator_legal_name or self.name,
            "addressee_title": self.representative_title,
            "addressee_name": self.representative_name,
        }

    @property
    def support_label(self) -> str:
        """在支病（機能強化型（単独型））, 在支診（従来型）, or 届出なし."""
        if self.support_tier == self.SupportTier.NONE:
            return "届出なし"
        prefix = "在支病" if self.kind == self.Kind.HOSPITAL else "在支診"
        suffix = f"・{self.get_linked_subtype_display()}" if self.linked_subtype else ""
        return f"{prefix}（{self.get_support_tier_display()}{suffix}）"
