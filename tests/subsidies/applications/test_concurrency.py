"""Two people acting on one application at once: the second is told, nothing is overwritten."""

import threading

import pytest
from django.db import connection, connections

from subsidies.applications import rules
from subsidies.applications import services as service
from subsidies.models import Application, ApplicationStatus
from tests.factories import UserFactory
from tests.subsidies.factories import application_in, complete_plan
from zaitaku_portal.models import AuditEntry, Role

S = ApplicationStatus


@pytest.mark.django_db
def test_second_staff_with_a_stale_page_gets_a_message_and_overwrites_nothing(client, apps_world):
    w = apps_world
    other_staff = UserFactory(role=Role.PREFECTURE_STAFF)
    application = application_in(S.UNDER_REVIEW, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    seen = application.version  # both opened the page at this version
    client.force_login(w.staff)
    client.post(
        f"/subsidies/applications/{application.pk}/action/return/",
        {"version": seen, "reason_code": "missing", "reason": "添付がありません"},
    )
    client.force_login(other_staff)
    response = client.post(
        f"/subsidies/applications/{application.pk}/action/reject/",
        {"version": seen, "reason": "対象外"},
        follow=True,
    )
    assert "他の方が更新しました" in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.RETURNED
    assert application.return_reason_text == "添付がありません"
    assert not AuditEntry.objects.filter(action="不交付を起案する").exists()


@pytest.mark.django_db
def test_stale_draft_save_is_refused_with_the_message(apps_world):
    w = apps_world
    application = service.start_application(w.hub_a, w.fiscal_year, w.coordinator)
    service.save_plan(application, complete_plan(application), w.coordinator, 1)
    stale = complete_plan(application, district_policy="古い画面からの保存")
    with pytest.raises(rules.StaleVersion, match="上書きしていません"):
        service.save_plan(application, stale, w.coordinator, 1)
    application.refresh_from_db()
    assert application.district_policy == "市町村ごとに区割り" and application.version == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers on one file lock, so two connections cannot race; "
    "this test needs PostgreSQL's row locks (run with DATABASE_URL=postgres://...).",
)
@pytest.mark.django_db(transaction=True)
def test_two_connections_at_once_on_postgresql(apps_world):
    w = apps_world
    other_staff = UserFactory(role=Role.PREFECTURE_STAFF)
    application = application_in(S.UNDER_REVIEW, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    version = application.version
    barrier = threading.Barrier(2)
    outcomes = {}

    def act(name, user, action, params):
        try:
            barrier.wait(timeout=10)
            service.perform(
                Application.objects.get(pk=application.pk), action, user, version, **params
            )
            outcomes[name] = "done"
        except rules.StaleVersion:
            outcomes[name] = "stale"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(
            target=act,
            args=("return", w.staff, "return", {"reason_code": "missing", "reason": "不足"}),
        ),
        threading.Thread(target=act, args=("reject", other_staff, "reject", {"reason": "対象外"})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["done", "stale"], outcomes
    application.refresh_from_db()
    winner = next(name for name, outcome in outcomes.items() if outcome == "done")
    assert application.status == (S.RETURNED if winner == "return" else S.AWAITING_APPROVAL)
    assert application.version == version + 1
    assert AuditEntry.objects.filter(action__in=["差し戻す", "不交付を起案する"]).count() == 1
