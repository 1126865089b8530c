"""Forms of the results-report and confirmation pages. Every error names its field."""

from __future__ import annotations

import unicodedata
from fractions import Fraction

from django import forms

from subsidies.models import ActivityKind, ExcludedSource
from subsidies.services.claims import REPORT_FIELDS, MenuChange, expense_key, expense_label

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


def _normalise(value) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    return text.replace(",", "").replace("円", "").strip()


class YenField(forms.CharField):
    """円単位の0以上の整数（全角数字とカンマ可）; empty is 0."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "class": "yen"})

    def clean(self, value):
        text = _normalise(value)
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
        label = kwargs.get("label")
        self.error_messages["invalid"] = f"「{label}」は整数で入力してください。"
        self.error_messages["min_value"] = f"「{label}」は0以上で入力してください。"
        self.error_messages["max_value"] = f"「{label}」が大きすぎます。"
        self.widget.attrs.update({"inputmode": "numeric"})

    def to_python(self, value):
        if isinstance(value, str):
            value = _normalise(value)
        return super().to_python(value)


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


class ReportForm(forms.Form):
    """Narrative, consultation figures and every decided line's actual expenses."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    consultation_hours_per_week = CountField(
        label=REPORT_FIELDS["consultation_hours_per_week"], max_value=168
    )
    consultation_count = CountField(label=REPORT_FIELDS["consultation_count"])

    def __init__(self, *args, report, expenses, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        self.expenses = expenses
        for name, label in REPORT_FIELDS.items():
            if name in self.fields:
                continue
            self.fields[name] = forms.CharField(
                label=label, required=False, widget=forms.Textarea(attrs={"rows": 3})
            )
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
                ("total_cost", "総事業費（A）", YenField),
                ("other_income", "寄附金その他の収入額（B）", YenField),
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
            self.fields[f"{prefix}-excluded_reason"] = forms.CharField(
                label=f"{label} 対象外とする理由",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.initial.setdefault(f"{prefix}-excluded_reason", expense.excluded_reason)
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
                }
            )

    def narrative_fields(self):
        return [
            self[name]
            for name in REPORT_FIELDS
            if name not in ("consultation_hours_per_week", "consultation_count")
        ]

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
            }
        return result


class ActivityForm(forms.Form):
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
    attendance = CountField(label="参加者数")
    trainees = CountField(label="受講者数")
    half_days = CountField(label="半日数")
    count = CountField(label="件数・人数")
    amount = YenField(label="金額")
    description = forms.CharField(
        label="内容", required=False, widget=forms.Textarea(attrs={"rows": 3})
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
            "amount": d.get("amount") or None,
            "description": (d.get("description") or "").strip(),
        }


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="理由（拠点への説明）", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ConfirmForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    notice_number = forms.CharField(
        label="通知番号",
        max_length=40,
        error_messages={"required": "「通知番号」を入力してください。"},
    )
    notice_date = date_field("通知日")
    reason = forms.CharField(
        label="訂正の理由（訂正の場合）", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AdvanceForm(forms.Form):
    recipient = forms.ChoiceField(
        label="支払先", error_messages={"required": "「支払先」を選択してください。"}
    )
    amount = YenField(label="支払額")
    paid_on = date_field("支払日")
    note = forms.CharField(label="備考", max_length=200, required=False)

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


def parse_rate(text: str, label: str) -> Fraction:
    cleaned = _normalise(text)
    try:
        if cleaned in ("10/10", "1"):
            return Fraction(1)
        numerator, denominator = (int(p) for p in cleaned.split("/"))
        rate = Fraction(numerator, denominator)
    except (ValueError, ZeroDivisionError):
        raise forms.ValidationError(
            f"「{label}」は 1/2・2/3・10/10 のような分数で入力してください（入力: {text}）。"
        ) from None
    if not 0 < rate <= 1:
        raise forms.ValidationError(
            f"「{label}」は0より大きく1以下にしてください（入力: {text}）。"
        )
    return rate


class WhatIfForm(forms.Form):
    """A scratch copy of the catalogue: per menu, cap, per-district multiplier and rate."""

    def __init__(self, *args, menus, **kwargs):
        super().__init__(*args, **kwargs)
        self.menus = list(menus)
        self.rows = []
        for menu in self.menus:
            cap = f"cap{menu.pk}"
            district = f"district{menu.pk}"
            rate = f"rate{menu.pk}"
            self.fields[cap] = YenField(label=f"{menu.name} 上限額")
            self.fields[district] = forms.BooleanField(
                label=f"{menu.name} 区割り数を乗じる", required=False
            )
            self.fields[rate] = forms.CharField(label=f"{menu.name} 補助率", required=False)
            for name in (cap, district, rate):
                self.fields[name].widget.attrs["aria-label"] = self.fields[name].label
            self.initial.setdefault(cap, menu.cap_amount or "")
            self.initial.setdefault(district, menu.cap_unit == "per_district")
            self.initial.setdefault(rate, menu.rate_label)
            self.rows.append((menu, self[cap], self[district], self[rate]))

    def clean(self):
        data = super().clean()
        for menu in self.menus:
            name = f"rate{menu.pk}"
            if data.get(name):
                try:
                    data[name] = parse_rate(data[name], f"{menu.name} 補助率")
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return data

    def changes(self) -> dict[int, MenuChange]:
        data = self.cleaned_data
        result = {}
        for menu in self.menus:
            cap = data.get(f"cap{menu.pk}")
            rate = data.get(f"rate{menu.pk}")
            result[menu.pk] = MenuChange(
                cap_amount=cap if cap else None,
                per_district=bool(data.get(f"district{menu.pk}")),
                rate=rate if isinstance(rate, Fraction) else None,
            )
        return result


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
