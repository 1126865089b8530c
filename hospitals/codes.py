"""医療機関コード: 10 digits = prefecture 2 + 点数表 1 + 郡市区 2 + number 4 + check digit 1.

The check digit matched Luhn over all ten digits on every sample we have (DOMAIN.md), but the
rule is not published: a failed check is therefore flagged for review, never silently fixed."""

import re
import unicodedata

SCORE_TABLE_MEDICAL = "1"
SCORE_TABLE_DENTAL = "3"
SCORE_TABLE_PHARMACY = "4"
SCORE_TABLE_VISITING_NURSE = "6"
SCORE_TABLES = {
    SCORE_TABLE_MEDICAL: "医科",
    SCORE_TABLE_DENTAL: "歯科",
    SCORE_TABLE_PHARMACY: "調剤",
    SCORE_TABLE_VISITING_NURSE: "訪問看護",
}

_TEN_DIGITS = re.compile(r"^\d{10}$")


def normalise_digits(value: str) -> str:
    """Full-width digits and hyphens to half-width, spaces removed."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", value or ""))


def luhn_check_passes(code: str) -> bool:
    """Luhn (mod 10) over all digits, the rightmost being the check digit."""
    total = 0
    for index, char in enumerate(reversed(code)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def luhn_check_digit(first_nine: str) -> str:
    """The digit that makes first_nine + digit pass the Luhn check."""
    for candidate in "0123456789":
        if luhn_check_passes(first_nine + candidate):
            return candidate
    raise AssertionError("unreachable: one of ten digits always passes")


def code_format_problem(code: str) -> str | None:
    """A Japanese message if the code is not 10 digits with a known 点数表, else None."""
    if not _TEN_DIGITS.match(code):
        return "医療機関コードは半角数字10桁で入力してください。"
    if code[2] not in SCORE_TABLES:
        return "医療機関コードの3桁目（点数表）は 1・3・4・6 のいずれかです。"
    return None


def compose_code(prefecture_code: str, score_table: str, bureau_number: str) -> str:
    """Prefecture '01' + 医科 '1' + '01-15202' (厚生局の医療機関番号, 7 digits) → 10 digits."""
    digits = normalise_digits(bureau_number).replace("-", "").replace("－", "")
    return f"{normalise_digits(prefecture_code)}{score_table}{digits}"
