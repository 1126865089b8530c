"""交付申請書 (様式第1号): the 収支予算書 lists only this year's wished menus (issue 15)."""

from reports.documents import application_pdf
from subsidies.applications.reading import current_plan
from subsidies.applications.services import perform, save_plan, start_application
from tests.reports.test_documents import text_of
from tests.reports.workflow import okinawa_fy2026
from zaitaku_portal.models import Role


def _filed_with_a_later_and_an_unwished_line(world):
    coordinator = world.users[Role.HUB_COORDINATOR]
    application = start_application(world.hub_a, okinawa_fy2026(), coordinator)
    plan = current_plan(application)
    plan.update(
        district_policy="市町村ごとに2区割り", meeting_body_count=2, meeting_members="医師会"
    )
    lines = plan["lines"]
    lines["okinawa-hub-meeting"].update(
        wish=True,
        planned_actions="連携会議を年4回",
        start_year=2026,
        expenses={"honoraria": 900_000, "supplies": 150_000},
        other_income=50_000,
    )
    # 令和9年度〜 in 令和8年度: held back, so neither its menu nor its 需用費 is on this year's form
    lines["okinawa-hub-resources"].update(
        wish=True, planned_actions="資源マップ作成", start_year=2027, expenses={"supplies": 333_000}
    )
    # not wished (the portal refuses expenses on it): no line at all on the 申請書
    lines["okinawa-hub-coordination"].update(
        wish=False, planned_actions="検討中", start_year=2026, expenses={}
    )
    application, _ = save_plan(application, plan, coordinator, application.version)
    application = perform(application, "submit", coordinator, application.version)
    return application.versions.get()


def test_budget_lists_income_and_expenses_of_this_years_wished_menus_only(world):
    version = _filed_with_a_later_and_an_unwished_line(world)
    text = text_of(application_pdf(version))
    # By hand (要綱: cap 1,060,000円 per recipient for ① 連携会議, 10/10, other income deducted
    # at the facility, rounded down to 1,000円):
    #   支出 = 報償費 900,000 + 需用費 150,000 = 1,050,000
    #   県補助金 = min(1,060,000, 1,050,000 − 50,000) = 1,000,000
    #   寄付金その他の収入 = 50,000
    #   自己資金 = 1,050,000 − 1,000,000 − 50,000 = 0
    assert "様式第1号" in text
    assert "収支予算書" in text
    assert "県補助金1,000,000円" in text
    assert "寄付金その他の収入50,000円" in text
    assert "自己資金0円" in text
    assert "報償費900,000円" in text
    assert "需用費150,000円" in text
    assert "計1,050,000円" in text
    # the R9〜 line and the unwished line leave no trace, not even a zero-yen line
    assert "333,000" not in text and "資源マップ作成" not in text
    assert "検討中" not in text and "旅費" not in text
    assert "関係機関との連携、調整" not in text


def test_application_pdf_renders_to_identical_bytes(world):
    version = _filed_with_a_later_and_an_unwished_line(world)
    assert application_pdf(version) == application_pdf(version)
