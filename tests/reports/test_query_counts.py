"""Pages issue a number of SQL queries that does not grow with the data: each page is
measured on a small national-shaped data set and again after the data set has grown."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.national import Scale, generate


def _urls(prefix: str):
    from hospitals.models import MedicalInstitution
    from hubs.models import Hub
    from subsidies.models import Application, ResultReport
    from zaitaku_portal.models import HomeCareArea

    hub = Hub.objects.filter(name__startswith=prefix).order_by("pk").first()
    institution = MedicalInstitution.objects.filter(name__startswith=prefix).order_by("pk").first()
    area = HomeCareArea.objects.filter(name__startswith=prefix).order_by("pk").first()
    application = Application.objects.filter(hub=hub).order_by("pk").first()
    report = ResultReport.objects.filter(application__hub=hub, status="confirmed").first()
    return [
        "/subsidies/review/",
        "/subsidies/applications/",
        f"/subsidies/applications/{application.pk}/",
        "/reports/dashboard/?year=2024",
        f"/reports/dashboard/?year=2024&area={area.pk}",
        "/reports/prefecture/?year=2024",
        "/hubs/",
        f"/hubs/{hub.pk}/",
        "/hospitals/",
        f"/hospitals/institutions/{institution.pk}/",
        "/hospitals/coverage/",
        "/results/",
        f"/results/reports/{report.pk}/",
        f"/results/reports/{report.pk}/calculation/",
    ]


def _counts(client, urls) -> dict[str, int]:
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        counts[url] = len(captured)
    return counts


@pytest.mark.django_db
def test_staff_pages_do_not_grow_with_the_data(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    generate(Scale(hubs=3, hospitals=6, areas=2, years=2, prefix="小"), log=lambda _: None)
    from zaitaku_portal.models import User

    client.force_login(User.objects.get(username="小-staff"))
    urls = _urls("小")
    small = _counts(client, urls)
    generate(Scale(hubs=12, hospitals=40, areas=5, years=2, prefix="大"), log=lambda _: None)
    large = _counts(client, urls)
    grown = {url: (small[url], large[url]) for url in urls if small[url] != large[url]}
    assert not grown, f"queries grew with the data (small, large): {grown}"


@pytest.mark.django_db
def test_application_pages_do_not_grow_with_the_hospitals_of_the_area(client, world):
    from tests import factories as f
    from tests.subsidies.factories import application_in, catalogue, pick
    from zaitaku_portal.models import Role

    fiscal_year, _ = catalogue()
    coordinator = world.users[Role.HUB_COORDINATOR]
    application = application_in(
        "draft", world.hub_a, fiscal_year, coordinator, world.users[Role.PREFECTURE_STAFF]
    )
    urls = [
        f"/subsidies/applications/{application.pk}/",
        f"/subsidies/applications/{application.pk}/edit/",
    ]
    client.force_login(coordinator)
    counts = []
    for more in (1, 8):
        for _ in range(more):
            # the hub picks each hospital it plans for (issue 18, setting (a))
            pick(application, f.DesignationFactory(area=world.area_a, hub=world.hub_a), coordinator)
        counts.append(_counts(client, urls))
    assert application.lines.count() > 20
    assert counts[0] == counts[1], counts
