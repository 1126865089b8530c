"""Forms of the application pages. Errors name the field and the line, in Japanese."""

from __future__ import annotations

from functools import cached_property

from django import forms

from subsidies.applications.amounts import PER_MONTH, PER_PERSON_HALF_DAY
from subsidies.applications.plan_data import (
    APPLICATION_FIELDS,
    OTHER_ACTIONS,
    start_year_label,
)
from subsidies.applications.reading import (
    DecisionInput,
    decision_rows,
    held_back_rows,
    key_of,
    label_of,
    plan_view,
    start_year_choices,
)
from subsidies.applications.rules import attachment_name_problem, plan_warnings
from subsidies.catalogue.budget import accepted_amounts, budget_parts
from subsidies.models import (
    Application,
    ApplicationComment,
    ApplicationStatus,
    DecisionLine,
    MenuPlan,
    ReturnReason,
    SubsidyMenu,
)
from subsidies.shared.approvals import ApprovalKind, last_sent_back, number_preview, pending_for
from zaitaku_portal.bounds import (
    TEXT,
    CountField,
    YenField,
    bounded_text,
    max_length_of,
    max_value_of,
    parse_yen,
)
from zaitaku_portal.form_fields import PortalForm

__all__ = ["CountField", "YenField"]


def _plan_text(label: str, name: str, rows: int, model=Application) -> forms.CharField:
    return bounded_text(
        label, max_length_of(model, name), widget=forms.Textarea(attrs={"rows": rows})
    )


def _plan_count(label: str, name: str, model=Application, **kwargs) -> CountField:
    return CountField(label=label, max_value=max_value_of(model, name), **kwargs)


def _start_year_field(label: str, years: list[tuple[str, str]]) -> forms.TypedChoiceField:
    """開始年度: R8〜 / R9〜 / R10〜 (seed 004), the three years from the application's."""
    return forms.TypedChoiceField(
        label=label, choices=years, required=False, coerce=int, empty_value=None
    )


# The hub's own fields of the plan (form 4-③ and 4-①'s other actions): a hospital's own
# application (issue 18, setting (b)) has only its lines and its other actions (4-②).
HUB_ONLY_FIELDS = (
    "district_policy",
    "district_count",
    "meeting_body_count",
    "planned_meetings",
    "meeting_members",
    "other_actions",
    "other_actions_start_year",
)


class PlanForm(PortalForm):
    """The whole plan on one page: form 4-③, the hub's menus, each hospital's menus."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    district_policy = _plan_text("区割りの考え方", "district_policy", rows=2)
    district_count = _plan_count("区割り数", "district_count", min_value=1, required=True)
    meeting_body_count = _plan_count("会議体の数", "meeting_body_count")
    planned_meetings = _plan_count("多職種連携会議の開催予定回数（年）", "planned_meetings")
    meeting_members = _plan_text("会議体の構成員", "meeting_members", rows=2)
    other_actions = _plan_text("その他取り組み事項", "other_actions", rows=3)
    hospital_other_actions = _plan_text(
        "積極的医療機関のその他取り組み事項", "hospital_other_actions", rows=3
    )

    def __init__(self, *args, application, lines, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        self.lines = lines
        self.line_fields: dict[str, dict] = {}
        years = [("", "—")] + [
            (str(y), start_year_label(y)) for y in start_year_choices(application.fiscal_year)
        ]
        for text_field, year_field in OTHER_ACTIONS:
            self.fields[year_field] = _start_year_field(
                f"{self.fields[text_field].label}の開始年度", years
            )
        self._drop_hub_fields()
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
                "planned_actions": _plan_text(
                    f"{name}：取り組み事項", "planned_actions", rows=2, model=MenuPlan
                ),
                "start_year": _start_year_field(f"{name}：開始年度", years),
                "other_income": YenField(
                    label=f"{name}：寄付金その他の収入",
                    max_value=max_value_of(MenuPlan, "other_income"),
                ),
            }
            if line.menu.cap_unit == PER_PERSON_HALF_DAY:
                fields["trainees"] = _plan_count(f"{name}：受講者数", "trainees", MenuPlan)
                fields["half_days"] = _plan_count(f"{name}：半日数", "half_days", MenuPlan)
            if line.menu.cap_unit == PER_MONTH:
                fields["months"] = _plan_count(f"{name}：月数", "months", MenuPlan)
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

    def _drop_hub_fields(self) -> None:
        """A hospital's own application (issue 18 (b)): no form 4-③, no hub fields."""
        if self.application.is_hospital_application:
            for name in HUB_ONLY_FIELDS:
                del self.fields[name]

    def bound(self, key: str, name: str):
        return self[self.line_fields[key]["prefix"] + name]

    def expense_bound_fields(self, key: str):
        return [self[name] for name in self.line_fields[key]["expense_fields"]]

    def plan(self) -> dict:
        data = self.cleaned_data
        plan = {
            "district_policy": data.get("district_policy"),
            "district_count": data.get("district_count") or 1,
            "meeting_body_count": data.get("meeting_body_count"),
            "planned_meetings": data.get("planned_meetings"),
            "meeting_members": data.get("meeting_members"),
        }
        for text_field, year_field in OTHER_ACTIONS:
            plan[text_field] = data.get(text_field)
            plan[year_field] = data.get(year_field)
        plan = {k: v for k, v in plan.items() if k in self.fields}  # a hospital's: fewer
        plan["lines"] = {}
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


