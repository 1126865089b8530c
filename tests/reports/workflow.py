"""A hub's application taken through the real workflow services, for document tests."""

import datetime

from django.conf import settings

from subsidies.applications.reading import DecisionInput, current_plan
from subsidies.applications.services import perform, save_plan, start_application
from subsidies.catalogue.services import CATALOGUE_DIR, load_catalogue_file
from tests.subsidies.approvals import drive


def okinawa_fy2026():
    """Okinawa's draft (it ships 調整中), confirmed so that decisions may run on it."""
    fiscal_year = load_catalogue_file(settings.BASE_DIR / CATALOGUE_DIR / "okinawa_fy2026.json")
    fiscal_year.catalogue_status = fiscal_year.CatalogueStatus.CONFIRMED
    fiscal_year.save(update_fields=["catalogue_status"])
    return fiscal_year


def returned_then_decided(hub, coordinator, staff, fiscal_year):
    """Submit, return with a reason, resubmit with a change, decide: two frozen versions."""
    application = start_application(hub, fiscal_year, coordinator)
    plan = current_plan(application)
    plan.update(
        district_policy="市町村ごとに2区割り",
        meeting_body_count=2,
        meeting_members="医師会、訪問看護、地域包括支援センター",
    )
    meeting, resources = "okinawa-hub-meeting", "okinawa-hub-resources"
    plan["lines"][meeting].update(
        wish=True,
        planned_actions="連携会議を年4回",
        start_year=2026,
        expenses={"honoraria": 900_000},
    )
    plan["lines"][resources].update(
        wish=True, planned_actions="資源マップ作成", start_year=2026, expenses={"supplies": 700_000}
    )
    application, _ = save_plan(application, plan, coordinator, application.version)
    application = perform(application, "submit", coordinator, application.version)
    application = perform(application, "start_review", staff, application.version)
    application = perform(
        application, "return", staff, application.version, reason_code="over_cap", reason="上限超過"
    )
    plan = current_plan(application)
    plan["lines"][resources]["expenses"] = {"supplies": 600_000}
    application, _ = save_plan(application, plan, coordinator, application.version)
    application = perform(application, "resubmit", coordinator, application.version)
    application = perform(application, "start_review", staff, application.version)
    application = drive.decide(
        application,
        staff,
        decision=DecisionInput(
            notice_number="8医政第77号", notice_date=datetime.date(2026, 6, 1), amounts={}
        ),
    )
    return application
