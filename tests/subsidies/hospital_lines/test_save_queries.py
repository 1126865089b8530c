"""A plan's save costs the same number of queries whatever the number of its lines and
picked hospitals (issue 21): the lines are read once, written in one batch, and the diff
and the audit entry come from what was read and written, not from reading the plan again."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from subsidies.applications import reading
from subsidies.applications import services as service
from tests import factories as f
from tests.subsidies.factories import complete_plan
from tests.subsidies.hospital_lines.helpers import fresh, pick, started
from zaitaku_portal.models import AuditEntry

pytestmark = pytest.mark.django_db


def _plan_with_hospitals(world, count: int):
    """The hub's plan with `count` picked hospitals of its area (甲病院 and more)."""
    application = started(world)
    designations = [world.designation_a] + [
        f.DesignationFactory(
            institution=f.MedicalInstitutionFactory(name=f"追加病院{n}"),
            area=world.area_a,
            hub=world.hub_a,
        )
        for n in range(count - 1)
    ]
    for designation in designations:
        pick(application, designation, world.coordinator)
    return fresh(application)


def _everything_changed(application, words: str) -> dict:
    """A complete plan in which every line's actions change (every line is written)."""
    plan = complete_plan(application, meeting_members=words)
    for data in plan["lines"].values():
        data["planned_actions"] = words
    return plan


def _save_queries(application, user, words: str) -> int:
    plan = _everything_changed(application, words)
    with CaptureQueriesContext(connection) as queries:
        service.save_plan(application, plan, user, application.version)
    return len(queries)


def test_a_save_costs_the_same_queries_for_one_or_four_hospitals(apps_world):
    w = apps_world
    small = _plan_with_hospitals(w, 1)
    small_lines = len(reading.lines_of(small))
    one = _save_queries(small, w.coordinator, "一回目")
    small.delete()
    large = _plan_with_hospitals(w, 4)
    assert len(reading.lines_of(large)) == small_lines + 3 * (small_lines - 2)  # 3 menus each
    four = _save_queries(large, w.coordinator, "一回目")
    assert one == four
    # the lock, the scope, the lines, their hospitals (one query for all: cheaper than the
    # four joins it replaced), their menus' expense categories, the written lines in one
    # batch and read back, the application, the category names, the audit entry (26 before
    # issue 21, which read the plan five times)
    assert four <= 13
    # the audit entry names every changed field of every line, as before
    entry = AuditEntry.objects.filter(action="事業計画の保存（画面入力）").latest("pk")
    named = [label for label in entry.changes if label.endswith("／取り組み事項")]
    assert len(named) == len(reading.lines_of(large))


def test_the_plan_page_save_costs_the_same_queries_for_one_or_four_hospitals(apps_world):
    """The POST of the hub's plan page (setting (a): its own lines; the picked hospitals'
    lines are in the plan it validates and diffs)."""
    w = apps_world
    counts = []
    for hospitals in (1, 4):
        application = _plan_with_hospitals(w, hospitals)
        client = Client()
        client.force_login(w.coordinator)
        url = f"/subsidies/applications/{application.pk}/edit/"
        form = client.get(url).context["form"]
        data = {
            name: value
            for name, value in (
                (name, form[name].value()) for name in form.fields if name != "version"
            )
            if value not in (None, False)
        }
        data.update(version=application.version, meeting_members=f"変更{hospitals}", save="1")
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert fresh(application).meeting_members == f"変更{hospitals}"
        counts.append(len(queries))
        application.delete()
    assert counts[0] == counts[1]
