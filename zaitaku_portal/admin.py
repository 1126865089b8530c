"""The admin of the shared models. Users and two-factor devices are for administrators only
(issue 12): nobody edits their own role or activation, a password reset, a device removal
and the grant of the administrator role need the acting administrator's own code in the same
form, and each change is written to the audit log with old and new values and the address."""

import copy

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils.html import format_html, format_html_join
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin as OTPStaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin as OTPTOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from import_export import fields, widgets

from zaitaku_portal.admin_base import PortalModelAdmin, ReadOnlyAdmin, UserManagementAdmin
from zaitaku_portal.admin_third_party import TOTP_HELP, JapaneseDeviceAdminMixin
from zaitaku_portal.audit import (
    ADDRESS,
    action_kind,
    actions_of_kind,
    address_of,
    change_rows,
    differences,
    kind_name,
    record,
)
from zaitaku_portal.exports import FormulaEscapingResource, ScopedImportExportMixin
from zaitaku_portal.models import (
    AuditEntry,
    HealthCenter,
    HomeCareArea,
    Municipality,
    Role,
    SecondaryMedicalArea,
    User,
)
from zaitaku_portal.scopes import areas_for
from zaitaku_portal.two_factor import (
    DEVICE_REMOVED_BY_ADMIN,
    ReauthenticationForm,
    is_locked,
    locked_response,
    with_request,
)

USER_CREATED = "利用者の作成"
USER_CHANGED = "利用者の変更"
RESET_BY_ADMINISTRATOR = "パスワードの再設定"
UNUSABLE = "なし（パスワードでログインできない）"
OWN_LOCKED_FIELDS = ("role", "is_active")  # nobody changes their own (issue 12)
REAUTH_FIELDSET = (
    "本人確認",
    {
        "fields": ("reauth_code",),
        "description": "システム管理者の役割を与えるときは、あなたの確認コードが必要です。",
    },
)


class PortalUserChangeForm(ReauthenticationForm, UserChangeForm):
    def reauthentication_needed(self) -> bool:
        """Only for the grant of the administrator role: it opens everything else."""
        granted = self.cleaned_data.get("role") == Role.ADMINISTRATOR
        return granted and self.instance.role != Role.ADMINISTRATOR


class PortalUserCreationForm(ReauthenticationForm, AdminUserCreationForm):
    """A new account gets a password the administrator knows: always confirmed."""


class ReauthenticatedPasswordForm(ReauthenticationForm, AdminPasswordChangeForm):
    """Setting, resetting or disabling someone's password: always confirmed."""


def password_state(user: User) -> str:
    return "設定済み" if user.has_usable_password() else UNUSABLE


