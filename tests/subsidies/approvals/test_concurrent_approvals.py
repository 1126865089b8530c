"""Two approvers approving two drafts at the same moment on PostgreSQL: each notice gets its
own number from the year's pattern (a decision and a refusal share one register), none is
issued twice and neither approval fails."""

import threading

import pytest
from django.db import connection, connections

from subsidies.applications import reading
from subsidies.applications import services as service
from subsidies.models import Application, ApplicationStatus, Approval, Decision
from tests.factories import UserFactory, coordinator_of
from tests.subsidies.approvals import drive
from tests.subsidies.factories import application_in
from zaitaku_portal.models import Role

S = ApplicationStatus


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers on one file lock, so two connections cannot race; "
    "this test needs PostgreSQL (run with DATABASE_URL=postgres://...).",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["decide", "reject"])
def test_two_approvals_at_once_take_two_numbers(apps_world, second):
    w = apps_world
    w.fiscal_year.notice_number_pattern = "8医政第{n}号"
    w.fiscal_year.save()
    first = application_in(S.UNDER_REVIEW, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    other = application_in(S.UNDER_REVIEW, w.hub_b, w.fiscal_year, coordinator_of(w.hub_b), w.staff)
    service.perform(
        first, "decide", w.staff, first.version, decision=reading.DecisionInput("", None, {})
    )
    params = (
        {"decision": reading.DecisionInput("", None, {})}
        if second == "decide"
        else {"reason": "補助対象外のため"}
    )
    service.perform(other, second, w.staff, other.version, **params)
    approvers = [
        drive.approver(),
        UserFactory(username="bucho", role=Role.PREFECTURE_STAFF, is_approver=True),
    ]
    barrier = threading.Barrier(2)
    outcomes = {}

    def approve(application, approver, action):
        try:
            barrier.wait(timeout=10)
            current = Application.objects.get(pk=application.pk)
            service.perform(current, action, approver, current.version)
            outcomes[application.pk] = "done"
        except Exception as error:
            outcomes[application.pk] = repr(error)
        finally:
            connections.close_all()

    rows = {"decide": "approve_decide", "reject": "approve_reject"}
    threads = [
        threading.Thread(target=approve, args=(first, approvers[0], "approve_decide")),
        threading.Thread(target=approve, args=(other, approvers[1], rows[second])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == ["done", "done"], outcomes
    numbers = list(Decision.objects.values_list("notice_number", flat=True)) + list(
        Approval.objects.exclude(notice_number="").values_list("notice_number", flat=True)
    )
    # two approvals, one register: the pattern's first two numbers, each once
    assert sorted(numbers) == ["8医政第1号", "8医政第2号"], numbers
