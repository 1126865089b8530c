"""在宅医療・介護連携推進事業 (the municipal program under 介護保険法の地域支援事業): its items
(ア)〜(キ), said once, in seed 000's wording.

Why here: the catalogue (a hub menu relates to items, seed 004's 「推進事業の内容」 column) and
the hub record (which items the municipal program already does for the hub's area, seed 001)
both name them, and what the municipal program pays for is not eligible for this subsidy
(seed 000's last paragraph), so both must say the same item the same way. No database here.
"""

from django.db.models import TextChoices


class PromotionItem(TextChoices):
    A = "a", "（ア）地域の医療・介護の資源の把握"
    I = "i", "（イ）在宅医療・介護連携の課題の抽出と対応策の検討"  # noqa: E741 (the item's kana)
    U = "u", "（ウ）切れ目のない在宅医療と在宅介護の提供体制の構築推進"
    E = "e", "（エ）医療・介護関係者の情報共有の支援"
    O = "o", "（オ）在宅医療・介護連携に関する相談支援"  # noqa: E741
    KA = "ka", "（カ）医療・介護関係者の研修"
    KI = "ki", "（キ）地域住民への普及啓発"


def promotion_item_labels(codes) -> list[str]:
    """Labels of stored item codes in (ア)〜(キ) order; an unknown code is skipped."""
    wanted = set(codes or ())
    return [item.label for item in PromotionItem if item.value in wanted]


__all__ = ["PromotionItem", "promotion_item_labels"]
