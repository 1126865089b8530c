"""医療提供施設等グループ化の現状 (seed 001, R5.2.1現在): groups of cooperating hospitals,
clinics and visiting-nurse stations in an area, as of a date. A member is a registered
institution, or a name for one the register does not hold (a visiting-nurse station)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from zaitaku_portal import bounds

ONE_LINE = [bounds.single_line]


class FacilityGroup(models.Model):
    area = models.ForeignKey(
        "zaitaku_portal.HomeCareArea",
        verbose_name="在宅医療圏",
        on_delete=models.CASCADE,
        related_name="facility_groups",
    )
    name = models.CharField("グループ名", max_length=100, validators=ONE_LINE)
    as_of = models.DateField("時点")
    note = models.TextField("連携の内容・備考", blank=True, max_length=bounds.SHORT_TEXT)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="更新者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["area", "name"]
        verbose_name = "医療提供施設等のグループ"
        verbose_name_plural = "医療提供施設等のグループ"

    def __str__(self) -> str:
        return self.name


class FacilityGroupMember(models.Model):
    class Kind(models.TextChoices):
        HOSPITAL = "hospital", "病院"
        CLINIC = "clinic", "診療所"
        VISITING_NURSE = "visiting_nurse", "訪問看護ステーション"
        OTHER = "other", "その他"

    group = models.ForeignKey(
        FacilityGroup, verbose_name="グループ", on_delete=models.CASCADE, related_name="members"
    )
    institution = models.ForeignKey(
        "hospitals.MedicalInstitution",
        verbose_name="登録済みの医療機関",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_memberships",
    )
    name = models.CharField(
        "名称（名簿にない施設）", max_length=200, blank=True, validators=ONE_LINE
    )
    kind = models.CharField("種別", max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["group", "kind", "pk"]
        verbose_name = "グループの構成施設"
        verbose_name_plural = "グループの構成施設"
        constraints = [
            models.CheckConstraint(
                condition=Q(institution__isnull=False) | ~Q(name=""),
                name="group_member_named",
                violation_error_message="医療機関を選ぶか、名称を入力してください。",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.institution.name if self.institution_id else self.name
