"""One coverage rule, by designation dates, on every page that shows a gap (issue 13): the
充足状況 page, the dashboard and the review home agree about which areas lack a hub or an
active hospital, and a designation that has not started yet or has already ended counts for
none of them, whatever its status says."""

import datetime

import pytest
from django.urls import reverse

from hospitals.coverage import coverage_for
from reports import dashboard
from tests import factories as f
from zaitaku_portal import scopes
from zaitaku_portal.models import Role

TODAY = datetime.date.today()


@pytest.fixture
def dated(world):
    """甲圏域: its only hospital is designated from next month (status already active).
    乙圏域: its only hospital's designation ended yesterday (status not yet changed), and its
    hub's designation ended yesterday too. 丙圏域: a current hub and a current hospital."""
    world.designation_a.start_date = TODAY + datetime.timedelta(days=30)
    world.designation_a.save()
    world.designation_b.end_date = TODAY - datetime.timedelta(days=1)
    world.designation_b.save()
    world.hub_b.designated_until = TODAY - datetime.timedelta(days=1)
    world.hub_b.save()
    covered = f.HomeCareAreaFactory(name="丙圏域", secondary_area=world.area_a.secondary_area)
    f.HubFactory(name="丙拠点", areas=[covered])
    f.DesignationFactory(area=covered)
    f.FiscalYearFactory(year=2026)
    return world


GAPS = ["乙圏域", "甲圏域"]  # in the areas' order: display order, then name


def test_future_and_expired_designations_leave_a_gap(dated):
    staff = dated.users[Role.PREFECTURE_STAFF]
    by_area = {item.area.name: item for item in coverage_for(staff)}
    assert [name for name, item in by_area.items() if item.is_gap] == GAPS
    assert by_area["甲圏域"].lacks_hospital and not by_area["甲圏域"].lacks_hub
    assert by_area["乙圏域"].lacks_hospital and by_area["乙圏域"].lacks_hub
    assert (by_area["丙圏域"].hub_count, by_area["丙圏域"].hospital_count) == (1, 1)


def test_dashboard_counts_coverage_by_dates(dated):
    from subsidies.models import FiscalYear

    staff = dated.users[Role.PREFECTURE_STAFF]
    board = dashboard.build(
        scopes.areas_for(staff),
        scopes.hubs_for(staff),
        scopes.designations_for(staff),
        FiscalYear.objects.get(year=2026),
    )
    assert [row.name for row in board.gaps] == GAPS
    rows = {row.name: row for row in board.coverage}
    assert (rows["甲圏域"].hubs, rows["甲圏域"].hospitals) == (["甲拠点"], 0)
    assert (rows["乙圏域"].hubs, rows["乙圏域"].hospitals) == ([], 0)
    assert (rows["丙圏域"].hubs, rows["丙圏域"].hospitals) == (["丙拠点"], 1)


def test_every_page_shows_the_same_gaps(client, dated):
    client.force_login(dated.users[Role.PREFECTURE_STAFF])
    coverage = client.get(reverse("hospitals:coverage"))
    assert coverage.context["gap_count"] == len(GAPS)
    review = client.get("/subsidies/review/")
    assert [area.name for area in review.context["gaps"]] == GAPS
    gaps = {area.name: area for area in review.context["gaps"]}
    assert (gaps["甲圏域"].hub_count, gaps["甲圏域"].hospital_count) == (1, 0)
    assert (gaps["乙圏域"].hub_count, gaps["乙圏域"].hospital_count) == (0, 0)
    board = client.get("/reports/dashboard/?year=2026")
    assert [row.name for row in board.context["board"].gaps] == GAPS
