from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "subsidies"
    verbose_name = "補助事業（年度・補助メニュー）"

    def ready(self):
        # Plan lines follow the active hospitals' designations (hospitals/signals.py); the
        # hospitals app cannot import subsidies, which sits above it.
        from subsidies.applications import receivers

        receivers.connect()
