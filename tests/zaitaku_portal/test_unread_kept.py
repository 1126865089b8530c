"""The unread notices' count beside お知らせ (zaitaku_portal/unread.py, issue 21): kept per
user in the shared cache while the figures cache is on, and never shown stale after any
writer of a notice commits: a new notice (bulk, no signal), one opened (a save), all marked
read (an update, no signal), one deleted in the admin (a delete). The rest of the suite runs
with the cache off (tests/conftest.py): counted on every page."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from subsidies.shared.notifications import notify_users
from zaitaku_portal import unread
from zaitaku_portal.models import Notification, Role

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("_cache_on")]


@pytest.fixture
def _cache_on():
    cache.clear()
    with override_settings(PORTAL_FIGURES_MAX_AGE=60):
        yield
    cache.clear()


def expired(user) -> None:
    """The mark a write leaves (counted afresh for MARK_SECONDS) has expired."""
    assert cache.get(unread._key(user.pk)) == unread.STALE
    cache.delete(unread._key(user.pk))


def counted(user) -> tuple[int, int]:
    """(the count, the queries it took)."""
    with CaptureQueriesContext(connection) as queries:
        value = unread.count(user)
    return value, len(queries)


def test_kept_until_a_notice_is_written_by_any_writer(client, world):
    me = world.users[Role.HUB_COORDINATOR]
    notify_users([me], "一件目", "本文")
    assert counted(me) == (1, 1)  # marked: counted, not kept
    expired(me)
    assert counted(me) == (1, 1)
    assert counted(me) == (1, 0)  # kept
    notify_users([me, world.users[Role.PREFECTURE_STAFF]], "二件目", "本文")  # bulk_create
    assert counted(me)[0] == 2
    client.force_login(me)
    first = Notification.objects.filter(user=me).order_by("pk").first()
    client.post(f"/notices/{first.pk}/open/")  # a save
    assert counted(me)[0] == 1
    assert "未読 1件" in client.get("/notices/").content.decode()
    expired(me)
    assert counted(me) == (1, 1) and counted(me) == (1, 0)
    client.post("/notices/read-all/")  # an update
    assert counted(me)[0] == 0
    assert "未読" not in client.get("/hubs/mine/").content.decode()
    notify_users([me], "三件目", "本文")
    expired(me)
    assert counted(me) == (1, 1) and counted(me) == (1, 0)
    Notification.objects.filter(user=me, read_at=None).get().delete()  # as the admin deletes
    assert counted(me)[0] == 0


def test_another_users_notice_leaves_the_count_kept(world):
    me, other = world.users[Role.HUB_COORDINATOR], world.users[Role.HEALTH_CENTER]
    notify_users([me], "わたしあて", "本文")
    expired(me)
    assert counted(me) == (1, 1)
    notify_users([other], "ほかの人あて", "本文")
    assert counted(me) == (1, 0)


def test_a_count_read_before_a_commit_is_not_kept_after_it(world):
    """The page that counted before another request's commit stores its count after the
    commit's mark: add() refuses it, and the pages after count again."""
    me = world.users[Role.HUB_COORDINATOR]
    assert counted(me) == (0, 1)
    with transaction.atomic():
        Notification.objects.create(user=me, subject="取引の中")
        assert cache.get(unread._key(me.pk)) == 0  # not yet: the mark waits for the commit
    assert cache.get(unread._key(me.pk)) == unread.STALE
    cache.add(unread._key(me.pk), 0, 60)  # the late page's stale count
    assert counted(me) == (1, 1) and counted(me) == (1, 1)  # counted while marked
    cache.delete(unread._key(me.pk))  # the mark expired
    assert counted(me) == (1, 1) and counted(me) == (1, 0)


def test_a_rolled_back_notice_changes_nothing(world):
    me = world.users[Role.HUB_COORDINATOR]
    assert counted(me) == (0, 1)
    with transaction.atomic():
        Notification.objects.create(user=me, subject="取り消される")
        transaction.set_rollback(True)
    assert counted(me) == (0, 0)


def test_off_counts_every_time(world):
    me = world.users[Role.HUB_COORDINATOR]
    with override_settings(PORTAL_FIGURES_MAX_AGE=0):
        assert counted(me) == (0, 1) and counted(me) == (0, 1)
