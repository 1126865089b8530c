from django.conf import settings
from django.db import models

from zaitaku_portal import bounds


class ActiveHospitalDesignation(models.Model):
    """Designation of an institution as 積極的医療機関 for one home-care area.

    Rows are never deleted: removal sets an end date and who ended it, so the history
    answers 'who was active in a given fiscal year'."""

    class Status(models.TextChoices):
        ACTIVE = "active", "指定中"
        ENDED = "ended", "指定終了"

    institution = models.ForeignKey(
        "hospitals.MedicalInstitution",
        verbose_name="医療機関",
        on_delete=models.PROTECT,
        related_name="designations",
    )
    area = models.ForeignKey(
        "zaitaku_portal.HomeCareArea",
        verbose_name="在宅医療圏",
        on_delete=models.PROTECT,
        related_name="designations",
    )
    hub = models.ForeignKey(
        "hubs.Hub",
        verbose_name="連携する拠点",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="designations",
    )
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    start_date = models.DateField("指定開始日")
    end_date = models.DateField("指定終了日", null=True, blank=True)
    designated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="指定した職員",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    designated_at = models.DateTimeField("登録日時", auto_now_add=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="終了した職員",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    end_reason = models.TextField("終了理由", blank=True, max_length=bounds.SHORT_TEXT)

    class Meta:
        ordering = ["area", "institution"]
        verbose_name = "積極的医療機関の指定"
        verbose_name_plural = "積極的医療機関の指定"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="designation_period_ordered",
                violation_error_message="指定終了日は指定開始日以降の日付にしてください。",
            ),
            models.UniqueConstraint(
                fields=["institution", "area"],
                condition=models.Q(status="active"),
                name="one_active_designation_per_area",
                violation_error_message="この医療機関はこの在宅医療圏で既に指定中です。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution}（{self.area}）"
