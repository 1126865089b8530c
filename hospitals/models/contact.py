from django.conf import settings
from django.db import models

from zaitaku_portal.bounds import single_line


class HospitalContact(models.Model):
    """積極的医療機関の担当者 (issue 18): a login that speaks for one institution. It sees that
    institution's own plan lines, applications, results and notices, nothing of another
    hospital or another hub (zaitaku_portal/scopes.py)."""

    institution = models.ForeignKey(
        "hospitals.MedicalInstitution",
        verbose_name="医療機関",
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ログインアカウント",
        on_delete=models.CASCADE,
        related_name="hospital_contacts",
    )
    name = models.CharField("氏名", max_length=50, validators=[single_line])
    department = models.CharField(
        "所属・職名", max_length=100, blank=True, validators=[single_line]
    )

    class Meta:
        ordering = ["institution", "name"]
        verbose_name = "積極的医療機関の担当者"
        verbose_name_plural = "積極的医療機関の担当者"
        constraints = [
            models.UniqueConstraint(fields=["institution", "user"], name="one_contact_row_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.institution}）"
