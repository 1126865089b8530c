from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """Who did what, when, from what to what, and why. Services write one per action and
    per amount change; bulk operations write one per run (they bypass per-row signals)."""

    at = models.DateTimeField("日時", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField("操作", max_length=64)
    target_type = models.CharField("対象の種類", max_length=100)
    target_id = models.CharField("対象ID", max_length=64, blank=True)
    target_label = models.CharField("対象", max_length=255, blank=True)
    changes = models.JSONField("変更内容", default=dict, blank=True)
    reason = models.TextField("理由", blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name = "監査記録"
        verbose_name_plural = "監査記録"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"
