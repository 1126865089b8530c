"""The area's own figures and tasks (seeds 000, 001, 003 §5(1)).

A profile is one place (a 在宅医療圏 or one of its municipalities) at one year of the
figures: population, ageing rate and the medical and welfare resources by kind and number.
The area's tasks are the actions its 医療計画（圏域編） writes down, their progress per fiscal
year, and the 在宅医療懇話会 it holds, often with the health center as secretariat."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from zaitaku_portal import bounds

ONE_LINE = [bounds.single_line]
POPULATION_MAX = 99_999_999
RESOURCE_MAX = 99_999
YEAR_MIN, YEAR_MAX = 1989, 2100


class ResourceKind(models.TextChoices):
    """The kinds the seeds name (000, 001, 003), medical first, then care and welfare."""

    HOSPITAL = "hospital", "病院"
    CLINIC = "clinic", "一般診療所"
    SUPPORT_HOSPITAL = "support_hospital", "在宅療養支援病院"
    BACKUP_HOSPITAL = "backup_hospital", "在宅療養後方支援病院"
    SUPPORT_CLINIC = "support_clinic", "在宅療養支援診療所"
    DENTAL_CLINIC = "dental_clinic", "歯科診療所"
    DENTAL_LIAISON = "dental_liaison", "在宅歯科医療連携室"
    PHARMACY = "pharmacy", "薬局（保険薬局）"
    VISITING_NURSE = "visiting_nurse", "訪問看護ステーション"
    CARE_PLANNING = "care_planning", "居宅介護支援事業所"
    COMMUNITY_SUPPORT = "community_support", "地域包括支援センター"
    DISABILITY_SUPPORT = "disability_support", "障害者相談支援事業所"


WELFARE_KINDS = frozenset(
    {ResourceKind.CARE_PLANNING, ResourceKind.COMMUNITY_SUPPORT, ResourceKind.DISABILITY_SUPPORT}
)


class AreaProfile(models.Model):
    """One place's figures for one year: the area itself (municipality empty) or one of its
    municipalities."""

    area = models.ForeignKey(
        "zaitaku_portal.HomeCareArea",
        verbose_name="在宅医療圏",
        on_delete=models.CASCADE,
        related_name="profiles",
    )
    municipality = models.ForeignKey(
        "zaitaku_portal.Municipality",
        verbose_name="市区町村",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="空欄は在宅医療圏全体の数値です。",
    )
    figure_year = models.PositiveSmallIntegerField(
        "数値の年（西暦）",
        validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)],
        help_text="人口・高齢化率・資源数がいつの数値か（例: 2024 = 令和6年）。",
    )
    population = models.PositiveIntegerField(
        "人口（人）", validators=[MaxValueValidator(POPULATION_MAX)]
    )
    ageing_rate = models.DecimalField(
        "高齢化率（％）",
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="65歳以上人口の割合。小数第1位まで。",
    )
    source = models.CharField("出典", max_length=200, blank=True, validators=ONE_LINE)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="更新者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["area", "-figure_year", "municipality__code"]
        verbose_name = "圏域の人口・資源"
        verbose_name_plural = "圏域の人口・資源"
        constraints = [
            models.UniqueConstraint(
                fields=["area", "municipality", "figure_year"],
                name="one_profile_per_place_and_year",
                violation_error_message="この場所・年の数値は既に登録されています。",
            ),
            models.UniqueConstraint(
                fields=["area", "figure_year"],
                condition=models.Q(municipality__isnull=True),
                name="one_area_profile_per_year",
                violation_error_message="この在宅医療圏・年の数値は既に登録されています。",
            ),
        ]

    def __str__(self) -> str:
        place = self.municipality.name if self.municipality_id else self.area.name
        return f"{place}（{self.figure_year}年）"

    @property
    def place_name(self) -> str:
        return self.municipality.name if self.municipality_id else f"{self.area.name}（圏域全体）"


class AreaResource(models.Model):
    """The number of one kind of resource in a profile's place (seed 003 §5(1)イ・ウ)."""

    profile = models.ForeignKey(
        AreaProfile, verbose_name="人口・資源", on_delete=models.CASCADE, related_name="resources"
    )
    kind = models.CharField("資源の種類", max_length=32, choices=ResourceKind.choices)
    count = models.PositiveIntegerField("数", validators=[MaxValueValidator(RESOURCE_MAX)])

    class Meta:
        ordering = ["profile", "kind"]
        verbose_name = "医療・福祉資源の数"
        verbose_name_plural = "医療・福祉資源の数"
        constraints = [
            models.UniqueConstraint(fields=["profile", "kind"], name="one_count_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.count}"


class PlanAction(models.Model):
    """An action the 医療計画（圏域編） writes for the area (seed 000: 取組の実施・進捗確認)."""

    area = models.ForeignKey(
        "zaitaku_portal.HomeCareArea",
        verbose_name="在宅医療圏",
        on_delete=models.CASCADE,
        related_name="plan_actions",
    )
    title = models.CharField("取組", max_length=200, validators=ONE_LINE)
    plan_reference = models.CharField(
        "医療計画（圏域編）の記載箇所", max_length=100, blank=True, validators=ONE_LINE
    )
    description = models.TextField("内容", blank=True, max_length=bounds.TEXT)
    display_order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        ordering = ["area", "display_order", "pk"]
        verbose_name = "医療計画（圏域編）の取組"
        verbose_name_plural = "医療計画（圏域編）の取組"

    def __str__(self) -> str:
        return self.title


class ActionProgress(models.Model):
    """How far one action came in one fiscal year."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "未着手"
        IN_PROGRESS = "in_progress", "実施中"
        DONE = "done", "達成"
        REVISED = "revised", "見直し"

    action = models.ForeignKey(
        PlanAction, verbose_name="取組", on_delete=models.CASCADE, related_name="progress"
    )
    fiscal_year = models.PositiveSmallIntegerField(
        "年度", validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(YEAR_MAX)]
    )
    status = models.CharField("進捗", max_length=16, choices=Status.choices)
    note = models.TextField("実施状況・課題", blank=True, max_length=bounds.TEXT)

    class Meta:
        ordering = ["action", "-fiscal_year"]
        verbose_name = "取組の進捗"
        verbose_name_plural = "取組の進捗"
        constraints = [
            models.UniqueConstraint(
                fields=["action", "fiscal_year"],
                name="one_progress_per_year",
                violation_error_message="この年度の進捗は既に登録されています。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.action}（{self.fiscal_year}年度）"


def council_minutes_path(instance, filename: str) -> str:
    return f"councils/{instance.area_id}/{filename}"


class HomeCareCouncil(models.Model):
    """A 在宅医療懇話会 the area holds (seed 000), with the health center as secretariat."""

    area = models.ForeignKey(
        "zaitaku_portal.HomeCareArea",
        verbose_name="在宅医療圏",
        on_delete=models.CASCADE,
        related_name="councils",
    )
    held_on = models.DateField("開催日")
    title = models.CharField("会議名", max_length=100, validators=ONE_LINE)
    secretariat = models.ForeignKey(
        "zaitaku_portal.HealthCenter",
        verbose_name="事務局（保健所）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="councils",
        help_text="保健所が事務局でない場合は空欄にし、下の欄に事務局名を書いてください。",
    )
    secretariat_other = models.CharField(
        "事務局（保健所以外）", max_length=100, blank=True, validators=ONE_LINE
    )
    agenda = models.TextField("議題", max_length=bounds.TEXT)
    minutes = models.FileField("議事録", upload_to=council_minutes_path, blank=True)
    minutes_name = models.CharField("議事録のファイル名", max_length=200, blank=True)
    minutes_size = models.PositiveIntegerField("議事録のサイズ（バイト）", default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登録者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["area", "-held_on", "-pk"]
        verbose_name = "在宅医療懇話会"
        verbose_name_plural = "在宅医療懇話会"

    def __str__(self) -> str:
        return f"{self.title}（{self.held_on:%Y-%m-%d}）"

    @property
    def secretariat_name(self) -> str:
        return str(self.secretariat) if self.secretariat_id else self.secretariat_other
