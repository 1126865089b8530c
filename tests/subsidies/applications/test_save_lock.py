"""A plan's save locks the application's row and, when the row is as the page read it
(version, status, updated_at), goes on with the page's own instance instead of reading the
row, its hub and its fiscal year again (services._lock_row, issue 21). A row changed since
then by a writer that does not count the version is read again: nothing the page read
before that change is written back over it, and a counted change still refuses the save."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from subsidies.applications import services as service
from subsidies.applications.rules import StaleVersion
from subsidies.models import Application
from tests.subsidies.factories import complete_plan
from zaitaku_portal.models import Role

pytestmark = pytest.mark.django_db


def as_the_page_reads_it(application) -> Application:
    return Application.objects.select_related("hub", "fiscal_year").get(pk=application.pk)


def locking_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if 'FROM "subsidies_application"' in q["sql"]]


def test_an_unchanged_row_is_not_read_again(world, draft):
    page = as_the_page_reads_it(draft)
    plan = complete_plan(page, meeting_members="変更した構成員")
    with CaptureQueriesContext(connection) as queries:
        saved, _ = service.save_plan(page, plan, world.users[Role.HUB_COORDINATOR], page.version)
    assert saved is page and saved.meeting_members == "変更した構成員"
    reads = [sql for sql in locking_reads(queries) if sql.startswith("SELECT")]
    # the lock (version, status, updated_at only) and the scope's check: no join to the hub
    # or the year (the row's ordering joins them, a get() has none)
    assert len(reads) == 2 and not any('"hubs_hub"."name"' in sql for sql in reads)
    assert "subsidies_fiscalyear" not in " ".join(reads)
    assert Application.objects.get(pk=draft.pk).meeting_members == "変更した構成員"


def test_a_row_changed_meanwhile_is_read_again_and_kept(world, draft):
    page = as_the_page_reads_it(draft)
    other = Application.objects.get(pk=draft.pk)
    other.return_reason_text = "別の画面で書いた記録"
    other.save()  # moves updated_at, counts no version
    plan = complete_plan(page, meeting_members="変更した構成員")
    saved, _ = service.save_plan(page, plan, world.users[Role.HUB_COORDINATOR], page.version)
    assert saved is not page  # read again under the lock
    stored = Application.objects.get(pk=draft.pk)
    assert (stored.meeting_members, stored.return_reason_text) == (
        "変更した構成員",
        "別の画面で書いた記録",  # not overwritten by what the page had read
    )


def test_a_counted_change_still_refuses_the_save(world, draft):
    page = as_the_page_reads_it(draft)
    coordinator = world.users[Role.HUB_COORDINATOR]
    first = as_the_page_reads_it(draft)
    service.save_plan(
        first, complete_plan(first, meeting_members="先の保存"), coordinator, first.version
    )
    with pytest.raises(StaleVersion):
        service.save_plan(
            page, complete_plan(page, meeting_members="後の保存"), coordinator, page.version
        )
    assert Application.objects.get(pk=draft.pk).meeting_members == "先の保存"
