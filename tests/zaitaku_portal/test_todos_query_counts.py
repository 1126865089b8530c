"""The to-do block costs the same number of queries with 2 applications as with 6 (issue 20):
every provider (zaitaku_portal/todos.PROVIDERS) counts and picks its first item in SQL, for
every role, and so does the home page that shows the block."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from subsidies.models import ApplicationComment, ApplicationStatus, ResultReportStatus
from subsidies.results import services as results_services
from tests import factories as f
from tests.subsidies.factories import application_in, catalogue
from zaitaku_portal.models import Role
from zaitaku_portal.todos import todos_for
from zaitaku_portal.wareki import fiscal_year_of

pytestmark = pytest.mark.django_db

# the same two states in turn, so that 2 and 6 applications hold the same kinds of rows (a
# provider asks nothing about a kind of row that does not exist): decided (its results report
# returned, an amount to request), resubmitted (waits for review, and for the health
# center's advice: only every fourth application has it)
STATES = (ApplicationStatus.DECIDED, ApplicationStatus.RESUBMITTED)


def _hubs_with_applications(world, fiscal_year, start: int, count: int) -> list:
    hubs = []
    staff, health = world.users[Role.PREFECTURE_STAFF], world.users[Role.HEALTH_CENTER]
    for index in range(start, start + count):
        hub = f.HubFactory(name=f"拠点{index}", areas=[world.area_a])
        coordinator = f.coordinator_of(hub, username=f"coordinator-{index}")
        application = application_in(
            STATES[index % len(STATES)], hub, fiscal_year, coordinator, staff
        )
        if index % 4 == 0:  # the others still wait for the health center's advice
            ApplicationComment.objects.create(
                application=application,
                kind=ApplicationComment.Kind.ADVICE,
                author=health,
                body="助言",
            )
        if application.status == ApplicationStatus.DECIDED:
            report = results_services.start_report(application, coordinator)
            report.status = ResultReportStatus.RETURNED
            report.return_reason = "領収書がありません"
            report.save()
        hubs.append(hub)
    return hubs


def _queries(users, client) -> dict[str, tuple[int, int]]:
    """Per user: the queries of the to-dos alone, and of the home page that shows them."""
    counts = {}
    for name, user in users.items():
        with CaptureQueriesContext(connection) as todos:
            items = todos_for(user)
        assert items, name  # something waits for every role: the block is not empty
        client.force_login(user)
        with CaptureQueriesContext(connection) as home:
            response = client.get("/", follow=True)
        assert response.status_code == 200
        assert "次にすること" in response.content.decode()
        counts[name] = (len(todos), len(home))
    return counts


def test_todos_and_home_pages_do_not_grow_with_the_applications(client, world):
    today = timezone.localdate()
    # the deadline passed: hubs without a plan (world.hub_a) show on the health center's list
    fy = catalogue(
        year=fiscal_year_of(today), application_deadline=today - datetime.timedelta(days=1)
    )[0]
    first = _hubs_with_applications(world, fy, 0, 2)
    users = {
        "staff": world.users[Role.PREFECTURE_STAFF],
        "health_center": world.users[Role.HEALTH_CENTER],
        "coordinator": f.coordinator_of(*first, username="coordinator-of-2"),
    }
    with_two = _queries(users, client)
    more = _hubs_with_applications(world, fy, 2, 4)
    users["coordinator"] = f.coordinator_of(*first, *more, username="coordinator-of-6")
    with_six = _queries(users, client)
    assert with_six == with_two, {"2": with_two, "6": with_six}


def test_the_batched_requestable_totals_are_the_reading_s(world):
    """payments.todos.requestable_totals (one query per kind of row) gives what
    payments.reading.requestable_total gives one application at a time: decided 400,000円
    (complete_plan: 300,000 + 100,000, cap 1,060,000, rate 1/1); a request of 150,000円
    paid and one of 50,000円 waiting leave 400,000 − 150,000 − 50,000 = 200,000円."""

    from subsidies.models import Application, RequestKind
    from subsidies.payments import services as payments
    from subsidies.payments.reading import requestable_total
    from subsidies.payments.todos import requestable_totals

    fy = catalogue(year=fiscal_year_of(timezone.localdate()))[0]
    hubs = _hubs_with_applications(world, fy, 0, 3)  # the first (index 0) is decided
    decided = Application.objects.get(hub=hubs[0])
    coordinator = decided.hub.coordinators.first().user
    paid = payments.file_request(decided, coordinator, kind=RequestKind.ADVANCE, amount=150_000)
    payments.record_payment(paid, world.users[Role.PREFECTURE_STAFF], paid_on=timezone.localdate())
    payments.file_request(decided, coordinator, kind=RequestKind.ADVANCE, amount=50_000)
    applications = list(Application.objects.filter(hub__in=hubs))
    batched = requestable_totals(applications)
    assert batched == {a.pk: requestable_total(a) for a in applications}
    assert batched[decided.pk] == 200_000
