"""To-dos of 決裁 (zaitaku_portal/todos.py): 「決裁待ち N件」 for an approver (the drafts of
others), 「差し戻された起案」 for the drafter whose draft was sent back."""

from __future__ import annotations

from django.urls import reverse

from subsidies.approvals.reading import drafts_for, is_approver, sent_back_waiting, waiting_drafts
from zaitaku_portal.access import STAFF_ROLES, role_of
from zaitaku_portal.todos import Todo


def todos(user) -> list[Todo]:
    if role_of(user) not in STAFF_ROLES:
        return []
    queue = reverse("subsidies:approval_queue")
    items = []
    if is_approver(user):
        waiting = waiting_drafts(user).exclude(drafted_by=user)
        count = waiting.count()
        items.append(Todo(f"決裁待ち {count}件", count, queue + "?year="))
    waiting_again = sent_back_waiting(drafts_for(user).filter(drafted_by=user))
    # the newest one's id first, without the joins a draft is shown with: most drafters
    # have none waiting, and every write asks this again (issue 21)
    newest = waiting_again.select_related(None).order_by("-decided_at").values_list("pk")[:1]
    if newest:
        latest = waiting_again.get(pk=newest[0][0])
        items.append(
            Todo(
                "差し戻された起案",
                waiting_again.count(),
                queue + "?year=",
                detail=f"{latest.application}：{latest.reason[:60]}",
            )
        )
    return items
