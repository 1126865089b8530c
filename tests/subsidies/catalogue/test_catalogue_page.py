"""The catalogue page says, per menu, what a coordinator needs before applying: cap and unit,
rate, expenses as written, 取り組み例, the 1回限り reading, eligibility, 推進事業 items, the
補助対象外 items, and the year's rules and state."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from subsidies.catalogue.services import CATALOGUE_DIR, load_catalogue_file
from tests.factories import UserFactory
from zaitaku_portal.models import Role


def load(name):
    return load_catalogue_file(settings.BASE_DIR / CATALOGUE_DIR / f"{name}.json")


def card(html: str, element_id: str) -> str:
    match = re.search(rf'<article[^>]*id="{element_id}".*?</article>', html, re.S)
    assert match, element_id
    return match.group(0)


@pytest.fixture
def coordinator_client(client, db):
    client.force_login(UserFactory(role=Role.HUB_COORDINATOR))
    return client


@pytest.mark.django_db
def test_osaka_page_menus_within_cap_and_not_subsidised_items(coordinator_client):
    load("osaka_fy2024")
    html = coordinator_client.get(reverse("subsidies:catalogue", args=[2024])).content.decode()
    assert "資料3-1" in html and "定義ファイルの読込（令和" in html
    assert "基準額と比較してから補助率を乗じる（国の交付要綱）" in html
    assert "1,000円未満切捨て（施設ごとに合計してから切捨て）" in html
    assert "総事業費−寄付金その他の収入額を施設ごとに比較（国の交付要綱）" in html
    meeting = card(html, "menu-osaka-hub-1")
    assert "①会議の開催" in meeting and "10/10" in meeting
    assert '1,060千円<span class="muted">（1拠点あたり）' in meeting  # 「１拠点あたり」
    assert '304千円<span class="muted">（1医療機関あたり）' in card(html, "menu-osaka-hospital-1")
    assert "報償費、旅費、会場費等" in meeting and "資料の記載どおり" in meeting
    assert "<li>災害時対応を含む連携上の課題の抽出及び対応策の検討</li>" in meeting
    assert "（イ）在宅医療・介護連携の課題の抽出と対応策の検討" in meeting
    within = card(html, "menu-osaka-hub-3")
    assert "独自の上限なし（他のメニューの中で実施）" in within and "上記①、②で対応" in within
    assert "人件費、旅費、需要費等" in card(html, "menu-osaka-hub-2")
    assert "購入費" in card(html, "menu-osaka-hospital-4")
    for number, name in (
        (2, "②関係機関への働きかけ"),
        (3, "③研修等の機会の確保"),
        (5, "⑤在宅医療に関する情報提供等"),
        (6, "⑥患者急変時の受入（入院機能を有する場合）"),
    ):
        excluded = card(html, f"excluded-hospital-{number}")
        assert name in excluded and "補助対象外" in excluded
    assert "入院機能を有する医療機関においては" in card(html, "excluded-hospital-6")
    assert 'id="excluded-hospital-1"' not in html and 'id="excluded-hub-' not in html
    assert "在宅医療・介護連携推進事業」として行う取組や、他の補助金がある取組は" in html


@pytest.mark.django_db
def test_okinawa_page_promotion_items_eligibility_once_and_draft(coordinator_client):
    load("okinawa_fy2026")
    html = coordinator_client.get(reverse("subsidies:catalogue", args=[2026])).content.decode()
    assert "調整中" in html and "交付決定はできません" in html
    awareness = card(html, "menu-okinawa-hub-awareness")
    assert "資料に記載なし" in awareness  # the row has no 取り組み例 of its own
    assert "（キ）地域住民への普及啓発" in awareness
    assert (
        "各地区医師会での主な取り組み（参考）" in awareness
        and "<li>人生会議すごろくゲーム</li>" in awareness
    )
    assert "市町村事業として行う取組は補助対象外" in awareness
    acceptance = card(html, "menu-okinawa-hospital-acceptance")
    assert "4,000千円（1施設1回限り）" in acceptance
    assert "1施設につき1回限り（過年度に交付済みなら対象外）" in acceptance
    assert "入院機能（病床）を有する医療機関に限ります" in acceptance
    assert "必要な人件費（報酬、給与、職員手当等、共益費、賃金）" in acceptance
    h24 = card(html, "menu-okinawa-hospital-24h")
    assert "機能強化型在宅療養支援診療所・病院でない医療機関が対象です" in h24
    assert "42千円（受講者1人・半日あたり）" in card(
        html, "menu-okinawa-hospital-accompanied-visit"
    )
    assert "基本額×区割り数" in card(html, "menu-okinawa-hub-meeting")
    assert "補助対象外（" not in html  # every hospital item has a menu in Okinawa's draft
