"""未読のお知らせの件数: the badge beside お知らせ on every page. Counting it was one query of
every page (issue 21); it is kept in the shared cache per user for the figures' max age
(zaitaku_portal/figures.py; off when that is 0) and dropped whenever one of the user's
notices is written.

Every writer drops it when its transaction commits: a save or delete of one notice (the
signals below, the admin's included), and the bulk writes that send no signal call forget()
themselves (subsidies.shared.notifications.notify_users, 「すべて既読にする」). "Dropped" is
a short-lived mark, not a delete: a page that counted before the commit stores its count
with add(), which the mark refuses, so a count read before a commit is never kept after it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from zaitaku_portal import figures

STALE = "stale"  # the mark: count again, keep nothing until it expires
MARK_SECONDS = 10  # longer than any page takes between its count and its add()


def _key(user_pk: int) -> str:
    return f"notices:unread:{user_pk}"


def count(user) -> int:
    from zaitaku_portal.models import Notification

    seconds, key = figures.max_age(), _key(user.pk)
    found = cache.get(key) if seconds > 0 else STALE
    if isinstance(found, int):
        return found
    counted = Notification.objects.filter(user=user, read_at=None).count()
    if found is None:  # not marked: kept
        cache.add(key, counted, seconds)
    return counted


def forget(user_pks: Iterable[int]) -> None:
    """These users' notices changed: their counts are read again from the commit on."""
    keys = [_key(pk) for pk in set(user_pks)]
    if keys:
        transaction.on_commit(lambda: cache.set_many(dict.fromkeys(keys, STALE), MARK_SECONDS))


def _written(sender, instance, **kwargs) -> None:
    forget([instance.user_id])


def connect() -> None:
    from zaitaku_portal.models import Notification

    post_save.connect(_written, sender=Notification, dispatch_uid="unread-notices-saved")
    post_delete.connect(_written, sender=Notification, dispatch_uid="unread-notices-deleted")
