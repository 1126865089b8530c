from django.core.validators import RegexValidator
from django.db import models

four_digits = RegexValidator(r"^\d{4}$", "二次医療圏コードは半角数字4桁で入力してください。")
six_digits = RegexValidator(r"^\d{6}$", "市区町村コードは半角数字6桁で入力してください。")


class SecondaryMedicalArea(models.Model):
    """二次医療圏: the national planning unit, coded with 4 digits (prefecture + 2)."""

    code = models.CharField("二次医療圏コード", max_length=4, unique=True, validators=[four_digits])
    name = models.CharField("名称", max_length=50)

    class Meta:
        ordering = ["code"]
        verbose_name = "二次医療圏"
        verbose_name_plural = "二次医療圏"

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """市区町村, including the wards (区) of designated cities, which Osaka City counts by."""

    class Kind(models.TextChoices):
        CITY = "city", "市"
        TOWN = "town", "町"
        VILLAGE = "village", "村"
        WARD = "ward", "区（政令市の行政区）"

    code = models.CharField("市区町村コード", max_length=6, unique=True, validators=[six_digits])
    name = models.CharField("名称", max_length=50)
    kind = models.CharField("種別", max_length=10, choices=Kind.choices)
    secondary_area = models.ForeignKey(
        SecondaryMedicalArea,
        verbose_name="二次医療圏",
        on_delete=models.PROTECT,
        related_name="municipalities",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="所属する市（行政区の場合）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wards",
    )
    neighbours = models.ManyToManyField(
        "self", verbose_name="隣接市区町村", blank=True, symmetrical=True
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "市区町村"
        verbose_name_plural = "市区町村"

    def __str__(self) -> str:
        if self.parent_id:
            return f"{self.parent.name}{self.name}"
        return self.name


class HomeCareArea(models.Model):
    """在宅医療圏: where at least one hub and one active hospital must exist."""

    class Basis(models.TextChoices):
        SECONDARY = "secondary", "二次医療圏単位"
        MUNICIPALITY = "municipality", "市区町村単位"
        HEALTH_CENTER = "health_center", "保健所圏域単位"
        OTHER = "other", "その他"

    name = models.CharField("名称", max_length=50, unique=True)
    basis = models.CharField("設定の単位", max_length=20, choices=Basis.choices)
    secondary_area = models.ForeignKey(
        SecondaryMedicalArea,
        verbose_name="二次医療圏",
        on_delete=models.PROTECT,
        related_name="home_care_areas",
    )
    municipalities = models.ManyToManyField(
        Municipality, verbose_name="構成市区町村", related_name="home_care_areas"
    )
    display_order = models.PositiveSmallIntegerField("表示順", default=0)

    class Meta:
        ordering = ["display_order", "name"]
        verbose_name = "在宅医療圏"
        verbose_name_plural = "在宅医療圏"

    def __str__(self) -> str:
        return self.name


class HealthCenter(models.Model):
    """保健所: advises hubs and hospitals of its jurisdiction and watches their progress."""

    class Operator(models.TextChoices):
        PREFECTURE = "prefecture", "県型保健所"
        CITY = "city", "市型保健所（保健所設置市）"

    name = models.CharField("名称", max_length=50, unique=True)
    operator = models.CharField("設置主体", max_length=20, choices=Operator.choices)
    municipalities = models.ManyToManyField(
        Municipality, verbose_name="管轄市区町村", related_name="health_centers"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "保健所"
        verbose_name_plural = "保健所"

    def __str__(self) -> str:
        return self.name

    def area_ids(self) -> set[int]:
        """The home-care areas that overlap this health center's jurisdiction."""
        return set(
            HomeCareArea.objects.filter(municipalities__health_centers=self)
            .values_list("pk", flat=True)
            .distinct()
        )
