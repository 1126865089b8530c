"""Factories for applications: a small catalogue with every cap unit, and plans in any state."""

from fractions import Fraction

from subsidies.applications import reading
from subsidies.applications import services as service
from subsidies.models import Application, ApplicationStatus, ExpenseCategory, SubsidyMenu
from tests.factories import FiscalYearFactory, SubsidyMenuFactory

CATEGORIES = [
    ("honoraria", "報償費"),
    ("travel", "旅費"),
    ("supplies", "需用費"),
    ("wages", "賃金"),
]


def categories():
    return [
        ExpenseCategory.objects.get_or_create(
            code=code, defaults={"name": name, "display_order": i}
        )[0]
        for i, (code, name) in enumerate(CATEGORIES)
    ]


def catalogue(year: int = 2026, **rule):
    """Hub: meeting (per recipient 1,060千円), districts (per district 500千円, rate 1/2).
    Hospital: training (42千円 per trainee per half day), system (27千円/月 up to 12),
    nurse (4,000千円 once per facility)."""
    fiscal_year = FiscalYearFactory(year=year)
    for name, value in rule.items():
        setattr(fiscal_year, name, value)
    fiscal_year.save()
    cats = categories()
    specs = [
        (
            "hub-meeting",
            "hub",
            "多職種が参加する連携会議の開催",
            1_060_000,
            "per_recipient",
            None,
            (1, 1),
        ),
        (
            "hub-district",
            "hub",
            "資源把握・課題整理・対応策検討",
            500_000,
            "per_district",
            None,
            (1, 2),
        ),
        (
            "hosp-training",
            "hospital",
            "同行訪問等研修",
            42_000,
            "per_person_half_day",
            None,
            (1, 1),
        ),
        ("hosp-system", "hospital", "システム保守", 27_000, "per_month", 12, (2, 3)),
        (
            "hosp-nurse",
            "hospital",
            "病状変化時の受入態勢確保",
            4_000_000,
            "once_per_facility",
            None,
            (1, 1),
        ),
    ]
    menus = {}
    for order, (code, recipient, name, cap, unit, max_units, rate) in enumerate(specs):
        menu = SubsidyMenuFactory(
            fiscal_year=fiscal_year,
            code=f"{code}",
            recipient_type=recipient,
            name=name,
            cap_amount=cap,
            cap_unit=unit,
            max_units=max_units,
            rate_numerator=rate[0],
            rate_denominator=rate[1],
            display_order=order,
        )
        menu.expense_categories.set(cats if code != "hosp-nurse" else [cats[3]])
        menus[code] = menu
    return fiscal_year, menus


def complete_plan(application, **overrides) -> dict:
    """A plan that passes submission: the hub's meeting menu wished with expenses."""
    plan = reading.current_plan(application)
    plan.update(
        district_policy="市町村ごとに区割り",
        meeting_body_count=2,
        meeting_members="医師会、訪問看護、地域包括支援センター",
    )
    plan["lines"]["hub-meeting"].update(
        wish=True,
        planned_actions="多職種連携会議を年4回開催",
        start_year=application.fiscal_year.year,
        expenses={"honoraria": 300_000, "travel": 100_000},
    )
    plan.update(overrides)
    return plan


def application_in(status: str, hub, fiscal_year, coordinator, staff) -> Application:
    """Drive an application through the real services to `status`."""
    application = service.start_application(hub, fiscal_year, coordinator)
    application, _ = service.save_plan(
        application, complete_plan(application), coordinator, application.version
    )
    if status == ApplicationStatus.DRAFT:
        return application
    step = lambda action, user, **kw: service.perform(  # noqa: E731
        application, action, user, Application.objects.get(pk=application.pk).version, **kw
    )
    step("submit", coordinator)
    if status == ApplicationStatus.SUBMITTED:
        return _fresh(application)
    step("start_review", staff)
    if status == ApplicationStatus.UNDER_REVIEW:
        return _fresh(application)
    if status in (ApplicationStatus.RETURNED, ApplicationStatus.RESUBMITTED):
        step("return", staff, reason_code="missing", reason="構成員の記載がありません")
        if status == ApplicationStatus.RESUBMITTED:
            step("resubmit", coordinator)
        return _fresh(application)
    from tests.subsidies.approvals import drive  # drafted by staff, approved by 課長

    if status == ApplicationStatus.REJECTED:
        return drive.refuse(_fresh(application), staff, reason="対象外")
    if status == ApplicationStatus.DECIDED:
        return drive.decide(
            _fresh(application), staff, decision=decision_input(_fresh(application))
        )
    raise ValueError(status)


_notice = iter(range(1000, 100000))


def decision_input(application, **amounts):
    import datetime

    return reading.DecisionInput(
        notice_number=f"8医政第{next(_notice)}号",
        notice_date=datetime.date(2026, 5, 1),
        amounts=amounts,
    )


def _fresh(application):
    return Application.objects.get(pk=application.pk)


RATE_HALF = Fraction(1, 2)
__all__ = ["SubsidyMenu", "application_in", "catalogue", "complete_plan", "decision_input"]


def pick(application, designation, user) -> Application:
    """Setting (a) of issue 18: the hub adds the hospital to its plan (one line per hospital
    menu, wish unset); returns the application at its new version."""
    current = Application.objects.get(pk=application.pk)
    return service.add_hospital(current, designation, user, current.version)
