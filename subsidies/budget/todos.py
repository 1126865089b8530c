"""To-dos of the budget (zaitaku_portal/todos.py), for staff: 「予算超過」 the parts of the
newest fiscal year whose decided amounts exceed the part (a budget lowered after its
decisions), and 「採用待ちの配分案」 the proposals not yet accepted. A constant number of
queries (the newest year, its budget, one sum, one count)."""

from __future__ import annotations

from django.urls import reverse

from subsidies.applications import reading
from subsidies.catalogue.budget import budget_parts
from subsidies.models import AllocationProposal
from zaitaku_portal.access import STAFF_ROLES, role_of
from zaitaku_portal.todos import Todo


def todos(user) -> list[Todo]:
    if role_of(user) not in STAFF_ROLES:
        return []
    fiscal_year = reading.fiscal_year_numbered()  # the newest, kept
    if fiscal_year is None:
        return []
    over = [part for part in budget_parts(fiscal_year) if part.remaining < 0]
    items = [
        Todo(
            "予算超過",
            len(over),
            reverse("subsidies:budget", kwargs={"year": fiscal_year.year}),
            detail="、".join(f"{p.label} {-p.remaining:,}円超過" for p in over),
            urgent=bool(over),
        )
    ]
    waiting = AllocationProposal.objects.filter(
        fiscal_year=fiscal_year, state=AllocationProposal.State.PROPOSED
    ).count()
    items.append(
        Todo(
            "採用待ちの配分案",
            waiting,
            reverse("subsidies:allocation", kwargs={"year": fiscal_year.year}),
        )
    )
    return items
