"""The 中止・廃止承認通知書 takes its number from the one register (issue 15), as a refusal
does: on PostgreSQL a decision's approval and a discontinuation's approval at the same
moment take two numbers of the year's pattern, each once."""

import datetime
import threading

import pytest
from django.db import connection, connections

from subsidies.applications import reading
from subsidies.applications import services as service
from subsidies.applications.withdrawals import DiscontinuationInput
from subsidies.models import Application, ApplicationStatus, Decision, DiscontinuationRequest
from tests.factories import coordinator_of
from tests.subsidies.approvals import drive
from tests.subsidies.factories import application_in

S = ApplicationStatus


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers on one file lock, so two connections cannot race; "
    "this test needs PostgreSQL (run with DATABASE_URL=postgres://...).",
)
@pytest.mark.django_db(transaction=True)
def test_a_decision_and_a_discontinuation_approved_at_once_take_two_numbers(apps_world):
    w = apps_world
    w.fiscal_year.notice_number_pattern = "8医政第{n}号"
    w.fiscal_year.save()
    other_coordinator = coordinator_of(w.hub_b)
    stopped = application_in(S.UNDER_REVIEW, w.hub_b, w.fiscal_year, other_coordinator, w.staff)
    number_from_pattern = reading.DecisionInput("", datetime.date(2026, 5, 1), {})
    stopped = drive.decide(stopped, w.staff, decision=number_from_pattern)  # 8医政第1号
    stopped = service.perform(
        stopped, "request_discontinuation", other_coordinator, stopped.version,
        reason="統合のため", decision=DiscontinuationInput("abolish", datetime.date(2026, 9, 1)),
    )  # fmt: skip
    first = application_in(S.UNDER_REVIEW, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    service.perform(first, "decide", w.staff, first.version, decision=number_from_pattern)
    barrier = threading.Barrier(2)
    outcomes = {}

    def act(application, user, action):
        try:
            barrier.wait(timeout=10)
            current = Application.objects.get(pk=application.pk)
            service.perform(current, action, user, current.version)
            outcomes[application.pk] = "done"
        except Exception as error:
            outcomes[application.pk] = repr(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=(first, drive.approver(), "approve_decide")),
        threading.Thread(target=act, args=(stopped, w.staff, "approve_discontinuation")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == ["done", "done"], outcomes
    numbers = list(Decision.objects.values_list("notice_number", flat=True)) + list(
        DiscontinuationRequest.objects.values_list("notice_number", flat=True)
    )
    # the register's first three numbers, each once: hub B's decision took 第1号
    assert sorted(numbers) == ["8医政第1号", "8医政第2号", "8医政第3号"], numbers
