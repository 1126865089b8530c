"""Notice numbers (通知番号) of 交付決定 and 額の確定: one rule for both.

A notice number comes from the department's document register: an optional year, the
issuer's mark, 第, the number, 号 (`8医政第123号`, `沖縄県指令保第1234号`, a branch number
`第123-4号`). It ends up in file names, ZIP entries and headers, so only the characters a
register uses are accepted: kanji, kana, digits, `-` and `－`.

One number, one notice, across the whole register: unique over all decisions (a 変更交付決定
is a notice of its own and gets its own number) and all confirmations, whatever the year;
the example numbers carry their year, and the services always checked it this way. Each
table has a unique constraint; the two tables together are kept apart by checking under
`lock_notice_register`, which every writer of a notice number takes."""

from __future__ import annotations

import re
import unicodedata

from django.apps import apps
from django.db import IntegrityError, connection, transaction

MAX_LENGTH = 40  # the models' max_length
_DIGITS = "0-9０-９"
_KANA_KANJI = "\u3041-\u3096\u309d\u309e\u30a1-\u30fa\u30fc-\u30fe\u3400-\u4dbf\u4e00-\u9fff々〆"
_ALLOWED = re.compile(rf"[{_DIGITS}{_KANA_KANJI}\-－]")
NOTICE_NUMBER = re.compile(
    rf"^[{_DIGITS}]*[{_KANA_KANJI}][{_DIGITS}{_KANA_KANJI}\-－]*"
    rf"第[{_DIGITS}]+(?:[\-－][{_DIGITS}]+)*号$"
)
EXAMPLE = "「8医政第1234号」の形（年度・課の記号、第、番号、号。例: 沖縄県指令保第1234号）"
REGISTER_LOCK = 0x5A_54_4B_4E  # pg_advisory_xact_lock key shared by every notice writer


def _shown(char: str) -> str:
    if char.isspace():
        return "「空白」"
    if unicodedata.category(char).startswith("C"):
        return "「制御文字」"
    return f"「{char}」"


def notice_number_problems(number: str) -> list[str]:
    """What is wrong with the typed number, naming the field and the characters."""
    number = (number or "").strip()
    bad = list(dict.fromkeys(_shown(c) for c in number if not _ALLOWED.fullmatch(c)))
    if bad:
        return [
            f"「通知番号」に使えない文字{''.join(bad[:5])}が含まれています"
            "（使えるのは漢字・かな・数字・「-」です）。"
        ]
    if len(number) > MAX_LENGTH:
        return [f"「通知番号」は{MAX_LENGTH}文字以内で入力してください。"]
    if not NOTICE_NUMBER.match(number):
        return [f"「通知番号」は{EXAMPLE}で入力してください（入力: {number}）。"]
    return []


def taken_message(number: str) -> str:
    return f"「通知番号」{number}は既に使われています。"


# Every table whose rows carry a number of the one register (subsidies' models with a
# `notice_number`): decisions, confirmations, refusals (Approval), refund orders and the
# approvals of a 中止・廃止. One number, one notice, whichever table holds it.
NUMBERED = ("Decision", "Confirmation", "Approval", "RefundOrder", "DiscontinuationRequest")


def numbered_models() -> list:
    return [apps.get_model("subsidies", name) for name in NUMBERED]


def notice_number_taken(number: str) -> bool:
    number = (number or "").strip()
    return bool(number) and any(
        model.objects.filter(notice_number=number).exists() for model in numbered_models()
    )


def lock_notice_register() -> None:
    """Until this transaction ends, no other writer checks or issues a notice number.
    PostgreSQL: a transaction-level advisory lock (decisions and confirmations are a few a
    day; serialising them costs nothing). SQLite serialises all writers anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REGISTER_LOCK])


def create_numbered(model, error: type[Exception], message: str, **fields):
    """Insert a numbered record (a Decision, a Confirmation), turning the unique constraint's
    refusal into the form's message: a writer that did not take the register lock may have
    inserted the number after our check. `error(message, problems)` is the part's error."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        number = fields["notice_number"]
        if notice_number_taken(number):
            raise error(message, [taken_message(number)]) from None
        raise


# --- numbers from the fiscal year's pattern (FiscalYear.notice_number_pattern) ----------

PLACEHOLDER = "{n}"


def pattern_problems(pattern: str) -> list[str]:
    """What is wrong with a pattern like 8医政第{n}号: one {n}, and a number made from it is
    a notice number (notice_number_problems), naming the field."""
    pattern = (pattern or "").strip()
    if not pattern:
        return []
    if pattern.count(PLACEHOLDER) != 1:
        return [
            "「通知番号の形式」には連番の位置を {n} で1か所だけ示してください（例: 8医政第{n}号）。"
        ]
    example = pattern.replace(PLACEHOLDER, "1")
    if notice_number_problems(example):
        return [
            f"「通知番号の形式」から作る番号（{example}）が通知番号の形になりません。"
            f"{EXAMPLE}になるよう、例えば 8医政第{{n}}号 と入力してください。"
        ]
    if len(pattern.replace(PLACEHOLDER, "9" * 6)) > MAX_LENGTH:
        return [f"「通知番号の形式」は連番を入れて{MAX_LENGTH}文字以内になるようにしてください。"]
    return []


def _to_int(digits: str) -> int:
    return int(unicodedata.normalize("NFKC", digits))


def used_serials(pattern: str) -> set[int]:
    """The serial numbers already used in the register under this pattern (every NUMBERED
    table alike; typed numbers that fit the pattern count too)."""
    head, tail = pattern.strip().split(PLACEHOLDER)
    shape = re.compile(rf"^{re.escape(head)}([{_DIGITS}]+){re.escape(tail)}$")
    serials = set()
    for model in numbered_models():
        numbers = model.objects.filter(notice_number__startswith=head, notice_number__endswith=tail)
        for number in numbers.values_list("notice_number", flat=True):
            found = shape.match(number)
            if found:
                serials.add(_to_int(found.group(1)))
    return serials


def next_notice_number(fiscal_year) -> str:
    """The number the portal proposes: the pattern with one more than the highest serial
    used under it (never a gap's number: a number once issued stays its notice's). '' when
    the year has no (valid) pattern; staff type the number then."""
    pattern = (getattr(fiscal_year, "notice_number_pattern", "") or "").strip()
    if not pattern or pattern_problems(pattern):
        return ""
    serial = max(used_serials(pattern), default=0) + 1
    while notice_number_taken(pattern.replace(PLACEHOLDER, str(serial))):
        serial += 1  # a typed number in another spelling (全角) of the same serial
    return pattern.replace(PLACEHOLDER, str(serial))
