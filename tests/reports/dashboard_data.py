"""Hand-built years of work for dashboard tests: every figure is set here explicitly."""

import datetime

from subsidies.models import (
    Activity,
    AdvancePayment,
    Application,
    ApplicationVersion,
    Confirmation,
    ConfirmationRecipient,
    Decision,
    DecisionLine,
    ResultReport,
    ResultReportVersion,
    SubsidyMenu,
)
from tests.factories import FiscalYearFactory, SubsidyMenuFactory


def year_of_work(
    hub,
    staff,
    *,
    year=2026,
    decided=1_000_000,
    confirmed=None,
    advance=0,
    meetings=0,
    trainings=0,
    awareness=0,
    accompanied=(),
    hospital_line=None,
    report_status="submitted",
    hours=None,
):
    """One hub's fiscal year: a decision of `decided` yen, optionally a results report with
    activities and a confirmation of `confirmed` yen after an advance of `advance` yen."""
    fiscal_year = FiscalYearFactory(year=year)
    # every hub of the year draws on the same menu, as in the catalogue
    menu = SubsidyMenu.objects.filter(fiscal_year=fiscal_year, code="meetings").first()
    menu = menu or SubsidyMenuFactory(
        fiscal_year=fiscal_year, code="meetings", name=f"会議の開催{year}"
    )
    application = Application.objects.create(hub=hub, fiscal_year=fiscal_year, status="decided")
    version = ApplicationVersion.objects.create(
        application=application, number=1, label="提出", snapshot={}, created_by=staff
    )
    decision = Decision.objects.create(
        application=application,
        number=1,
        version=version,
        notice_number=f"{year}-{hub.pk}",
        notice_date=datetime.date(year, 6, 1),
        total_amount=decided + (hospital_line[1] if hospital_line else 0),
        decided_by=staff,
    )
    DecisionLine.objects.create(
        decision=decision,
        menu=menu,
        recipient_name=hub.name,
        computed_amount=decided,
        decided_amount=decided,
    )
    if hospital_line:
        designation, amount = hospital_line
        DecisionLine.objects.create(
            decision=decision,
            menu=menu,
            designation=designation,
            recipient_name=designation.institution.name,
            computed_amount=amount,
            decided_amount=amount,
        )
    if advance:
        AdvancePayment.objects.create(
            application=application,
            amount=advance,
            paid_on=datetime.date(year, 7, 1),
            recorded_by=staff,
        )
    report = ResultReport.objects.create(
        application=application, status=report_status, consultation_hours_per_week=hours
    )
    for index in range(meetings):
        Activity.objects.create(
            report=report, kind="meeting", title=f"会議{index}", held_on=datetime.date(year, 5, 1)
        )
    for index in range(trainings):
        Activity.objects.create(report=report, kind="training", title=f"研修{index}")
    for index in range(awareness):
        Activity.objects.create(report=report, kind="awareness", title=f"講演{index}")
    for trainees, half_days in accompanied:
        Activity.objects.create(
            report=report,
            kind="accompanied_visit",
            title="同行訪問",
            trainees=trainees,
            half_days=half_days,
        )
    if confirmed is not None:
        report_version = ResultReportVersion.objects.create(
            report=report, number=1, label="提出", snapshot={}, created_by=staff
        )
        confirmation = Confirmation.objects.create(
            application=application,
            report_version=report_version,
            decision=decision,
            number=1,
            notice_number=f"確{year}-{hub.pk}",
            notice_date=datetime.date(year + 1, 6, 1),
            total_amount=confirmed,
            decided_total=decision.total_amount,
            advance_total=advance,
            difference=advance - confirmed,
            snapshot={},
            confirmed_by=staff,
        )
        ConfirmationRecipient.objects.create(
            confirmation=confirmation,
            recipient_name=hub.name,
            total_cost=confirmed,
            other_income=0,
            net_cost=confirmed,
            eligible_expense=confirmed,
            base_amount=confirmed,
            capped_expense=confirmed,
            required_amount=confirmed,
            decided_amount=decided,
            advance_received=advance,
            difference=advance - confirmed,
        )
    return application
