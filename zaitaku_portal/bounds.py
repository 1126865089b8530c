"""How long a text and how large a number may be, said once (issue 12, points 5, 6 and 10).

The models carry these bounds as validators and max_length, so the admin refuses what does
not fit; the portal's own forms and the Excel readers read them back from the model fields
(`max_length_of`, `max_value_of`), so the web form, the workbook and the model agree.

Why bounds at all: three texts of 0.8 MB made a version's PDF render for ten minutes, and a
number typed as `40000`, `10**12`, `2**70` or 5,000 nines overflowed a column (PostgreSQL
smallint/integer, SQLite's 64 bits) or Python's int/str conversion limit: a 500 after the
user's work was lost. Each bound fits what the field holds:

- 円: 10,000,000,000 (100億円). A menu's cap is at most a few 千万円; a prefecture's whole
  budget for this fund a few 億円 (Osaka FY2024: 574,420千円).
- people (参加者数, 受講者数, 職種別の参加者数): 9,999; the seeds' largest events have hundreds.
- 件数 (相談件数 a year): 99,999; a city hub's desk takes a few thousand.
- 会議の予定回数, 区割り数, 会議体の数: 99. Seed 003 asks for 4 meetings a year; 区割り数 ≤ 99
  as the hub model always said.
- 月数: 12, a fiscal year. 半日数: 999 (two half days a day for a year is 730).
- 週あたり時間: 168, the hours of a week.

Texts: a short reason 1,000 characters, a plan's 取り組み事項 or a comment 2,000, a report's
narrative or an activity's 内容 (minutes, summary) 4,000. The seeds' own texts are one to a
few hundred characters; a page of A4 in Japanese holds about 1,600.

Digits: full-width digits (１２), commas and 円 are what Japanese users type and are read
(NFKC), as the yen parser always did; digits of other scripts (፩, ١٢), signs, exponents and
more than 15 digits are refused with a message, never handed to int().

Yen: read_yen is the one reading of an amount typed or read from a cell (YenField, the
application workbook, the expense workbook). Each caller says what it allows (千円, Excel's
number notation) and words the refusal itself from the reading's `problem`."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator

YEN_MAX = 10_000_000_000
PEOPLE_MAX = 9_999
CASES_MAX = 99_999
MEETINGS_MAX = 99
DISTRICTS_MAX = 99
MONTHS_MAX = 12
HALF_DAYS_MAX = 999
HOURS_PER_WEEK_MAX = 168
RATE_PART_MAX = 100  # 補助率 1/2, 2/3, 3/4, 10/10: never a denominator above 100
YEAR_MIN, YEAR_MAX = 2019, 2100  # 令和元年度 .. the FiscalYear model's own range

SHORT_TEXT = 1_000
TEXT = 2_000
LONG_TEXT = 4_000

MAX_DIGITS = 15  # YEN_MAX has 11: a longer number is never handed to int()
OVER = 10**MAX_DIGITS  # what whole_number says of more digits: above every bound here
ID_MAX = OVER - 1  # a database id: a thousand trillion rows is beyond any table here
_DIGITS = re.compile(r"[0-9]+")
_NEGATIVE = re.compile(rf"-[0-9]{{1,{MAX_DIGITS}}}")
_SHOWN = 20


def shown(value) -> str:
    """The user's input as a message quotes it: at most 20 characters, no control ones."""
    text = "".join(" " if is_control(c) else c for c in str(value))
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def number_text(value) -> str:
    """全角数字・カンマ・「円」を除いた半角の文字列."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text.replace(",", "").replace("円", "").strip()


def whole_number(value) -> int | None:
    """The whole number a person typed, or None when it is not plain digits 0-9 (after NFKC).
    More than 15 digits (5,000 nines, 2**70) is OVER, which every bound refuses as too large,
    without converting them (Python refuses int() of more than 4,300 digits)."""
    text = number_text(value)
    if not _DIGITS.fullmatch(text):
        return None
    return int(text) if len(text) <= MAX_DIGITS else OVER


# --- yen: one reading for every amount a person types or a workbook holds -------------------

_YEN_DIGITS = re.compile(r"(-?)([0-9]+)")
_THOUSANDS_SUFFIXES = ("千円", "千")


@dataclass(frozen=True)
class YenReading:
    """What an amount says. `problem` is "" (read), "not_amount" (a date, a truth value),
    "unreadable" (not a number), "negative", "too_large" or "fraction" (円未満の端数), in
    the order they are checked. `amount` is the whole yen when read, the signed amount when
    negative (never longer than MAX_DIGITS), else None. `thousands`: read as 千円."""

    amount: int | None
    problem: str = ""
    thousands: bool = False

    @property
    def ok(self) -> bool:
        return not self.problem


def read_yen(
    value,
    *,
    max_value: int = YEN_MAX,
    thousands_suffix: bool = False,
    number_in_thousands: bool = False,
    cell_notation: bool = False,
) -> YenReading:
    """An empty value (None, blank text) is 0 yen. A text is read after NFKC (全角数字,
    全角カンマ, ￥), without spaces, commas, a leading ¥ or a trailing 円; with
    `thousands_suffix` a trailing 千円 or 千 means thousands. A text is plain digits 0-9 with
    an optional minus, unless `cell_notation` (a workbook cell, where Excel's own notation
    1.5 or 1E+5 is read as the number it is). A number (int, float, Decimal) is taken as it
    is, times 1,000 with `number_in_thousands` (a cell formatted in 千円)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return YenReading(0)
    if isinstance(value, bool | datetime.date | datetime.time):
        return YenReading(None, "not_amount")
    if isinstance(value, str):
        return _read_yen_text(value, max_value, thousands_suffix, cell_notation)
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        return _bounded_yen(number, max_value, number_in_thousands)
    return YenReading(None, "not_amount")


