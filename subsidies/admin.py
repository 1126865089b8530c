from django.contrib import admin, messages
from import_export import fields, widgets

from subsidies.catalogue.services import CatalogueError, cap_changes, copy_fiscal_year
from subsidies.models import ExpenseCategory, FiscalYear, RequirementItem, SubsidyMenu
from zaitaku_portal import audit
from zaitaku_portal.admin_base import PortalModelAdmin
from zaitaku_portal.exports import FormulaEscapingResource, ScopedImportExportMixin
from zaitaku_portal.scopes import catalogue_for


class SubsidyMenuResource(FormulaEscapingResource):
    fiscal_year = fields.Field(
        "fiscal_year", "fiscal_year", widgets.ForeignKeyWidget(FiscalYear, "year")
    )
    expense_categories = fields.Field(
        "expense_categories",
        "expense_categories",
        widgets.ManyToManyWidget(ExpenseCategory, separator="、", field="code"),
    )

    class Meta:
        model = SubsidyMenu
        import_id_fields = ("fiscal_year", "code")
        fields = (
            "fiscal_year",
            "recipient_type",
            "code",
            "display_order",
            "name",
            "examples",
            "expense_categories",
            "expense_note",
            "cap_amount",
            "cap_unit",
            "max_units",
            "rate_numerator",
            "rate_denominator",
            "note",
        )
        export_order = fields
        skip_unchanged = True
        clean_model_instances = True

    def before_save_instance(self, instance, row, **kwargs):
        # the same audit entry as an edit in the admin form (bulk writes are not used here)
        instance._cap_changes = cap_changes(instance)
        super().before_save_instance(instance, row, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        changes = getattr(instance, "_cap_changes", None)
        if changes and not kwargs.get("dry_run"):
            audit.record(kwargs.get("user"), "上限額・補助率の変更", instance, changes)
        super().after_save_instance(instance, row, **kwargs)


@admin.register(FiscalYear)
class FiscalYearAdmin(PortalModelAdmin):
    list_display = (
        "__str__",
        "catalogue_source",
        "budget_amount",
        "cap_rate_order",
        "rounding_unit",
        "rounding_level",
        "caps_provisional",
        "catalogue_frozen_at",
    )
    readonly_fields = ("catalogue_frozen_at",)
    actions = ["copy_to_next_year"]

    @admin.action(description="選択した年度を複写して翌年度を作成")
    def copy_to_next_year(self, request, queryset):
        for fiscal_year in queryset:
            try:
                created = copy_fiscal_year(fiscal_year, fiscal_year.year + 1, request.user)
            except CatalogueError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"{created}を{fiscal_year}から作成しました。")


@admin.register(RequirementItem)
class RequirementItemAdmin(PortalModelAdmin):
    list_display = ("fiscal_year", "recipient_type", "number", "title")
    list_filter = ("fiscal_year", "recipient_type")
    search_fields = ("title", "description")


@admin.register(ExpenseCategory)
class ExpenseCategoryAdmin(PortalModelAdmin):
    list_display = ("name", "code", "display_order")
    search_fields = ("name",)


@admin.register(SubsidyMenu)
class SubsidyMenuAdmin(ScopedImportExportMixin, PortalModelAdmin):
    resource_classes = [SubsidyMenuResource]
    export_scope = staticmethod(catalogue_for)
    list_display = (
        "name",
        "fiscal_year",
        "recipient_type",
        "cap_amount",
        "cap_unit",
        "max_units",
        "rate_label",
    )
    list_filter = ("fiscal_year", "recipient_type", "cap_unit")
    search_fields = ("name", "code", "examples")
    filter_horizontal = ("requirement_items", "expense_categories")
    list_select_related = ("fiscal_year",)

    @admin.display(description="補助率")
    def rate_label(self, obj):
        return obj.rate_label

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.fiscal_year.catalogue_frozen:
            return (*SubsidyMenu.CAP_FIELDS, "fiscal_year", "recipient_type", "code")
        return ()

    def save_model(self, request, obj, form, change):
        changes = cap_changes(obj) if change else {}
        super().save_model(request, obj, form, change)
        if changes:
            audit.record(request.user, "上限額・補助率の変更", obj, changes)
