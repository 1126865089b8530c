"""お知らせ (issue 20): the user's own notices, newest first, unread marked; opening one
marks it read and goes to its page; another user's notice is 404; the header counts."""

import datetime

import pytest
from django.utils import timezone

from zaitaku_portal.models import Notification, Role

pytestmark = pytest.mark.django_db


def notice(user, subject, url="", minutes_ago=0, read=False):
    n = Notification.objects.create(user=user, subject=subject, url=url)
    created = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    Notification.objects.filter(pk=n.pk).update(
        created_at=created, read_at=created if read else None
    )
    return Notification.objects.get(pk=n.pk)


def test_list_is_the_users_own_newest_first_with_unread_marked(client, world):
    me = world.users[Role.HUB_COORDINATOR]
    other = world.users[Role.PREFECTURE_STAFF]
    notice(me, "古いお知らせ", minutes_ago=60, read=True)
    notice(me, "新しいお知らせ", minutes_ago=1)
    notice(other, "県職員あてのお知らせ")
    client.force_login(me)
    page = client.get("/notices/").content.decode()
    assert "県職員あてのお知らせ" not in page
    assert page.index("新しいお知らせ") < page.index("古いお知らせ")
    assert page.count("未読</span>") == 1  # the new one only
    assert "未読 1件" in page  # in the header as well as on the page


def test_opening_marks_read_and_goes_to_its_page(client, world):
    me = world.users[Role.HUB_COORDINATOR]
    n = notice(me, "差戻しのお知らせ", url="/hubs/mine/")
    client.force_login(me)
    response = client.post(f"/notices/{n.pk}/open/")
    assert (response.status_code, response["Location"]) == (302, "/hubs/mine/")
    n.refresh_from_db()
    assert n.read_at is not None
    assert "未読 1件" not in client.get("/notices/").content.decode()


def test_another_users_notice_is_404_and_stays_unread(client, world):
    other = notice(world.users[Role.PREFECTURE_STAFF], "県職員あて", url="/hubs/")
    client.force_login(world.users[Role.HUB_COORDINATOR])
    assert client.post(f"/notices/{other.pk}/open/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_an_outside_address_is_not_followed(client, world):
    me = world.users[Role.HEALTH_CENTER]
    n = notice(me, "外部", url="https://example.com/x")
    client.force_login(me)
    assert client.post(f"/notices/{n.pk}/open/")["Location"] == "/notices/"


def test_mark_all_read_touches_only_the_users_own(client, world):
    me = world.users[Role.HUB_COORDINATOR]
    mine = [notice(me, f"お知らせ{i}") for i in range(3)]
    others = notice(world.users[Role.HEALTH_CENTER], "保健所あて")
    client.force_login(me)
    assert client.post("/notices/read-all/").status_code == 302
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at=None).count() == 0
    others.refresh_from_db()
    assert others.read_at is None
