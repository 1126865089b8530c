"""Deadline reminders for coordinators: before and after the application deadline, each
stage once per hub and fiscal year (DeadlineReminder remembers what was sent)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from hubs.models import Hub
from subsidies.applications.rules import EDITABLE_STATES
from subsidies.models import Application, DeadlineReminder, Decision, FiscalYear, ResultReport
from subsidies.shared.notifications import coordinator_emails, deliver, one_line
from zaitaku_portal import audit
from zaitaku_portal.wareki import wareki_date

BEFORE = "before"
OVERDUE = "overdue"
APPLICATION = "application"


@dataclass
class Sent:
    hub: object
    fiscal_year: FiscalYear
    stage: str
    recipients: list[str]


def stage_for(today: datetime.date, deadline: datetime.date, days_before: int) -> str | None:
    if deadline - datetime.timedelta(days=days_before) <= today <= deadline:
        return BEFORE
    if today > deadline:
        return OVERDUE
    return None


def send_application_reminders(
    today: datetime.date, base_url: str, days_before: int = 7
) -> list[Sent]:
    sent: list[Sent] = []
    for fiscal_year in FiscalYear.objects.exclude(application_deadline=None):
        stage = stage_for(today, fiscal_year.application_deadline, days_before)
        if stage is None:
            continue
        hubs_own = Application.objects.filter(fiscal_year=fiscal_year, institution__isnull=True)
        applications = {a.hub_id: a for a in hubs_own}  # not its hospitals' own (issue 18)
        for hub in Hub.objects.prefetch_related("coordinators__user"):
            application = applications.get(hub.pk)
            if application is not None and application.status not in EDITABLE_STATES:
                continue
            fake = Application(hub=hub, fiscal_year=fiscal_year)
            recipients = coordinator_emails(application or fake)
            if not recipients:
                continue
            try:
                with transaction.atomic():
                    DeadlineReminder.objects.create(
                        hub=hub, fiscal_year=fiscal_year, deadline=APPLICATION, stage=stage
                    )
                    link = base_url.rstrip("/") + (
                        reverse("subsidies:application_detail", args=[application.pk])
                        if application
                        else reverse("subsidies:application_list")
                    )
                    message = _message(hub, fiscal_year, stage, application, link)
                    if not deliver(*message, recipients):
                        transaction.set_rollback(True)  # not marked sent: tomorrow tries again
                        continue
                    audit.record(
                        None,
                        "締切の通知",
                        application or hub,
                        {"段階": {"from": None, "to": "締切前" if stage == BEFORE else "締切超過"}},
                    )
            except IntegrityError:
                continue  # already sent for this stage
            sent.append(Sent(hub, fiscal_year, stage, recipients))
    return sent


def _message(hub, fiscal_year, stage, application, link) -> tuple[str, str]:
    state = application.get_status_display() if application else "未作成"
    return _compose(
        hub, fiscal_year, "交付申請", fiscal_year.application_deadline, stage, state, link
    )


def _compose(hub, fiscal_year, what: str, deadline, stage, state: str, link) -> tuple[str, str]:
    """The reminder e-mail (subject, body), the same for every deadline."""
    day = wareki_date(deadline)
    if stage == BEFORE:
        subject = f"【締切のお知らせ】{fiscal_year}{what}の締切は{day}です"
        lead = f"{fiscal_year}の{what}の締切（{day}）が近づいています。"
    else:
        subject = f"【締切超過】{fiscal_year}{what}が締切（{day}）を過ぎています"
        lead = f"{fiscal_year}の{what}は締切（{day}）を過ぎましたが、まだ提出されていません。"
    body = "\n".join(
        [
            f"{one_line(hub)} 御中",
            "",
            lead,
            f"現在の状態: {state}",
            "",
            "次のページから入力・提出してください。",
            link,
            "",
            f"{settings.PORTAL_TITLE}（{settings.PREFECTURE_NAME}）",
            "※このメールは送信専用です。",
        ]
    )
    return subject, body


RESULTS = "results"
RESULTS_PENDING = ("draft", "returned")  # a results report not yet (re)submitted


def send_results_reminders(today: datetime.date, base_url: str, days_before: int = 7) -> list[Sent]:
    """Before and after the results deadline, to each hub with a decided application whose
    results report is missing or not yet (re)submitted; each stage once per hub and year."""
    sent: list[Sent] = []
    for fiscal_year in FiscalYear.objects.exclude(results_deadline=None):
        stage = stage_for(today, fiscal_year.results_deadline, days_before)
        if stage is None:
            continue
        decided = Application.objects.filter(
            fiscal_year=fiscal_year,
            pk__in=Decision.objects.current().values("application_id"),
        ).select_related("hub", "fiscal_year")
        reports = {
            r.application_id: r for r in ResultReport.objects.filter(application__in=decided)
        }
        for application in decided:
            report = reports.get(application.pk)
            if report is not None and report.status not in RESULTS_PENDING:
                continue
            recipients = coordinator_emails(application)
            if not recipients:
                continue
            try:
                with transaction.atomic():
                    DeadlineReminder.objects.create(
                        hub=application.hub, fiscal_year=fiscal_year, deadline=RESULTS, stage=stage
                    )
                    link = base_url.rstrip("/") + (
                        reverse("results:report_detail", args=[report.pk])
                        if report
                        else reverse("results:index")
                    )
                    message = _results_message(application, stage, report, link)
                    if not deliver(*message, recipients):
                        transaction.set_rollback(True)  # not marked sent: tomorrow tries again
                        continue
                    audit.record(
                        None,
                        "実績報告の締切の通知",
                        application,
                        {"段階": {"from": None, "to": "締切前" if stage == BEFORE else "締切超過"}},
                    )
            except IntegrityError:
                continue  # already sent for this stage
            sent.append(Sent(application.hub, fiscal_year, stage, recipients))
    return sent


def _results_message(application, stage, report, link) -> tuple[str, str]:
    state = report.get_status_display() if report else "未作成"
    fiscal_year = application.fiscal_year
    return _compose(
        application.hub, fiscal_year, "実績報告", fiscal_year.results_deadline, stage, state, link
    )
