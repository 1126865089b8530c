"""Filters for everything a user reads: 和暦 dates and yen amounts.

Registered as template builtins in settings, so every template has them without {% load %}."""

import datetime
from decimal import Decimal

from django import template
from django.utils import timezone

from zaitaku_portal.money import Settlement, signed_yen
from zaitaku_portal.wareki import fiscal_year_label, wareki_date

register = template.Library()


@register.filter
def wareki(value, with_time: bool = False) -> str:
    """date → 令和6年4月1日; datetime → 令和6年4月1日 10:05 (Asia/Tokyo)."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{wareki_date(local.date())} {local:%H:%M}"
    if isinstance(value, datetime.date):
        return wareki_date(value)
    return str(value)


@register.filter
def nendo(value) -> str:
    """2024 or a FiscalYear → 令和6年度."""
    if value in (None, ""):
        return ""
    year = getattr(value, "year", value)
    return fiscal_year_label(int(year))


@register.filter
def yen(value) -> str:
    """1060000 → 1,060,000円; −60000 → △60,000円 (negative amounts with △, as Japanese
    public accounts write them). Money is integer yen throughout the portal."""
    if value in (None, ""):
        return ""
    return signed_yen(int(value))


@register.filter
def sankaku(value) -> str:
    """A negative number with △ and no unit: −60000 → △60,000 (table cells headed 円)."""
    if value in (None, ""):
        return ""
    value = int(value)
    return f"△{-value:,}" if value < 0 else f"{value:,}"


@register.filter
def sen_yen(value) -> str:
    """1060000 → 1,060千円; 1060500 → 1,060.5千円 (nothing is hidden by rounding)."""
    if value in (None, ""):
        return ""
    thousands = Decimal(int(value)) / 1000
    text = f"{thousands:,.3f}".rstrip("0").rstrip(".")
    return f"{text}千円"


@register.filter
def settlement(difference) -> str:
    """差引過不足額 in words: positive is owed back (返還), negative is still to be paid."""
    if difference in (None, ""):
        return ""
    difference = int(difference)
    word = Settlement.of_difference(difference).label
    return word if difference == 0 else f"{word} {yen(abs(difference))}"
