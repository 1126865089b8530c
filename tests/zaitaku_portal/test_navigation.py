"""The main menu: what each role finds in it, which entry marks the page, and that every
entry opens for the role that sees it."""

import pytest

from zaitaku_portal.access import NavItem, current_navigation, navigation_for
from zaitaku_portal.models import Role


def links(items: list[NavItem]) -> list[str]:
    return [link.label for item in items for link in (item.children or (item,))]


@pytest.mark.parametrize("role", list(Role))
def test_every_menu_entry_opens_for_its_role(client, world, role):
    user = world.users[role]
    client.force_login(user)
    items = navigation_for(user)
    assert items
    for item in items:
        for link in item.children or (item,):
            response = client.get(link.url, follow=True)
            assert response.status_code == 200, (role, link.label, link.url)


def test_staff_bar_keeps_the_daily_pages_and_groups_the_rest(world):
    items = navigation_for(world.users[Role.PREFECTURE_STAFF])
    assert [item.label for item in items] == [
        "審査・状況",
        "県全体の状況",
        "交付申請",
        "実績報告・額の確定",
        "決裁待ち",  # issue 15: the queue of drafts (approvers act, other staff read)
        "拠点・医療機関",
        "帳票・設定",
    ]
    assert len(links(items)) == 18  # nothing lost (予算・意向調査: issue 19; 支払・返還: 15)
    assert "支払・返還" in links(items)
    assert "二要素認証の設定" not in links(items)  # beside the user's name instead
    coordinator = navigation_for(world.users[Role.HUB_COORDINATOR])
    assert all(not item.children for item in coordinator)
    assert "名簿の取込" not in links(coordinator) and "マスタ管理" not in links(coordinator)
    assert "決裁待ち" not in links(coordinator)


def test_health_center_finds_the_advice_list_in_its_menu(world):
    """Issue 20: the health center advises on results reports; its list is in the menu, not
    only behind a to-do on its home."""
    labels = links(navigation_for(world.users[Role.HEALTH_CENTER]))
    assert labels[:2] == ["進捗ダッシュボード", "実績報告への助言"]
    assert "実績報告への助言" not in links(navigation_for(world.users[Role.HUB_COORDINATOR]))


def test_the_longest_matching_entry_marks_the_page_and_its_group(world):
    items = navigation_for(world.users[Role.PREFECTURE_STAFF])
    assert current_navigation(items, "/hospitals/coverage/") == (
        "/hospitals/coverage/",
        "拠点・医療機関",
    )
    assert current_navigation(items, "/hubs/3/")[0] == "/hubs/"
    assert current_navigation(items, "/reports/prefecture/") == ("/reports/prefecture/", None)
    assert current_navigation(items, "/login/") == (None, None)


def test_the_page_marks_the_current_entry(client, world):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    page = client.get("/hospitals/coverage/").content.decode()
    assert '<a href="/hospitals/coverage/" aria-current="page">充足状況</a>' in page
    assert '<summary class="current">拠点・医療機関</summary>' in page
    assert page.count('aria-current="page"') == 1


@pytest.mark.parametrize("role", list(Role))
def test_a_new_installation_without_a_fiscal_year_has_no_dead_menu_entry(client, world, role):
    from subsidies.models import FiscalYear

    assert not FiscalYear.objects.exists()
    client.force_login(world.users[role])
    page = client.get("/subsidies/catalogue/").content.decode()
    assert "補助メニューを定めた年度がまだ登録されていません" in page
    if role in (Role.PREFECTURE_STAFF, Role.ADMINISTRATOR):
        assert "マスタ管理で年度と補助メニューを登録する" in page
        assert "年度がまだ登録されていません" in client.get("/reports/prefecture/").content.decode()


def test_menu_links_follow_the_script_prefix_they_are_shown_under(world):
    """The links are reversed once per role and script prefix (access._navigation): a portal
    mounted under a path prints that path, and the root's stay as they were."""
    from django.urls import set_script_prefix

    user = world.users[Role.HUB_COORDINATOR]
    root = [link.url for item in navigation_for(user) for link in (item.children or (item,))]
    try:
        set_script_prefix("/zaitaku/")
        mounted = [link.url for item in navigation_for(user) for link in (item.children or (item,))]
    finally:
        set_script_prefix("/")
    assert mounted == ["/zaitaku" + url for url in root]
    again = [link.url for item in navigation_for(user) for link in (item.children or (item,))]
    assert again == root and root[0] == "/hubs/mine/"
