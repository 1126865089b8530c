from django.conf import settings
from django.db import models

from zaitaku_portal import bounds


class ActiveHospitalDesignation(models.Model):
    """Designation of an institution as 積極的医療機関 for one home-care area.

    Rows are never deleted: removal sets an end date and who ended it, so the history
    answers 'who was active in a given fiscal year'."""

    class Status(models.TextChoices):
        """内諾: the hospital agreed to be positioned, not yet designated (seed 002 ※1). It
        counts toward an area's number of active hospitals as Osaka City counts it, and is
        shown apart; it is never planned for money (only 指定中 is)."""

        TENTATIVE = "tentative", "内諾"
        ACTIVE = "active", "指定中"
        ENDED = "ended", "指定終了"
        WITHDRAWN = "withdrawn", "内諾取下げ"

    class OtherProgram(models.TextChoices):
        """Seed 002 ※2: a hospital counted here that is registered under another program."""

        NONE = "", "（なし）"
        SEVERE_DISABILITY = (
            "severe_disability",
            "重症心身障がい児者医療コーディネート事業として登録",
        )
        OTHER = "other", "その他の事業として登録"

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
    agreed_on = models.DateField(
        "内諾日",
        null=True,
        blank=True,
        help_text="内諾の日。内諾のうちは指定開始日は予定日です。",
    )
    other_program = models.CharField(
        "他事業での登録", max_length=20, choices=OtherProgram.choices, default="", blank=True
    )
    note = models.TextField("備考", blank=True, max_length=bounds.SHORT_TEXT)

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
                condition=models.Q(status__in=["active", "tentative"]),
                name="one_active_designation_per_area",
                violation_error_message="この医療機関はこの在宅医療圏で既に指定中（または内諾）です。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution}（{self.area}）"

    @property
    def is_tentative(self) -> bool:
        return self.status == self.Status.TENTATIVE
