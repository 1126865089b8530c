"""What waits for a user: the to-do list on each role's home page (issue 20).

Each part that gives a user something to do next provides a function `todos(user)`
returning `Todo` items already scoped to that user (zaitaku_portal.scopes); PROVIDERS lists
them in the order the home page shows them. A provider returns nothing for a role it does
not concern, and costs a constant number of queries whatever the number of hubs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from importlib import import_module

from django.utils.timezone import localdate

from zaitaku_portal import figures
from zaitaku_portal.access import STAFF_ROLES, role_of


@dataclass(frozen=True)
class Todo:
    label: str  # what to do, as the user says it: 「決裁待ちの起案」
    count: int  # how many (0: nothing waits; the home page leaves it out)
    url: str  # the page (a filtered list) where it is done
    due: datetime.date | None = None  # the nearest deadline, if any
    detail: str = ""  # one line more: the reason of a return, the amount of a refund
    urgent: bool = False  # overdue or due within a week


# "module.function" of every provider, in the order shown.
PROVIDERS: tuple[str, ...] = (
    "subsidies.approvals.todos.todos",
    "subsidies.applications.todos.todos",
    "subsidies.results.todos.todos",
    "subsidies.budget.todos.todos",
    "subsidies.survey.todos.todos",
    "subsidies.payments.todos.todos",
    "reports.todos.todos",
)


def todos_for(user) -> list[Todo]:
    """Every provider's items for this user, without the empty ones; kept until a write
    changes the records they count (zaitaku_portal/figures.py): every home page asks them."""
    # staff count states only: a draft's save (figures.drafting) leaves theirs kept
    topics = figures.STATE_TOPICS if role_of(user) in STAFF_ROLES else figures.TOPICS
    return figures.remembered(
        "todos",
        (user.pk, getattr(user, "role", ""), getattr(user, "health_center_id", ""), localdate()),
        topics,
        lambda: _todos_for(user),
    )


def _todos_for(user) -> list[Todo]:
    items: list[Todo] = []
    for path in PROVIDERS:
        module, name = path.rsplit(".", 1)
        items.extend(t for t in getattr(import_module(module), name)(user) if t.count)
    return items
