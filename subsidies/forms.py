"""Forms of the application pages. Errors name the field and the line, in Japanese."""

from __future__ import annotations

import unicodedata

from django import forms

from subsidies.models import ApplicationStatus, ReturnReason, SubsidyMenu
from subsidies.services.amounts import PER_MONTH, PER_PERSON_HALF_DAY
from subsidies.services.applications import key_of, label_of, start_year_choices
from subsidies.services.plan_data import start_year_label


def normalise_number_text(value) -> str:
    """全角数字・カンマ・「円」を除いた半角の文字列."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text.replace(",", "").replace("円", "").strip()


class YenField(forms.CharField):
    """円単位の整数. 全角数字とカンマは受け付けます."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "class": "yen"})

    def clean(self, value):
        text = normalise_number_text(value or "")
        if text == "":
            return 0
        if not text.isdigit():
            raise forms.ValidationError(
                f"「{self.label}」は円単位の0以上の整数で入力してください（入力: {value}）。"
            )
        return int(text)


class CountField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        super().__init__(*args, **kwargs)
        self.error_messages["invalid"] = f"「{kwargs.get('label')}」は整数で入力してください。"
        self.error_messages["min_value"] = f"「{kwargs.get('label')}」は0以上で入力してください。"

    def to_python(self, value):
        if isinstance(value, str):
            value = normalise_number_text(value)
        return super().to_python(value)


