from django.conf import settings
from django.db import models

from zaitaku_portal import bounds


class Notification(models.Model):
    """One message in a user's list in the portal (お知らせ): what was just done that this
    user acts on next. Written with the e-mail of the same step
    (subsidies.shared.notifications.notify_users); read_at set when the user opens it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="宛先",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    subject = models.CharField("件名", max_length=200)
    body = models.TextField("本文", blank=True, max_length=bounds.TEXT)
    url = models.CharField("関連ページ", max_length=300, blank=True)
    created_at = models.DateTimeField("通知日時", auto_now_add=True)
    read_at = models.DateTimeField("既読日時", null=True, blank=True)

    class Meta:
        verbose_name = "お知らせ"
        verbose_name_plural = "お知らせ"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.subject
