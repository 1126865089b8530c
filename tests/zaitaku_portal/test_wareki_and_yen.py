import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone

from zaitaku_portal.templatetags.ja_format import nendo, sen_yen, settlement, wareki, yen
from zaitaku_portal.wareki import fiscal_year_label, fiscal_year_of, parse_wareki, wareki_date


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (datetime.date(2024, 4, 1), "令和6年4月1日"),
        (datetime.date(2019, 5, 1), "令和元年5月1日"),
        (datetime.date(2019, 4, 30), "平成31年4月30日"),
        (datetime.date(1989, 1, 8), "平成元年1月8日"),
        (datetime.date(1989, 1, 7), "昭和64年1月7日"),
        (datetime.date(2026, 11, 23), "令和8年11月23日"),
    ],
)
def test_wareki_date(date, expected):
    assert wareki_date(date) == expected


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2024, "令和6年度"),
        (2026, "令和8年度"),
        (2019, "令和元年度"),
        (2018, "平成30年度"),
        (1988, "昭和63年度"),
    ],
)
def test_fiscal_year_label(year, expected):
    assert fiscal_year_label(year) == expected


def test_fiscal_year_of_runs_april_to_march():
    assert fiscal_year_of(datetime.date(2025, 3, 31)) == 2024
    assert fiscal_year_of(datetime.date(2025, 4, 1)) == 2025


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和 6年 6月 1日", datetime.date(2024, 6, 1)),
        ("令和６年６月１日", datetime.date(2024, 6, 1)),
        ("令和元年5月1日", datetime.date(2019, 5, 1)),
        ("平成30年4月1日", datetime.date(2018, 4, 1)),
        ("R6.6.1", datetime.date(2024, 6, 1)),
        ("　令和　7年10月 1日　", datetime.date(2025, 10, 1)),
    ],
)
def test_parse_wareki(text, expected):
    assert parse_wareki(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("令和6年2月30日", "存在しない日付"),
        ("2024/6/1", "和暦の日付"),
        ("", "和暦の日付"),
        ("令和元年4月1日", "令和の始まり"),
        ("平成32年1月1日", "平成の終わりより後"),
    ],
)
def test_parse_wareki_refuses_in_japanese(text, message):
    with pytest.raises(ValueError, match=message):
        parse_wareki(text)


def test_yen_filters():
    assert yen(1_060_000) == "1,060,000円"
    assert yen(0) == "0円"
    assert sen_yen(1_060_000) == "1,060千円"
    assert sen_yen(574_420_000) == "574,420千円"
    assert sen_yen(1_060_500) == "1,060.5千円"
    assert yen(None) == ""
    assert nendo(2024) == "令和6年度"


def test_wareki_filter_shows_tokyo_time_for_datetimes():
    moment = datetime.datetime(2024, 3, 31, 15, 30, tzinfo=datetime.UTC)  # 00:30 in Tokyo
    assert wareki(moment) == "令和6年4月1日 00:30"
    assert wareki(None) == ""


def test_filters_are_builtins_in_every_template():
    rendered = Template("{{ d|wareki }} {{ y|nendo }} {{ a|yen }} {{ a|sen_yen }}").render(
        Context({"d": datetime.date(2024, 4, 1), "y": 2024, "a": 332_000})
    )
    assert rendered == "令和6年4月1日 令和6年度 332,000円 332千円"


def test_settings_are_japanese_and_tokyo(settings):
    assert settings.LANGUAGE_CODE == "ja"
    assert settings.TIME_ZONE == "Asia/Tokyo"
    assert timezone.get_current_timezone_name() == "Asia/Tokyo"


def test_settlement_says_which_way_the_money_goes():
    assert settlement(82_000) == "返還 82,000円"
    assert settlement(-1_483_000) == "精算払 1,483,000円"  # never 追加交付 (DOMAIN.md)
    assert settlement(0) == "過不足なし"
    assert settlement(None) == ""
