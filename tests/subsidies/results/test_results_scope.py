"""Every writer of the results part re-checks the actor's scope inside its lock.

The page was opened while the coordinator still belonged to the hub; by the POST they have
been removed from it (the view's 404 covers a fresh request; these call the writers with
the object the page was built from, as a request already past the view would). Each writer
must refuse with the 権限 message and write nothing: no version bump, no new row, no audit
entry."""

import datetime

import pytest

from hubs.models import HubCoordinator
from subsidies.models import (
    Activity,
    ActivityKind,
    ResultReport,
    ResultReportStatus,
    ResultReportVersion,
)
from subsidies.results import services
from subsidies.results.rules import ClaimError
from tests import factories as f
from tests.subsidies.results.factories import decided_application, menu, worked_case
from zaitaku_portal.models import AuditEntry, Role

pytestmark = pytest.mark.django_db

REFUSED = "この実績報告を操作する権限がありません。"


def _removed_from_hub(world):
    coordinator = world.users[Role.HUB_COORDINATOR]
    HubCoordinator.objects.filter(user=coordinator).delete()
    return coordinator


def _meeting(year: int) -> dict:
    return {
        "kind": ActivityKind.MEETING,
        "title": "第2回多職種連携会議",
        "held_on": datetime.date(year, 9, 1),
        "meeting_kind": "多職種連携会議（全体会議）",
        "participants_by_profession": {"医師": 2},
        "participants_by_affiliation": {},
    }


WRITERS = {
    "save_report": lambda r, actor: services.save_report(
        r, {"consultation_count": 5}, actor, r.version
    ),
    "preview_report": lambda r, actor: services.preview_report(
        r, {"consultation_count": 5}, actor, r.version
    ),
    "add_activity": lambda r, actor: services.add_activity(
        r, _meeting(r.application.fiscal_year.year), actor, r.version
    ),
    "delete_activity": lambda r, actor: services.delete_activity(
        r, r.activities.first().pk, actor, r.version
    ),
    "perform": lambda r, actor: services.perform(r, "submit", actor, r.version),
}


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_coordinator_removed_from_the_hub_after_opening_the_page_writes_nothing(world, writer):
    case = worked_case(world)
    report = case.report  # what the page was built from
    before = (report.version, report.consultation_count, Activity.objects.count())
    audits = AuditEntry.objects.count()
    coordinator = _removed_from_hub(world)
    with pytest.raises(ClaimError) as refused:
        WRITERS[writer](report, coordinator)
    assert refused.value.message == REFUSED
    saved = ResultReport.objects.get(pk=report.pk)
    assert (saved.version, saved.consultation_count, Activity.objects.count()) == before
    assert saved.status == ResultReportStatus.DRAFT
    assert not ResultReportVersion.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_start_report_refuses_a_coordinator_removed_from_the_hub(world):
    fiscal_year = f.FiscalYearFactory(year=2026)
    m = menu(fiscal_year, "s-meeting", "連携会議の開催", 1_060_000)
    application = decided_application(world.hub_a, fiscal_year, [(m, None, 1_000_000, {})])
    coordinator = _removed_from_hub(world)
    with pytest.raises(ClaimError) as refused:
        services.start_report(application, coordinator)
    assert refused.value.message == "この申請を操作する権限がありません。"
    assert not ResultReport.objects.exists()
