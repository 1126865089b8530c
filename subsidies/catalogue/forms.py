"""The fiscal year's 要綱 settings page: what the notices print (事業名, 要綱, 様式 numbers,
issuer, 公印省略, 交付の条件), the notice number pattern and the deadlines. Staff edit them
on the catalogue's 要綱の設定 page; every change is audited with its from/to, and once a
decision has used the catalogue (catalogue_frozen) they are refused like the caps: a
re-printed notice must say what the first print said."""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.db import transaction

from subsidies.catalogue.models import FiscalYear
from subsidies.shared.notice_numbers import pattern_problems
from zaitaku_portal import audit
from zaitaku_portal.access import can_manage_master_data
from zaitaku_portal.attachments import content_problem, human_size
from zaitaku_portal.form_fields import PortalModelForm

SETTINGS_FIELDS = (
    "subsidy_name",
    "guideline_name",
    "decision_form_number",
    "confirmation_form_number",
    "change_request_form_number",
    "withdrawal_form_number",
    "discontinuation_form_number",
    "discontinuation_approval_form_number",
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
SEAL_LABEL = "公印の画像"
SEAL_MAX_BYTES = 1024 * 1024  # a scanned seal at print resolution is a few tens of KB
SEAL_MAX_PIXELS = 4000  # per side
SEAL_TYPES = {
    ".png": (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"),
    ".jpg": (b"\xff\xd8", "image/jpeg", "JPEG"),
}
SEAL_TYPES[".jpeg"] = SEAL_TYPES[".jpg"]


class SettingsRefused(Exception):
    """The change is refused as a whole (frozen year, no permission), in Japanese."""


def _shown(value) -> str | None:
    from zaitaku_portal.wareki import wareki_date

    if value in (None, ""):
        return None
    if hasattr(value, "isoformat"):
        return wareki_date(value)
    return str(value)


class YokoSettingsForm(PortalModelForm):
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

    seal_image_file = forms.FileField(
        label=SEAL_LABEL,
        required=False,
        help_text=(
            "PNG または JPEG（1MB以下）。設定すると、通知書の発行者名の横に公印の表示の代わりに"
            "印字します。"
        ),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    seal_image_clear = forms.BooleanField(label="公印の画像を削除する", required=False)
    # the seal image beside the seal line on the page
    field_order = [
        *SETTINGS_FIELDS[: SETTINGS_FIELDS.index("seal_line") + 1],
        "seal_image_file",
        "seal_image_clear",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = _seal_shown(self.instance.seal_image, self.instance.seal_image_type)
        self.fields[
            "seal_image_file"
        ].help_text += f"現在: {current or '未設定（公印の表示を印字）'}"
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

    def clean_seal_image_file(self):
        upload = self.cleaned_data.get("seal_image_file")
        if not upload:
            return None
        return checked_seal_image(upload)

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
        seal = self.seal_change(stored)
        if seal is not None:
            changed[SEAL_LABEL] = {
                "from": _seal_shown(stored.seal_image, stored.seal_image_type),
                "to": _seal_shown(*seal),
            }
        return changed

    def seal_change(self, stored: FiscalYear) -> tuple[bytes, str] | None:
        """(bytes, type) the seal becomes, or None when it stays as stored."""
        new = self.cleaned_data.get("seal_image_file")
        if new:
            return None if bytes(stored.seal_image or b"") == new[0] else new
        if self.cleaned_data.get("seal_image_clear") and stored.seal_image:
            return (b"", "")
        return None


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
    seal = form.seal_change(locked)
    for name in SETTINGS_FIELDS:
        value = form.cleaned_data.get(name)
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    fields = list(SETTINGS_FIELDS)
    if seal is not None:
        locked.seal_image, locked.seal_image_type = seal
        fields += ["seal_image", "seal_image_type"]
    locked.save(update_fields=fields)
    audit.record(actor, AUDIT_ACTION, locked, changes)
    return changes


def _seal_shown(data, kind: str) -> str | None:
    """The audit's words for a seal image: its type, size and the start of its SHA-256."""
    import hashlib

    data = bytes(data or b"")
    if not data:
        return None
    name = "PNG" if kind == "image/png" else "JPEG"
    return f"{name}画像（{human_size(len(data))}、SHA-256 {hashlib.sha256(data).hexdigest()[:12]}）"


def checked_seal_image(upload) -> tuple[bytes, str]:
    """The seal upload's bytes and type, or a ValidationError naming the field: only PNG or
    JPEG by name and by first bytes (an SVG or anything else is refused), at most
    SEAL_MAX_BYTES, the whole file checked as an attachment is (zaitaku_portal/attachments.py:
    nothing appended, no markup), and an image Pillow can actually decode."""
    name = getattr(upload, "name", "") or ""
    suffix = PurePath(name).suffix.lower()
    if suffix not in SEAL_TYPES:
        raise forms.ValidationError(
            f"「{SEAL_LABEL}」はPNGまたはJPEGの画像にしてください（{name or '不明なファイル'}）。"
        )
    magic, kind, word = SEAL_TYPES[suffix]
    if upload.size > SEAL_MAX_BYTES:
        raise forms.ValidationError(
            f"「{SEAL_LABEL}」は{human_size(upload.size)}です。"
            f"{human_size(SEAL_MAX_BYTES)}以下にしてください。"
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if not data.startswith(magic):
        raise forms.ValidationError(f"「{SEAL_LABEL}」の中身が{word}画像ではありません（{name}）。")
    if problem := content_problem(upload, suffix, SEAL_MAX_BYTES):
        raise forms.ValidationError(f"「{SEAL_LABEL}」：{problem}")
    _decodable(data, word)
    return data, kind


def _decodable(data: bytes, word: str) -> None:
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if max(width, height) > SEAL_MAX_PIXELS:
                raise forms.ValidationError(
                    f"「{SEAL_LABEL}」が大きすぎます（{width}×{height}画素）。"
                    f"縦横とも{SEAL_MAX_PIXELS}画素以下にしてください。"
                )
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise forms.ValidationError(
            f"「{SEAL_LABEL}」を{word}画像として読めません。画像を保存し直してください。"
        ) from None
