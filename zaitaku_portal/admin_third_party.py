"""The admin pages of django-axes, django-otp and django-tasks' database backend, in Japanese.

The apps' models get their Japanese names and field labels in zaitaku_portal/admin_site.py;
what those apps say in their ModelAdmin (fieldset titles, filter and column titles, help
texts of the model fields, the labels of a status, the search hint) is said here, by
subclasses that change nothing else. The otp admins are extended further in admin.py."""

from axes import admin as axes_admin
from axes.conf import settings as axes_settings
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.utils.html import format_html
from django_tasks.base import TaskResultStatus
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

FIELDSET_TITLES = {
    "Identity": "登録の内容",
    "Timestamps": "日時",
    "Configuration": "設定",
    "State": "状態",
    "Throttling": "誤ったコードの記録",
    "Form Data": "送信された内容",
    "Meta Data": "接続の情報",
}
DEVICE_HELP = {
    "user": "この端末（認証アプリ・回復コード）の持ち主です。",
    "name": "持ち主が付けた端末の名前です。",
    "confirmed": "登録が済み、ログインに使える状態かどうかです。",
    "throttling_failure_timestamp": "最後にコードを誤った日時です。",
    "throttling_failure_count": "続けてコードを誤った回数です。",
    "created_at": "端末を登録した日時です。",
    "last_used_at": "最後にこの端末でログインした日時です。",
}
TOTP_HELP = {
    **DEVICE_HELP,
    "key": "認証アプリと共有する秘密鍵です（表示しません）。",
    "step": "コードが切り替わる間隔（秒）です。",
    "t0": "コードの時間帯を数え始める時刻（UNIX 時刻）です。",
    "digits": "コードの桁数です。",
    "tolerance": "前後何回分の時間帯のコードまで受け付けるかです。",
    "drift": "認証アプリの時計がこのシステムの時計からずれている時間帯の数です。",
    "last_t": "最後に受け付けたコードの時間帯です。次のコードはこれより後でなければなりません。",
}
SEARCH_BY_USER = "利用者のユーザー名またはメールアドレスで検索します。"
STATUS_NAMES = {
    TaskResultStatus.READY: "待機中",
    TaskResultStatus.RUNNING: "実行中",
    TaskResultStatus.FAILED: "失敗",
    TaskResultStatus.SUCCESSFUL: "完了",
}


def japanese_fieldsets(fieldsets):
    return [(FIELDSET_TITLES.get(title, title), options) for title, options in fieldsets]


class JapaneseDeviceAdminMixin:
    """For an otp device admin: Japanese fieldset titles, help texts and search hint."""

    help_texts = DEVICE_HELP
    search_help_text = SEARCH_BY_USER

    def get_fieldsets(self, request, obj=None):
        return japanese_fieldsets(super().get_fieldsets(request, obj))

    def get_form(self, request, obj=None, **kwargs):
        kwargs.setdefault("help_texts", self.help_texts)
        return super().get_form(request, obj, **kwargs)


# --- django-axes -------------------------------------------------------------------------


class LockedOutFilter(axes_admin.IsLockedOutFilter):
    title = "ロック中"


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    fieldsets = japanese_fieldsets(axes_admin.AccessAttemptAdmin.fieldsets)
    list_filter = [
        LockedOutFilter if f is axes_admin.IsLockedOutFilter else f
        for f in axes_admin.AccessAttemptAdmin.list_filter
    ]

    @admin.action(description="期限の過ぎた記録を削除する")
    def cleanup_expired_attempts(self, request, queryset):
        count = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(request, f"期限の過ぎた記録を{count}件削除しました。")

    @admin.display(description="ロックの期限")
    def expiration(self, obj: AccessAttempt):
        return obj.expiration.expires_at if hasattr(obj, "expiration") else "設定なし"

    @admin.display(description="状態")
    def status(self, obj: AccessAttempt):
        left = axes_settings.AXES_FAILURE_LIMIT - obj.failures_since_start
        return f"あと{left}回でロック" if left > 0 else "ロック中"


class AccessLogAdmin(axes_admin.AccessLogAdmin):
    fieldsets = japanese_fieldsets(axes_admin.AccessLogAdmin.fieldsets)


class AccessFailureLogAdmin(axes_admin.AccessFailureLogAdmin):
    fieldsets = japanese_fieldsets(axes_admin.AccessFailureLogAdmin.fieldsets)


# --- django-tasks (the database backend) ---------------------------------------------------


class TaskStatusFilter(admin.SimpleListFilter):
    title = "状態"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return list(STATUS_NAMES.items())

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class TaskResultAdmin(DBTaskResultAdmin):
    list_display = (
        "id",
        "task_name",
        "status_name",
        "enqueued_at",
        "started_at",
        "finished_at",
        "priority",
        "queue_name",
    )
    list_filter = (TaskStatusFilter, "priority", "queue_name")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return ["status_name" if name == "status" else name for name in fields]

    @admin.display(description="状態", ordering="status")
    def status_name(self, obj: DBTaskResult) -> str:
        return STATUS_NAMES.get(obj.status, obj.status)

    @admin.display(description="処理の名前")
    def task_name(self, obj: DBTaskResult) -> str:
        return obj.task_name

    @admin.display(description="エラーの詳細")
    def formatted_traceback(self, obj: DBTaskResult) -> str:
        return format_html("<pre>{}</pre>", obj.traceback) if obj.traceback else "-"

    @admin.display(description="実行を待つ日時")
    def display_run_after(self, obj: DBTaskResult):
        return super().display_run_after(obj)


for _model, _admin in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
    (DBTaskResult, TaskResultAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
        admin.site.register(_model, _admin)
