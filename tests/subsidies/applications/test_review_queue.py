"""The staff queue: filters, resubmitted first, counts per status, bulk over all results."""

import pytest

from subsidies.applications import review_views as views
from subsidies.models import Application, ApplicationStatus
from tests.factories import HubFactory, coordinator_of
from tests.subsidies.factories import application_in

pytestmark = pytest.mark.django_db
S = ApplicationStatus


@pytest.fixture
def queue(apps_world):
    w = apps_world
    apps = {
        "a_submitted": application_in(S.SUBMITTED, w.hub_a, w.fiscal_year, w.coordinator, w.staff),
        "b_resubmitted": application_in(
            S.RESUBMITTED, w.hub_b, w.fiscal_year, coordinator_of(w.hub_b), w.staff
        ),
    }
    for i in range(3):
        hub = HubFactory(name=f"丙拠点{i}", areas=[w.area_b])
        apps[f"c{i}"] = application_in(
            S.SUBMITTED, hub, w.fiscal_year, coordinator_of(hub), w.staff
        )
    hub = HubFactory(name="丁拠点", areas=[w.area_b])
    apps["draft"] = application_in(S.DRAFT, hub, w.fiscal_year, coordinator_of(hub), w.staff)
    return apps


def test_resubmitted_first_counts_and_filters(client, apps_world, queue):
    w = apps_world
    client.force_login(w.staff)
    page = client.get("/subsidies/review/").content.decode()
    assert page.index("乙拠点") < page.index("甲拠点")  # resubmitted comes first
    assert 'data-status="submitted"><div>提出済み</div><div class="figure ">4<' in page
    assert 'data-status="resubmitted"><div>再提出済み</div><div class="figure gap">1<' in page
    page = client.get(f"/subsidies/review/?area={w.area_a.pk}").content.decode()
    assert "甲拠点" in page and "乙拠点" not in page
    page = client.get(f"/subsidies/review/?health_center={w.health_center_a.pk}").content.decode()
    assert "甲拠点" in page and "丙拠点0" not in page
    page = client.get("/subsidies/review/?status=draft").content.decode()
    assert "丁拠点" in page and "甲拠点" not in page


def test_overdue_drafts_are_marked(client, apps_world, queue):
    import datetime

    w = apps_world
    w.fiscal_year.application_deadline = datetime.date(2020, 1, 31)
    w.fiscal_year.save()
    client.force_login(w.staff)
    page = client.get("/subsidies/review/?status=draft").content.decode()
    assert "締切超過" in page


def test_bulk_start_review_covers_every_filtered_page_after_confirming_the_count(
    client, apps_world, queue, monkeypatch
):
    w = apps_world
    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 2)
    client.force_login(w.staff)
    page = client.get(f"/subsidies/review/?area={w.area_b.pk}").content.decode()
    assert "1 / 3" in page  # the filtered results do not fit on one page
    confirm = client.get(f"/subsidies/review/bulk/?area={w.area_b.pk}").content.decode()
    assert "4件" in confirm and "すべて" in confirm
    stale = client.post(
        f"/subsidies/review/bulk/?area={w.area_b.pk}", {"expected_count": "3"}, follow=True
    )
    assert "件数が確認時から変わりました" in stale.content.decode()
    response = client.post(
        f"/subsidies/review/bulk/?area={w.area_b.pk}", {"expected_count": "4"}, follow=True
    )
    assert "4件の申請の審査を開始しました" in response.content.decode()
    statuses = {k: Application.objects.get(pk=a.pk).status for k, a in queue.items()}
    assert statuses["a_submitted"] == S.SUBMITTED  # outside the filter
    assert statuses["draft"] == S.DRAFT
    assert all(statuses[k] == S.UNDER_REVIEW for k in ("b_resubmitted", "c0", "c1", "c2"))


def test_queue_is_for_staff_only(client, apps_world, queue):
    client.force_login(apps_world.coordinator)
    assert client.get("/subsidies/review/").status_code == 403
    assert client.post("/subsidies/review/bulk/", {"expected_count": "5"}).status_code == 403
    assert Application.objects.filter(status=S.UNDER_REVIEW).count() == 0
