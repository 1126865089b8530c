"""The review home prints its filters, totals and rows from plain values (review_views): the
same <select>s as the form's own fields, the same counts as the querysets, and as many
queries whatever the number of applications."""

import re

import pytest
from django.db import connection
from django.forms.renderers import DjangoTemplates
from django.test.utils import CaptureQueriesContext

from hospitals.models import MedicalInstitution
from subsidies.applications.forms import QueueFilterForm
from subsidies.models import Application, ApplicationStatus, FiscalYear
from tests.factories import DesignationFactory, HubFactory, coordinator_of
from tests.subsidies.factories import application_in
from zaitaku_portal.models import HealthCenter, HomeCareArea

pytestmark = pytest.mark.django_db
S = ApplicationStatus


@pytest.fixture
def queue(apps_world):
    w = apps_world
    application_in(S.SUBMITTED, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    application_in(S.RESUBMITTED, w.hub_b, w.fiscal_year, coordinator_of(w.hub_b), w.staff)
    for i in range(2):
        hub = HubFactory(name=f"丙拠点{i}", areas=[w.area_b])
        application_in(S.SUBMITTED, hub, w.fiscal_year, coordinator_of(hub), w.staff)
    hub = HubFactory(name="丁拠点", areas=[w.area_b])
    application_in(S.DRAFT, hub, w.fiscal_year, coordinator_of(hub), w.staff)
    FiscalYear.objects.create(year=2025)  # an older year among the options
    return w


def _filters(page: str) -> str:
    return re.search(r'<form method="get" class="filters">\n(.*?)\n<button', page, re.S).group(1)


def _as_the_form_prints_it(query: dict) -> str:
    """The filter form with its fields' own querysets as choices, by Django's templates."""
    form = QueueFilterForm(
        query,
        fiscal_years=FiscalYear.objects.order_by("-year").only("pk", "year"),
        areas=HomeCareArea.objects.all(),
        health_centers=HealthCenter.objects.all(),
        renderer=DjangoTemplates(),
    )
    assert form.is_valid(), form.errors
    return "".join(f"<label>{field.label}{field}</label>" for field in form)


@pytest.mark.parametrize(
    "choose",
    [
        lambda w: {},  # the current year by default
        lambda w: {"fiscal_year": ""},
        lambda w: {"area": w.area_b.pk, "status": "submitted"},
        lambda w: {"fiscal_year": w.fiscal_year.pk, "health_center": w.health_center_a.pk},
    ],
)
def test_the_filters_print_what_the_forms_own_fields_print(client, queue, choose):
    query = choose(queue)
    client.force_login(queue.staff)
    page = client.get("/subsidies/review/", query).content.decode()
    expected = _as_the_form_prints_it({"fiscal_year": queue.fiscal_year.pk, **query})
    assert _filters(page) == expected
    assert "令和7年度" in expected and "selected" in expected


@pytest.mark.parametrize(
    ("choose", "total", "startable"),
    [
        (lambda w: {}, 5, 4),
        (lambda w: {"status": "submitted"}, 3, 3),
        (lambda w: {"status": "resubmitted"}, 1, 1),
        (lambda w: {"status": "draft"}, 1, 0),
        (lambda w: {"status": "decided"}, 0, 0),
        (lambda w: {"area": w.area_b.pk}, 4, 3),
        (lambda w: {"area": w.area_b.pk, "status": "draft"}, 1, 0),
    ],
)
def test_the_total_and_the_startable_count_are_the_querysets_counts(
    client, queue, choose, total, startable
):
    query = choose(queue)
    listed = Application.objects.all()
    if "status" in query:
        listed = listed.filter(status=query["status"])
    if "area" in query:
        listed = listed.filter(hub__areas=query["area"])
    assert listed.count() == total  # the expectation is the data's, not the page's
    client.force_login(queue.staff)
    page = client.get("/subsidies/review/", query).content.decode()
    assert f"<p>{total}件（再提出済みを先頭に表示）" in page
    assert page.count("<tr>\n<td><a href=") == total
    if startable:
        assert f"絞り込み結果の提出済み {startable}件の審査を一括で開始" in page
    else:
        assert "審査を一括で開始" not in page


def test_a_hospitals_own_application_is_listed_under_the_hospital(client, queue):
    application = Application.objects.get(hub=queue.hub_a)
    institution = DesignationFactory(area=queue.area_a, hub=queue.hub_a).institution
    Application.objects.filter(pk=application.pk).update(institution=institution)
    client.force_login(queue.staff)
    page = client.get("/subsidies/review/").content.decode()
    assert f'<a href="/subsidies/applications/{application.pk}/">{institution.name}</a>' in page


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/subsidies/review/", {"fiscal_year": ""}).status_code == 200
    return len(captured)


def test_the_queries_do_not_grow_with_the_applications_listed(client, queue):
    client.force_login(queue.staff)
    few = _queries(client)
    for i in range(6):
        hub = HubFactory(name=f"戊拠点{i}", areas=[queue.area_a])
        application_in(S.SUBMITTED, hub, queue.fiscal_year, coordinator_of(hub), queue.staff)
    assert _queries(client) == few
    # hospitals' own applications: their names in one more query, whatever their number
    own = list(Application.objects.order_by("pk")[:4])
    for application in own:
        institution = DesignationFactory(area=queue.area_a, hub=application.hub).institution
        Application.objects.filter(pk=application.pk).update(institution=institution)
    assert MedicalInstitution.objects.count() >= 4
    with_own = _queries(client)
    assert with_own == few + 1
    Application.objects.filter(pk=own[0].pk).update(institution=None)
    assert _queries(client) == with_own


@pytest.mark.django_db(transaction=True)
def test_the_filters_kept_are_what_the_form_prints_for_the_values_chosen(client, queue):
    """With the figures cache on (as in production) the filters' HTML is kept per values
    chosen, and read again when an area or a year changes (their stamps)."""
    from django.core.cache import cache
    from django.test.utils import override_settings

    client.force_login(queue.staff)
    by_area = {"area": queue.area_b.pk, "status": "submitted"}
    with override_settings(PORTAL_FIGURES_MAX_AGE=60):
        cache.clear()
        for query in ({}, by_area, {}, by_area):  # the second round from the cache
            page = client.get("/subsidies/review/", query).content.decode()
            expected = _as_the_form_prints_it({"fiscal_year": queue.fiscal_year.pk, **query})
            assert _filters(page) == expected
        HomeCareArea.objects.filter(pk=queue.area_b.pk).update(name="乙圏域（改称）")
        queue.area_b.refresh_from_db()
        queue.area_b.save()  # a save, committed: the coverage's stamp moves
        page = client.get("/subsidies/review/", by_area).content.decode()
        assert "乙圏域（改称）</option>" in _filters(page)
        FiscalYear.objects.create(year=2024)  # the catalogue's stamp moves
        assert "令和6年度" in _filters(client.get("/subsidies/review/").content.decode())
