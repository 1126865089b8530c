"""The survey's forms: the period (staff), the hub's answer (one set of fields per menu of
the year's catalogue, built from the menus) and the Excel upload."""

from __future__ import annotations

from django import forms

from subsidies.applications.plan_data import start_year_label
from subsidies.survey.reading import ANSWER_FIELDS, is_hub_menu, start_year_choices
from subsidies.survey.rules import HOSPITAL_COUNT_MAX, MEETING_BODY_MAX, TEXT_LIMITS
from zaitaku_portal import bounds
from zaitaku_portal.form_fields import PortalForm


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": f"「{label}」を入力してください。",
            "invalid": f"「{label}」は日付（例: 2026-04-01）で入力してください。",
        },
    )


class PeriodForm(PortalForm):
    opens_on = _date("回答の受付開始日")
    closes_on = _date("回答の締切日")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", "回答の締切日は受付開始日以降の日付にしてください。")
        return cleaned


def _text(label: str, limit: int, rows: int = 3) -> forms.CharField:
    return bounds.bounded_text(label, limit, widget=forms.Textarea(attrs={"rows": rows}))


def _year_choice(label: str, fiscal_year) -> forms.TypedChoiceField:
    choices = [("", "（空欄）")] + [
        (str(year), start_year_label(year)) for year in start_year_choices(fiscal_year)
    ]
    return forms.TypedChoiceField(
        label=label, required=False, choices=choices, coerce=int, empty_value=None
    )


# The 4-③ fields have their own <label>; every other field sits in a table cell.
LABELLED = ("version", "district_policy", "meeting_body_count", "meeting_members", "meeting_image")


class AnswerForm(PortalForm):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, menus, fiscal_year, **kwargs):
        super().__init__(*args, **kwargs)
        self.menus = menus
        for name, limit in TEXT_LIMITS.items():
            self.fields[name] = _text(ANSWER_FIELDS[name], limit)
        self.fields["meeting_body_count"] = bounds.CountField(
            label=ANSWER_FIELDS["meeting_body_count"], max_value=MEETING_BODY_MAX
        )
        self.fields["other_actions_start_year"] = _year_choice(
            ANSWER_FIELDS["other_actions_start_year"], fiscal_year
        )
        for menu in menus:
            if is_hub_menu(menu):
                self.fields[f"wish_{menu.pk}"] = forms.BooleanField(
                    label=f"{menu.name}：補助の希望（○）", required=False
                )
                self.fields[f"start_{menu.pk}"] = _year_choice(
                    f"{menu.name}：開始年度", fiscal_year
                )
            else:
                self.fields[f"count_{menu.pk}"] = bounds.CountField(
                    label=f"{menu.name}：補助希望の医療機関数", max_value=HOSPITAL_COUNT_MAX
                )
            self.fields[f"actions_{menu.pk}"] = _text(
                f"{menu.name}：取り組み事項", bounds.TEXT, rows=2
            )
        for name, field in self.fields.items():
            if name not in LABELLED:
                field.widget.attrs["aria-label"] = field.label  # a table cell has no label

    def menu_rows(self):
        """[(menu, wish or count field, start field or None, actions field)] for the table."""
        rows = []
        for menu in self.menus:
            if is_hub_menu(menu):
                rows.append(
                    (
                        menu,
                        self[f"wish_{menu.pk}"],
                        self[f"start_{menu.pk}"],
                        self[f"actions_{menu.pk}"],
                    )
                )
            else:
                rows.append((menu, self[f"count_{menu.pk}"], None, self[f"actions_{menu.pk}"]))
        return rows

    def data_of(self) -> dict:
        cleaned = self.cleaned_data
        data = {name: cleaned.get(name) for name in ANSWER_FIELDS}
        for name in TEXT_LIMITS:
            data[name] = (data[name] or "").replace("\r\n", "\n").strip()
        data["lines"] = {}
        for menu in self.menus:
            own = is_hub_menu(menu)
            count = None if own else cleaned.get(f"count_{menu.pk}")
            data["lines"][menu.code] = {
                "wish": bool(cleaned.get(f"wish_{menu.pk}")) if own else bool(count),
                "planned_actions": (cleaned.get(f"actions_{menu.pk}") or "")
                .replace("\r\n", "\n")
                .strip(),
                "start_year": cleaned.get(f"start_{menu.pk}") if own else None,
                "hospital_count": count,
            }
        return data


def initial_of(data: dict, menus, version) -> dict:
    initial = {name: data.get(name) for name in ANSWER_FIELDS}
    initial["version"] = version
    for menu in menus:
        line = data["lines"][menu.code]
        initial[f"wish_{menu.pk}"] = line["wish"]
        initial[f"start_{menu.pk}"] = line["start_year"]
        initial[f"count_{menu.pk}"] = line["hospital_count"]
        initial[f"actions_{menu.pk}"] = line["planned_actions"]
    return initial


class UploadForm(PortalForm):
    file = forms.FileField(
        label="記入したExcelファイル（.xlsx）",
        error_messages={
            "required": "「記入したExcelファイル（.xlsx）」を選択してください。",
            "empty": "「記入したExcelファイル（.xlsx）」のファイルが空です（0バイト）。",
        },
    )
