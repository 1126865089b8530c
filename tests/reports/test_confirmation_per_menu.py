"""額の確定通知書 (issue 15: "with the confirmed amount per menu and the 精算額調 attached"):
per recipient, each decided menu's confirmed amount, the facility-level step to the
recipient's G, the subtotal and the total; checked on the worked case confirmed through
the real services (tests/subsidies/results/factories.py::worked_case, per facility)."""

import pytest

from reports.documents import confirmation_notice_for, confirmation_notice_pdf
from subsidies.models import Confirmation
from tests.reports.test_documents import text_of
from tests.subsidies.results.test_money_claims import confirmed  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def test_the_notice_shows_the_confirmed_amount_per_recipient_and_menu(world, confirmed):  # noqa: F811
    confirmation = Confirmation.objects.get()
    notice = confirmation_notice_for(confirmation)
    hub, hospital = notice.confirmed
    # Hub, C per facility (test_money_claims): 会議 G 1,000,000 (H), 調整 F 900,000 × 10/10,
    # 研修 300,999 × 1/2 = 150,499.5 → 150,499 shown; ΣG 2,050,499.5 → 2,050,000 cut below
    # 1,000円 per facility: the step from the menus' 2,050,499 is △499.
    assert hub.recipient_name == "甲拠点"
    assert hub.menus == (
        ("連携会議の開催", 1_000_000),
        ("関係機関との連携、調整", 900_000),
        ("研修の開催", 150_499),
    )
    assert (hub.total, hub.adjustment) == (2_050_000, -499)
    # Hospital: 同行訪問等研修 42,000 × 3人 × 2半日 = 252,000; the nurse menu decided but
    # refused at 額の確定 (granted in FY2025, once per facility) keeps its line at 0円.
    assert hospital.recipient_name == "甲病院"
    assert hospital.menus == (("同行訪問等研修", 252_000), ("退院調整看護師等の新規配置", 0))
    assert (hospital.total, hospital.adjustment) == (252_000, 0)
    assert notice.total == 2_302_000 == confirmation.total_amount  # 2,050,000 + 252,000
    pdf = confirmation_notice_pdf(confirmation)
    text = text_of(pdf)
    assert (
        "甲拠点連携会議の開催1,000,000円関係機関との連携、調整900,000円研修の開催150,499円" in text
    )
    assert "施設ごとの調整（総事業費−寄付金その他の収入額による上限・端数処理）" in text
    assert "△499円" in text and "小計（甲拠点）" in text and "2,050,000円" in text
    assert (
        "甲病院同行訪問等研修252,000円退院調整看護師等の新規配置0円小計（甲病院）252,000円" in text
    )
    assert "合計2,302,000円" in text
    assert "別紙精算額調" in text  # the 精算額調 stays attached
    assert confirmation_notice_pdf(confirmation) == pdf  # byte-identical
