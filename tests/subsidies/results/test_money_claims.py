"""Issue 14 at 額の確定, from the database: caps follow what was done, C is compared at the
fiscal year's level, the explanation on the page, the xlsx, the results PDF and the notice,
and every amount in every staff xlsx download is a number cell.

The worked case (tests/subsidies/results/factories.py::worked_case, its figures in
test_claims_service.py's docstring) compares C per menu; here its year is switched to the
default, per facility, where a test says so. Figures are worked by hand in the comments."""

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from reports.documents import confirmation_notice_for
from reports.notices import confirmation_notice, explanation_of
from subsidies.models import Application, Confirmation, RecipientType, SubsidyMenu
from subsidies.results import services
from subsidies.results.claim import claim_for, claim_snapshot, load_claims
from subsidies.results.rules import ConfirmationInput
from tests import factories as f
from tests.subsidies.approvals import drive
from tests.subsidies.results.factories import decided_application, fill_report, menu, worked_case
from zaitaku_portal.models import Role

pytestmark = pytest.mark.django_db


def _per_facility(case):
    fy = case.application.fiscal_year
    fy.other_income_level = "facility"
    fy.save()


def _visit_case(world, plan=(3, 4), done=((1, 2),), expense=300_000):
    """A hospital's 同行訪問等研修 (42,000円 per person per half day), decided on the plan's
    trainees × half days, with `done` accompanied-visit activities of that hospital."""
    fy = f.FiscalYearFactory(year=2026)
    visit = menu(
        fy,
        "visit",
        "同行訪問等研修",
        42_000,
        unit=SubsidyMenu.CapUnit.PER_PERSON_HALF_DAY,
        recipient=RecipientType.HOSPITAL,
    )
    d = world.designation_a
    trainees, half_days = plan
    application = decided_application(
        world.hub_a,
        fy,
        [(visit, d, 42_000 * trainees * half_days, {"trainees": trainees, "half_days": half_days})],
    )
    report = services.start_report(application, world.users[Role.HUB_COORDINATOR])
    report = fill_report(
        report, {f"visit@{d.pk}": {"expenses": {"honorarium": expense}, "total_cost": expense}}
    )
    for t, h in done:
        report.activities.create(
            kind="accompanied_visit", title="同行訪問", designation=d, trainees=t, half_days=h
        )
    # an accompanied visit of the other hospital never counts for this one
    report.activities.create(
        kind="accompanied_visit",
        title="他院",
        designation=world.designation_b,
        trainees=9,
        half_days=9,
    )
    return application


# --------------------------------------------------------------- caps follow what was done


def test_cap_counts_the_trainees_and_half_days_done_not_planned(world):
    # plan 3人 × 4半日 = 12 → decided 504,000; done 1人 × 2半日 = 2 → E = 42,000 × 2 = 84,000;
    # D 300,000 → F 84,000 → G 84,000 (not 300,000 within 504,000)
    claim = claim_for(_visit_case(world))
    (hospital,) = claim.recipients
    (line,) = hospital.result.menus
    assert line.base_amount == 84_000
    assert hospital.result.required_amount == 84_000
    assert line.decided_amount == 504_000
    text = hospital.units_text[line.menu_code]
    assert text == "実績 1人×2半日 = 2人・半日／計画 3人×4半日（12人・半日）"
    e = next(s for s in line.steps if s.symbol == "E")
    assert e.formula == (
        "42,000円 × 2人・半日 = 84,000円（実績 1人×2半日 = 2人・半日、"
        "計画 3人×4半日（12人・半日）の少ない方）"
    )


def test_cap_never_counts_more_than_decided(world):
    # done 2 × 4 + 3 × 4 = 20 > planned 12 → units 12 → E 504,000; D 600,000 → G 504,000
    claim = claim_for(_visit_case(world, done=((2, 4), (3, 4)), expense=600_000))
    (hospital,) = claim.recipients
    assert hospital.result.menus[0].base_amount == 504_000
    assert hospital.result.required_amount == 504_000


def test_nothing_done_means_no_cap(world):
    # no accompanied visit of this hospital: 0 units → E 0 → G 0
    claim = claim_for(_visit_case(world, done=()))
    assert claim.recipients[0].result.required_amount == 0


def test_cap_per_month_counts_the_months_placed(world):
    # 看護師等の配置 300,000円/か月, plan 6か月 (decided 1,800,000), placed 4か月:
    # E = 300,000 × 4 = 1,200,000; D 2,000,000 → G 1,200,000
    fy = f.FiscalYearFactory(year=2026)
    nurse = menu(
        fy,
        "nurse",
        "看護師等の配置",
        300_000,
        unit=SubsidyMenu.CapUnit.PER_MONTH,
        recipient=RecipientType.HOSPITAL,
        categories=("salary",),
        max_units=12,
    )
    d = world.designation_a
    application = decided_application(world.hub_a, fy, [(nurse, d, 1_800_000, {"months": 6})])
    report = services.start_report(application, world.users[Role.HUB_COORDINATOR])
    fill_report(
        report, {f"nurse@{d.pk}": {"expenses": {"salary": 2_000_000}, "total_cost": 2_000_000}}
    )
    report.activities.create(
        kind="nurse_placement", title="退院調整看護師", designation=d, months=4
    )
    (hospital,) = claim_for(application).recipients
    assert hospital.result.menus[0].base_amount == 1_200_000
    assert hospital.result.required_amount == 1_200_000
    assert (
        hospital.units_text[hospital.result.menus[0].menu_code] == "実績 4か月／計画 6か月（6か月）"
    )


