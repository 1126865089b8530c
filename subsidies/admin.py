from django import forms
from django.contrib import admin, messages
from import_export import fields, widgets

from subsidies.catalogue.services import (
    CatalogueError,
    cap_changes,
    confirm_catalogue,
    copy_fiscal_year,
)
from subsidies.models import ExpenseCategory, FiscalYear, RequirementItem, SubsidyMenu
from zaitaku_portal import audit
from zaitaku_portal.admin_base import PortalModelAdmin
from zaitaku_portal.exports import FormulaEscapingResource, ScopedImportExportMixin
from zaitaku_portal.promotion_items import PromotionItem
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
            "promotion_items",
            "promotion_examples",
            "expense_categories",
            "expense_note",
            "cap_within_other_menus",
            "cap_amount",
            "cap_unit",
            "max_units",
            "rate_numerator",
            "rate_denominator",
            "once_per_facility_scope",
            "requires_beds",
            "targets_non_enhanced",
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
        "other_income_level",
        "catalogue_state",
        "catalogue_frozen_at",
    )
    list_filter = ("catalogue_status",)
    # 調整中 → 確定 only through confirm_catalogue (the action below or the catalogue page):
    # who and when are recorded and audited, and a menu without a needed cap refuses it.
    readonly_fields = (
        "catalogue_status",
        "catalogue_confirmed_at",
        "catalogue_confirmed_by",
        "catalogue_frozen_at",
    )
    actions = ["copy_to_next_year", "confirm_selected_catalogues"]

    @admin.display(description="補助メニューの状態", ordering="catalogue_status")
    def catalogue_state(self, obj):
        return obj.catalogue_state_label()

    @admin.action(description="選択した年度を複写して翌年度を作成（調整中で作成）")
    def copy_to_next_year(self, request, queryset):
        for fiscal_year in queryset:
            try:
                created = copy_fiscal_year(fiscal_year, fiscal_year.year + 1, request.user)
            except CatalogueError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request, f"{created}を{fiscal_year}から作成しました（補助メニューは調整中）。"
                )

    @admin.action(description="選択した年度の補助メニューを確定（調整中→確定）")
    def confirm_selected_catalogues(self, request, queryset):
        for fiscal_year in queryset:
            try:
                confirm_catalogue(fiscal_year, request.user)
            except CatalogueError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"{fiscal_year}の補助メニューを確定しました。")


@admin.register(RequirementItem)
class RequirementItemAdmin(PortalModelAdmin):
    list_display = ("fiscal_year", "recipient_type", "number", "title", "action_name")
    list_filter = ("fiscal_year", "recipient_type")
    search_fields = ("title", "description")


@admin.register(ExpenseCategory)
class ExpenseCategoryAdmin(PortalModelAdmin):
    list_display = ("name", "code", "display_order")
    search_fields = ("name",)


class SubsidyMenuForm(forms.ModelForm):
    """推進事業の項目 as check boxes (ア)〜(キ), stored as the list of their codes."""

    promotion_items = forms.TypedMultipleChoiceField(
        label="関連する在宅医療・介護連携推進事業の項目",
        choices=PromotionItem.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="市町村事業として行う取組は補助対象外です（補助メニューの画面に注記されます）。",
    )

    class Meta:
        model = SubsidyMenu
        fields = (
            "fiscal_year",
            "recipient_type",
            "code",
            "display_order",
            "name",
            "requirement_items",
            "examples",
            "promotion_items",
            "promotion_examples",
            "expense_categories",
            "expense_note",
            "cap_within_other_menus",
            "cap_amount",
            "cap_unit",
            "max_units",
            "rate_numerator",
            "rate_denominator",
            "once_per_facility_scope",
            "requires_beds",
            "targets_non_enhanced",
            "note",
        )

    def clean_promotion_items(self):
        wanted = set(self.cleaned_data["promotion_items"])
        return [item.value for item in PromotionItem if item.value in wanted]  # (ア)〜(キ) order


@admin.register(SubsidyMenu)
class SubsidyMenuAdmin(ScopedImportExportMixin, PortalModelAdmin):
    form = SubsidyMenuForm
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
        "requires_beds",
        "targets_non_enhanced",
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