def parse_yen(value, **options) -> int | None:
    """The whole yen of `value` (see read_yen), or None when it cannot be read as one."""
    reading = read_yen(value, **options)
    return reading.amount if reading.ok else None


def _read_yen_text(text: str, max_value: int, thousands_suffix: bool, cell_notation: bool):
    text = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    thousands = thousands_suffix and text.endswith(_THOUSANDS_SUFFIXES)
    if thousands:
        text = text.removesuffix("千円").removesuffix("千")
    text = text.removesuffix("円").replace(",", "").lstrip("¥")
    if cell_notation:
        try:
            number = Decimal(text) if text.isascii() else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            return YenReading(None, "unreadable")
        return _bounded_yen(number, max_value, thousands)
    match = _YEN_DIGITS.fullmatch(text)
    if not match:
        return YenReading(None, "unreadable")
    sign, digits = match.groups()
    if len(digits) > MAX_DIGITS:  # never handed to int(): OVER is above every bound
        return YenReading(-OVER if sign else None, "negative" if sign else "too_large")
    return _bounded_yen(Decimal(sign + digits), max_value, thousands)


def _bounded_yen(number: Decimal, max_value: int, thousands: bool) -> YenReading:
    if not number.is_finite():
        return YenReading(None, "unreadable")
    if thousands:
        number *= 1000
    if number < 0:
        return YenReading(int(max(number, Decimal(-OVER))), "negative")  # for the message
    if number > max_value:
        return YenReading(None, "too_large")
    if number != number.to_integral_value():
        return YenReading(None, "fraction")
    return YenReading(int(number), thousands=thousands)


# --- control characters (point 10): names are one line of visible text ---------------------

_CONTROL_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def is_control(character: str) -> bool:
    """CR, LF, tab, NUL, DEL, the C1 set, bidi overrides, zero-width and line separators."""
    return unicodedata.category(character) in _CONTROL_CATEGORIES


def control_character_in(text: str) -> str | None:
    """'U+000A' for the first control character of `text`, or None."""
    for character in text or "":
        if is_control(character):
            return f"U+{ord(character):04X}"
    return None


def single_line(value: str) -> None:
    """Validator of names: no line break, tab or other control character (a hub name with
    CR/LF broke every e-mail about the hub)."""
    found = control_character_in(value)
    if found:
        raise ValidationError(
            "改行・タブなどの制御文字（%(found)s）は使えません。1行の文字で入力してください。",
            code="control_character",
            params={"found": found},
        )


