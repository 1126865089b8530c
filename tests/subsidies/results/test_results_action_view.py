"""The one action view of the results table: the page is built from the row (its form, the
reason field only where the row requires one), POST performs it; the 額の確定 rows keep
their own page (results:confirm)."""

import pytest
from django.urls import reverse

from subsidies.models import ResultReport
from subsidies.results import services
from tests.subsidies.results.factories import worked_case
from zaitaku_portal.models import Role

pytestmark = pytest.mark.django_db

REASON_FIELD = 'name="reason"'


@pytest.fixture
def under_review(world):
    report = worked_case(world).report
    report = services.perform(report, "submit", world.users[Role.HUB_COORDINATOR], 1)
    return services.perform(
        report, "start_review", world.users[Role.PREFECTURE_STAFF], report.version
    )


def _url(report, action):
    return reverse("results:report_action", args=[report.pk, action])


def test_the_reason_field_is_shown_only_where_the_row_requires_it(client, world, under_review):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    assert REASON_FIELD in client.get(_url(under_review, "return")).content.decode()
    page = client.get(_url(under_review, "start_review")).content.decode()
    assert REASON_FIELD not in page
    assert "「再提出済み・提出済み」の実績報告にのみ行えます（現在は「審査中」）。" in page


def test_a_return_without_a_reason_is_refused_with_its_message(client, world, under_review):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    response = client.post(_url(under_review, "return"), {"version": under_review.version})
    assert response.status_code == 200
    assert "「差し戻す」の理由を入力してください。" in response.content.decode()
    assert ResultReport.objects.get().status == "under_review"


def test_a_return_with_its_reason_is_done_and_kept(client, world, under_review):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    response = client.post(
        _url(under_review, "return"),
        {"version": under_review.version, "reason": "研修の参加者数を確認してください"},
    )
    assert response.status_code == 302
    report = ResultReport.objects.get()
    assert (report.status, report.return_reason) == ("returned", "研修の参加者数を確認してください")


def test_the_confirm_rows_live_on_their_own_page(client, world, under_review):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    response = client.get(_url(under_review, "confirm"))
    assert response.status_code == 302
    assert response["Location"] == reverse("results:confirm", args=[under_review.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'name="notice_number"' in page and REASON_FIELD not in page  # confirm: no reason


def test_an_unknown_action_is_404(client, world, under_review):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    assert client.get(_url(under_review, "approve")).status_code == 404
