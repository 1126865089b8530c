"""Forms of the results-report and confirmation pages. Every error names its field."""

from __future__ import annotations

from django import forms

from subsidies.models import (
    Activity,
    ActivityKind,
    Confirmation,
    ExcludedSource,
    ResultExpense,
    ResultReport,
)
from subsidies.results.claim import claim_for, claim_snapshot
from subsidies.results.columns import OTHER_INCOME, TOTAL_COST
from subsidies.results.models import (
    DisasterEquipment,
    EquipmentItem,
    LeaderTraining,
    OutreachTarget,
    TraineeType,
    TrainingRole,
    TrainingSite,
)
from subsidies.results.reading import (
    COUNT_FIELDS,
    REPORT_FIELDS,
    current_confirmation,
    expense_key,
    expense_label,
)
from subsidies.results.report_advice import ReportAdvice
from subsidies.results.rules import ConfirmationInput, minutes_name_problem
from subsidies.shared.approvals import last_sent_back, number_preview
from zaitaku_portal.bounds import (
    CountField,
    YenField,
    bounded_text,
    max_length_of,
    max_value_of,
)
from zaitaku_portal.form_fields import PortalForm

PROFESSIONS = (
    "医師",
    "歯科医師",
    "薬剤師",
    "看護師",
    "リハビリ職",
    "介護支援専門員",
    "介護職",
    "医療ソーシャルワーカー",
    "相談支援専門員",
    "行政職員",
    "その他",
)
AFFILIATIONS = (
    "病院",
    "診療所",
    "歯科診療所",
    "薬局",
    "訪問看護ステーション",
    "地域包括支援センター",
    "居宅介護支援事業所",
    "介護サービス事業所",
    "障害者相談支援事業所",
    "市町村",
    "保健所",
    "その他",
)
MEETING_KINDS = (
    "多職種連携会議（全体会議）",
    "管理者・施設長の会議",
    "事例検討会",
    "積極的医療機関との会議",
    "その他",
)
TOPICS = (
    "提供状況の把握",
    "課題の抽出と解決策",
    "災害時の対応",
    "ACP（人生会議）",
    "退院支援",
    "急変時の対応",
    "看取り",
    "情報共有・ICT",
)


def _count(label: str, model, name: str) -> CountField:
    """A count bounded as the model field says (zaitaku_portal/bounds.py)."""
    return CountField(label=label, max_value=max_value_of(model, name))


def _text(label: str, model, name: str, rows: int) -> forms.CharField:
    return bounded_text(
        label, max_length_of(model, name), widget=forms.Textarea(attrs={"rows": rows})
    )


def _choice(label: str, choices) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices.choices,
        required=False,
        error_messages={"invalid_choice": f"「{label}」は選択肢から選んでください。"},
    )


def date_field(label: str, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": f"「{label}」を入力してください。",
            "invalid": f"「{label}」は正しい日付（例: 2026-07-15）で入力してください。",
        },
    )