def test_queries_stay_constant_with_activities(world):
    _visit_case(world)
    with CaptureQueriesContext(connection) as queries:
        load_claims(Application.objects.all())
    assert len(queries) == 8


# ------------------------------------------------------------ other income per facility


def test_the_fiscal_years_level_is_read_and_per_facility_c_bounds_the_sum(world):
    # Hub of the worked case, C per facility: ΣA 1,250,000 + 900,000 + 300,999 = 2,450,999,
    # ΣB 100,000 → C 2,350,999. Σ(G ÷ rate): 会議 G 1,000,000 (H) + 調整 F 900,000 + 研修
    # 150,499.5 ÷ 1/2 = 300,999 → 2,200,999 ≤ C: no bound. ΣG = 1,000,000 + 900,000 +
    # 150,499.5 = 2,050,499.5 → 2,050,000 (per menu it was 1,950,000: 調整's own C 800,000).
    case = worked_case(world)
    assert claim_for(case.application).recipients[0].result.required_amount == 1_950_000
    _per_facility(case)
    hub = claim_for(case.application).recipients[0]
    assert hub.result.net_cost == 2_350_999
    assert hub.result.required_amount == 2_050_000
    # more income on 調整 (B 500,000): C = 2,450,999 − 500,000 = 1,950,999 < 2,200,999. C goes
    # to the 10/10 menus first: 会議 1,000,000 + 調整 900,000, then 研修 the remaining 50,999
    # × 1/2 = 25,499.5 → C′ 1,925,499.5 → 1,925,000.
    expense = case.report.expenses.get(menu__code="w-coord")
    expense.other_income = 500_000
    expense.save()
    hub = claim_for(case.application).recipients[0]
    assert hub.result.required_amount == 1_925_000
    snapshot = claim_snapshot(claim_for(case.application))
    bound = snapshot["recipients"][0]["bound"]
    assert (bound["net_cost"], bound["bounded"], bound["binds"]) == (1_950_999, 1_925_499, True)
    assert snapshot["rule"]["other_income_level"] == "施設ごとに比較（国の交付要綱）"


def test_once_each_year_reading_pays_the_second_year(world):
    # the nurse menu read as once per facility per year: FY2025's grant does not refuse
    # FY2026: min(D 3,000,000, E 4,000,000) × 1/2 = 1,500,000 (H 2,000,000)
    case = worked_case(world)
    SubsidyMenu.objects.filter(code="w-nurse", fiscal_year__year=2026).update(
        once_per_facility_scope="per_year"
    )
    hospital = claim_for(case.application).recipients[1]
    nurse = next(m for m in hospital.result.menus if m.menu_code.startswith("w-nurse"))
    assert (nurse.required_amount, nurse.reason) == (1_500_000, None)


# -------------------------------------------------------------- what an auditor reads


@pytest.fixture
def confirmed(world):
    """The worked case per facility, an advance of 2,400,000 to the hub (within its H
    2,459,000), confirmed."""
    case = worked_case(world)
    _per_facility(case)
    staff = world.users[Role.PREFECTURE_STAFF]
    services.record_advance(
        case.application, staff, amount=2_400_000, paid_on=datetime.date(2026, 7, 1)
    )
    report = services.perform(
        case.report, "submit", world.users[Role.HUB_COORDINATOR], case.report.version
    )
    report = services.perform(report, "start_review", staff, report.version)
    drive.through_approval(
        report,
        "confirm",
        staff,
        report.version,
        confirmation=ConfirmationInput("9医政第501号", datetime.date(2027, 5, 20)),
    )
    return case


def test_the_page_shows_units_side_by_side_and_how_c_bounds(client, world, confirmed):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    page = client.get(reverse("results:calculation", args=[confirmed.report.pk])).content.decode()
    assert "実績 3人×2半日 = 6人・半日／計画 3人×2半日（6人・半日）" in page
    assert "差引額（C）は施設ごとに比較します: C 2,350,999円" in page
    assert "C 以内のため、メニューの合計（ΣG 2,050,499円）はそのままです" in page
    # the earlier grant that refuses the nurse menu, and the excluded part with its source
    assert "令和7年度の交付決定（7医政第1号）により交付済みのため対象外" in page
    assert (
        "（財源: 市町村の在宅医療・介護連携推進事業。理由: 市の在宅医療・介護連携推進事業" in page
    )
    # 甲病院: I 0 − G 252,000 = △252,000, its 精算払
    assert "I 0円 − G 252,000円 = △252,000円（精算払）" in page
    assert "追加交付" not in page


