"""To-dos of the survey (zaitaku_portal/todos.py), for a hub coordinator: 「意向調査への回答」
the coordinator's hubs that have not answered an open survey, due on its closing day.
Two queries whatever the number of hubs (the open surveys, the hubs without an answer)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from subsidies.models import Survey
from zaitaku_portal.access import role_of
from zaitaku_portal.models import Role
from zaitaku_portal.scopes import hubs_for
from zaitaku_portal.todos import Todo

URGENT_DAYS = 7


def todos(user) -> list[Todo]:
    if role_of(user) != Role.HUB_COORDINATOR:
        return []
    today = timezone.localdate()
    open_surveys = Survey.objects.filter(
        closed_at__isnull=True, opens_on__lte=today, closes_on__gte=today
    ).select_related("fiscal_year")
    items = []
    for survey in open_surveys.order_by("closes_on"):
        waiting = list(hubs_for(user).exclude(survey_answers__survey=survey).order_by("name"))
        if not waiting:
            continue
        url = reverse(
            "subsidies:survey_answer",
            kwargs={"year": survey.fiscal_year.year, "hub_pk": waiting[0].pk},
        )
        items.append(
            Todo(
                f"意向調査への回答（{survey.fiscal_year}）",
                len(waiting),
                url,
                due=survey.closes_on,
                detail="、".join(hub.name for hub in waiting),
                urgent=survey.closes_on - today <= datetime.timedelta(days=URGENT_DAYS),
            )
        )
    return items
