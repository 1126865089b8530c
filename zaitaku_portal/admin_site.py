"""The admin site: Japanese titles, and Japanese names for the apps that ship without them
(django-axes, django-otp). Names only: the models themselves are not touched, so no
migration of a third-party app changes."""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect

THIRD_PARTY_NAMES = {
    "axes": (
        "ログイン試行の記録（django-axes）",
        {
            "AccessAttempt": "ログイン失敗の集計（ロック中の利用者を含む）",
            "AccessFailureLog": "ログイン失敗の記録",
            "AccessLog": "ログインの記録",
        },
    ),
    "otp_totp": ("二要素認証（認証アプリ）", {"TOTPDevice": "認証アプリの登録"}),
    "otp_static": ("二要素認証（回復コード）", {"StaticDevice": "回復コードの組"}),
}


class PortalAdminSite(AdminSite):
    site_header = "在宅医療連携拠点 補助事業ポータル 管理"
    site_title = "補助事業ポータル 管理"
    index_title = "マスタデータの管理"

    def get_app_list(self, request, app_label=None):
        apps = super().get_app_list(request, app_label)
        for app in apps:
            names = THIRD_PARTY_NAMES.get(app["app_label"])
            if names is None:
                continue
            app["name"], models = names
            for model in app["models"]:
                model["name"] = models.get(model["object_name"], model["name"])
        return apps

    def login(self, request, extra_context=None):
        """Django's admin login, which takes a password like the portal's: the same
        two-factor enrolment follows it."""
        # here, not at the top: INSTALLED_APPS imports this module before models can load
        from zaitaku_portal.two_factor import note_password_login

        response = super().login(request, extra_context)
        if request.method == "POST":
            note_password_login(request)
        return response

    def password_change(self, request, extra_context=None):
        """One page changes one's own password, the portal's, which writes the audit log."""
        return redirect("password_change")


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with the site above (INSTALLED_APPS names this class)."""

    default_site = "zaitaku_portal.admin_site.PortalAdminSite"
