"""The catalogue's records: the fiscal year and its calculation rule, requirement items,
expense categories and subsidy menus. Their choices are in subsidies/catalogue/choices.py."""

from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from subsidies.catalogue.choices import (
    CapRateOrder,
    CapUnit,
    CatalogueStatus,
    OncePerFacilityScope,
    OtherIncomeLevel,
    RecipientType,
    RoundingLevel,
)
from zaitaku_portal import bounds


class FiscalYear(models.Model):
    """年度 (April to March) with its catalogue and its calculation rule.

    The order of cap and rate and the rounding unit/level differ between prefectures and
    years (DOMAIN.md), so they are settings here, not constants in code."""

    CapRateOrder = CapRateOrder  # the calculation's own members (subsidies/catalogue/choices.py)
    RoundingLevel = RoundingLevel
    OtherIncomeLevel = OtherIncomeLevel
    CatalogueStatus = CatalogueStatus

    year = models.PositiveSmallIntegerField(
        "年度（西暦）",
        unique=True,
        validators=[MinValueValidator(bounds.YEAR_MIN), MaxValueValidator(bounds.YEAR_MAX)],
        help_text="令和6年度なら 2024",
    )
    catalogue_source = models.CharField(
        "補助メニューの出典", max_length=200, blank=True, help_text="例: 大阪府 令和6年度 資料3-1"
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
    other_income_level = models.CharField(
        "寄付金その他の収入額と比較する範囲",
        max_length=10,
        choices=OtherIncomeLevel.choices,
        default=OtherIncomeLevel.FACILITY,
        help_text="総事業費−寄付金その他の収入額（C）を施設ごとに比較するか、メニューごとに比較するか。",
    )
    # Form 4-② of the plan (subsidies/applications/hospital_counts.py); issue 18 ties it to
    # who applies for the hospital menus (the hub for its hospitals, or each hospital).
    # Issue 18: this one setting also says who applies for the hospital menus. "lines": the
    # hub gathers its hospitals' lines into its own plan (the hub is the grantee of them);
    # "counts": each active hospital is a grantee with its own application, decision,
    # notices, results and payments, and the hub's form 4-② only counts them per menu.
    hospital_plan_form = models.CharField(
        "積極的医療機関の補助の申請者（資料4-②の様式）",
        max_length=10,
        choices=[
            ("lines", "拠点がとりまとめて申請（資料4-②は医療機関ごとの行）"),
            (
                "counts",
                "医療機関ごとに申請（各医療機関が交付申請者。資料4-②はメニューごとの"
                "補助希望の医療機関数と取り組み事項）",
            ),
        ],
        default="lines",
    )
    catalogue_status = models.CharField(
        "補助メニューの状態",
        max_length=10,
        choices=CatalogueStatus.choices,
        default=CatalogueStatus.DRAFT,
        help_text="調整中の年度では交付決定ができません。",
    )
    catalogue_confirmed_at = models.DateTimeField(
        "補助メニューを確定した日時", null=True, blank=True, editable=False
    )
    catalogue_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="補助メニューを確定した職員",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    application_deadline = models.DateField("交付申請の締切", null=True, blank=True)
    results_deadline = models.DateField("実績報告の締切", null=True, blank=True)
    # --- 要綱 settings (the notices read them; frozen with the catalogue) ---------------
    subsidy_name = models.CharField(
        "事業名（補助金の名称）",
        max_length=100,
        blank=True,
        validators=[bounds.single_line],
        help_text="例: 在宅医療提供体制強化事業費補助金。空欄なら通知書は標準の名称を使います。",
    )
    guideline_name = models.CharField(
        "交付要綱の名称",
        max_length=150,
        blank=True,
        validators=[bounds.single_line],
        help_text="例: 沖縄県在宅医療提供体制強化事業費補助金交付要綱",
    )
    decision_form_number = models.CharField(
        "交付決定通知書の様式番号",
        max_length=30,
        blank=True,
        validators=[bounds.single_line],
        help_text="例: 様式第2号",
    )
    confirmation_form_number = models.CharField(
        "額の確定通知書の様式番号",
        max_length=30,
        blank=True,
        validators=[bounds.single_line],
        help_text="例: 様式第8号",
    )
    issuer_title = models.CharField(
        "発行者の職名",
        max_length=50,
        blank=True,
        validators=[bounds.single_line],
        help_text="例: 沖縄県知事。空欄なら既定の職名（PORTAL_GOVERNOR_TITLE）を使います。",
    )
    issuer_name = models.CharField(
        "発行者の氏名",
        max_length=50,
        blank=True,
        validators=[bounds.single_line],
        help_text="空欄なら既定の氏名（PORTAL_GOVERNOR_NAME）を使います。",
    )
    seal_line = models.CharField(
        "公印の表示",
        max_length=30,
        blank=True,
        validators=[bounds.single_line],
        help_text="例: （公印省略）。発行者名の下に印字します。空欄なら何も印字しません。",
    )
    # 公印: an image printed beside the issuer instead of the seal line (kept in the row, so
    # a frozen year re-prints the very bytes; checked by subsidies/catalogue/forms.py)
    seal_image = models.BinaryField("公印の画像", blank=True, default=b"", editable=False)
    seal_image_type = models.CharField(
        "公印の画像の形式", max_length=20, blank=True, editable=False
    )
    change_request_form_number = models.CharField(
        "変更承認申請書の様式番号",
        max_length=30,
        blank=True,
        validators=[bounds.single_line],
        help_text="例: 様式第3号",
    )
    withdrawal_form_number = models.CharField(
        "取下げ届の様式番号",
        max_length=30,
        blank=True,
        validators=[bounds.single_line],
        help_text="例: 様式第5号",
    )
    discontinuation_form_number = models.CharField(
        "中止・廃止承認申請書の様式番号",
        max_length=30,
        blank=True,
        validators=[bounds.single_line],
        help_text="例: 様式第6号",
    )
    discontinuation_approval_form_number = models.CharField(
        "中止・廃止承認通知書の様式番号",
        max_length=30,
        blank=True,
        validators=[bounds.single_line],
        help_text="例: 様式第7号",
    )
    decision_conditions_text = models.TextField(
        "交付の条件",
        blank=True,
        max_length=bounds.TEXT,
        help_text="1行に1つの条件。空欄なら標準の条件を印字します。",
    )
    notice_number_pattern = models.CharField(
        "通知番号の形式",
        max_length=40,
        blank=True,
        validators=[bounds.single_line],
        help_text="{n} の位置に連番が入ります。例: 8医政第{n}号",
    )
    withdrawal_days = models.PositiveSmallIntegerField(
        "交付決定後の取下げ期限（日）",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="交付決定通知を受けた日から起算した日数。",
    )
    refund_due_days = models.PositiveSmallIntegerField(
        "返還金の納期限（日）",
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="額の確定通知の日から返還金を納付するまでの日数。",
    )
    catalogue_frozen_at = models.DateTimeField(
        "上限額・補助率の固定日時",
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
    def hospitals_apply(self) -> bool:
        """Is each active hospital its own grantee this year (issue 18, setting (b))?"""
        return self.hospital_plan_form == "counts"

    @property
    def catalogue_frozen(self) -> bool:
        return self.catalogue_frozen_at is not None

    @property
    def catalogue_confirmed(self) -> bool:
        """確定: caps are final and decisions may use them (調整中 refuses decisions)."""
        return self.catalogue_status == CatalogueStatus.CONFIRMED

    def catalogue_state_label(self) -> str:
        """調整中 / 確定（令和8年4月1日、県 太郎）: the state as every catalogue view says it."""
        from zaitaku_portal.templatetags.ja_format import wareki

        if not self.catalogue_confirmed:
            return f"{CatalogueStatus.DRAFT.label}（上限額は確定前の案）"
        parts = []
        if self.catalogue_confirmed_at:
            parts.append(wareki(self.catalogue_confirmed_at))  # 令和8年4月1日 10:05 (JST)
        if self.catalogue_confirmed_by_id:
            parts.append(str(self.catalogue_confirmed_by))  # 氏名, else the user name
        else:
            parts.append("定義ファイルの読込により登録")
        suffix = f"（{'、'.join(parts)}）" if parts else ""
        return f"{CatalogueStatus.CONFIRMED.label}{suffix}"


class RequirementItem(models.Model):
    """求められる事項 of the national guideline: 5 for hubs, 6 for hospitals."""

    fiscal_year = models.ForeignKey(
        "subsidies.FiscalYear",
        verbose_name="年度",
        on_delete=models.CASCADE,
        related_name="requirement_items",
    )
    recipient_type = models.CharField("対象", max_length=10, choices=RecipientType.choices)
    number = models.PositiveSmallIntegerField(
        "番号", validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    title = models.CharField("項目", max_length=100)
    description = models.TextField("求められる事項", blank=True, max_length=bounds.TEXT)
    action_name = models.CharField(
        "取組（案）",
        max_length=200,
        blank=True,
        help_text="この年度に補助メニューがない事項（補助対象外）について、資料に書かれた取組名。",
    )
    action_examples = models.TextField(
        "取組（案）の例",
        blank=True,
        max_length=bounds.TEXT,
        help_text="補助対象外の事項について、資料に書かれた取組の例（1行に1つ）。",
    )

    class Meta:
        ordering = ["fiscal_year", "recipient_type", "number"]
        verbose_name = "求められる事項"
        verbose_name_plural = "求められる事項"
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "recipient_type", "number"],
                name="one_requirement_number_per_year",
                violation_error_message="同じ年度・対象で番号が重複しています。",
            )
        ]

    def __str__(self) -> str:
        circled = "①②③④⑤⑥⑦⑧⑨⑩"
        mark = circled[self.number - 1] if self.number <= len(circled) else str(self.number)
        return f"{mark} {self.title}"


