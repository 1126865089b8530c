from django import forms
from django.contrib import admin

from hospitals.models import (
    ActiveHospitalDesignation,
    HospitalContact,
    MedicalInstitution,
    RegistryImportRun,
)
from hospitals.resources import ActiveHospitalDesignationResource, MedicalInstitutionResource
from zaitaku_portal.admin_base import ParentRightsInline, PortalModelAdmin, ReadOnlyAdmin
from zaitaku_portal.exports import ScopedImportExportMixin
from zaitaku_portal.models import Role
from zaitaku_portal.scopes import designations_for, institutions_for


class HospitalContactForm(forms.ModelForm):
    """Only a login of the role 積極的医療機関の担当者 speaks for a hospital: any other role
    linked here would see nothing of it (scopes read the link for that role alone)."""

    class Meta:
        model = HospitalContact
        fields = ("institution", "user", "name", "department")

    def clean_user(self):
        user = self.cleaned_data.get("user")
        if user is not None and user.role != Role.HOSPITAL:
            raise forms.ValidationError(
                f"ログインアカウント「{user.username}」の役割が「{Role.HOSPITAL.label}」では"
                "ありません。先に利用者の役割を変更してください。"
            )
        return user


class HospitalContactInline(ParentRightsInline):
    """積極的医療機関の担当者 (issue 18): links an existing login (role 積極的医療機関の担当者,
    made by an administrator) to the institution it speaks for."""

    model = HospitalContact
    form = HospitalContactForm
    autocomplete_fields = ("user",)


@admin.register(MedicalInstitution)
class MedicalInstitutionAdmin(ScopedImportExportMixin, PortalModelAdmin):
    resource_classes = [MedicalInstitutionResource]
    export_scope = staticmethod(institutions_for)
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
    inlines = [HospitalContactInline]


@admin.register(HospitalContact)
class HospitalContactAdmin(PortalModelAdmin):
    form = HospitalContactForm
    list_display = ("name", "institution", "department", "user")
    search_fields = ("name", "institution__name", "user__username")
    autocomplete_fields = ("user", "institution")
    list_select_related = ("institution", "user")


@admin.register(ActiveHospitalDesignation)
class ActiveHospitalDesignationAdmin(ScopedImportExportMixin, PortalModelAdmin):
    resource_classes = [ActiveHospitalDesignationResource]
    export_scope = staticmethod(designations_for)
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


@admin.register(RegistryImportRun)
class RegistryImportRunAdmin(ReadOnlyAdmin):
    """The audit record of each 名簿 import; imports themselves run at /hospitals/registry/."""

    list_display = (
        "uploaded_at",
        "uploaded_by",
        "file_name",
        "listed_as_of",
        "status",
        "row_count",
        "new_count",
        "changed_count",
        "unchanged_count",
        "missing_count",
        "check_digit_failures",
        "held_row_count",
    )
    list_filter = ("status",)
    search_fields = ("file_name", "file_sha256")
    exclude = ("parsed", "held")
