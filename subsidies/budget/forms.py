"""The budget form: a total and, optionally, its split (拠点分 / 医療機関分), typed in 円 or
in 千円 (the unit is chosen on the form; "574,420千円" typed with its own 千円 reads as
thousands whatever the choice), with commas and 全角数字."""

from django import forms

from zaitaku_portal.bounds import YEN_MAX, read_yen, shown
from zaitaku_portal.form_fields import PortalForm

UNIT_YEN, UNIT_THOUSAND = "yen", "thousand"
UNIT_CHOICES = [(UNIT_THOUSAND, "千円"), (UNIT_YEN, "円")]
AMOUNT_FIELDS = {"total": "予算額", "hub_part": "拠点分", "hospital_part": "医療機関分"}


def _read(label: str, value: str, unit: str) -> int | None:
    """The yen of a typed amount (None when blank); a Japanese message naming the field."""
    text = (value or "").strip()
    if not text:
        return None
    typed = text
    if unit == UNIT_THOUSAND and not text.rstrip("円").endswith("千"):
        typed = f"{text}千円"
    reading = read_yen(typed, max_value=YEN_MAX, thousands_suffix=True)
    if reading.problem == "too_large":
        raise forms.ValidationError(
            f"「{label}」が大きすぎます。{YEN_MAX:,}円（{YEN_MAX // 1000:,}千円）以下で"
            "入力してください。"
        )
    if not reading.ok:
        raise forms.ValidationError(
            f"「{label}」は0以上の整数で入力してください（入力: {shown(text)}）。"
        )
    return reading.amount


class BudgetForm(PortalForm):
    unit = forms.ChoiceField(
        label="金額の単位", choices=UNIT_CHOICES, initial=UNIT_THOUSAND, widget=forms.RadioSelect
    )
    total = forms.CharField(
        label="予算額",
        required=False,
        max_length=30,
        help_text=(
            "例: 574,420（千円）。内訳を入れる場合は空欄でも構いません（内訳の合計になります）。"
        ),
    )
    hub_part = forms.CharField(
        label="拠点分", required=False, max_length=30, help_text="拠点向けメニューの予算"
    )
    hospital_part = forms.CharField(
        label="医療機関分", required=False, max_length=30, help_text="医療機関向けメニューの予算"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in AMOUNT_FIELDS:
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "class": "yen"})
        self.fields["unit"].error_messages["required"] = "金額の単位を選択してください。"

    def clean(self):
        data = super().clean()
        unit = data.get("unit")
        if unit is None:
            return data
        amounts = {}
        for name, label in AMOUNT_FIELDS.items():
            try:
                amounts[name] = _read(label, self.data.get(name, ""), unit)
            except forms.ValidationError as error:
                self.add_error(name, error)
        if self.errors:
            return data
        data.update(self._checked(amounts))
        return data

    def _checked(self, amounts: dict) -> dict:
        total, hub, hospital = amounts["total"], amounts["hub_part"], amounts["hospital_part"]
        if (hub is None) != (hospital is None):
            missing = "hospital_part" if hospital is None else "hub_part"
            self.add_error(
                missing,
                f"内訳を入れる場合は「拠点分」と「医療機関分」の両方を入力してください"
                f"（「{AMOUNT_FIELDS[missing]}」が空欄です）。",
            )
            return {}
        if hub is not None:
            if total is None:
                total = hub + hospital
            elif total != hub + hospital:
                self.add_error(
                    "total",
                    f"「予算額」{total:,}円が内訳の合計 {hub + hospital:,}円"
                    f"（拠点分 {hub:,}円＋医療機関分 {hospital:,}円）と一致しません。",
                )
                return {}
        if total is None:
            self.add_error("total", "「予算額」を入力してください。")
            return {}
        if total > YEN_MAX:
            self.add_error("total", f"「予算額」は{YEN_MAX:,}円以下で入力してください。")
            return {}
        return {"amounts": {"total": total, "hub_part": hub, "hospital_part": hospital}}


class ProposeForm(PortalForm):
    """One part's method (and, for the ceiling, the ceiling staff give, or blank for the
    largest that fits)."""

    part = forms.ChoiceField(label="予算の区分", choices=())
    method = forms.ChoiceField(
        label="配分の方法",
        choices=[
            ("pro_rata", "調整率（按分）"),
            ("tiers", "優先順位（空白のある圏域→初めての医療機関→その他の順、届かない順位で按分）"),
            ("ceiling", "1施設あたりの上限"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "配分の方法を選択してください。"},
    )
    ceiling = forms.CharField(
        label="上限（円）",
        required=False,
        max_length=30,
        help_text="「1施設あたりの上限」のとき。空欄なら予算に収まる最大の上限を計算します。",
    )

    def __init__(self, *args, parts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["part"].choices = [(p.key, p.label) for p in parts]

    def clean_ceiling(self):
        text = self.cleaned_data.get("ceiling") or ""
        if not text.strip():
            return None
        return _read("上限", text, UNIT_YEN)


def edits_from(data, rows) -> tuple[dict[int, tuple[int, str]], list[str]]:
    """The accept form's amount{i}/reason{i}: a Japanese message per unreadable amount."""
    edits, problems = {}, []
    for index, row in enumerate(rows):
        text = data.get(f"amount{index}", "")
        try:
            amount = _read(f"{row['hub']}：{row['label']}", text, UNIT_YEN)
        except forms.ValidationError as error:
            problems.extend(error.messages)
            continue
        edits[index] = (row["amount"] if amount is None else amount, data.get(f"reason{index}", ""))
    return edits, problems
