from django.apps import AppConfig


class PortalConfig(AppConfig):
    """What every app shares: users and roles, geography, the audit log."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "zaitaku_portal"
    verbose_name = "共通（利用者・地域・監査記録）"

    def ready(self) -> None:
        from zaitaku_portal import figures, signals, unread  # noqa: F401 - the login audit

        figures.connect()  # cached figures follow every write (issue 21)
        unread.connect()  # the unread notices' count follows every notice written