class HospitalLinesForm(PlanForm):
    """A hospital's own lines of its hub's plan (issue 18, setting (a)): the plan form's
    line fields only; plan() then gives {"lines": ...} alone, saved through the same
    validation and calculation (services.save_hospital_lines)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in APPLICATION_FIELDS:
            self.fields.pop(name, None)


class ConfirmForm(PortalForm):
    """The form of a workflow action's page (the row's `form`): takes the application as
    `obj=`, and gives perform() its parameters. This one only carries the version the user
    saw: a plain confirmation."""

    fields_template = "subsidies/applications/action/_confirm.html"
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, obj=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.obj = obj

    def params(self) -> dict:
        return {}

    @cached_property
    def outcome(self) -> dict:
        """What the confirmation page says will happen (issue 20: never a bare
        「よろしいですか」): the plan's figures per recipient and in all, the lines over their
        cap or starting in a later year, what is still empty, and an open draft's amounts."""
        view = plan_view(self.obj)
        wished = [line for line in view.lines if view.amounts[key_of(line)].wish]
        later = [
            {"label": label_of(line), "start": start_year_label(_start(line, view))}
            for line in wished
            if view.amounts[key_of(line)].planned_later
        ]
        named = tuple(f"「{line['label']}」" for line in later)
        return {
            "totals": view.totals,
            "grand_total": view.grand_total,
            "expense_total": view.expense_total,
            "wished": len(wished),
            "not_wished": len(view.lines) - len(wished),
            "over_cap": [_line_figures(line, view) for line in wished if _over(line, view)],
            "later": later,
            "warnings": [w for w in plan_warnings(view) if not w.startswith(named)],
            "draft": _draft_figures(self.obj, view),
        }


def _over(line, view) -> bool:
    amount = view.amounts[key_of(line)]
    return amount.over_cap and not amount.planned_later


def _start(line, view):
    return view.plan["lines"].get(key_of(line), {}).get("start_year")


def _line_figures(line, view) -> dict:
    amount = view.amounts[key_of(line)]
    return {
        "label": label_of(line),
        "expense": amount.expense_total,
        "cap": amount.cap_total,
        "computed": amount.computed_amount,
    }


def _draft_figures(application, view) -> dict | None:
    """The open 起案 an approver decides on: its kind, amounts and reason."""
    draft = pending_for(application)
    if draft is None:
        return None
    before = application.current_decision
    total = None
    if draft.kind in (ApprovalKind.DECISION, ApprovalKind.CHANGE_DECISION):
        # a line the draft does not name is decided at its computed amount
        drafted = draft.payload.get("amounts", {})
        total = sum(
            int(drafted.get(row["key"], [row["computed"]])[0])
            for row in decision_rows(application, view)
        )
    return {
        "kind": draft.get_kind_display(),
        "total": total,
        "before_total": before.total_amount if before is not None else None,
        "notice_number": draft.payload.get("notice_number", ""),
        "reason": draft.payload.get("reason", ""),
        "drafted_by": draft.drafted_by,
    }


class ReturnForm(ConfirmForm):
    fields_template = "subsidies/applications/action/_reason.html"
    reason_code = forms.ChoiceField(
        label="差戻し理由", choices=[("", "選択してください"), *ReturnReason.choices]
    )
    reason = bounded_text(
        "差戻しの内容（拠点に表示されます）",
        max_length_of(Application, "return_reason_text"),
        required=True,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].error_messages["required"] = "差戻し理由を選択してください。"
        self.fields["reason"].error_messages["required"] = "差戻しの内容を入力してください。"

    def params(self) -> dict:
        return {
            "reason_code": self.cleaned_data["reason_code"],
            "reason": self.cleaned_data["reason"],
        }