@admin.register(User)
class UserAdmin(DjangoUserAdmin, UserManagementAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    change_password_form = ReauthenticatedPasswordForm
    change_user_password_template = "admin/zaitaku_portal/user/change_password.html"  # noqa: S105
    list_display = ("username", "full_name", "role", "health_center", "email", "is_active")
    list_filter = ("role", "health_center", "is_active")
    search_fields = ("username", "full_name", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("利用者情報", {"fields": ("full_name", "email", "role", "health_center", "is_active")}),
        ("記録", {"fields": ("last_login", "date_joined")}),
        REAUTH_FIELDSET,
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "role",
                    "health_center",
                    "password1",
                    "password2",
                    "reauth_code",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            return readonly + OWN_LOCKED_FIELDS
        return readonly

    def get_form(self, request, obj=None, **kwargs):
        return with_request(super().get_form(request, obj, **kwargs), request)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        if request.method == "POST" and is_locked(request.user):
            return locked_response(request)
        return response

    def save_model(self, request, obj, form, change):
        before = User.objects.get(pk=obj.pk).audited_values() if change else {}
        super().save_model(request, obj, form, change)
        changes = differences(before, obj.audited_values())
        if not change:
            changes["パスワード"] = {"from": None, "to": "設定"}
        if changes:
            action = USER_CHANGED if change else USER_CREATED
            record(request.user, action, obj, {**changes, ADDRESS: address_of(request)})

    def user_change_password(self, request, id, form_url=""):
        """Django's page, with the form bound to this request (on a copy of this admin: the
        instance is shared between threads) and the reset written to the audit log."""
        target = self.get_object(request, unquote(id))
        before = copy.copy(target)
        bound = copy.copy(self)
        bound.change_password_form = with_request(self.change_password_form, request)
        response = DjangoUserAdmin.user_change_password(bound, request, id, form_url)
        if request.method != "POST":
            return response
        if is_locked(request.user):
            return locked_response(request)
        _audit_password_reset(request, before)
        return response


def _audit_password_reset(request, before: User) -> None:
    after = User.objects.get(pk=before.pk)
    if after.password == before.password:
        return
    to = "再設定" if after.has_usable_password() else UNUSABLE
    change = {"from": password_state(before), "to": to}
    changes = {"パスワード": change, ADDRESS: address_of(request)}
    record(request.user, RESET_BY_ADMINISTRATOR, after, changes)


def _unconfirmed(request):
    """The same request without its POST: Django's delete view deletes on any POST, so a
    refused code shows the confirmation page again, with the message, instead."""
    unconfirmed = copy.copy(request)
    unconfirmed.method = "GET"
    unconfirmed.POST = QueryDict()
    return unconfirmed


class DeviceRemovalAdmin(UserManagementAdmin):
    """A user's two-factor device as the administrator sees it: listed and viewed (never its
    secret, OTP_ADMIN_HIDE_SENSITIVE_DATA), removed one at a time with the administrator's own
    code, never added or edited here (a device is set up by its owner, so nobody else
    holds the key)."""

    audit_label = ""
    delete_confirmation_template = "admin/zaitaku_portal/device_delete_confirmation.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        if not self.has_delete_permission(request):
            raise PermissionDenied
        posted = request.method == "POST"
        form = with_request(ReauthenticationForm, request)(request.POST if posted else None)
        if posted and not form.is_valid():
            if is_locked(request.user):
                return locked_response(request)
            request = _unconfirmed(request)
        context = {**(extra_context or {}), "reauth_form": form}
        return super().delete_view(request, object_id, context)

    def delete_model(self, request, obj):
        changes = {self.audit_label: {"from": obj.name, "to": None}, ADDRESS: address_of(request)}
        record(request.user, DEVICE_REMOVED_BY_ADMIN, obj.user, changes)
        super().delete_model(request, obj)


class TOTPDeviceAdmin(JapaneseDeviceAdminMixin, DeviceRemovalAdmin, OTPTOTPDeviceAdmin):
    audit_label = "認証アプリ"
    help_texts = TOTP_HELP


class StaticDeviceAdmin(JapaneseDeviceAdminMixin, DeviceRemovalAdmin, OTPStaticDeviceAdmin):
    audit_label = "回復コード"


for _model, _admin in ((TOTPDevice, TOTPDeviceAdmin), (StaticDevice, StaticDeviceAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)


@admin.register(SecondaryMedicalArea)
class SecondaryMedicalAreaAdmin(PortalModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Municipality)
class MunicipalityAdmin(PortalModelAdmin):
    list_display = ("code", "name", "kind", "secondary_area", "parent")
    list_filter = ("secondary_area", "kind")
    search_fields = ("code", "name")
    filter_horizontal = ("neighbours",)
    list_select_related = ("secondary_area", "parent")


class HomeCareAreaResource(FormulaEscapingResource):
    secondary_area = fields.Field(
        "secondary_area", "secondary_area", widgets.ForeignKeyWidget(SecondaryMedicalArea, "code")
    )
    municipalities = fields.Field(
        "municipalities",
        "municipalities",
        widgets.ManyToManyWidget(Municipality, separator="、", field="code"),
    )

    class Meta:
        model = HomeCareArea
        import_id_fields = ("name",)
        fields = ("name", "basis", "secondary_area", "municipalities", "display_order")
        export_order = fields
        skip_unchanged = True
        clean_model_instances = True


@admin.register(HomeCareArea)
class HomeCareAreaAdmin(ScopedImportExportMixin, PortalModelAdmin):
    resource_classes = [HomeCareAreaResource]
    export_scope = staticmethod(areas_for)
    list_display = ("name", "basis", "secondary_area", "display_order")
    list_filter = ("basis", "secondary_area")
    search_fields = ("name",)
    filter_horizontal = ("municipalities",)
    list_select_related = ("secondary_area",)


@admin.register(HealthCenter)
class HealthCenterAdmin(PortalModelAdmin):
    list_display = ("name", "operator")
    list_filter = ("operator",)
    search_fields = ("name",)
    filter_horizontal = ("municipalities",)


class ActionFilter(admin.SimpleListFilter):
    """The actions, one entry per kind: an import's file name does not make a new one."""

    title = "操作"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        actions = AuditEntry.objects.order_by().values_list("action", flat=True).distinct()
        return [(kind, kind) for kind in sorted({action_kind(a) for a in actions})]

    def queryset(self, request, queryset):
        return queryset.filter(actions_of_kind(self.value())) if self.value() else queryset


class KindFilter(admin.SimpleListFilter):
    """The kinds of object by their Japanese names (交付申請, not subsidies.Application)."""

    title = "対象の種類"
    parameter_name = "target_type"

    def lookups(self, request, model_admin):
        types = AuditEntry.objects.order_by().values_list("target_type", flat=True).distinct()
        return sorted(((t, kind_name(t)) for t in types), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(target_type=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The log as an official reads it: Japanese kinds, the changes as a table of before and
    after with amounts in yen (zaitaku_portal.audit.change_rows), not the stored JSON."""

    list_display = ("at", "actor", "action", "kind", "target_label", "reason")
    list_filter = (ActionFilter, KindFilter)
    search_fields = ("target_label", "reason", "actor__username")
    date_hierarchy = "at"
    fields = (
        "at",
        "actor",
        "action",
        "kind",
        "target_id",
        "target_label",
        "changes_table",
        "reason",
    )
    readonly_fields = fields

    @admin.display(description="対象の種類", ordering="target_type")
    def kind(self, entry: AuditEntry) -> str:
        return kind_name(entry.target_type)

    @admin.display(description="変更内容")
    def changes_table(self, entry: AuditEntry) -> str:
        rows = change_rows(entry.changes)
        if not rows:
            return "（記録なし）"
        body = format_html_join("", '<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>', rows)
        return format_html(
            '<table><thead><tr><th scope="col">項目</th><th scope="col">変更前</th>'
            '<th scope="col">変更後</th></tr></thead><tbody>{}</tbody></table>',
            body,
        )