class ExpenseCategory(models.Model):
    """対象経費の費目 (報償費, 旅費, 需用費 ...), shared by all years."""

    code = models.SlugField("コード", max_length=40, unique=True)
    name = models.CharField("費目", max_length=30, unique=True)
    display_order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        ordering = ["display_order", "pk"]
        verbose_name = "対象経費の費目"
        verbose_name_plural = "対象経費の費目"

    def __str__(self) -> str:
        return self.name


class SubsidyMenu(models.Model):
    """補助メニュー (補助事業区分): a fundable activity with its cap and rate."""

    CapUnit = CapUnit  # subsidies/catalogue/choices.py
    OncePerFacilityScope = OncePerFacilityScope

    CAP_FIELDS = ("cap_amount", "cap_unit", "max_units", "rate_numerator", "rate_denominator")

    fiscal_year = models.ForeignKey(
        "subsidies.FiscalYear", verbose_name="年度", on_delete=models.CASCADE, related_name="menus"
    )
    recipient_type = models.CharField("対象", max_length=10, choices=RecipientType.choices)
    code = models.SlugField("メニューコード", max_length=40)
    display_order = models.PositiveSmallIntegerField("表示順", default=0)
    name = models.CharField("補助メニュー", max_length=200)
    requirement_items = models.ManyToManyField(
        RequirementItem, verbose_name="対応する求められる事項", blank=True, related_name="menus"
    )
    examples = models.TextField(
        "取り組み例", blank=True, max_length=bounds.TEXT, help_text="資料の記載どおり、1行に1つ。"
    )
    promotion_items = models.JSONField(
        "関連する在宅医療・介護連携推進事業の項目",
        default=list,
        blank=True,
        help_text=(
            '（ア）〜（キ）のコードの一覧（例: ["a", "u"]）。市町村事業で行う取組は補助対象外です。'
        ),
    )
    promotion_examples = models.TextField(
        "各地区医師会での主な取り組み（推進事業・参考）",
        blank=True,
        max_length=bounds.TEXT,
        help_text="市町村の推進事業として既に行われている取組の例（1行に1つ）。",
    )
    expense_categories = models.ManyToManyField(
        ExpenseCategory, verbose_name="対象経費の費目", blank=True, related_name="menus"
    )
    expense_note = models.CharField("対象経費（記載どおり）", max_length=200, blank=True)
    cap_amount = models.PositiveBigIntegerField(
        "上限額（円）",
        null=True,
        blank=True,
        validators=[MaxValueValidator(bounds.YEN_MAX)],
        help_text="単位あたりの円。独自の上限がないメニューだけ空欄にします。",
    )
    cap_within_other_menus = models.BooleanField(
        "独自の上限なし（他のメニューの中で実施）",
        default=False,
        help_text="例: 大阪府 令和6年度 ③（上記①、②で対応）。上限額は空欄にします。",
    )
    cap_unit = models.CharField(
        "上限額の単位", max_length=30, choices=CapUnit.choices, default=CapUnit.PER_RECIPIENT
    )
    max_units = models.PositiveIntegerField(
        "単位数の上限",
        null=True,
        blank=True,
        validators=[MaxValueValidator(bounds.PEOPLE_MAX)],
        help_text="例: 月額の場合 12（か月）",
    )
    rate_numerator = models.PositiveSmallIntegerField(
        "補助率（分子）", default=1, validators=[MaxValueValidator(bounds.RATE_PART_MAX)]
    )
    rate_denominator = models.PositiveSmallIntegerField(
        "補助率（分母）",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(bounds.RATE_PART_MAX)],
    )
    once_per_facility_scope = models.CharField(
        "1回限りの読み方",
        max_length=10,
        choices=OncePerFacilityScope.choices,
        default=OncePerFacilityScope.EVER,
        help_text="上限額の単位が「1施設につき1回限り」のメニューにだけ使います。",
    )
    requires_beds = models.BooleanField(
        "入院機能（病床）を有する医療機関に限る",
        default=False,
        help_text="例: 病状変化時の受入態勢確保（入院機能を有する場合）",
    )
    targets_non_enhanced = models.BooleanField(
        "機能強化型でない医療機関が対象",
        default=False,
        help_text="例: 24時間体制の構築（機能強化型の要件を満たすことを目指す取組）",
    )
    note = models.TextField("備考", blank=True, max_length=bounds.TEXT)

    class Meta:
        ordering = ["fiscal_year", "recipient_type", "display_order", "pk"]
        verbose_name = "補助メニュー"
        verbose_name_plural = "補助メニュー"
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "code"],
                name="one_menu_code_per_year",
                violation_error_message="同じ年度でメニューコードが重複しています。",
            ),
            models.CheckConstraint(
                condition=models.Q(rate_numerator__lte=models.F("rate_denominator")),
                name="menu_rate_at_most_one",
                violation_error_message="補助率は1以下にしてください。",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Defence in depth: the admin form already refuses this with a message.
        if self.fiscal_year.catalogue_frozen and self.changed_cap_fields():
            raise ValidationError("交付決定に使われた年度の上限額・補助率は変更できません。")
        super().save(*args, **kwargs)

    @property
    def rate(self) -> Fraction:
        return Fraction(self.rate_numerator, self.rate_denominator)

    @property
    def rate_label(self) -> str:
        if self.rate_numerator == self.rate_denominator:
            return "10/10"
        return f"{self.rate_numerator}/{self.rate_denominator}"

    def clean(self) -> None:
        super().clean()
        if self.rate_numerator == 0:
            raise ValidationError({"rate_numerator": "補助率の分子は1以上にしてください。"})
        if self.rate_denominator and self.rate_numerator > self.rate_denominator:
            raise ValidationError({"rate_numerator": "補助率は1以下にしてください。"})
        self._check_promotion_items()
        if self.cap_within_other_menus and self.cap_amount is not None:
            raise ValidationError(
                {"cap_amount": "「独自の上限なし」のメニューでは上限額を空欄にしてください。"}
            )
        if self.cap_unit == self.CapUnit.PER_MONTH and not self.max_units:
            raise ValidationError({"max_units": "月額の上限には月数の上限を入力してください。"})
        changed = self.changed_cap_fields()
        if changed and self.fiscal_year_id and self.fiscal_year.catalogue_frozen:
            labels = "・".join(str(self._meta.get_field(name).verbose_name) for name in changed)
            raise ValidationError(
                f"{self.fiscal_year}の補助メニューは交付決定に使われたため、{labels}は変更できません。"
                "変更する場合は新しい年度を作成してください。"
            )

    def _check_promotion_items(self) -> None:
        from zaitaku_portal.promotion_items import PromotionItem

        codes = self.promotion_items
        if not isinstance(codes, list) or any(c not in PromotionItem.values for c in codes):
            allowed = "、".join(f"{i.value}={i.label}" for i in PromotionItem)
            raise ValidationError(
                {
                    "promotion_items": (
                        f"推進事業の項目はコードの一覧で入力してください（{allowed}）。"
                    )
                }
            )

    def changed_cap_fields(self) -> list[str]:
        if not self.pk:
            return list(self.CAP_FIELDS) if self.fiscal_year_id else []
        stored = type(self).objects.filter(pk=self.pk).values(*self.CAP_FIELDS).first()
        if stored is None:
            return []
        return [name for name in self.CAP_FIELDS if stored[name] != getattr(self, name)]

    def cap_label(self) -> str:
        """1,060千円 / 区割り, 42千円 / 受講者1人・半日 ... as the catalogues print them."""
        from zaitaku_portal.templatetags.ja_format import sen_yen

        if self.cap_amount is None:
            return (
                "独自の上限なし（他のメニューの中で実施）"
                if self.cap_within_other_menus
                else "未設定"
            )
        unit = {
            self.CapUnit.PER_RECIPIENT: "",
            self.CapUnit.PER_DISTRICT: "（区割りあたり）",
            self.CapUnit.PER_PERSON_HALF_DAY: "（受講者1人・半日あたり）",
            self.CapUnit.PER_MONTH: f"（月額、{self.max_units}か月まで）",
            self.CapUnit.ONCE_PER_FACILITY: "（1施設1回限り）",
        }[self.cap_unit]
        return f"{sen_yen(self.cap_amount)}{unit}"

    def missing_cap(self) -> bool:
        """A cap is needed unless the menu is done within other menus (Osaka ③)."""
        if self.cap_within_other_menus:
            return False
        return self.cap_amount is None or (
            self.cap_unit == self.CapUnit.PER_MONTH and not self.max_units
        )

    def example_lines(self) -> list[str]:
        return [line.strip() for line in self.examples.splitlines() if line.strip()]

    def promotion_example_lines(self) -> list[str]:
        return [line.strip() for line in self.promotion_examples.splitlines() if line.strip()]

    def promotion_item_labels(self) -> list[str]:
        from zaitaku_portal.promotion_items import promotion_item_labels

        return promotion_item_labels(self.promotion_items)

    def once_reading(self) -> str:
        """The 1回限り reading in words, for menus capped once per facility ('' otherwise)."""
        if self.cap_unit != self.CapUnit.ONCE_PER_FACILITY:
            return ""
        return OncePerFacilityScope(self.once_per_facility_scope).label

    def eligibility_notes(self) -> list[str]:
        notes = []
        if self.requires_beds:
            notes.append("入院機能（病床）を有する医療機関に限ります。")
        if self.targets_non_enhanced:
            notes.append(
                "機能強化型在宅療養支援診療所・病院でない医療機関が対象です"
                "（機能強化型の要件を満たすことを目指す取組）。"
            )
        return notes
