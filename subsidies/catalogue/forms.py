"""The fiscal year's 要綱 settings page: what the notices print (事業名, 要綱, 様式 numbers,
issuer, 公印省略, 交付の条件), the notice number pattern and the deadlines. Staff edit them
on the catalogue's 要綱の設定 page; every change is audited with its from/to, and once a
decision has used the catalogue (catalogue_frozen) they are refused like the caps: a
re-printed notice must say what the first print said."""

from __future__ import annotations

from django import forms
from django.db import transaction

from subsidies.catalogue.models import FiscalYear
from subsidies.shared.notice_numbers import pattern_problems
from zaitaku_portal import audit
from zaitaku_portal.access import can_manage_master_data

SETTINGS_FIELDS = (
    "subsidy_name",
    "guideline_name",
    "decision_form_number",
    "confirmation_form_number",
    "issuer_title",
    "issuer_name",
    "seal_line",
    "decision_conditions_text",
    "notice_number_pattern",
    "application_deadline",
    "results_deadline",
    "withdrawal_days",
    "refund_due_days",
)
AUDIT_ACTION = "要綱の設定の変更"


class SettingsRefused(Exception):
    """The change is refused as a whole (frozen year, no permission), in Japanese."""


def _shown(value) -> str | None:
    from zaitaku_portal.wareki import wareki_date

    if value in (None, ""):
        return None
    if hasattr(value, "isoformat"):
        return wareki_date(value)
    return str(value)


class YokoSettingsForm(forms.ModelForm):
    class Meta:
        model = FiscalYear
        fields = SETTINGS_FIELDS
        widgets = {
            "subsidy_name": forms.TextInput(attrs={"size": 60}),
            "guideline_name": forms.TextInput(attrs={"size": 60}),
            "decision_conditions_text": forms.Textarea(attrs={"rows": 7, "cols": 80}),
            "application_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "results_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = field.label
            field.error_messages["required"] = f"「{label}」を入力してください。"
            field.error_messages["invalid"] = f"「{label}」の値が正しくありません。"
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = (
                    f"「{label}」の日付が正しくありません（例: 2027-04-10）。"
                )
            if isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = f"「{label}」は整数（日数）で入力してください。"
                field.error_messages["min_value"] = f"「{label}」は1日以上にしてください。"
                field.error_messages["max_value"] = f"「{label}」は365日以内にしてください。"
            if isinstance(field, forms.CharField) and field.max_length:
                field.error_messages["max_length"] = (
                    f"「{label}」は{field.max_length}文字以内で入力してください。"
                )

    def _post_clean(self):
        super()._post_clean()
        # The model's own validators speak without the field's name: prefix it.
        for name, errors in list(self.errors.items()):
            if name not in self.fields:
                continue
            label = self.fields[name].label
            self.errors[name] = self.error_class(
                [e if e.startswith("「") else f"「{label}」: {e}" for e in errors]
            )

    def clean_notice_number_pattern(self):
        pattern = (self.cleaned_data.get("notice_number_pattern") or "").strip()
        problems = pattern_problems(pattern)
        if problems:
            raise forms.ValidationError(problems)
        return pattern

    def clean(self):
        data = super().clean()
        application, results = data.get("application_deadline"), data.get("results_deadline")
        if application and results and results < application:
            self.add_error(
                "results_deadline",
                "「実績報告の締切」は「交付申請の締切」より後の日付にしてください。",
            )
        return data

    def changes(self, stored: FiscalYear) -> dict[str, dict]:
        """{label: {from, to}} of what this form changes on the stored row."""
        changed = {}
        for name in SETTINGS_FIELDS:
            before, after = getattr(stored, name), self.cleaned_data.get(name)
            if isinstance(after, str):
                after = after.strip()
            if (before or None) != (after or None):
                label = str(FiscalYear._meta.get_field(name).verbose_name)
                changed[label] = {"from": _shown(before), "to": _shown(after)}
        return changed


@transaction.atomic
def save_settings(fiscal_year: FiscalYear, form: YokoSettingsForm, actor) -> dict[str, dict]:
    """Write the validated form onto the locked row and audit it; returns the changes
    ({} when nothing changed: then nothing is written). The role and the freeze are
    checked again inside the lock."""
    allowed = can_manage_master_data(actor)
    if not allowed:
        raise SettingsRefused(f"要綱の設定の変更は県職員のみが行えます。{allowed.reason}")
    locked = FiscalYear.objects.select_for_update().get(pk=fiscal_year.pk)
    changes = form.changes(locked)
    if changes and locked.catalogue_frozen:
        raise SettingsRefused(
            f"{locked}の補助メニューは交付決定に使われたため、要綱の設定（"
            f"{'・'.join(changes)}）は変更できません。通知書は最初に発行した内容のまま再発行されます。"
        )
    if not changes:
        return {}
    for name in SETTINGS_FIELDS:
        value = form.cleaned_data.get(name)
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    locked.save(update_fields=list(SETTINGS_FIELDS))
    audit.record(actor, AUDIT_ACTION, locked, changes)
    return changes
