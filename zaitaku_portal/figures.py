"""Figures many pages read and few writes change, kept in the cache until the data under
them changes (issue 21, docs/adr/0018).

The dashboards' boards, the areas' coverage and each user's to-dos take tens of queries over
the whole prefecture's records; at national scale that is most of a page's time, and the same
figures are asked again by every reader until someone writes. So they are computed once and
kept under a key that names what they were computed from:

- the scope, as the SQL of the scoped querysets (zaitaku_portal.scopes puts the user's own
  ids into it), or the user, plus the fiscal year and today's date;
- the **stamps** of the topics they read: ``coverage`` (hubs and their areas, designations,
  institutions, the areas and municipalities), ``catalogue`` (the fiscal years, their menus,
  expense categories and requirement items) and ``work`` (every record of the portal's apps
  but the coverage: applications, decisions, reports, activities, payments, the catalogue
  too...) and ``plan`` (what a draft's save writes, below). Any save,
  delete or many-to-many change of such a model gives its topic a new stamp when the
  transaction commits (one cache write per topic and transaction, outside the row locks;
  what a reader computed before the commit stays under the old stamp, never asked again).
  The few bulk writes that send no signals (registry import, bulk designations, the national
  data) call ``changed()`` themselves.

A draft's save (subsidies.applications.services.save_plan) runs ``drafting()``: what it
writes (the plan's fields, its lines) stamps ``plan`` instead of ``work``. Whatever reads a
plan's content asks every topic (``TOPICS``); the staff's to-dos count states (statuses,
drafts to approve, reports, payments, the budget), never a plan's content, so they ask
``STATE_TOPICS`` and are not computed again for each of the many saves of drafts.

Whatever happens, an entry lives at most ``PORTAL_FIGURES_MAX_AGE`` seconds (60 by default):
the bound on staleness for a write that neither path saw. 0 turns the cache off (the test
suite does, except the tests of this module). The stamps and entries are in the shared cache
(Redis in production, docs/adr/0016), so every web process and host sees the same."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")

COVERAGE = "coverage"
CATALOGUE = "catalogue"
WORK = "work"
PLAN = "plan"
TOPICS = (COVERAGE, CATALOGUE, WORK, PLAN)
STATE_TOPICS = (COVERAGE, CATALOGUE, WORK)  # everything but a draft's content
PORTAL_APPS = frozenset({"zaitaku_portal", "hubs", "hospitals", "subsidies", "reports"})
# records that no cached figure reads: the log, a user's notices, batch jobs, their parts
# (two saves a part) and the task workers' heartbeats (every 10 s a worker)
NOT_FIGURES = frozenset(
    {
        "zaitaku_portal.auditentry",
        "zaitaku_portal.notification",
        "reports.batchjob",
        "reports.batchpart",
        "reports.taskworker",
    }
)
COVERAGE_MODELS = frozenset(
    {
        "hubs.hub",
        "hubs.hub_areas",
        "hospitals.activehospitaldesignation",
        "hospitals.medicalinstitution",
        "zaitaku_portal.homecarearea",
        "zaitaku_portal.homecarearea_municipalities",
        "zaitaku_portal.municipality",
        "zaitaku_portal.secondarymedicalarea",
        "zaitaku_portal.healthcenter",
        "zaitaku_portal.healthcenter_municipalities",
    }
)


# the fiscal years' rules and menus (the plan form's page is kept under it, issue 21)
CATALOGUE_MODELS = frozenset(
    {
        "subsidies.fiscalyear",
        "subsidies.subsidymenu",
        "subsidies.subsidymenu_requirement_items",
        "subsidies.subsidymenu_expense_categories",
        "subsidies.requirementitem",
        "subsidies.expensecategory",
    }
)


def max_age() -> int:
    return int(getattr(settings, "PORTAL_FIGURES_MAX_AGE", 60))


def _stamp_key(topic: str) -> str:
    return f"figures:stamp:{topic}"


def stamps(topics: Iterable[str]) -> str:
    """The topics' current stamps (a missing one is started)."""
    topics = tuple(topics)
    found = cache.get_many([_stamp_key(topic) for topic in topics])
    values = []
    for topic in topics:
        value = found.get(_stamp_key(topic))
        if value is None:
            value = uuid.uuid4().hex[:12]
            cache.add(_stamp_key(topic), value, None)
            value = cache.get(_stamp_key(topic), value)
        values.append(value)
    return "-".join(values)


