"""Forms as a clerk types into them (issue 20), in real Chromium: the decision's totals follow
amounts typed with 全角数字 and commas, a form sent back with an error marks the field itself
(aria-invalid, the message beside it, the describedby pointing at it), a date echoes in 和暦,
and axe-core finds no serious or critical violation in those states nor on a batch's
progress page while it runs."""

import pytest
from django.conf import settings
from django.test import Client

from reports.models import BatchJob
from subsidies.models import ApplicationStatus
from tests.browser.test_accessibility import AXE, RUN_AXE
from tests.factories import FiscalYearFactory
from tests.subsidies.factories import application_in, catalogue, complete_plan
from zaitaku_portal.models import Role
from zaitaku_portal.wareki import wareki_date

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is installed by .ci/setup (npm ci)"),
]


def _page_as(chromium, live_server, user, width=1280):
    client = Client()
    client.force_login(user)
    context = chromium.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", bypass_csp=True)
    context.set_default_timeout(15_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    return context, page


def _axe(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return list(page.evaluate(RUN_AXE))


def _under_review(world):
    """The hub's meeting menu: 300,000 + 100,000 = 400,000円 ≤ cap 1,060,000円, rate 1/1 →
    計算額 400,000円; the district menu (500,000円 per district, rate 1/2) with 200,000円 of
    expenses: min(200,000, 500,000) × 1/2 = 100,000円. Two lines, 500,000円 in all."""
    from subsidies.applications import services

    fy, _menus = catalogue()
    coordinator, staff = world.users[Role.HUB_COORDINATOR], world.users[Role.PREFECTURE_STAFF]
    application = application_in(ApplicationStatus.DRAFT, world.hub_a, fy, coordinator, staff)
    plan = complete_plan(application)
    plan["lines"]["hub-district"].update(
        wish=True,
        planned_actions="資源マップ",
        start_year=fy.year,
        expenses={"honoraria": 200_000},
    )
    application, _ = services.save_plan(application, plan, coordinator, application.version)
    application = services.perform(application, "submit", coordinator, application.version)
    return services.perform(application, "start_review", staff, application.version)


@pytest.mark.parametrize("width", [1280, 390])
def test_decision_totals_follow_typing_and_the_field_in_error_says_so(
    chromium, live_server, world, width
):
    application = _under_review(world)
    context, page = _page_as(chromium, live_server, world.users[Role.PREFECTURE_STAFF], width)
    page.goto(f"{live_server.url}/subsidies/applications/{application.pk}/action/decide/")
    total = page.locator("[data-decided-total]")
    assert total.text_content() == "500,000円"  # 400,000 + 100,000, from the server
    # ３５０，０００ read as 350,000: 350,000 + 100,000 = 450,000円
    page.locator("input[name=amount0]").fill("３５０，０００")
    assert total.text_content() == "450,000円"
    page.locator("input[name=amount1]").fill("十万円")
    assert total.text_content() == "—"  # not an amount: no total until it reads
    with page.expect_navigation():  # the field read below is on the form sent back
        page.get_by_role("button", name="交付決定を起案する").click()
    field = page.locator("input[name=amount1]")
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby")
    beside = page.locator(f"#{described}")
    assert "円単位の0以上の整数で入力してください（入力: 十万円）" in beside.text_content()
    assert page.locator("input[name=amount0]").get_attribute("aria-invalid") is None
    assert page.locator("[role=alert]").count() >= 1  # the list at the top stays
    assert application.decisions.count() == 0
    failures = _axe(page)
    context.close()
    assert not failures, "\n".join(failures)


def test_a_date_echoes_in_wareki(chromium, live_server, world):
    import datetime

    FiscalYearFactory(year=2027)  # no decision yet: its settings can be edited
    context, page = _page_as(chromium, live_server, world.users[Role.PREFECTURE_STAFF])
    page.goto(f"{live_server.url}/subsidies/catalogue/2027/settings/")
    date_input = page.locator("input[type=date]").first
    date_input.fill("2027-05-01")
    echo = page.locator(f"#{date_input.get_attribute('id')}_wareki")
    assert echo.text_content() == f"（{wareki_date(datetime.date(2027, 5, 1))}）"
    assert echo.text_content() == "（令和9年5月1日）"
    date_input.fill("2019-05-01")
    assert echo.text_content() == "（令和元年5月1日）"
    date_input.fill("2019-04-30")
    assert echo.text_content() == "（平成31年4月30日）"
    failures = _axe(page)
    context.close()
    assert not failures, "\n".join(failures)


def test_the_batch_progress_page_passes_axe_while_it_runs(chromium, live_server, world):
    staff = world.users[Role.PREFECTURE_STAFF]
    job = BatchJob.objects.create(
        kind=BatchJob.Kind.choices[0][0],
        label="交付決定通知の一括作成",
        total=4,
        done=1,
        status=BatchJob.Status.RUNNING,
        created_by=staff,
    )
    context, page = _page_as(chromium, live_server, staff, 390)
    page.goto(f"{live_server.url}/reports/batches/{job.pk}/")
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    failures = _axe(page)
    context.close()
    assert not failures, "\n".join(failures)


def test_plan_totals_follow_the_expenses_typed(chromium, live_server, world):
    """complete_plan: hub-meeting 300,000 + 100,000 = 400,000円 of expenses. Typing
    ５００，０００ in its first expense field gives 500,000 + 100,000 = 600,000円 for the hub
    and in all; the 交付見込額 stays the saved one until saving."""
    from subsidies.applications import services

    fy, _menus = catalogue()
    coordinator = world.users[Role.HUB_COORDINATOR]
    application = services.start_application(world.hub_a, fy, coordinator)
    application, _ = services.save_plan(
        application, complete_plan(application), coordinator, application.version
    )
    context, page = _page_as(chromium, live_server, coordinator, 390)
    page.goto(f"{live_server.url}/subsidies/applications/{application.pk}/edit/")
    hub_total = page.locator('[data-group-expense="hub"]')
    assert hub_total.text_content() == "400,000円"
    line = page.locator('fieldset[data-line="hub-meeting"]')
    line.locator("input.yen[data-expense]").first.fill("５００，０００")
    assert hub_total.text_content() == "600,000円"
    assert page.locator("[data-all-expense]").text_content() == "600,000円"
    failures = _axe(page)
    context.close()
    assert not failures, "\n".join(failures)
