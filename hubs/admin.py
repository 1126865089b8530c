from django.contrib import admin
from import_export import fields, widgets

from hubs.models import Hub, HubCoordinator
from zaitaku_portal.admin_base import ParentRightsInline, PortalModelAdmin
from zaitaku_portal.exports import FormulaEscapingResource, ScopedImportExportMixin
from zaitaku_portal.models import HomeCareArea
from zaitaku_portal.scopes import hubs_for


class HubResource(FormulaEscapingResource):
    areas = fields.Field(
        "areas", "areas", widgets.ManyToManyWidget(HomeCareArea, separator="、", field="name")
    )

    class Meta:
        model = Hub
        import_id_fields = ("name",)
        fields = (
            "name",
            "operator_type",
            "operator_name",
            "representative_title",
            "representative_name",
            "postal_code",
            "address",
            "phone",
            "email",
            "areas",
            "district_count",
            "desk_hours_per_week",
            "designated_from",
            "designated_until",
            "note",
        )
        export_order = fields
        skip_unchanged = True
        clean_model_instances = True


class HubCoordinatorInline(ParentRightsInline):
    model = HubCoordinator
    autocomplete_fields = ("user",)


@admin.register(Hub)
class HubAdmin(ScopedImportExportMixin, PortalModelAdmin):
    resource_classes = [HubResource]
    export_scope = staticmethod(hubs_for)
    list_display = (
        "name",
        "operator_type",
        "operator_name",
        "district_count",
        "desk_hours_per_week",
        "designated_from",
        "designated_until",
    )
    list_filter = ("operator_type", "areas")
    search_fields = ("name", "operator_name", "address")
    filter_horizontal = ("areas",)
    inlines = [HubCoordinatorInline]


@admin.register(HubCoordinator)
class HubCoordinatorAdmin(PortalModelAdmin):
    list_display = ("name", "hub", "qualification", "user", "since")
    list_filter = ("qualification", "hub")
    search_fields = ("name", "hub__name", "user__username")
    autocomplete_fields = ("user", "hub")
    list_select_related = ("hub", "user")