class PlanForm(forms.Form):
    """The whole plan on one page: form 4-③, the hub's menus, each hospital's menus."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    district_policy = forms.CharField(
        label="区割りの考え方", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    district_count = CountField(label="区割り数", min_value=1, required=True)
    meeting_body_count = CountField(label="会議体の数")
    planned_meetings = CountField(label="多職種連携会議の開催予定回数（年）")
    meeting_members = forms.CharField(
        label="会議体の構成員", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    other_actions = forms.CharField(
        label="その他取り組み事項", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, application, lines, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        self.lines = lines
        self.line_fields: dict[str, dict] = {}
        years = [("", "—")] + [
            (str(y), start_year_label(y)) for y in start_year_choices(application.fiscal_year)
        ]
        if not self.is_bound:
            self.initial.update({k: v for k, v in plan.items() if k != "lines"})
            self.initial["version"] = application.version
        for index, line in enumerate(lines):
            key = key_of(line)
            name = label_of(line)
            data = plan["lines"].get(key, {})
            prefix = f"l{index}-"
            fields = {
                "wish": forms.BooleanField(label=f"{name}：補助の希望", required=False),
                "planned_actions": forms.CharField(
                    label=f"{name}：取り組み事項",
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                ),
                "start_year": forms.TypedChoiceField(
                    label=f"{name}：開始年度",
                    choices=years,
                    required=False,
                    coerce=int,
                    empty_value=None,
                ),
                "other_income": YenField(label=f"{name}：寄付金その他の収入"),
            }
            if line.menu.cap_unit == PER_PERSON_HALF_DAY:
                fields["trainees"] = CountField(label=f"{name}：受講者数")
                fields["half_days"] = CountField(label=f"{name}：半日数")
            if line.menu.cap_unit == PER_MONTH:
                fields["months"] = CountField(label=f"{name}：月数")
            categories = list(line.menu.expense_categories.all())
            for category in categories:
                fields[f"expense:{category.code}"] = YenField(label=f"{name}：{category.name}")
                fields[f"expense:{category.code}"].widget.attrs["data-expense"] = "1"
            self.line_fields[key] = {
                "prefix": prefix,
                "fields": [],
                "expense_fields": [],
                "categories": categories,
            }
            for field_name, field in fields.items():
                full = prefix + field_name.replace(":", "_")
                self.fields[full] = field
                if field_name.startswith("expense:"):
                    code = field_name.split(":", 1)[1]
                    if not self.is_bound:
                        self.initial[full] = data.get("expenses", {}).get(code) or ""
                    self.line_fields[key]["expense_fields"].append(full)
                else:
                    if not self.is_bound:
                        value = data.get(field_name)
                        self.initial[full] = (
                            "" if value in (None, 0) and field_name != "wish" else value
                        )
                    self.line_fields[key]["fields"].append(full)

    def bound(self, key: str, name: str):
        return self[self.line_fields[key]["prefix"] + name]

    def expense_bound_fields(self, key: str):
        return [self[name] for name in self.line_fields[key]["expense_fields"]]

    def plan(self) -> dict:
        data = self.cleaned_data
        plan = {
            "district_policy": data["district_policy"],
            "district_count": data["district_count"] or 1,
            "meeting_body_count": data["meeting_body_count"],
            "planned_meetings": data["planned_meetings"],
            "meeting_members": data["meeting_members"],
            "other_actions": data["other_actions"],
            "lines": {},
        }
        for line in self.lines:
            key = key_of(line)
            prefix = self.line_fields[key]["prefix"]
            expenses = {}
            for category in self.line_fields[key]["categories"]:
                amount = data.get(f"{prefix}expense_{category.code}") or 0
                if amount:
                    expenses[category.code] = amount
            plan["lines"][key] = {
                "wish": data[f"{prefix}wish"],
                "planned_actions": data[f"{prefix}planned_actions"],
                "start_year": data[f"{prefix}start_year"],
                "trainees": data.get(f"{prefix}trainees"),
                "half_days": data.get(f"{prefix}half_days"),
                "months": data.get(f"{prefix}months"),
                "other_income": data[f"{prefix}other_income"] or 0,
                "expenses": expenses,
            }
        return plan


class ReturnForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason_code = forms.ChoiceField(
        label="差戻し理由", choices=[("", "選択してください"), *ReturnReason.choices]
    )
    reason = forms.CharField(
        label="差戻しの内容（拠点に表示されます）", widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].error_messages["required"] = "差戻し理由を選択してください。"
        self.fields["reason"].error_messages["required"] = "差戻しの内容を入力してください。"


class ReasonForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "理由を入力してください。"


class ConfirmForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class DecideForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    notice_number = forms.CharField(label="通知番号", max_length=40, help_text="例: 6医政第1234号")
    notice_date = forms.DateField(label="通知日", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notice_number"].error_messages["required"] = "通知番号を入力してください。"
        self.fields["notice_date"].error_messages["required"] = "通知日を入力してください。"
        self.fields["notice_date"].error_messages["invalid"] = "通知日の日付が正しくありません。"
        self.rows = rows
        for index, row in enumerate(rows):
            self.fields[f"amount{index}"] = YenField(
                label=f"{row['label']}：交付決定額", initial=row["computed"]
            )
            self.fields[f"reason{index}"] = forms.CharField(
                label=f"{row['label']}：減額の理由", required=False
            )
            if not self.is_bound:
                self.initial[f"amount{index}"] = row["computed"]

    def row_fields(self):
        return [(row, self[f"amount{i}"], self[f"reason{i}"]) for i, row in enumerate(self.rows)]

    def amounts(self) -> dict[str, tuple[int, str]]:
        return {
            row["key"]: (self.cleaned_data[f"amount{i}"], self.cleaned_data[f"reason{i}"])
            for i, row in enumerate(self.rows)
        }


class CommentForm(forms.Form):
    body = forms.CharField(label="コメント", widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(forms.Form):
    file = forms.FileField(label="添付書類（PDF・xlsx・PNG・JPEG、10MBまで）")


class ExcelUploadForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(label="記入した様式（.xlsx）")


class QueueFilterForm(forms.Form):
    fiscal_year = forms.ModelChoiceField(
        label="年度", queryset=None, required=False, empty_label="すべて"
    )
    area = forms.ModelChoiceField(
        label="在宅医療圏", queryset=None, required=False, empty_label="すべて"
    )
    health_center = forms.ModelChoiceField(
        label="保健所", queryset=None, required=False, empty_label="すべて"
    )
    status = forms.ChoiceField(
        label="状態", choices=[("", "すべて"), *ApplicationStatus.choices], required=False
    )

    def __init__(self, *args, fiscal_years, areas, health_centers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].queryset = fiscal_years
        self.fields["area"].queryset = areas
        self.fields["health_center"].queryset = health_centers


CAP_UNIT_HELP = {
    SubsidyMenu.CapUnit.PER_DISTRICT: "区割り数",
    SubsidyMenu.CapUnit.PER_PERSON_HALF_DAY: "受講者数×半日数",
    SubsidyMenu.CapUnit.PER_MONTH: "月数",
}