class ReasonForm(ConfirmForm):
    """A refusal's draft (不交付・変更の不承認: the reason, and a notice number if staff type
    one) and an approver's send-back (the reason only)."""

    fields_template = "subsidies/applications/action/_reason.html"
    reason = bounded_text("理由", TEXT, required=True, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "理由を入力してください。"
        if self.obj is not None and self.obj.status == ApplicationStatus.UNDER_REVIEW:
            self.fields["notice_number"] = _notice_number_field(self.obj.fiscal_year)

    def params(self) -> dict:
        params = {"reason": self.cleaned_data["reason"]}
        if "notice_number" in self.cleaned_data:  # a refusal is a 決定 too: its number only
            params["decision"] = DecisionInput(self.cleaned_data["notice_number"], None, {})
        return params


def _recipients(view) -> dict[str, str]:
    """Each line's recipient: the hub, or the active hospital the line is for."""
    hub = view.application.hub.name
    return {
        key_of(line): line.designation.institution.name if line.designation_id else hub
        for line in view.lines
    }


def _notice_number_field(fiscal_year) -> forms.CharField:
    return forms.CharField(
        label="通知番号（空欄なら決裁の時に年度の形式で採番）",
        max_length=40,
        required=False,
        help_text=number_preview(fiscal_year),
        error_messages={"max_length": "通知番号は40文字以内で入力してください。"},
    )


class DecideForm(ConfirmForm):
    """交付決定（変更交付決定）の起案: the decided amount per line (a reduction with its
    reason) and, if staff type one, the notice number. The notice is dated and numbered when
    an approver approves the draft."""

    fields_template = "subsidies/applications/action/_decide.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notice_number"] = _notice_number_field(self.obj.fiscal_year)
        view = plan_view(self.obj)
        rows = decision_rows(self.obj, view)
        self.held_back = held_back_rows(view)
        self.sent_back = last_sent_back(self.obj)
        self.budget_parts = budget_parts(self.obj.fiscal_year, exclude_application_id=self.obj.pk)
        accepted = accepted_amounts(self.obj)
        self.rows = rows
        recipients = _recipients(view)
        for index, row in enumerate(rows):
            row["recipient"] = recipients[row["key"]]
            self.fields[f"amount{index}"] = YenField(
                label=f"{row['label']}：交付決定額", initial=row["computed"]
            )
            self.fields[f"reason{index}"] = bounded_text(
                f"{row['label']}：減額の理由", max_length_of(DecisionLine, "reason")
            )
            # the table's cells carry no <label>: the input names its line itself
            for name in (f"amount{index}", f"reason{index}"):
                self.fields[name].widget.attrs["aria-label"] = self.fields[name].label
            self.fields[f"amount{index}"].widget.attrs["data-recipient"] = row["recipient"]
            if not self.is_bound:
                self.initial[f"amount{index}"] = row["computed"]
                if row["key"] in accepted:  # an accepted allocation proposal (issue 19)
                    amount, reason = accepted[row["key"]]
                    self.initial[f"amount{index}"] = min(amount, row["computed"])
                    self.initial[f"reason{index}"] = reason if amount < row["computed"] else ""

    def row_fields(self):
        return [(row, self[f"amount{i}"], self[f"reason{i}"]) for i, row in enumerate(self.rows)]

    def recipient_totals(self) -> dict:
        """計算額 and 交付決定額 per recipient and in all, as the inputs stand (what was typed,
        when it reads as yen; the page's script keeps them current while typing)."""
        per: dict[str, dict] = {}
        for index, row in enumerate(self.rows):
            total = per.setdefault(
                row["recipient"], {"name": row["recipient"], "computed": 0, "decided": 0}
            )
            total["computed"] += row["computed"]
            typed = self._typed(index, row)
            if typed is None or total["decided"] is None:
                total["decided"] = None  # an amount that does not read: no total to show
            else:
                total["decided"] += typed
        totals = list(per.values())
        decided = [t["decided"] for t in totals]
        return {
            "recipients": totals,
            "computed": sum(t["computed"] for t in totals),
            "decided": None if None in decided else sum(decided),
        }

    def _typed(self, index: int, row: dict) -> int | None:
        if not self.is_bound:
            return self.initial.get(f"amount{index}", row["computed"])
        return parse_yen(self.data.get(f"amount{index}", ""))

    def amounts(self) -> dict[str, tuple[int, str]]:
        return {
            row["key"]: (self.cleaned_data[f"amount{i}"], self.cleaned_data[f"reason{i}"])
            for i, row in enumerate(self.rows)
        }

    def params(self) -> dict:
        return {
            "decision": DecisionInput(
                notice_number=self.cleaned_data["notice_number"],
                notice_date=None,  # the approval's date
                amounts=self.amounts(),
            )
        }


class CommentForm(PortalForm):
    body = bounded_text(
        "コメント",
        max_length_of(ApplicationComment, "body"),
        required=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AttachmentForm(PortalForm):
    file = forms.FileField(
        label="添付書類（PDF・xlsx・PNG・JPEG、10MBまで）",
        error_messages={
            "required": "添付するファイルを選択してください。",
            "empty": "「添付書類」のファイルが空です（0バイト）。",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if problem := attachment_name_problem(upload.name):
            raise forms.ValidationError(problem)
        return upload


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
