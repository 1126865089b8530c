"""Forms of the area's records. Every message names its field, in Japanese."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from hubs.models import (
    ActionProgress,
    HomeCareCouncil,
    HubCandidate,
    MunicipalProgramAgreement,
    PlanAction,
    ResourceKind,
)
from hubs.models.area import POPULATION_MAX, RESOURCE_MAX, YEAR_MAX, YEAR_MIN
from zaitaku_portal.bounds import CountField
from zaitaku_portal.form_fields import PortalForm, PortalModelForm
from zaitaku_portal.promotion_items import PromotionItem


def _japanese_errors(form: forms.Form) -> None:
    """Django's defaults name no field; ours do."""
    for name, field in form.fields.items():
        label = field.label or name
        field.error_messages.setdefault("required", f"「{label}」を入力してください。")
        field.error_messages["required"] = f"「{label}」を入力してください。"
        if "invalid_choice" in field.error_messages:
            field.error_messages["invalid_choice"] = f"「{label}」の選択が正しくありません。"
        if isinstance(field, forms.DateField):
            field.error_messages["invalid"] = (
                f"「{label}」は日付（例: 2025-04-01）で入力してください。"
            )
            field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        if isinstance(field, forms.CharField) and field.max_length:
            field.error_messages["max_length"] = (
                f"「{label}」は{field.max_length:,}文字以内で入力してください。"
            )


class JapaneseModelForm(PortalModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _japanese_errors(self)


class ProfileForm(PortalForm):
    """One place's figures for one year, with a count per resource kind."""

    municipality = forms.ModelChoiceField(
        label="市区町村", queryset=None, required=False, empty_label="（在宅医療圏全体）"
    )
    figure_year = CountField(label="数値の年（西暦）", min_value=YEAR_MIN, max_value=YEAR_MAX)
    population = CountField(label="人口（人）", max_value=POPULATION_MAX)
    ageing_rate = forms.DecimalField(
        label="高齢化率（％）",
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=4,
        decimal_places=1,
    )
    source = forms.CharField(label="出典", max_length=200, required=False)

    def __init__(self, *args, area, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = area.municipalities.order_by("code")
        for kind in ResourceKind:
            self.fields[f"count_{kind.value}"] = CountField(
                label=f"{kind.label}（数）", max_value=RESOURCE_MAX
            )
        _japanese_errors(self)
        rate = self.fields["ageing_rate"]
        rate.error_messages.update(
            {
                "invalid": "「高齢化率（％）」は数で入力してください（例: 28.4）。",
                "min_value": "「高齢化率（％）」は0以上で入力してください。",
                "max_value": "「高齢化率（％）」は100以下で入力してください。",
                "max_decimal_places": "「高齢化率（％）」は小数第1位まで入力してください。",
                "max_digits": "「高齢化率（％）」は100以下、小数第1位までで入力してください。",
                "max_whole_digits": "「高齢化率（％）」は100以下で入力してください。",
            }
        )
        for name in ("figure_year", "population"):
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = (
                f"「{self.fields[name].label}」を入力してください。"
            )

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "municipality": data["municipality"],
            "figure_year": data["figure_year"],
            "population": data["population"],
            "ageing_rate": data["ageing_rate"],
            "source": data["source"],
            "counts": {kind.value: data.get(f"count_{kind.value}") for kind in ResourceKind},
        }

    @property
    def count_fields(self):
        return [self[f"count_{kind.value}"] for kind in ResourceKind]


class PlanActionForm(JapaneseModelForm):
    class Meta:
        model = PlanAction
        fields = ["title", "plan_reference", "description", "display_order"]


class ProgressForm(JapaneseModelForm):
    class Meta:
        model = ActionProgress
        fields = ["fiscal_year", "status", "note"]


class CouncilForm(JapaneseModelForm):
    minutes_file = forms.FileField(label="議事録のファイル", required=False)

    class Meta:
        model = HomeCareCouncil
        fields = ["held_on", "title", "secretariat", "secretariat_other", "agenda"]

    def __init__(self, *args, health_centers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["secretariat"].queryset = health_centers
        self.fields["secretariat"].empty_label = "（保健所以外）"


class CandidateForm(JapaneseModelForm):
    class Meta:
        model = HubCandidate
        fields = ["tier", "name", "municipality", "also_active_hospital", "outcome", "hub", "note"]

    def __init__(self, *args, area, hubs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = area.municipalities.order_by("code")
        self.fields["hub"].queryset = hubs


class AgreementForm(JapaneseModelForm):
    program_items = forms.MultipleChoiceField(
        label="推進事業として実施している項目",
        choices=PromotionItem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = MunicipalProgramAgreement
        fields = ["municipality", "agreed_on", "program_items", "note"]

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        self.fields["program_items"].error_messages["invalid_choice"] = (
            "「推進事業として実施している項目」の選択が正しくありません。"
        )

    def clean_program_items(self):
        chosen = set(self.cleaned_data["program_items"])
        return [item.value for item in PromotionItem if item.value in chosen]


class HubProgramForm(forms.Form):
    runs_municipal_program = forms.BooleanField(
        label="運営主体が市町村の在宅医療・介護連携推進事業も実施している", required=False
    )
