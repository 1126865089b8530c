"""django-import-export resources for institutions and designations (admin import/export)."""

from import_export import fields, widgets

from hospitals.models import ActiveHospitalDesignation, MedicalInstitution
from hubs.models import Hub
from zaitaku_portal.exports import FormulaEscapingResource
from zaitaku_portal.models import HomeCareArea, Municipality


class MedicalInstitutionResource(FormulaEscapingResource):
    municipality = fields.Field(
        "municipality",
        "municipality",
        widgets.ForeignKeyWidget(Municipality, "code"),
    )

    class Meta:
        model = MedicalInstitution
        import_id_fields = ("code",)
        fields = (
            "code",
            "name",
            "kind",
            "postal_code",
            "address",
            "phone",
            "municipality",
            "bed_count",
            "beds_text",
            "support_tier",
            "linked_subtype",
            "is_backup_hospital",
            "support_since",
            "listed_as_of",
            "missing_from_latest_list",
            "code_check_passed",
        )
        export_order = fields
        skip_unchanged = True
        clean_model_instances = True
        report_skipped = True

    def get_import_fields(self):
        # code_check_passed is computed on save from the code, never taken from a sheet
        return [f for f in super().get_import_fields() if f.attribute != "code_check_passed"]


class ActiveHospitalDesignationResource(FormulaEscapingResource):
    institution = fields.Field(
        "institution", "institution", widgets.ForeignKeyWidget(MedicalInstitution, "code")
    )
    area = fields.Field("area", "area", widgets.ForeignKeyWidget(HomeCareArea, "name"))
    hub = fields.Field("hub", "hub", widgets.ForeignKeyWidget(Hub, "name"))

    class Meta:
        model = ActiveHospitalDesignation
        fields = (
            "id",
            "institution",
            "area",
            "hub",
            "status",
            "start_date",
            "end_date",
            "end_reason",
        )
        export_order = fields
        skip_unchanged = True
        clean_model_instances = True

    def before_save_instance(self, instance, row, **kwargs):
        user = kwargs.get("user")
        if instance.pk is None and getattr(user, "pk", None):
            instance.designated_by = user
        if (
            instance.status == ActiveHospitalDesignation.Status.ENDED
            and instance.ended_by_id is None
        ):
            instance.ended_by = user if getattr(user, "pk", None) else None
        super().before_save_instance(instance, row, **kwargs)