class ReportForm(PortalForm):
    """Narrative, consultation figures and every decided line's actual expenses."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    consultation_hours_per_week = _count(
        REPORT_FIELDS["consultation_hours_per_week"], ResultReport, "consultation_hours_per_week"
    )
    consultation_count = _count(
        REPORT_FIELDS["consultation_count"], ResultReport, "consultation_count"
    )
    operator_staff_count = _count(
        REPORT_FIELDS["operator_staff_count"], ResultReport, "operator_staff_count"
    )

    def __init__(self, *args, report, expenses, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        self.expenses = expenses
        for name, label in REPORT_FIELDS.items():
            if name in self.fields:
                continue
            self.fields[name] = _text(label, ResultReport, name, rows=3)
        hub_name = report.application.hub.name
        self.lines = []
        for index, expense in enumerate(expenses):
            label = expense_label(expense, hub_name)
            prefix = f"e{index}"
            category_fields = []
            for category in expense.menu.expense_categories.all():
                name = f"{prefix}-cat-{category.code}"
                self.fields[name] = YenField(label=f"{label} {category.name}")
                self.initial.setdefault(name, expense.expenses.get(category.code, 0))
                category_fields.append((category, name))
            for name, field_label, field in (
                ("total_cost", TOTAL_COST.field_label, YenField),
                ("other_income", OTHER_INCOME.field_label, YenField),
                ("excluded_amount", "対象外とする額", YenField),
            ):
                self.fields[f"{prefix}-{name}"] = field(label=f"{label} {field_label}")
                self.initial.setdefault(f"{prefix}-{name}", getattr(expense, name))
            self.fields[f"{prefix}-excluded_source"] = forms.ChoiceField(
                label=f"{label} 対象外の財源",
                choices=ExcludedSource.choices,
                required=False,
                error_messages={
                    "invalid_choice": f"「{label} 対象外の財源」は選択肢から選んでください。"
                },
            )
            self.initial.setdefault(f"{prefix}-excluded_source", expense.excluded_source)
            self.fields[f"{prefix}-excluded_reason"] = _text(
                f"{label} 対象外とする理由", ResultExpense, "excluded_reason", rows=2
            )
            self.initial.setdefault(f"{prefix}-excluded_reason", expense.excluded_reason)
            self.fields[f"{prefix}-not_carried_out"] = forms.BooleanField(
                label=f"{label} 未実施（実施しなかった）", required=False
            )
            self.initial.setdefault(f"{prefix}-not_carried_out", expense.not_carried_out)
            self.fields[f"{prefix}-not_carried_out_reason"] = _text(
                f"{label} 未実施の理由", ResultExpense, "not_carried_out_reason", rows=2
            )
            self.initial.setdefault(
                f"{prefix}-not_carried_out_reason", expense.not_carried_out_reason
            )
            self.lines.append(
                {
                    "expense": expense,
                    "label": label,
                    "prefix": prefix,
                    "categories": [(c, self[n]) for c, n in category_fields],
                    "total_cost": self[f"{prefix}-total_cost"],
                    "other_income": self[f"{prefix}-other_income"],
                    "excluded_amount": self[f"{prefix}-excluded_amount"],
                    "excluded_source": self[f"{prefix}-excluded_source"],
                    "excluded_reason": self[f"{prefix}-excluded_reason"],
                    "not_carried_out": self[f"{prefix}-not_carried_out"],
                    "not_carried_out_reason": self[f"{prefix}-not_carried_out_reason"],
                }
            )

    def narrative_fields(self):
        return [self[name] for name in REPORT_FIELDS if name not in COUNT_FIELDS]

    def data_dict(self) -> dict:
        data = self.cleaned_data
        result = {name: data.get(name) for name in REPORT_FIELDS}
        for name in REPORT_FIELDS:
            if isinstance(result[name], str):
                result[name] = result[name].strip()
        result["expenses"] = {}
        for line in self.lines:
            prefix = line["prefix"]
            result["expenses"][expense_key(line["expense"])] = {
                "expenses": {
                    category.code: data[f"{prefix}-cat-{category.code}"]
                    for category, _ in line["categories"]
                },
                "total_cost": data[f"{prefix}-total_cost"],
                "other_income": data[f"{prefix}-other_income"],
                "excluded_amount": data[f"{prefix}-excluded_amount"],
                "excluded_source": data[f"{prefix}-excluded_source"] or "",
                "excluded_reason": (data[f"{prefix}-excluded_reason"] or "").strip(),
                "not_carried_out": bool(data[f"{prefix}-not_carried_out"]),
                "not_carried_out_reason": (data[f"{prefix}-not_carried_out_reason"] or "").strip(),
            }
        return result


class ActivityForm(PortalForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label="種別",
        choices=[("", "選択してください"), *ActivityKind.choices],
        error_messages={
            "required": "「種別」を選択してください。",
            "invalid_choice": "「種別」は選択肢から選んでください。",
        },
    )
    requirement_item = forms.ModelChoiceField(
        label="求められる事項", queryset=None, required=False, empty_label="（選択しない）"
    )
    designation = forms.ModelChoiceField(
        label="実施した積極的医療機関", queryset=None, required=False, empty_label="（拠点）"
    )
    held_on = date_field("実施日", required=False)
    title = forms.CharField(
        label="名称・テーマ",
        max_length=200,
        required=False,
        error_messages={"max_length": "「名称・テーマ」は200文字以内で入力してください。"},
    )
    meeting_kind = forms.ChoiceField(
        label="会議の種類",
        choices=[("", "（会議のみ）"), *((k, k) for k in MEETING_KINDS)],
        required=False,
    )
    topics = forms.MultipleChoiceField(
        label="議題",
        choices=[(t, t) for t in TOPICS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audience = forms.CharField(label="対象・訪問先", max_length=200, required=False)
    attendance = _count("参加者数", Activity, "attendance")
    trainees = _count("受講者数", Activity, "trainees")
    half_days = _count("半日数", Activity, "half_days")
    count = _count("件数・人数", Activity, "count")
    months = _count("配置した月数（看護師等の配置）", Activity, "months")
    amount = YenField(label="金額", max_value=max_value_of(Activity, "amount"))
    description = _text("内容", Activity, "description", rows=3)
    with_administrators = forms.BooleanField(
        label="行政担当官・関連施設の管理者が参加した会議", required=False
    )
    outreach_target = _choice("アウトリーチの訪問先", OutreachTarget)
    leader_training = _choice("リーダー研修", LeaderTraining)
    training_role = _choice("研修への関わり", TrainingRole)
    trainee_type = _choice("同行訪問研修の対象者", TraineeType)
    training_site = _choice("同行訪問研修の研修先", TrainingSite)
    result = _text(
        "結果・成果・評価（アンケート結果・参加者の声・効果）", Activity, "result", rows=3
    )
    minutes = forms.FileField(
        label="議事録（会議の場合。PDF・Word・Excel・画像、10MBまで）",
        required=False,
        error_messages={"empty": "「議事録」のファイルが空です。"},
    )

    def __init__(self, *args, requirement_items, designations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement_item"].queryset = requirement_items
        self.fields["designation"].queryset = designations
        self.fields["designation"].label_from_instance = lambda d: d.institution.name
        for index, name in enumerate(PROFESSIONS):
            self.fields[f"prof{index}"] = CountField(label=f"職種別の参加者数（{name}）")
        for index, name in enumerate(AFFILIATIONS):
            self.fields[f"aff{index}"] = CountField(label=f"所属別の参加者数（{name}）")

    def profession_fields(self):
        return [(name, self[f"prof{i}"]) for i, name in enumerate(PROFESSIONS)]

    def affiliation_fields(self):
        return [(name, self[f"aff{i}"]) for i, name in enumerate(AFFILIATIONS)]

    def clean_minutes(self):
        upload = self.cleaned_data.get("minutes")
        if upload and (problem := minutes_name_problem(upload.name)):
            raise forms.ValidationError(problem)
        return upload

    def data_dict(self) -> dict:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "requirement_item": d.get("requirement_item"),
            "designation": d.get("designation"),
            "held_on": d.get("held_on"),
            "title": (d.get("title") or "").strip(),
            "meeting_kind": d.get("meeting_kind") or "",
            "topics": list(d.get("topics") or []),
            "audience": (d.get("audience") or "").strip(),
            "participants_by_profession": {
                name: d[f"prof{i}"] for i, name in enumerate(PROFESSIONS) if d.get(f"prof{i}")
            },
            "participants_by_affiliation": {
                name: d[f"aff{i}"] for i, name in enumerate(AFFILIATIONS) if d.get(f"aff{i}")
            },
            "attendance": d.get("attendance"),
            "trainees": d.get("trainees"),
            "half_days": d.get("half_days"),
            "count": d.get("count"),
            "months": d.get("months"),
            "amount": d.get("amount") or None,
            "description": (d.get("description") or "").strip(),
            "with_administrators": bool(d.get("with_administrators")),
            **{name: d.get(name) or "" for name in CHOICE_NAMES},
            "result": (d.get("result") or "").strip(),
        }


CHOICE_NAMES = (
    "outreach_target",
    "leader_training",
    "training_role",
    "trainee_type",
    "training_site",
)


class EquipmentForm(PortalForm):
    """One kind of disaster equipment (seed 003 §4 6)(3)): quantity and cost."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    item = forms.ChoiceField(
        label="備品",
        choices=[("", "選択してください"), *EquipmentItem.choices],
        error_messages={
            "required": "「備品」を選択してください。",
            "invalid_choice": "「備品」は選択肢から選んでください。",
        },
    )
    other_name = bounded_text(
        "備品名（その他の場合）", max_length_of(DisasterEquipment, "other_name")
    )
    quantity = CountField(
        label="数量", min_value=1, max_value=max_value_of(DisasterEquipment, "quantity")
    )
    cost = YenField(label="購入費", max_value=max_value_of(DisasterEquipment, "cost"))

    def data_dict(self) -> dict:
        d = self.cleaned_data
        return {
            "item": d["item"],
            "other_name": (d.get("other_name") or "").strip(),
            "quantity": d.get("quantity"),
            "cost": d.get("cost"),
        }


