"""Reading one cell of an uploaded form, said once for the plan's sheets (excel_read), its
form 4-② as counts (excel_counts) and the survey (subsidies/survey): formulas refused, counts
bounded as the model field of the same label, texts with their line ends normalised and a
text the portal wrote itself never reported as a change."""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from subsidies.applications.excel_layout import ReadResult
from zaitaku_portal.exports import text_from_xlsx


def _is_formula(value) -> bool:
    if isinstance(value, str):
        return value.startswith("=")
    return not isinstance(
        value, int | float | str | bool | datetime.date | datetime.time | type(None)
    )


def parse_count(value, where: str, label: str, result: ReadResult) -> int | None:
    """A count bounded as the model field of the same label says (zaitaku_portal/bounds.py)."""
    from subsidies.models import Application, MenuPlan
    from zaitaku_portal.bounds import PEOPLE_MAX, max_value_by_label, shown

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if _is_formula(value):
        result.errors.append(f"{where}（{label}）に数式が入っています。数値を入力してください。")
        return None
    if isinstance(value, bool | datetime.date | datetime.time):
        result.errors.append(f"{where}（{label}）は整数で入力してください（入力: {value}）。")
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = re.sub(r"(人|回|か月|ヶ月|カ月|月|半日|区割り?|件|か所|ヶ所|カ所|箇所)$", "", text)
    try:
        number = Decimal(text) if text.isascii() else Decimal("NaN")
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        result.errors.append(
            f"{where}（{label}）の「{shown(value)}」を数として読めません。整数を入力してください。"
        )
        return None
    if number < 0 or number != number.to_integral_value():
        result.errors.append(
            f"{where}（{label}）は0以上の整数で入力してください（入力: {shown(value)}）。"
        )
        return None
    maximum = max_value_by_label(label, Application, MenuPlan) or PEOPLE_MAX
    if number > maximum:
        result.errors.append(
            f"{where}（{label}）が大きすぎます。{maximum:,}以下で入力してください"
            f"（入力: {shown(value)}）。"
        )
        return None
    if isinstance(value, str):
        result.notes.append(f"{where}（{label}）: 「{value}」を{int(number)}として読み取りました。")
    return int(number)


def normalise_line_ends(text: str) -> str:
    """CR LF and a lone CR (a browser's form, Excel's _x000D_) become LF, as Calc saves them."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def keep_if_same(before, after: str) -> str:
    """The stored text where the cell holds it up to line ends and outer spaces, so a text
    the portal wrote itself never reads back as a change (issue 23)."""
    if isinstance(before, str) and normalise_line_ends(before).strip() == after:
        return before
    return after


def _text(cell, where: str, label: str, result: ReadResult) -> str | None:
    """A text as typed. The download writes =1+1 as a text cell, so only a real formula
    cell (data_type "f") is refused; _x000D_ is read back as the CR it stands for."""
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == "f" or (not isinstance(value, str) and _is_formula(value)):
        result.errors.append(f"{where}（{label}）に数式が入っています。文字を入力してください。")
        return None
    from subsidies.models import Application, MenuPlan
    from zaitaku_portal.bounds import max_length_by_label

    text = normalise_line_ends(text_from_xlsx(str(value))).strip()
    limit = max_length_by_label(label, Application, MenuPlan)
    if limit is not None and len(text) > limit:
        result.errors.append(
            f"{where}（{label}）は{limit:,}文字以内で入力してください（入力は{len(text):,}文字）。"
        )
        return None
    return text
