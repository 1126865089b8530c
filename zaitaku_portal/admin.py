from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from import_export import fields, widgets

from zaitaku_portal.access import areas_for
from zaitaku_portal.admin_base import PortalModelAdmin, ReadOnlyAdmin
from zaitaku_portal.exports import FormulaEscapingResource, ScopedImportExportMixin
from zaitaku_portal.models import (
    AuditEntry,
    HealthCenter,
    HomeCareArea,
    Municipality,
    SecondaryMedicalArea,
    User,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin, PortalModelAdmin):
    list_display = ("username", "full_name", "role", "health_center", "email", "is_active")
    list_filter = ("role", "health_center", "is_active")
    search_fields = ("username", "full_name", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("利用者情報", {"fields": ("full_name", "email", "role", "health_center", "is_active")}),
        ("記録", {"fields": ("last_login", "date_joined")}),
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
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")


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


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "target_type", "target_label", "reason")
    list_filter = ("action", "target_type")
    search_fields = ("target_label", "reason", "actor__username")
    date_hierarchy = "at"
