from django.conf import settings
from django.db import models

from zaitaku_portal.bounds import single_line


class HubCoordinator(models.Model):
    """拠点コーディネーター. A coordinator with a login sees this hub (and its hospitals)."""

    class Qualification(models.TextChoices):
        A = "a", "（ア）医療に関する国家資格（保健師・看護師等）と相談等の実務経験"
        I = "i", "（イ）医療ソーシャルワーカーとしての実務経験1年以上"  # noqa: E741
        U = "u", "（ウ）介護支援専門員等で保健福祉の相談の実務経験1年以上"
        E = "e", "（エ）関係機関・関係職種との連携調整の実務経験3年以上"

    hub = models.ForeignKey(
        "hubs.Hub", verbose_name="拠点", on_delete=models.CASCADE, related_name="coordinators"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ログインアカウント",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coordinator_roles",
    )
    name = models.CharField("氏名", max_length=50, validators=[single_line])
    qualification = models.CharField("資格要件", max_length=1, choices=Qualification.choices)
    since = models.DateField("配置日", null=True, blank=True)

    class Meta:
        ordering = ["hub", "name"]
        verbose_name = "拠点コーディネーター"
        verbose_name_plural = "拠点コーディネーター"
        constraints = [
            models.UniqueConstraint(fields=["hub", "user"], name="one_coordinator_row_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.hub}）"
