"""The forms of the payments part: 交付請求 (the grantee), 支払・差戻し, 返還命令 and 収納
(staff). Amounts use zaitaku_portal.bounds.YenField (全角・カンマ・円 accepted)."""

from __future__ import annotations

from django import forms

from subsidies.payments.reading import Ceiling
from subsidies.results.forms import date_field
from zaitaku_portal.bounds import YenField
from zaitaku_portal.form_fields import PortalForm

STALE_FORM = "画面の情報が正しくありません。再読み込みしてください。"


def _version() -> forms.IntegerField:
    return forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=0,
        error_messages={"invalid": STALE_FORM, "min_value": STALE_FORM},
    )


class RequestForm(PortalForm):
    """One request: the target is one of the application's ceilings (概算払 per recipient,
    or the 精算払 of the whole application)."""

    target = forms.ChoiceField(
        label="請求の種類・請求先",
        error_messages={"required": "「請求の種類・請求先」を選択してください。"},
    )
    amount = YenField(label="請求額")

    def __init__(self, *args, ceilings: list[Ceiling], **kwargs):
        super().__init__(*args, **kwargs)
        self.ceilings = {c.key: c for c in ceilings}
        self.fields["target"].choices = [
            (
                c.key,
                f"{'概算払' if c.kind == 'advance' else '精算払'}｜{c.recipient_name}"
                f"（請求可能額 {c.available:,}円）",
            )
            for c in ceilings
        ]
        self.fields["target"].error_messages["invalid_choice"] = (
            "「請求の種類・請求先」は選択肢から選んでください。"
        )

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if not amount:
            raise forms.ValidationError("「請求額」は1円以上の円単位の整数で入力してください。")
        return amount

    def ceiling(self) -> Ceiling:
        return self.ceilings[self.cleaned_data["target"]]


class PaymentForm(PortalForm):
    version = _version()
    paid_on = date_field("支払日")


class ReturnForm(PortalForm):
    version = _version()
    reason = forms.CharField(
        label="差戻しの理由",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "「差戻しの理由」を入力してください。"},
    )


class RefundForm(PortalForm):
    notice_number = forms.CharField(
        label="通知番号",
        max_length=40,
        error_messages={"required": "「通知番号」を入力してください。"},
    )
    notice_date = date_field("通知日")
    amount = YenField(label="返還額")


class ReceiptForm(PortalForm):
    version = _version()
    received_on = date_field("収納日")
    amount = YenField(label="収納額")
