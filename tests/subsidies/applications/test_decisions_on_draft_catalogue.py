"""No decision on caps still 調整中 (issue 14): the first decision, a change decision and
the page of each are refused with the message saying where the caps are confirmed
(subsidies.catalogue.services.catalogue_refusal); the bulk start of review decides nothing
and says so."""

import pytest

from subsidies.applications import services as service
from subsidies.applications.rules import ApplicationError
from subsidies.catalogue.services import catalogue_refusal
from subsidies.models import Application, ApplicationStatus, Decision, FiscalYear
from tests.subsidies.approvals import drive
from tests.subsidies.factories import application_in, complete_plan, decision_input

pytestmark = pytest.mark.django_db
S = ApplicationStatus
DRAFT = FiscalYear.CatalogueStatus.DRAFT
CONFIRMED = FiscalYear.CatalogueStatus.CONFIRMED


def _fresh(application):
    return Application.objects.get(pk=application.pk)


def _set_catalogue(fiscal_year, status):
    FiscalYear.objects.filter(pk=fiscal_year.pk).update(catalogue_status=status)


def _decide(application, staff):
    application = _fresh(application)
    return drive.through_approval(
        application, "decide", staff, application.version, decision=decision_input(application)
    )


def test_first_decision_on_a_draft_catalogue_is_refused(apps_world):
    w = apps_world
    application = application_in(S.UNDER_REVIEW, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    _set_catalogue(w.fiscal_year, DRAFT)
    message = catalogue_refusal(FiscalYear.objects.get(pk=w.fiscal_year.pk))
    assert message and "調整中" in message and "/catalogue/" in message
    with pytest.raises(ApplicationError) as refused:
        _decide(application, w.staff)
    assert refused.value.message == message
    assert not Decision.objects.exists()
    assert _fresh(application).status == S.UNDER_REVIEW
    assert FiscalYear.objects.get(pk=w.fiscal_year.pk).catalogue_frozen_at is None
    # confirmed: the same decision goes through (400,000円, complete_plan's meeting line)
    _set_catalogue(w.fiscal_year, CONFIRMED)
    _decide(application, w.staff)
    assert Decision.objects.get().total_amount == 400_000


def test_the_decision_page_shows_the_refusal_and_a_post_decides_nothing(client, apps_world):
    w = apps_world
    application = application_in(S.UNDER_REVIEW, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    _set_catalogue(w.fiscal_year, DRAFT)
    client.force_login(w.staff)
    page = f"/subsidies/applications/{application.pk}/action/decide/"
    response = client.get(page)
    assert response.status_code == 403
    assert "補助メニューは上限額が調整中のため、交付決定はできません" in response.content.decode()
    detail = client.get(f"/subsidies/applications/{application.pk}/").content.decode()
    assert "補助メニューは上限額が調整中のため" in detail  # the disabled button's reason
    response = client.post(
        page,
        {
            "version": _fresh(application).version,
            "notice_number": "8医政第9001号",
            "notice_date": "2026-05-01",
            "amount0": "400000",
            "reason0": "",
        },
    )
    assert "補助メニューは上限額が調整中のため" in response.content.decode()
    assert not Decision.objects.exists()


def test_a_change_decision_on_a_draft_catalogue_is_refused(apps_world):
    w = apps_world
    application = application_in(S.DECIDED, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    step = lambda action, user, **kw: service.perform(  # noqa: E731
        application, action, user, _fresh(application).version, **kw
    )
    step("request_change", w.coordinator)
    plan = complete_plan(_fresh(application))
    plan["lines"]["hub-meeting"]["expenses"] = {"honoraria": 200_000}
    service.save_plan(_fresh(application), plan, w.coordinator, _fresh(application).version)
    step("submit", w.coordinator)
    step("start_review", w.staff)
    _set_catalogue(w.fiscal_year, DRAFT)  # e.g. reopened for next year's caps by mistake
    with pytest.raises(ApplicationError) as refused:
        _decide(application, w.staff)
    assert "調整中" in refused.value.message
    assert Decision.objects.filter(application=application).count() == 1
    _set_catalogue(w.fiscal_year, CONFIRMED)
    _decide(application, w.staff)
    current = Decision.objects.current().get(application=application)
    assert current.number == 2 and current.total_amount == 200_000


def test_bulk_start_of_review_decides_nothing_and_says_decisions_wait(client, apps_world):
    w = apps_world
    application = application_in(S.SUBMITTED, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    _set_catalogue(w.fiscal_year, DRAFT)
    client.force_login(w.staff)
    html = client.get("/subsidies/review/bulk/").content.decode()
    assert "data-catalogue-draft" in html
    assert "審査は開始できますが、交付決定はまだできません。" in html
    client.post("/subsidies/review/bulk/", {"expected_count": "1"})
    assert _fresh(application).status == S.UNDER_REVIEW
    assert not Decision.objects.exists()
    _set_catalogue(w.fiscal_year, CONFIRMED)
    application_in(S.SUBMITTED, w.hub_b, w.fiscal_year, _coordinator_of_b(w), w.staff)
    html = client.get("/subsidies/review/bulk/").content.decode()
    assert "data-catalogue-draft" not in html


def _coordinator_of_b(w):
    from tests.factories import coordinator_of

    return coordinator_of(w.hub_b, username="coordinator-b")