class ReceiptForm(PortalForm):
    """領収書等 for one expense line (PDF・xlsx・PNG・JPEG, as application attachments)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    line = forms.ChoiceField(
        label="経費の行",
        error_messages={
            "required": "「経費の行」を選択してください。",
            "invalid_choice": "「経費の行」は選択肢から選んでください。",
        },
    )
    file = forms.FileField(
        label="領収書等（PDF・xlsx・PNG・JPEG、10MBまで）",
        error_messages={
            "required": "「領収書等」のファイルを選択してください。",
            "empty": "「領収書等」のファイルが空です。",
        },
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [("", "選択してください"), *lines]


class ActionForm(PortalForm):
    """The form of a workflow row's page (subsidies/results/workflow.py): the 更新番号 the
    page was shown with and, where the row requires one, the reason. The generic action
    view builds it from the row and hands `params()` to services.perform."""

    page_template = "subsidies/results/action.html"
    page_url = ""  # empty: served at results:report_action; else the page's own URL name
    success_message = ""  # empty: 「<row label>」を行いました。

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = _text("理由（拠点への説明）", ResultReport, "return_reason", rows=4)

    def __init__(self, *args, obj=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.obj = obj

    def params(self) -> dict:
        return {"reason": self.cleaned_data["reason"]}

    def page_context(self) -> dict:
        return {}


class ConfirmForm(ActionForm):
    """額の確定 and its correction, drafted (起案): a notice number if staff type one (the
    amount is computed). Dated and numbered when an approver approves the draft."""

    page_template = "subsidies/results/confirm.html"
    page_url = "results:confirm"  # where the calculation page's button leads
    success_message = "額の確定を起案しました（決裁待ち）。"

    notice_number = forms.CharField(
        label="通知番号（空欄なら決裁の時に年度の形式で採番）",
        max_length=40,
        required=False,
        error_messages={"max_length": "「通知番号」は40文字以内で入力してください。"},
    )
    reason = _text("訂正の理由（訂正の場合）", Confirmation, "reason", rows=3)

    field_order = ["version", "notice_number", "reason"]

    def __init__(self, *args, obj=None, **kwargs):
        super().__init__(*args, obj=obj, **kwargs)
        if obj is not None:
            self.fields["notice_number"].help_text = number_preview(obj.application.fiscal_year)

    def params(self) -> dict:
        return {
            "reason": self.cleaned_data["reason"],
            "confirmation": ConfirmationInput(self.cleaned_data["notice_number"], None),
        }

    def page_context(self) -> dict:
        """The claim as it would be confirmed now, and the confirmation it would replace."""
        application = self.obj.application
        claim = claim_for(application)
        previous = current_confirmation(application)
        return {
            "snapshot": claim_snapshot(claim),
            "previous": previous,
            "correction_difference": (
                claim.total_amount - previous.total_amount if previous else None
            ),
            "sent_back": last_sent_back(self.obj, report=True),
        }


class AdvanceForm(PortalForm):
    recipient = forms.ChoiceField(
        label="支払先", error_messages={"required": "「支払先」を選択してください。"}
    )
    amount = YenField(label="支払額")
    paid_on = date_field("支払日")
    note = forms.CharField(label="備考", max_length=200, required=False)
    # The application's advance total when the page was shown: a second POST of the same
    # page (double click, or someone else in between) is refused by record_advance.
    advance_total = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=0,
        error_messages={
            "invalid": "画面の情報が正しくありません。再読み込みしてください。",
            "min_value": "画面の情報が正しくありません。再読み込みしてください。",
        },
    )

    def __init__(self, *args, recipients, **kwargs):
        super().__init__(*args, **kwargs)
        self.recipients = {("hub" if d is None else str(d.pk)): d for d, _ in recipients}
        self.fields["recipient"].choices = [
            ("hub" if d is None else str(d.pk), name) for d, name in recipients
        ]
        self.fields["recipient"].error_messages["invalid_choice"] = (
            "「支払先」は選択肢から選んでください。"
        )

    def designation(self):
        return self.recipients[self.cleaned_data["recipient"]]


class ExpenseUploadForm(forms.Form):
    file = forms.FileField(
        label="記入したExcel（実支出額）",
        error_messages={
            "required": "「記入したExcel（実支出額）」のファイルを選択してください。",
            "empty": "「記入したExcel（実支出額）」のファイルが空です。",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                f"「{upload.name}」はxlsx形式ではありません。ダウンロードした様式を使ってください。"
            )
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("ファイルが大きすぎます（5MBまで）。")
        return upload


class AdviceForm(PortalForm):
    body = bounded_text(
        "助言の内容",
        max_length_of(ReportAdvice, "body"),
        required=True,
        error_messages={"required": "「助言の内容」を入力してください。"},
        widget=forms.Textarea(attrs={"rows": 6}),
    )
