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


__all__ = ["CapRateOrder", "CapUnit", "RecipientType", "RoundingLevel"]
