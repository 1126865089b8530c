from django.contrib import admin

from hospitals.models import ActiveHospitalDesignation, MedicalInstitution
from zaitaku_portal.admin_base import PortalModelAdmin


@admin.register(MedicalInstitution)
class MedicalInstitutionAdmin(PortalModelAdmin):
    list_display = (
        "code",
        "name",
        "kind",
        "support_tier",
        "is_backup_hospital",
        "municipality",
        "code_check_passed",
        "missing_from_latest_list",
    )
    list_filter = (
        "kind",
        "support_tier",
        "is_backup_hospital",
        "code_check_passed",
        "missing_from_latest_list",
        "municipality__secondary_area",
    )
    search_fields = ("code", "name", "address")
    readonly_fields = ("code_check_passed",)
    autocomplete_fields = ("municipality",)
    list_select_related = ("municipality",)


@admin.register(ActiveHospitalDesignation)
class ActiveHospitalDesignationAdmin(PortalModelAdmin):
    list_display = ("institution", "area", "hub", "status", "start_date", "end_date")
    list_filter = ("status", "area", "hub")
    search_fields = ("institution__name", "institution__code")
    autocomplete_fields = ("institution", "hub")
    readonly_fields = ("designated_by", "designated_at", "ended_by")
    list_select_related = ("institution", "area", "hub")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.designated_by = request.user
        if change and "status" in form.changed_data and obj.status == obj.Status.ENDED:
            obj.ended_by = request.user
        super().save_model(request, obj, form, change)