def _new_stamp(topic: str) -> None:
    cache.set(_stamp_key(topic), uuid.uuid4().hex[:12], None)


def changed(*topics: str, using: str = "default") -> None:
    """The records under `topics` (all by default) changed: new stamps when the transaction
    commits (at once outside one). Not before: until the commit other readers see the old
    rows, and what they keep meanwhile is under the stamp the commit replaces."""
    connection = connections[using]
    for topic in topics or TOPICS:
        if not connection.in_atomic_block:
            _new_stamp(topic)
        elif not _waiting(connection, topic):
            transaction.on_commit(_Restamp(topic), using=using)


class _Restamp:
    """The on-commit callback of one topic (one per topic and transaction)."""

    def __init__(self, topic: str):
        self.topic = topic

    def __call__(self) -> None:
        _new_stamp(self.topic)


def pending(topic: str, using: str = "default") -> bool:
    """This transaction has written records under `topic`: their new stamp waits for the
    commit, so what is kept under the current stamp is older than what this transaction
    reads."""
    connection = connections[using]
    return connection.in_atomic_block and _waiting(connection, topic)


def _waiting(connection, topic: str) -> bool:
    # Django keeps the transaction's callbacks in run_on_commit and drops them on rollback
    return any(
        isinstance(callback, _Restamp) and callback.topic == topic
        for _, callback, _ in connection.run_on_commit
    )


def remembered(name: str, parts: Iterable, topics: Iterable[str], compute: Callable[[], T]) -> T:
    """compute(), or what it gave for the same parts while the topics' stamps are unchanged."""
    seconds = max_age()
    if seconds <= 0:
        return compute()
    digest = hashlib.sha256("|".join(_text(part) for part in parts).encode()).hexdigest()[:32]
    key = f"figures:{name}:{digest}:{stamps(topics)}"
    found = cache.get(key)
    if found is not None:
        return found[0]
    value = compute()
    cache.set(key, (value,), seconds)
    return value


@functools.cache
def release() -> str:
    """A digest of the portal's templates and code as this process runs them: a key part of
    what is kept as rendered HTML, so that a deploy that changes how a page is rendered never
    serves what the code before it rendered (every host of one release agrees on it)."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    paths = sorted(
        path
        for top in ("templates", *sorted(PORTAL_APPS))
        for path in (root / top).rglob("*")
        if path.suffix in (".html", ".py")
    )
    for path in paths:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _text(part) -> str:
    """A key part as text; a queryset's query is its SQL with the scope's ids in it."""
    try:
        return str(part)
    except EmptyResultSet:  # a scope of nothing (.none())
        return "nothing"


# --- the signals -----------------------------------------------------------------------------


_DRAFTING: contextvars.ContextVar[bool] = contextvars.ContextVar("figures_drafting", default=False)


@contextlib.contextmanager
def drafting():
    """Inside: the writes are a draft's content (its fields and lines, no state): they stamp
    ``plan`` where they would stamp ``work``. Only for writes that change no status, no
    decision, report, payment or budget: what STATE_TOPICS readers count."""
    token = _DRAFTING.set(True)
    try:
        yield
    finally:
        _DRAFTING.reset(token)


def _topics_of(model) -> tuple[str, ...]:
    meta = model._meta
    if meta.app_label not in PORTAL_APPS or meta.label_lower in NOT_FIGURES:
        return ()
    work = PLAN if _DRAFTING.get() else WORK
    if meta.label_lower in COVERAGE_MODELS:
        return (COVERAGE, work)
    if meta.label_lower in CATALOGUE_MODELS:
        return (CATALOGUE, work)
    return (work,)


def _on_write(sender, using="default", **kwargs) -> None:
    topics = _topics_of(sender)
    if topics and max_age() > 0:
        changed(*topics, using=using)


def connect() -> None:
    """Called once from the app's ready(): every model of the portal's apps."""
    post_save.connect(_on_write, dispatch_uid="figures-save")
    post_delete.connect(_on_write, dispatch_uid="figures-delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="figures-m2m")


def _on_m2m(sender, action, using="default", **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        _on_write(sender, using=using)