# --- the model says the bound; forms and readers read it back -------------------------------


def max_length_of(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def max_value_of(model, name: str) -> int | None:
    """The smallest MaxValueValidator limit of a model field (None if it has none)."""
    limits = [
        v.limit_value
        for v in model._meta.get_field(name).validators
        if isinstance(v, MaxValueValidator)
    ]
    return min(limits) if limits else None


def _field_by_label(label: str, models):
    for model in models:
        for model_field in model._meta.concrete_fields:
            if str(model_field.verbose_name) == label:
                return model_field
    return None


def max_length_by_label(label: str, *models) -> int | None:
    """The max_length of the field whose verbose name is `label` (the Excel form's labels
    are the model's verbose names)."""
    model_field = _field_by_label(label, models)
    return getattr(model_field, "max_length", None) if model_field else None


def max_value_by_label(label: str, *models) -> int | None:
    model_field = _field_by_label(label, models)
    return max_value_of(model_field.model, model_field.name) if model_field else None


def too_long_message(label: str, limit: int, length: int) -> str:
    return f"「{label}」は{limit:,}文字以内で入力してください（入力は{length:,}文字）。"


def too_large_message(label: str, limit: int) -> str:
    return f"「{label}」が大きすぎます。{limit:,}以下で入力してください。"


# --- form fields ----------------------------------------------------------------------------


def bounded_text(label: str, max_length: int, **kwargs) -> forms.CharField:
    """A free-text form field whose limit message names the field."""
    kwargs.setdefault("required", False)
    escaped = label.replace("%", "%%")
    messages = {
        "max_length": f"「{escaped}」は{max_length:,}文字以内で入力してください"
        "（入力は%(show_value)s文字）。",
        **kwargs.pop("error_messages", {}),
    }
    return forms.CharField(label=label, max_length=max_length, error_messages=messages, **kwargs)


class YenField(forms.CharField):
    """円単位の整数 (0 to `max_value`, 100億円 by default), read by read_yen: 全角数字,
    カンマ, ¥ and 円 are accepted."""

    def __init__(self, *args, max_value: int = YEN_MAX, **kwargs):
        kwargs.setdefault("required", False)
        self.max_value = max_value
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "class": "yen"})

    def clean(self, value):
        reading = read_yen(value, max_value=self.max_value)
        if reading.problem == "too_large":
            raise forms.ValidationError(
                f"「{self.label}」が大きすぎます。{self.max_value:,}円以下で入力してください。"
            )
        if not reading.ok:  # not digits, negative or not whole: one message says all three
            raise forms.ValidationError(
                f"「{self.label}」は円単位の0以上の整数で入力してください（入力: {shown(value)}）。"
            )
        return reading.amount


class CountField(forms.IntegerField):
    """A count (0 to `max_value`) typed with half- or full-width digits and commas: a text
    input (inputmode numeric), since a browser's number input refuses "９８，０００" before
    the server can read it (issue 20)."""

    widget = forms.TextInput

    def __init__(self, *args, max_value: int = PEOPLE_MAX, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        super().__init__(*args, max_value=max_value, **kwargs)
        label = kwargs.get("label")
        minimum = kwargs["min_value"]
        self.error_messages["invalid"] = f"「{label}」は整数で入力してください。"
        self.error_messages["min_value"] = f"「{label}」は{minimum}以上で入力してください。"
        self.error_messages["max_value"] = too_large_message(label, max_value).replace("%", "%%")
        self.widget.attrs.update({"inputmode": "numeric"})

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        text = number_text(value)
        if _NEGATIVE.fullmatch(text):
            return int(text)  # the min_value validator names the field
        number = whole_number(text)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's many-to-many choice asks the database `pk IN (...)` with whatever was posted:
    2**70 overflows SQLite's integers (a 500 in the admin). Ids beyond ID_MAX are refused
    as an invalid choice first."""

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            number = whole_number(pk) if isinstance(pk, str) else None
            if number is not None and number > ID_MAX:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": shown(pk)},
                )
        return super()._check_values(value)
