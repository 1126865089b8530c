import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from subsidies.models import ApplicationStatus
from tests.subsidies.factories import application_in

pytestmark = pytest.mark.django_db


def run(date):
    mail.outbox.clear()
    call_command("send_deadline_reminders", date=date, base_url="https://portal.example.jp")
    return list(mail.outbox)


def test_reminds_before_and_after_once_per_stage_and_only_unsubmitted(apps_world):
    w = apps_world
    w.fiscal_year.application_deadline = datetime.date(2026, 5, 15)
    w.fiscal_year.save()
    application_in(ApplicationStatus.DRAFT, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    assert run("2026-05-01") == []  # too early
    sent = run("2026-05-10")
    assert len(sent) == 1 and sent[0].to == [w.coordinator.email]
    assert "締切は令和8年5月15日です" in sent[0].subject
    assert "https://portal.example.jp/subsidies/applications/" in sent[0].body
    assert run("2026-05-11") == []  # once per stage
    overdue = run("2026-05-16")
    assert len(overdue) == 1 and "締切超過" in overdue[0].subject
    assert run("2026-05-20") == []


def test_submitted_hubs_get_no_reminder(apps_world):
    w = apps_world
    w.fiscal_year.application_deadline = datetime.date(2026, 5, 15)
    w.fiscal_year.save()
    application_in(ApplicationStatus.SUBMITTED, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    assert run("2026-05-16") == []


def test_results_deadline_reminds_decided_hubs_until_the_report_is_submitted(world):
    from subsidies.results import services as claims
    from tests.subsidies.results.factories import worked_case

    case = worked_case(world, fill=True)
    fiscal_year = case.application.fiscal_year
    fiscal_year.results_deadline = datetime.date(2027, 4, 10)
    fiscal_year.save()
    coordinator = case.application.hub.coordinators.first().user
    assert run("2027-03-20") == []  # too early
    before = run("2027-04-05")
    assert len(before) == 1 and before[0].to == [coordinator.email]
    assert "実績報告の締切は令和9年4月10日です" in before[0].subject
    assert f"https://portal.example.jp/results/reports/{case.report.pk}/" in before[0].body
    assert run("2027-04-06") == []  # once per stage
    claims.perform(case.report, "submit", coordinator, case.report.version)
    assert run("2027-04-12") == []  # submitted: no overdue reminder
