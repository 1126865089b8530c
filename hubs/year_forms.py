"""Forms of the hub's yearly record (hubs/models/year_record.py). Every message names its
field in Japanese; counts accept full-width digits."""

from __future__ import annotations

from django import forms

from hubs.area.forms import JapaneseModelForm
from hubs.models import CoordinatorMeetingAttendance, HubYearPlan
from hubs.models.year_record import PlanChoice
from zaitaku_portal.bounds import MEETINGS_MAX, PEOPLE_MAX, CountField
from zaitaku_portal.wareki import fiscal_year_label, fiscal_year_of

COUNT_FIELDS = ("planned_trainings", "planned_lectures", "planned_hospital_meetings")


def accompanied_problems(data: dict) -> dict[str, str]:
    """seed 002 (5): the trainees and sites say whom and where a planned training takes;
    without a plan there is nobody to train and nowhere to go."""
    problems = {}
    planned = data.get("accompanied_visit") == PlanChoice.PLANNED
    for name, label in (
        ("accompanied_trainees", "同行訪問研修の対象者"),
        ("accompanied_sites", "同行訪問研修の研修先"),
    ):
        if planned and not data.get(name):
            problems[name] = (
                f"同行訪問研修が「予定あり」のときは「{label}」を選んでください（未定も選べます）。"
            )
        if not planned and data.get(name):
            problems[name] = (
                f"同行訪問研修が「予定あり」でないときは「{label}」を空欄にしてください。"
            )
    return problems


class YearPlanForm(JapaneseModelForm):
    class Meta:
        model = HubYearPlan
        fields = [
            "administrators_meeting",
            "planned_trainings",
            "planned_lectures",
            "planned_hospital_meetings",
            "accompanied_visit",
            "accompanied_trainees",
            "accompanied_sites",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in COUNT_FIELDS:
            model_field = HubYearPlan._meta.get_field(name)
            self.fields[name] = CountField(
                label=model_field.verbose_name,
                max_value=MEETINGS_MAX,
                help_text=model_field.help_text,
            )
        for name in ("administrators_meeting", "accompanied_visit"):
            self.fields[name].choices = [("", "（未登録）"), *PlanChoice.choices]
        for name in ("accompanied_trainees", "accompanied_sites"):
            self.fields[name].choices = [
                ("", "（予定なしのときは空欄）"),
                *self.fields[name].choices[1:],
            ]

    def clean(self):
        data = super().clean()
        for name, message in accompanied_problems(data).items():
            self.add_error(name, message)
        return data


class AttendanceForm(JapaneseModelForm):
    attendees = CountField(label="参加者数（人）", min_value=1, max_value=PEOPLE_MAX, required=True)

    class Meta:
        model = CoordinatorMeetingAttendance
        fields = ["kind", "held_on", "venue", "attendees"]

    def __init__(self, *args, fiscal_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fiscal_year = fiscal_year
        self.fields["attendees"].error_messages["required"] = (
            "「参加者数（人）」を入力してください。"
        )
        self.fields["kind"].choices = [
            ("", "（選択してください）"),
            *self.fields["kind"].choices[1:],
        ]

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on and fiscal_year_of(held_on) != self.fiscal_year:
            year = self.fiscal_year
            raise forms.ValidationError(
                f"「開催日」は{fiscal_year_label(year)}"
                f"（{year}年4月1日〜{year + 1}年3月31日）の日付にしてください。"
            )
        return held_on


class AttendanceDeleteForm(forms.Form):
    attendance = forms.IntegerField(
        min_value=1, error_messages={"invalid": "削除する参加記録が正しくありません。"}
    )
