"""The admin site: Japanese titles, and Japanese names for the apps that ship without them
(django-axes, django-otp, django-tasks' database backend), field labels included.

How (docs: "The admin entirely in Japanese", issue 20): when the admin app is ready, every
model named in THIRD_PARTY_NAMES gets its Japanese app name (AppConfig.verbose_name), model
name (Meta.verbose_name and verbose_name_plural) and field labels (Field.verbose_name). Only
the display attributes change, never what a migration reads: the migration state is built
from Meta.original_attrs and Field.deconstruct(), which reads the label given in the model's
source (Field._verbose_name), so `makemigrations --check` finds nothing to do for those
apps. What is not an attribute of the model (help texts, fieldset titles, filter titles,
the labels of choices) is said in Japanese by the ModelAdmin subclasses of
zaitaku_portal/admin_third_party.py. tests/zaitaku_portal/test_admin_japanese.py walks every
admin page and fails on any English label left."""

from django.apps import apps
from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.utils import timezone

_ACCESS = {
    "user_agent": "ブラウザの種類",
    "ip_address": "接続元の IP アドレス",
    "username": "入力されたユーザー名",
    "http_accept": "ブラウザが受け付ける形式",
    "path_info": "ページのパス",
    "attempt_time": "日時",
}
_DEVICE = {
    "user": "利用者",
    "name": "名前",
    "confirmed": "登録済み",
    "throttling_failure_timestamp": "最後にコードを誤った日時",
    "throttling_failure_count": "続けてコードを誤った回数",
    "created_at": "登録日時",
    "last_used_at": "最後に使った日時",
}

# app label: (app name, {model: (name, {field: label})})
THIRD_PARTY_NAMES = {
    "axes": (
        "ログイン試行の記録（django-axes）",
        {
            "AccessAttempt": (
                "ログイン失敗の集計（ロック中の利用者を含む）",
                {
                    **_ACCESS,
                    "attempt_time": "最後に失敗した日時",
                    "get_data": "アドレスに付いていた値",
                    "post_data": "送信されたフォームの値",
                    "failures_since_start": "失敗の回数",
                },
            ),
            "AccessFailureLog": ("ログイン失敗の記録", {**_ACCESS, "locked_out": "ロックした"}),
            "AccessAttemptExpiration": (
                "ロックの期限",
                {"access_attempt": "ログイン失敗の集計", "expires_at": "期限"},
            ),
            "AccessLog": (
                "ログインの記録",
                {
                    **_ACCESS,
                    "username": "ユーザー名",
                    "attempt_time": "ログイン日時",
                    "logout_time": "ログアウト日時",
                    "session_hash": "セッションの識別値（ハッシュ）",
                },
            ),
        },
    ),
    "otp_totp": (
        "二要素認証（認証アプリ）",
        {
            "TOTPDevice": (
                "認証アプリの登録",
                {
                    **_DEVICE,
                    "key": "秘密鍵",
                    "step": "コードの切り替わる間隔（秒）",
                    "t0": "起点の時刻",
                    "digits": "コードの桁数",
                    "tolerance": "受け付ける前後のずれ（回）",
                    "drift": "時計のずれ（回）",
                    "last_t": "最後に使ったコードの時間帯",
                },
            )
        },
    ),
    "otp_static": (
        "二要素認証（回復コード）",
        {
            "StaticDevice": ("回復コードの組", _DEVICE),
            "StaticToken": ("回復コード", {"device": "回復コードの組", "token": "回復コード"}),
        },
    ),
    "django_tasks_database": (
        "バックグラウンド処理（帳票の一括作成・メール送信）",
        {
            "DBTaskResult": (
                "バックグラウンド処理の記録",
                {
                    "id": "ID",
                    "status": "状態",
                    "enqueued_at": "依頼日時",
                    "started_at": "開始日時",
                    "finished_at": "終了日時",
                    "args_kwargs": "処理に渡した値",
                    "priority": "優先度",
                    "task_path": "処理の種類（プログラム上の名前）",
                    "worker_ids": "処理したワーカー",
                    "queue_name": "待ち行列の名前",
                    "backend_name": "処理基盤の名前",
                    "run_after": "実行を待つ日時",
                    "return_value": "処理の結果",
                    "exception_class_path": "エラーの種類",
                    "traceback": "エラーの詳細",
                },
            )
        },
    ),
}


def _access_str(what: str):
    """An axes record as the admin's titles name it (axes says "Attempted Access: …")."""

    def text(self) -> str:
        return f"{self.username}の{what}（{timezone.localtime(self.attempt_time):%Y-%m-%d %H:%M}）"

    return text


# The models whose own __str__ is English (display only: no migration reads it)
THIRD_PARTY_STR = {
    "axes.AccessAttempt": _access_str("ログイン失敗"),
    "axes.AccessFailureLog": _access_str("ログイン失敗"),
    "axes.AccessLog": _access_str("ログイン"),
    "django_tasks_database.DBTaskResult": lambda self: (
        f"{timezone.localtime(self.enqueued_at):%Y-%m-%d %H:%M}の依頼"
    ),
}


def apply_japanese_names() -> None:
    """Put the Japanese names on the installed third-party apps, models and fields (display
    attributes only: see the module's docstring)."""
    for app_label, (app_name, models) in THIRD_PARTY_NAMES.items():
        try:
            config = apps.get_app_config(app_label)
        except LookupError:
            continue  # an app this deployment does not install
        config.verbose_name = app_name
        for model_name, (name, fields) in models.items():
            meta = config.get_model(model_name)._meta
            meta.verbose_name = meta.verbose_name_plural = name
            for field_name, label in fields.items():
                meta.get_field(field_name).verbose_name = label
    for label, method in THIRD_PARTY_STR.items():
        try:
            apps.get_model(label).__str__ = method
        except LookupError:
            continue


class PortalAdminSite(AdminSite):
    site_header = "在宅医療連携拠点 補助事業ポータル 管理"
    site_title = "補助事業ポータル 管理"
    index_title = "マスタデータの管理"

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

    def ready(self):
        apply_japanese_names()  # before autodiscover: admin checks read the labels too
        super().ready()
