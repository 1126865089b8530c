"""Issue 21: every dashboard page issues the same number of SQL queries in a world of 2 hubs
and 2 hospitals as in one of 6 and 6, for each role that sees it, with hospitals that apply
for themselves (issue 18, setting (b)) among them. A query per hub or per hospital would
show here long before it shows at national scale (2,000 hubs, 12,000 hospitals)."""

import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from subsidies.models import Application, FiscalYear
from tests import factories as f
from tests.reports.dashboard_data import year_of_work
from zaitaku_portal.models import Role


def grow_to(world, count: int) -> None:
    """Add hubs (each with an active hospital and a year of work, alternating between the
    two areas) until the world has `count` of each; every other hospital files its own
    application as well."""
    staff = world.users[Role.PREFECTURE_STAFF]
    fiscal_year = FiscalYear.objects.get(year=2026)
    existing = Application.objects.filter(fiscal_year=fiscal_year, institution__isnull=True)
    for index in range(existing.count(), count):
        area = world.area_a if index % 2 else world.area_b
        hub = f.HubFactory(name=f"規模拠点{index}", areas=[area])
        designation = f.DesignationFactory(area=area, hub=hub)
        year_of_work(
            hub,
            staff,
            decided=100_000 + index,
            confirmed=90_000,
            meetings=index % 3,
            trainings=1,
            hospital_line=(designation, 10_000),
        )
        if index % 2:
            Application.objects.create(
                hub=hub,
                institution=designation.institution,
                fiscal_year=fiscal_year,
                status="submitted",
            )


PAGES = {
    Role.PREFECTURE_STAFF: [
        "/reports/dashboard/?year=2026",
        "/reports/dashboard/?year=2026&area={area}",
        "/reports/prefecture/?year=2026",
        "/reports/dashboard/export/hubs/?year=2026",
        "/reports/dashboard/export/hospitals/?year=2026",
    ],
    Role.HEALTH_CENTER: [
        "/reports/dashboard/?year=2026",
        "/reports/dashboard/?year=2026&area={area}",
        "/reports/dashboard/export/hubs/?year=2026",
    ],
}


def shape(sql: str) -> str:
    """A query without its numbers: the same query for another hub looks the same."""
    sql = re.sub(r"'[^']*'", "S", re.sub(r"\d+", "N", sql))
    return re.sub(r"IN \((N, )*N\)", "IN (N…)", sql)[:300]


def counts_of(client, world) -> dict[str, list[str]]:
    counts = {}
    for role, pages in PAGES.items():
        client.force_login(world.users[role])
        for page in pages:
            url = page.format(area=world.area_a.pk)
            client.get(url)  # sessions, caches and the like settle on the first visit
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            assert response.status_code == 200, (role, url, response.status_code)
            counts[f"{role} {url}"] = [shape(q["sql"]) for q in captured.captured_queries]
    return counts


@pytest.mark.django_db
def test_dashboard_pages_do_not_query_per_hub_or_hospital(client, world):
    from django.core.cache import cache

    staff = world.users[Role.PREFECTURE_STAFF]
    year_of_work(world.hub_a, staff, decided=1_060_000, confirmed=950_000, meetings=3)
    year_of_work(world.hub_b, staff, decided=500_000, meetings=6, report_status="draft")
    # a hospital of hub A files its own application: both worlds have one (the same branches)
    Application.objects.create(
        hub=world.hub_a,
        institution=world.designation_a.institution,
        fiscal_year=FiscalYear.objects.get(year=2026),
        status="submitted",
    )
    grow_to(world, 2)  # the world's own two hubs and their hospitals
    cache.clear()
    small = counts_of(client, world)
    grow_to(world, 6)
    assert Application.objects.filter(institution__isnull=False).count() >= 2
    cache.clear()
    large = counts_of(client, world)
    grown = {
        page: (len(small[page]), len(large[page]), (Counter(large[page]) - Counter(small[page])))
        for page in small
        if len(small[page]) != len(large[page])
    }
    assert not grown, f"queries grew from 2 to 6 hubs and hospitals (2, 6, extra): {grown}"


@pytest.mark.django_db
def test_coverage_without_detail_counts_what_the_detail_lists(world):
    """The review home and the dashboard read coverage without its model instances
    (hospitals.coverage, detail=False): the same areas, hubs, counts and gaps."""
    from hospitals.coverage import coverage_for

    year_of_work(world.hub_a, world.users[Role.PREFECTURE_STAFF])  # the year grow_to adds to
    grow_to(world, 6)
    f.DesignationFactory(area=world.area_a, hub=world.hub_a, status="tentative")
    for role in (Role.PREFECTURE_STAFF, Role.HEALTH_CENTER):
        user = world.users[role]

        def summary(items):
            return [
                (c.name, [h.name for h in c.hubs], c.hospital_count, c.tentative_count, c.is_gap)
                for c in items
            ]

        detailed, counted = coverage_for(user), coverage_for(user, detail=False)
        assert summary(counted) == summary(detailed)
        assert any(c.tentative_count for c in counted)
        # staff see the six hubs' hospitals and the 内諾; the health center its own area's
        assert sum(c.hospital_count for c in counted) >= (7 if role == Role.PREFECTURE_STAFF else 2)
