"""The three-year projection of the survey, worked by hand from the test catalogue
(tests/subsidies/factories.catalogue, 令和8年度, facility-level 1,000円 rounding):

    hub-meeting   1,060,000円 per hub, rate 1/1
    hub-district    500,000円 per 区割り, rate 1/2
    hosp-system      27,000円 per month (max 12), rate 2/3
    hosp-nurse    4,000,000円 once per facility, rate 1/1

Hub A (2 区割り): meeting ○ R8〜, district ○ R9〜; 3 hospitals wish the system, 1 the nurse.
Hub B (1 区割り): meeting ○ with no start year (counts from R8).

  A meeting   1,060,000 × 1/1                         = 1,060,000 in R8, R9, R10
  A district  min(1,000,000, 500,000 × 2) × 1/2       =   500,000 in R9, R10 only
  A system    27,000 × 12 = 324,000 × 2/3 = 216,000; × 3 hospitals = 648,000 each year
  A nurse     4,000,000 × 1/1 × 1 hospital            = 4,000,000 each year
  B meeting                                           = 1,060,000 each year
  hub menus:      R8 2,120,000   R9 2,620,000   R10 2,620,000
  hospital menus: R8 4,648,000   R9 4,648,000   R10 4,648,000
  total:          R8 6,768,000   R9 7,268,000   R10 7,268,000
"""

from subsidies.budget.services import save_budget
from subsidies.survey.reading import (
    against_budget,
    demand_rows,
    menu_totals,
    projection,
    survey_amounts,
    totals_by_type,
)
from tests.factories import coordinator_of
from tests.subsidies.survey.conftest import answer


def _answers(world):
    answer(
        world,
        world.hub_a,
        world.coordinator,
        {
            "hub-meeting": {"wish": True, "start_year": 2026, "planned_actions": "推進会議"},
            "hub-district": {"wish": True, "start_year": 2027},
            "hosp-system": {"hospital_count": 3},
            "hosp-nurse": {"hospital_count": 1},
            "hosp-training": {"hospital_count": 0},
        },
    )
    answer(world, world.hub_b, coordinator_of(world.hub_b), {"hub-meeting": {"wish": True}})


def test_projection_worked_by_hand(survey_world):
    world = survey_world
    _answers(world)
    result = projection(world.fiscal_year)
    assert result.years == [2026, 2027, 2028]
    totals = totals_by_type(result)
    assert totals["hub"] == [2_120_000, 2_620_000, 2_620_000]
    assert totals["hospital"] == [4_648_000, 4_648_000, 4_648_000]
    assert totals["total"] == [6_768_000, 7_268_000, 7_268_000]
    by_menu = {
        m.code: (hubs, hospitals, amounts) for m, hubs, hospitals, amounts in menu_totals(result)
    }
    assert by_menu == {
        "hub-meeting": (2, 0, [2_120_000] * 3),
        "hub-district": (1, 0, [0, 500_000, 500_000]),
        "hosp-training": (0, 0, [0, 0, 0]),  # 0 hospitals: no wish
        "hosp-system": (1, 3, [648_000] * 3),
        "hosp-nurse": (1, 1, [4_000_000] * 3),
    }


def test_survey_amounts_are_the_survey_years_amounts(survey_world):
    world = survey_world
    _answers(world)
    menus = world.menus
    assert survey_amounts(world.fiscal_year) == {
        (world.hub_a.pk, menus["hub-meeting"].pk): 1_060_000,
        (world.hub_a.pk, menus["hosp-system"].pk): 648_000,
        (world.hub_a.pk, menus["hosp-nurse"].pk): 4_000_000,
        (world.hub_b.pk, menus["hub-meeting"].pk): 1_060_000,
    }  # A's district starts R9: nothing in 令和8年度; training: 0 hospitals


def test_demand_rows_per_menu_area_and_start_year(survey_world):
    world = survey_world
    _answers(world)
    rows = [
        (r.menu.code, r.area, r.start_label, r.hubs, r.hospitals, r.amounts)
        for r in demand_rows(projection(world.fiscal_year))
    ]
    assert rows == [
        ("hub-meeting", "乙圏域", "R8〜", 1, 0, [1_060_000] * 3),
        ("hub-meeting", "甲圏域", "R8〜", 1, 0, [1_060_000] * 3),
        ("hub-district", "甲圏域", "R9〜", 1, 0, [0, 500_000, 500_000]),
        ("hosp-system", "甲圏域", "R8〜", 1, 3, [648_000] * 3),
        ("hosp-nurse", "甲圏域", "R8〜", 1, 1, [4_000_000] * 3),
    ]


def test_demand_against_each_years_budget(survey_world):
    world = survey_world
    _answers(world)
    amounts = {"total": 6_000_000, "hub_part": 2_500_000, "hospital_part": 3_500_000}
    save_budget(world.fiscal_year, amounts, None, world.staff)
    lines = {line.key: line for line in against_budget(projection(world.fiscal_year))}
    # R8: 6,000,000 − 6,768,000 = △768,000; 拠点分 2,500,000 − 2,120,000 = 380,000;
    # 医療機関分 3,500,000 − 4,648,000 = △1,148,000. R9 and R10 have no budget yet.
    assert lines["total"].gaps == [-768_000, None, None]
    assert lines["hub"].gaps == [380_000, None, None]
    assert lines["hospital"].gaps == [-1_148_000, None, None]


def test_demand_page_and_export(client, survey_world):
    from io import BytesIO

    from openpyxl import load_workbook

    world = survey_world
    _answers(world)
    client.force_login(world.staff)
    page = client.get("/subsidies/survey/2026/demand/").content.decode()
    assert "7,268,000円" in page and "令和10年度" in page
    response = client.get("/subsidies/survey/2026/demand.xlsx")
    book = load_workbook(BytesIO(response.content))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[-3:] == ["令和8年度（円）", "令和9年度（円）", "令和10年度（円）"]
    district = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[3] == "R9〜"]
    assert district == [
        (
            "連携の拠点",
            "資源把握・課題整理・対応策検討",
            "甲圏域",
            "R9〜",
            1,
            None,
            0,
            500_000,
            500_000,
        )
    ]