def test_the_notice_carries_the_explanation_and_the_right_words(world, confirmed):
    # hub G 2,050,000 + hospital 252,000 = 2,302,000; advance 2,400,000 → 返還 98,000
    confirmation = Confirmation.objects.get()
    assert confirmation.total_amount == 2_302_000
    notice = confirmation_notice_for(confirmation)
    assert ("返還額", 98_000) in notice.settlement
    hub = notice.explanation[0]
    assert hub.recipient_name == "甲拠点"
    formulas = [formula for _, _, formula in hub.steps]
    assert any(f.startswith("ΣA 2,450,999円 − ΣB 100,000円 = 2,350,999円") for f in formulas)
    assert any(
        "ΣG（連携会議の開催 1,000,000円 + 関係機関との連携、調整 900,000円" in f for f in formulas
    )
    assert any("財源: 市町村の在宅医療・介護連携推進事業" in f for f in formulas)
    hospital = notice.explanation[1]
    assert any("7医政第1号" in formula for _, _, formula in hospital.steps)


def test_a_notice_of_a_remaining_payment_says_seisanbarai_never_tsuika_kofu():
    # 確定額 1,468,000 − 受入額 1,000,000 = 支払額 468,000 (精算払)
    notice = confirmation_notice(
        fiscal_year=2026,
        notice_number="9医政第88号",
        notice_date=datetime.date(2027, 6, 1),
        report_date=datetime.date(2027, 4, 10),
        addressee_organisation="一般社団法人 北部地区医師会",
        addressee_title="会長",
        addressee_name="代表 一郎",
        lines=[("研修の開催", 1_468_000)],
        decided_total=1_468_000,
        advance_received=1_000_000,
    )
    assert notice.settlement[-1] == ("支払額（精算払）", 468_000)
    assert "精算払請求書" in notice.footnote and "追加交付" not in notice.footnote
    assert explanation_of({}) == ()


def test_the_results_pdf_block_explains_and_uses_the_words(world, confirmed):
    from django.template.loader import render_to_string

    snapshot = Confirmation.objects.get().snapshot
    html = render_to_string("reports/pdf/_seisan.html", {"claim": snapshot})
    assert "負の値（△）は精算払の支払額" in html and "追加交付" not in html
    assert "ΣA 2,450,999円 − ΣB 100,000円 = 2,350,999円（施設ごとに比較）" in html
    assert "一施設一回限りの補助で、令和7年度の交付決定（7医政第1号）" in html
    assert "△252,000円" in html
    # planned and actual units side by side on the E line of the hospital's visit menu
    assert "42,000円 × 6人・半日 = 252,000円（実績 3人×2半日 = 6人・半日、計画 3人×2半日" in html


# --------------------------------------------------------- every staff xlsx: amounts are numbers

AMOUNT_HEADER = re.compile(r"額|円|費$|^[A-J] |^[A-J]$|^C′")
NOT_AMOUNT = re.compile(r"費目|理由|財源|通知番号|（千円）$")


def _amount_cells(content: bytes):
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows())
        if not rows:
            continue
        for index, header in enumerate(rows[0]):
            title = str(header.value or "")
            if not AMOUNT_HEADER.search(title) or NOT_AMOUNT.search(title):
                continue
            for row in rows[1:]:
                yield sheet.title, title, row[index]


def test_every_staff_xlsx_writes_amounts_as_yen_number_cells(client, world, confirmed):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    year = confirmed.application.fiscal_year.year
    urls = [
        reverse("results:sheet_xlsx", args=[confirmed.report.pk]),
        reverse("results:sheet_xlsx", args=[confirmed.report.pk]) + "?live=1",
        reverse("results:prefecture_xlsx", args=[year]),
        reverse("results:expenses_xlsx", args=[confirmed.report.pk]),
        reverse("subsidies:review_export"),
        reverse("reports:dashboard_export", kwargs={"table": "all"}),
        reverse("reports:activities_export"),
    ]
    checked = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        for sheet, title, cell in _amount_cells(response.content):
            if cell.value is None or cell.value == "":
                continue
            where = f"{url} {sheet}!{cell.coordinate}「{title}」"
            assert isinstance(cell.value, int | float), f"{where} is text: {cell.value!r}"
            assert "#,##0" in cell.number_format, f"{where}: {cell.number_format}"
            checked += 1
    assert checked > 50  # the 精算額調 alone has some 150 amounts


def test_a_negative_amount_cell_is_written_with_a_triangle(client, world, confirmed):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    content = client.get(reverse("results:sheet_xlsx", args=[confirmed.report.pk])).content
    summary = load_workbook(io.BytesIO(content)).worksheets[0]
    j_column = [c.value for c in summary[1]].index("J 差引過不足額（I−G）")
    hospital = next(row for row in summary.iter_rows(min_row=2) if row[0].value == "甲病院")
    assert hospital[j_column].value == -252_000
    assert hospital[j_column].number_format == '#,##0"円";"△"#,##0"円"'
