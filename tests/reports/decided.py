"""A decided application built straight from the models, for document tests."""

import datetime

from subsidies.models import Application, ApplicationVersion, Decision, DecisionLine
from tests.factories import FiscalYearFactory, SubsidyMenuFactory


def decided_application(
    hub, *, year=2026, staff, amounts=(1_060_000, 518_000), number="8医政第1234号"
):
    fiscal_year = FiscalYearFactory(year=year)
    menus = [
        SubsidyMenuFactory(fiscal_year=fiscal_year, name=name)
        for name in ("多職種が参加する連携会議の開催", "研修の開催")[: len(amounts)]
    ]
    application = Application.objects.create(hub=hub, fiscal_year=fiscal_year, status="decided")
    version = ApplicationVersion.objects.create(
        application=application, number=1, label="提出", snapshot={}, created_by=staff
    )
    decision = Decision.objects.create(
        application=application,
        number=1,
        version=version,
        notice_number=number,
        notice_date=datetime.date(2026, 6, 1),
        total_amount=sum(amounts),
        decided_by=staff,
    )
    for menu, amount in zip(menus, amounts, strict=True):
        DecisionLine.objects.create(
            decision=decision,
            menu=menu,
            recipient_name=hub.name,
            computed_amount=amount,
            decided_amount=amount,
        )
    return decision
