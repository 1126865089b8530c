"""The approver's two forms on a draft's page: approve (決裁) and send back (差戻し)."""

from __future__ import annotations

from django import forms

from zaitaku_portal.bounds import TEXT, bounded_text


class ApproveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class SendBackForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = bounded_text(
        "差戻しの理由（起案者に表示されます）",
        TEXT,
        required=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "差戻しの理由を入力してください。"
