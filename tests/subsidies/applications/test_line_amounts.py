"""The amount shown per plan line, against the fiscal year's rule, worked by hand."""

from fractions import Fraction

import pytest

from subsidies.applications import services as service
from subsidies.applications.amounts import LineInput, line_amounts
from subsidies.results.calculation import CalculationRule
from tests.subsidies.factories import complete_plan, pick

FACILITY = CalculationRule()
PER_MENU = CalculationRule(rounding_level="menu")
RATE_FIRST = CalculationRule(order="rate_then_cap")


def line(key, recipient="hub", **kwargs):
    values = dict(
        key=key,
        recipient_key=recipient,
        recipient_name=recipient,
        menu_code=key,
        menu_name=key,
        cap_amount=1_000_000,
        cap_unit="per_recipient",
        max_units=None,
        rate=Fraction(1),
        wish=True,
        expense_total=0,
    )
    values.update(kwargs)
    return LineInput(**values)


def test_per_district_cap_is_base_times_districts_and_rate_applies():
    amounts, totals = line_amounts(
        [
            line(
                "d",
                cap_amount=500_000,
                cap_unit="per_district",
                district_count=3,
                rate=Fraction(1, 2),
                expense_total=2_000_000,
            )
        ],
        FACILITY,
    )
    a = amounts["d"]
    assert (a.units, a.cap_total, a.computed_amount, a.over_cap) == (3, 1_500_000, 750_000, True)
    assert a.units_text == "3区割り"
    assert totals[0].computed_amount == 750_000


def test_trainees_times_half_days():
    amounts, _ = line_amounts(
        [
            line(
                "t",
                cap_amount=42_000,
                cap_unit="per_person_half_day",
                trainees=3,
                half_days=4,
                expense_total=600_000,
            )
        ],
        FACILITY,
    )
    assert (amounts["t"].cap_total, amounts["t"].computed_amount) == (504_000, 504_000)
    assert amounts["t"].over_cap and amounts["t"].units_text == "3人×4半日"


def test_months_are_capped_at_max_units_and_two_thirds_rounded_down():
    amounts, totals = line_amounts(
        [
            line(
                "m",
                cap_amount=27_000,
                cap_unit="per_month",
                max_units=12,
                months=14,
                rate=Fraction(2, 3),
                expense_total=301_000,
            )
        ],
        FACILITY,
    )
    # min(301,000, 27,000×12=324,000) × 2/3 = 200,666.66… → facility cut to 200,000
    assert amounts["m"].cap_total == 324_000 and "上限" in amounts["m"].units_text
    assert amounts["m"].computed_amount == 200_000
    assert totals[0].computed_amount == 200_000
    assert "切捨て" in amounts["m"].note


def test_other_income_reduces_the_amount():
    amounts, _ = line_amounts([line("o", expense_total=400_000, other_income=150_000)], FACILITY)
    assert amounts["o"].computed_amount == 250_000 and not amounts["o"].over_cap


def test_facility_rounding_is_taken_from_the_last_line_so_lines_add_up():
    lines = [
        line("a", expense_total=123_456),
        line("b", rate=Fraction(1, 2), expense_total=100_001),
    ]
    amounts, totals = line_amounts(lines, FACILITY)
    assert totals[0].computed_amount == 173_000
    assert (amounts["a"].computed_amount, amounts["b"].computed_amount) == (123_456, 49_544)
    amounts, totals = line_amounts(lines, PER_MENU)
    assert (amounts["a"].computed_amount, amounts["b"].computed_amount) == (123_000, 50_000)
    assert totals[0].computed_amount == 173_000


def test_rate_then_cap_order_differs_from_the_national_standard():
    lines = [line("r", cap_amount=300_000, rate=Fraction(1, 2), expense_total=800_000)]
    assert line_amounts(lines, FACILITY)[0]["r"].computed_amount == 150_000
    assert line_amounts(lines, RATE_FIRST)[0]["r"].computed_amount == 300_000


def test_once_per_facility_already_granted_and_unwished_lines_get_nothing():
    amounts, totals = line_amounts(
        [
            line(
                "n",
                cap_unit="once_per_facility",
                expense_total=500_000,
                already_granted_before=True,
            ),
            line("x", wish=False, expense_total=900_000),
        ],
        FACILITY,
    )
    assert amounts["n"].computed_amount == 0 and "一回限り" in amounts["n"].note
    assert amounts["x"].computed_amount == 0 and not amounts["x"].over_cap
    assert totals[0].expense_total == 500_000


def test_each_recipient_is_its_own_facility():
    _, totals = line_amounts(
        [line("h", expense_total=1_500), line("p", recipient="病院", expense_total=1_500)],
        FACILITY,
    )
    assert [t.computed_amount for t in totals] == [1_000, 1_000]


@pytest.mark.django_db
def test_the_page_shows_cap_and_amount_per_line_from_the_rule(client, apps_world):
    w = apps_world
    w.hub_a.district_count = 2
    w.hub_a.save()
    application = service.start_application(w.hub_a, w.fiscal_year, w.coordinator)
    application = pick(application, w.designation_a, w.coordinator)
    plan = complete_plan(application)
    plan["lines"]["hub-district"].update(
        wish=True, planned_actions="調査", start_year=2027, expenses={"wages": 1_200_001}
    )
    hospital_key = f"hosp-training@{w.designation_a.pk}"
    plan["lines"][hospital_key].update(
        wish=True,
        planned_actions="同行訪問研修",
        start_year=2026,
        trainees=2,
        half_days=5,
        expenses={"honoraria": 500_000},
    )
    application, _ = service.save_plan(application, plan, w.coordinator, application.version)
    client.force_login(w.staff)
    html = client.get(f"/subsidies/applications/{application.pk}/").content.decode()
    # hub: 400,000 + min(1,200,001, 500,000×2) × 1/2 = 500,000 → 900,000
    assert "1,000,000円" in html and "2区割り" in html and "900,000円" in html
    # hospital: 42,000 × 2 × 5 = 420,000 cap, over cap, amount 420,000
    assert "2人×5半日" in html and "420,000円" in html and "上限額超過" in html
    assert "R9〜" in html
