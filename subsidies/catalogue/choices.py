"""The catalogue's choices, said once: the model fields use them as ``choices`` and the
calculation (subsidies.results.calculation) reads the same members.

Why here and as Django ``TextChoices``: they need no database (importing this module sets up
no model), so the calculation stays a pure function over plain values, and a fiscal year's
stored value (``"rate_then_cap"``) is already the member the calculation compares with
``is``. There is one set of Japanese labels: the ones officials read on the 精算額調 page and
in a frozen confirmation's snapshot (a confirmation keeps the label it was made with), now
also on the catalogue page, the application page and the admin.
"""

from django.db.models import TextChoices


class CapRateOrder(TextChoices):
    """Where the 補助率 is applied relative to the 基準額 comparison."""

    CAP_THEN_RATE = "cap_then_rate", "基準額と比較してから補助率を乗じる（国の交付要綱）"
    RATE_THEN_CAP = "rate_then_cap", "補助率を乗じてから基準額と比較する（山梨県方式）"


class RoundingLevel(TextChoices):
    """Whether the 1,000円未満切捨て is applied once per facility or on every menu."""

    FACILITY = "facility", "施設ごとに合計してから切捨て"
    MENU = "menu", "補助メニューごとに切捨て"


class OtherIncomeLevel(TextChoices):
    """Where C = A − B (総事業費 − 寄付金その他の収入額) is compared: the MHLW 要綱 compares it
    per facility (the sum of the facility's menus is bounded by its C); some prefectures per
    menu."""

    FACILITY = "facility", "施設ごとに比較（国の交付要綱）"
    MENU = "menu", "補助メニューごとに比較"


class CatalogueStatus(TextChoices):
    """A fiscal year's catalogue: caps still being set (調整中) or confirmed (確定). Decisions
    run only on a confirmed catalogue."""

    DRAFT = "draft", "調整中"
    CONFIRMED = "confirmed", "確定"


class OncePerFacilityScope(TextChoices):
    """How 「事業所年度１回限り」 is read for a menu capped once per facility."""

    EVER = "ever", "1施設につき1回限り（過年度に交付済みなら対象外）"
    PER_YEAR = "per_year", "1施設につき各年度1回"


class RecipientType(TextChoices):
    HUB = "hub", "連携の拠点"
    HOSPITAL = "hospital", "積極的医療機関"


class CapUnit(TextChoices):
    """What one unit of a menu's 上限額 is (DOMAIN.md: cap units seen across prefectures)."""

    PER_RECIPIENT = "per_recipient", "1か所あたり"
    PER_DISTRICT = "per_district", "区割りあたり（基本額×区割り数）"
    PER_PERSON_HALF_DAY = "per_person_half_day", "受講者1人・半日あたり"
    PER_MONTH = "per_month", "1か月あたり（×月数）"
    ONCE_PER_FACILITY = "once_per_facility", "1施設につき1回限り"


__all__ = [
    "CapRateOrder",
    "CapUnit",
    "CatalogueStatus",
    "OncePerFacilityScope",
    "OtherIncomeLevel",
    "RecipientType",
    "RoundingLevel",
]
