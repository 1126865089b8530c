"""A decided application with a results report, built directly on the models (the other
engineer's services decide applications; these tests start after the decision)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from subsidies.applications.plan_data import line_key
from subsidies.models import (
    Application,
    ApplicationStatus,
    ApplicationVersion,
    Decision,
    DecisionLine,
    ExpenseCategory,
    MenuPlan,
    RecipientType,
    ResultReport,
    SubsidyMenu,
)
from subsidies.results import services
from subsidies.results.reading import expense_key
from tests import factories as f
from zaitaku_portal.models import Role, User

CATEGORIES = {
    "honorarium": ("報償費", 1),
    "travel": ("旅費", 2),
    "supplies": ("需用費", 3),
    "salary": ("給料", 4),
}


def category(code: str) -> ExpenseCategory:
    name, order = CATEGORIES[code]
    return ExpenseCategory.objects.get_or_create(
        code=code, defaults={"name": name, "display_order": order}
    )[0]


def menu(
    fiscal_year,
    code,
    name,
    cap,
    unit=SubsidyMenu.CapUnit.PER_RECIPIENT,
    rate=(1, 1),
    recipient=RecipientType.HUB,
    categories=("honorarium", "travel"),
    order=0,
    max_units=None,
) -> SubsidyMenu:
    m = SubsidyMenu.objects.create(
        fiscal_year=fiscal_year,
        recipient_type=recipient,
        code=code,
        name=name,
        cap_amount=cap,
        cap_unit=unit,
        rate_numerator=rate[0],
        rate_denominator=rate[1],
        display_order=order,
        max_units=max_units,
    )
    m.expense_categories.set([category(c) for c in categories])
    return m


def staff_user() -> User:
    return User.objects.filter(role=Role.PREFECTURE_STAFF).first() or f.UserFactory(
        role=Role.PREFECTURE_STAFF
    )


def decided_application(hub, fiscal_year, lines, *, district_count=1, notice="8医政第100号"):
    """`lines`: (menu, designation or None, decided amount, plan extras dict)."""
    application = Application.objects.create(
        hub=hub,
        fiscal_year=fiscal_year,
        status=ApplicationStatus.DECIDED,
        district_count=district_count,
        district_policy="市町村単位",
        meeting_body_count=1,
        meeting_members="医師会ほか",
    )
    plan_lines = {}
    for m, designation, _decided, extras in lines:
        MenuPlan.objects.create(
            application=application,
            menu=m,
            designation=designation,
            wish=True,
            planned_actions="計画",
            start_year=fiscal_year.year,
            expenses={"honorarium": 100_000},
            **extras,
        )
        plan_lines[line_key(m.code, designation.pk if designation else None)] = {
            "wish": True,
            "expenses": {"honorarium": 100_000},
            **extras,
        }
    version = ApplicationVersion.objects.create(
        application=application,
        number=1,
        label="交付申請",
        snapshot={"plan": {"district_count": district_count, "lines": plan_lines}},
    )
    actor = staff_user()
    decision = Decision.objects.create(
        application=application,
        number=1,
        version=version,
        notice_number=notice,
        notice_date=datetime.date(fiscal_year.year, 5, 1),
        total_amount=sum(line[2] for line in lines),
        decided_by=actor,
    )
    for m, designation, decided, _extras in lines:
        DecisionLine.objects.create(
            decision=decision,
            menu=m,
            designation=designation,
            recipient_name=designation.institution.name if designation else hub.name,
            computed_amount=decided,
            decided_amount=decided,
        )
    return application


def fill_report(report: ResultReport, expenses: dict, **fields) -> ResultReport:
    """Write a complete report directly (tests of what comes after the form)."""
    defaults = {
        "consultation_hours_per_week": 20,
        "consultation_count": 120,
        "issues_and_solutions": "退院時の情報共有が課題。共通様式を作成した。",
        "coordinator_role": "会議の企画と関係機関の調整",
        "usefulness": "顔の見える関係ができた",
        "problems": "特になし",
    }
    defaults.update(fields)
    ResultReport.objects.filter(pk=report.pk).update(**defaults)
    for e in report.expenses.select_related("menu"):
        key = expense_key(e)
        if key in expenses:
            for name, value in expenses[key].items():
                setattr(e, name, value)
            e.save()
    from subsidies.models import Activity, ActivityKind

    Activity.objects.create(
        report=report,
        kind=ActivityKind.MEETING,
        title="第1回多職種連携会議",
        held_on=datetime.date(report.application.fiscal_year.year, 6, 10),
        meeting_kind="多職種連携会議（全体会議）",
        topics=["災害時の対応", "ACP（人生会議）"],
        participants_by_profession={"医師": 3, "看護師": 4},
        participants_by_affiliation={"病院": 2, "診療所": 5},
    )
    report.refresh_from_db()
    return report


@dataclass
class WorkedCase:
    """The hand-computed case of tests/results/test_claims_service.py (comments there)."""

    application: object
    report: ResultReport
    menus: dict
    designation: object


def worked_case(world, *, year=2026, with_prior_grant=True, fill=True) -> WorkedCase:
    fy = f.FiscalYearFactory(year=year)
    fy.budget_amount = 574_420_000
    fy.other_income_level = "menu"  # this case compares C per menu (tests/.../test_money_*)
    fy.save()
    hub_menus = {
        "meeting": menu(fy, "w-meeting", "連携会議の開催", 1_060_000, order=1),
        "coordination": menu(
            fy,
            "w-coord",
            "関係機関との連携、調整",
            600_000,
            unit=SubsidyMenu.CapUnit.PER_DISTRICT,
            order=2,
        ),
        "training": menu(fy, "w-training", "研修の開催", 518_000, rate=(1, 2), order=3),
    }
    hospital_menus = {
        "visit": menu(
            fy,
            "w-visit",
            "同行訪問等研修",
            42_000,
            unit=SubsidyMenu.CapUnit.PER_PERSON_HALF_DAY,
            recipient=RecipientType.HOSPITAL,
            order=4,
        ),
        "nurse": menu(
            fy,
            "w-nurse",
            "退院調整看護師等の新規配置",
            4_000_000,
            unit=SubsidyMenu.CapUnit.ONCE_PER_FACILITY,
            rate=(1, 2),
            recipient=RecipientType.HOSPITAL,
            categories=("salary",),
            order=5,
        ),
    }
    d = world.designation_a
    if with_prior_grant:
        prior = f.FiscalYearFactory(year=year - 1)
        nurse_before = menu(
            prior,
            "w-nurse",
            "退院調整看護師等の新規配置",
            4_000_000,
            unit=SubsidyMenu.CapUnit.ONCE_PER_FACILITY,
            rate=(1, 2),
            recipient=RecipientType.HOSPITAL,
            categories=("salary",),
        )
        decided_application(
            world.hub_a,
            prior,
            [(nurse_before, d, 2_000_000, {})],
            notice=f"{year - 2018 - 1}医政第1号",
        )
    application = decided_application(
        world.hub_a,
        fy,
        [
            (hub_menus["meeting"], None, 1_000_000, {}),
            (hub_menus["coordination"], None, 1_200_000, {}),
            (hub_menus["training"], None, 259_000, {}),
            (hospital_menus["visit"], d, 252_000, {"trainees": 3, "half_days": 2}),
            (hospital_menus["nurse"], d, 2_000_000, {}),
        ],
        district_count=2,
        notice=f"{year - 2018}医政第100号",
    )
    report = services.start_report(application, world.users[Role.HUB_COORDINATOR])
    if fill:
        report = fill_report(report, WORKED_EXPENSES(d.pk))
        report.activities.create(  # the 3人 × 2半日 decided, done: E stays 252,000 at 額の確定
            kind="accompanied_visit", title="同行訪問研修", designation=d, trainees=3, half_days=2
        )
    return WorkedCase(application, report, {**hub_menus, **hospital_menus}, d)


def WORKED_EXPENSES(designation_pk: int) -> dict:
    return {
        "w-meeting": {
            "expenses": {"honorarium": 700_000, "travel": 500_000},
            "total_cost": 1_250_000,
            "excluded_amount": 150_000,
            "excluded_source": "municipal",
            "excluded_reason": "市の在宅医療・介護連携推進事業で開催した回の謝金",
        },
        "w-coord": {
            "expenses": {"honorarium": 900_000},
            "total_cost": 900_000,
            "other_income": 100_000,
        },
        "w-training": {"expenses": {"travel": 300_999}, "total_cost": 300_999},
        f"w-visit@{designation_pk}": {"expenses": {"honorarium": 260_000}, "total_cost": 260_000},
        f"w-nurse@{designation_pk}": {"expenses": {"salary": 3_000_000}, "total_cost": 3_000_000},
    }
