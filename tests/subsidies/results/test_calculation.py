"""The 額の確定 calculation, as the spec: worked 精算額調 cases computed by hand, then invariants.

Figures come from the Osaka FY2024 and Okinawa FY2026 catalogues in DOMAIN.md
(会議の開催 1,060千円, 同行訪問等研修 42千円/人・半日, 受入態勢確保 4,000千円 once per facility).
"""

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from subsidies.results.calculation import (
    NO_OWN_CAP_REASON,
    ONCE_PER_FACILITY_REASON,
    CalculationRule,
    CapRateOrder,
    FacilityInput,
    FacilityResult,
    MenuInput,
    OtherIncomeLevel,
    RoundingLevel,
    Settlement,
    calculate_claim,
    round_down_to_unit,
)

MHLW = CalculationRule()  # CAP_THEN_RATE, 1,000円, rounding and other income per FACILITY
YAMANASHI = CalculationRule(order=CapRateOrder.RATE_THEN_CAP)
PER_MENU_INCOME = CalculationRule(other_income_level=OtherIncomeLevel.MENU)
HALF = Fraction(1, 2)
TWO_THIRDS = Fraction(2, 3)
# Properties are about values, not speed: a loaded CI machine must not fail them on time.
NO_DEADLINE = settings(deadline=None)


def menu(**overrides: object) -> MenuInput:
    """会議の開催 at 1,060,000円, 10/10, with A = D unless a test says otherwise."""
    actual = overrides.get("actual_expense", 800_000)
    values: dict[str, object] = {
        "menu_code": "hub-1",
        "menu_name": "多職種が参加する連携会議の開催",
        "cap_amount": 1_060_000,
        "units": 1,
        "rate": Fraction(1),
        "actual_expense": actual,
        "total_cost": actual,
    }
    values.update(overrides)
    return MenuInput(**values)  # type: ignore[arg-type]


def claim(
    *menus: MenuInput, rule: CalculationRule = MHLW, advance_received: int = 0
) -> FacilityResult:
    facility = FacilityInput(
        recipient_name="那覇地区医師会", menus=menus, advance_received=advance_received
    )
    return calculate_claim(facility, rule)


def step(steps: tuple, symbol: str, label_part: str = "") -> object:
    """The last step with that symbol (and label fragment): G may be refined twice."""
    found = [s for s in steps if s.symbol == symbol and label_part in s.label]
    assert found, f"no step {symbol} {label_part}"
    return found[-1]


# ---------------------------------------------------------------- worked cases (hand-computed)


def test_expense_below_cap_is_paid_in_full():
    # D 800,000 < E 1,060,000 → F 800,000; C = 800,000 − 0; G = 800,000 × 10/10 = 800,000
    result = claim(menu(actual_expense=800_000))
    line = result.menus[0]
    assert (line.eligible_expense, line.base_amount, line.capped_expense) == (
        800_000,
        1_060_000,
        800_000,
    )
    assert result.net_cost == 800_000
    assert result.required_amount == 800_000


def test_expense_above_cap_is_limited_to_the_cap():
    # D 1,500,000 > E 1,060,000 → F 1,060,000; C 1,500,000; G = 1,060,000
    result = claim(menu(actual_expense=1_500_000))
    assert result.menus[0].capped_expense == 1_060_000
    assert result.required_amount == 1_060_000
    assert step(result.menus[0].steps, "F").formula == (
        "min(D 1,500,000円, E 1,060,000円) = 1,060,000円"
    )


def test_other_income_makes_net_cost_the_binding_limit():
    # A 1,000,000, B 300,000 → C 700,000; D 1,000,000, E 1,060,000 → F 1,000,000
    # G = min(F 1,000,000, C 700,000) × 10/10 = 700,000; at 1/2 → 350,000
    # Per facility (one menu): F ÷ rate 1,000,000 > C 700,000 → C′ = 700,000 × 1/2 = 350,000
    full = claim(menu(actual_expense=1_000_000, other_income=300_000))
    assert full.net_cost == 700_000
    assert full.required_amount == 700_000
    half = claim(menu(actual_expense=1_000_000, other_income=300_000, rate=HALF))
    assert half.required_amount == 350_000
    assert step(half.steps, "C").formula == (
        "ΣA 1,000,000円 − ΣB 300,000円 = 700,000円（施設ごとに比較）"
    )
    assert step(half.steps, "C′").amount == 350_000
    per_menu = claim(
        menu(actual_expense=1_000_000, other_income=300_000, rate=HALF), rule=PER_MENU_INCOME
    )
    assert per_menu.required_amount == 350_000
    assert step(per_menu.menus[0].steps, "C").formula == ("A 1,000,000円 − B 300,000円 = 700,000円")


def test_income_above_total_cost_floors_net_cost_at_zero():
    # A 500,000 − B 600,000 = −100,000 → C 0 → G 0
    result = claim(menu(actual_expense=500_000, other_income=600_000))
    assert result.net_cost == 0
    assert result.required_amount == 0
    assert step(result.steps, "C").formula == (
        "ΣA 500,000円 − ΣB 600,000円 = △100,000円 → 負のため0円（施設ごとに比較）"
    )
    per_menu = claim(menu(actual_expense=500_000, other_income=600_000), rule=PER_MENU_INCOME)
    assert per_menu.menus[0].net_cost == 0
    assert step(per_menu.menus[0].steps, "C").formula == (
        "A 500,000円 − B 600,000円 = △100,000円 → 負のため0円"
    )


def test_rate_half_orders_differ_when_the_cap_binds():
    # E 1,060,000, D = C = 1,500,000, rate 1/2
    # MHLW:      min(min(1,500,000, 1,060,000), 1,500,000) × 1/2 = 530,000
    # Yamanashi: min(min(1,500,000, 1,500,000) × 1/2 = 750,000, 1,060,000) = 750,000
    line = menu(actual_expense=1_500_000, rate=HALF)
    assert claim(line, rule=MHLW).required_amount == 530_000
    assert claim(line, rule=YAMANASHI).required_amount == 750_000


def test_rate_half_orders_agree_when_expense_is_below_cap():
    # D = C = 800,000 < E 1,060,000, rate 1/2
    # MHLW: 800,000 × 1/2 = 400,000; Yamanashi: min(400,000, 1,060,000) = 400,000
    line = menu(actual_expense=800_000, rate=HALF)
    assert claim(line, rule=MHLW).required_amount == 400_000
    assert claim(line, rule=YAMANASHI).required_amount == 400_000


def test_rate_two_thirds_in_both_orders():
    # 資源把握 E 600,000, D = C = 900,000, rate 2/3
    # MHLW:      600,000 × 2/3 = 400,000
    # Yamanashi: min(900,000 × 2/3 = 600,000, 600,000) = 600,000
    line = menu(cap_amount=600_000, actual_expense=900_000, rate=TWO_THIRDS)
    assert claim(line, rule=MHLW).required_amount == 400_000
    assert claim(line, rule=YAMANASHI).required_amount == 600_000
    # Yamanashi with the cap still binding after the rate:
    # D = C = 3,000,000, E 1,060,000, 1/2 → min(1,500,000, 1,060,000) = 1,060,000 (MHLW 530,000)
    big = menu(actual_expense=3_000_000, rate=HALF)
    assert claim(big, rule=YAMANASHI).required_amount == 1_060_000
    assert claim(big, rule=MHLW).required_amount == 530_000


def test_rate_two_thirds_keeps_the_exact_fraction_until_rounding():
    # D = C = 1,000,000 < E 1,060,000 × 1 → G = 2,000,000/3 = 666,666.66…
    # 1,000円未満切捨て → 666,000; 1円未満切捨て → 666,666
    line = menu(actual_expense=1_000_000, rate=TWO_THIRDS)
    result = claim(line)
    assert result.menus[0].required_amount == Fraction(2_000_000, 3)
    assert result.required_amount == 666_000
    assert claim(line, rule=CalculationRule(rounding_unit=1)).required_amount == 666_666
    assert step(result.menus[0].steps, "G1").formula == "F 1,000,000円 × 2/3 = 666,666.66…円"
    per_menu = claim(line, rule=PER_MENU_INCOME)
    assert step(per_menu.menus[0].steps, "G1").formula == (
        "min(F 1,000,000円, C 1,000,000円) × 2/3 = 666,666.66…円"
    )


def test_yamanashi_formula_shows_the_rate_before_the_cap():
    line = menu(actual_expense=1_500_000, rate=HALF)
    steps = (
        claim(line, rule=replace(YAMANASHI, other_income_level=OtherIncomeLevel.MENU))
        .menus[0]
        .steps
    )
    # the order used: the rate first (G1), then the cap (G2)
    assert [s.symbol for s in steps][-4:] == ["G1", "G2", "H", "G"]
    assert step(steps, "G1").formula == "min(D 1,500,000円, C 1,500,000円) × 1/2 = 750,000円"
    assert step(steps, "G2").formula == "min(G1 750,000円, E 1,060,000円) = 750,000円"


def test_per_district_cap():
    # E = 1,060,000 × 3区割 = 3,180,000; D = C = 3,500,000 → G 3,180,000
    result = claim(menu(units=3, unit_label="区割", actual_expense=3_500_000))
    assert result.menus[0].base_amount == 3_180_000
    assert result.required_amount == 3_180_000
    e = step(result.menus[0].steps, "E")
    assert (e.label, e.amount) == ("基準額", 3_180_000)
    assert e.formula == "1,060,000円 × 3区割 = 3,180,000円"


def test_trainees_times_half_days():
    # 同行訪問等研修: 42,000 × (5人 × 4半日 = 20) = 840,000
    # D 900,000 → G 840,000; D 500,000 → G 500,000
    training = {"cap_amount": 42_000, "units": 5 * 4, "unit_label": "人・半日"}
    assert claim(menu(**training, actual_expense=900_000)).required_amount == 840_000
    assert claim(menu(**training, actual_expense=500_000)).required_amount == 500_000
    e = step(claim(menu(**training)).menus[0].steps, "E")
    assert e.formula == "42,000円 × 20人・半日 = 840,000円"


def test_once_per_facility_is_paid_the_first_year_and_not_the_second():
    # 受入態勢確保 E 4,000,000, D = C = 3,000,000 → first year 3,000,000; second year 0
    staffing = {
        "menu_code": "hosp-7",
        "menu_name": "病状変化時の受入態勢確保",
        "cap_amount": 4_000_000,
        "actual_expense": 3_000_000,
        "once_per_facility": True,
    }
    first = claim(menu(**staffing, already_granted_before=False))
    assert first.required_amount == 3_000_000
    assert first.menus[0].reason is None

    coordination = menu(menu_code="hosp-3", cap_amount=200_000, actual_expense=150_000)
    second = claim(menu(**staffing, already_granted_before=True), coordination)
    excluded = second.menus[0]
    assert excluded.required_amount == 0
    assert excluded.reason == ONCE_PER_FACILITY_REASON
    assert step(excluded.steps, "G").formula == f"{ONCE_PER_FACILITY_REASON}: 0円"
    # the other menu is still paid: 150,000
    assert second.required_amount == 150_000


def test_already_granted_only_matters_for_once_per_facility_menus():
    result = claim(menu(actual_expense=500_000, already_granted_before=True))
    assert result.required_amount == 500_000


def test_exclusion_of_work_funded_elsewhere():
    # 実支出額 1,300,000 − 在宅医療・介護連携推進事業分 200,000 = D 1,100,000 < E 3,536,000
    # C = A 1,300,000 → G = 1,100,000
    result = claim(menu(cap_amount=3_536_000, actual_expense=1_300_000, excluded_expense=200_000))
    line = result.menus[0]
    assert (line.actual_expense, line.excluded_expense, line.eligible_expense) == (
        1_300_000,
        200_000,
        1_100_000,
    )
    assert result.required_amount == 1_100_000
    d = step(line.steps, "D").formula
    assert "実支出額 1,300,000円" in d
    assert "対象外経費 200,000円" in d
    assert d.endswith("= 1,100,000円")


def test_exclusion_larger_than_expense_floors_eligible_expense_at_zero():
    result = claim(menu(actual_expense=100_000, excluded_expense=150_000))
    assert result.menus[0].eligible_expense == 0
    assert result.required_amount == 0


def test_menu_without_own_cap_gets_nothing_and_says_why():
    # ③ 急変時対応: done within ①②, so E = 0 → G = 0 even with 500,000 spent
    result = claim(menu(cap_amount=None, actual_expense=500_000))
    line = result.menus[0]
    assert (line.base_amount, line.required_amount, result.required_amount) == (0, 0, 0)
    assert line.reason == NO_OWN_CAP_REASON
    assert step(line.steps, "E").formula == f"{NO_OWN_CAP_REASON}: 0円"


def test_rounding_1999_yen_down_to_1000():
    # G = 1,999 → 1,000円未満切捨て = 1,000 (not 2,000: never rounded up)
    line = menu(actual_expense=1_999)
    assert claim(line).required_amount == 1_000
    assert claim(line, rule=CalculationRule(rounding_unit=1)).required_amount == 1_999
    assert claim(line, rule=CalculationRule(rounding_unit=10_000)).required_amount == 0
    assert round_down_to_unit(1_999, 1_000) == 1_000
    assert round_down_to_unit(Fraction(1_999, 2), 1) == 999
    assert round_down_to_unit(Fraction(-1_999), 1_000) == -1_000  # toward zero


def test_facility_and_menu_rounding_give_different_totals():
    # two menus of 1,500 each
    # FACILITY: 1,500 + 1,500 = 3,000 → 3,000
    # MENU:     1,000 + 1,000 = 2,000
    lines = (menu(actual_expense=1_500), menu(menu_code="hub-5", actual_expense=1_500))
    per_facility = claim(*lines)
    per_menu = claim(*lines, rule=CalculationRule(rounding_level=RoundingLevel.MENU))
    assert per_facility.required_amount == 3_000
    assert per_menu.required_amount == 2_000
    assert [m.required_amount_rounded for m in per_menu.menus] == [1_000, 1_000]
    assert [m.required_amount_rounded for m in per_facility.menus] == [None, None]
    assert step(per_menu.steps, "G").formula.endswith(
        "連携会議の開催 1,000円 + 多職種が参加する連携会議の開催 1,000円 = 2,000円"
    )


def test_decided_amount_lower_than_computed_limits_g():
    # computed min(1,500,000, 1,060,000) = 1,060,000; H 900,000 → G 900,000
    result = claim(menu(actual_expense=1_500_000, decided_amount=900_000))
    line = result.menus[0]
    assert line.computed_amount == 1_060_000
    assert line.required_amount == 900_000
    assert result.required_amount == 900_000
    assert result.decided_amount == 900_000
    assert step(line.steps, "G3").formula == "min(G1 1,060,000円, H 900,000円) = 900,000円"


def test_decided_amount_higher_than_computed_changes_nothing():
    result = claim(menu(actual_expense=500_000, decided_amount=1_060_000))
    assert result.required_amount == 500_000


def test_facility_h_is_unknown_while_a_menu_is_undecided():
    result = claim(menu(decided_amount=900_000), menu(menu_code="hub-5", decided_amount=None))
    assert result.decided_amount is None
    assert step(result.steps, "H").amount is None


def test_advance_larger_than_g_is_refunded():
    # I 1,200,000 − G 1,060,000 = J 140,000 → 返還
    result = claim(menu(actual_expense=1_500_000), advance_received=1_200_000)
    assert result.difference == 140_000
    assert result.settlement is Settlement.REFUND
    assert step(result.steps, "J").formula == "I 1,200,000円 − G 1,060,000円 = 140,000円（返還）"


def test_advance_smaller_than_g_leaves_a_remaining_payment():
    # I 500,000 − G 1,060,000 = J −560,000 → the 精算払 of 560,000 (never 追加交付)
    result = claim(menu(actual_expense=1_500_000), advance_received=500_000)
    assert result.difference == -560_000
    assert result.settlement is Settlement.REMAINING_PAYMENT
    assert result.settlement.label == "精算払"
    assert step(result.steps, "J").formula == ("I 500,000円 − G 1,060,000円 = △560,000円（精算払）")


def test_advance_equal_to_g_is_settled():
    result = claim(menu(actual_expense=1_500_000), advance_received=1_060_000)
    assert (result.difference, result.settlement) == (0, Settlement.SETTLED)


def test_osaka_hub_sheet_line_by_line():
    # Osaka hub, FY2024, 1/2 rate, MHLW order, facility rounding:
    # ① 会議   E 1,060,000  D 1,234,567 → F 1,060,000, C 1,234,567 → G 530,000
    # ② 調整   E 3,536,000  D 2,000,001 − 除外 500,000 = 1,500,001 → G 750,000.5
    # ③ 急変時 E 0 (no own cap), D 300,000 → G 0
    # ΣG 1,280,000.5 → 1,280,000; I 1,500,000 → J 220,000 返還
    result = claim(
        menu(menu_code="①", actual_expense=1_234_567, rate=HALF),
        menu(
            menu_code="②",
            menu_name="地域の資源の把握・関係機関等との調整",
            cap_amount=3_536_000,
            actual_expense=2_000_001,
            excluded_expense=500_000,
            rate=HALF,
        ),
        menu(menu_code="③", menu_name="急変時対応", cap_amount=None, actual_expense=300_000),
        advance_received=1_500_000,
    )
    assert result.required_amount_unrounded == Fraction(2_560_001, 2)
    assert result.required_amount == 1_280_000
    assert (result.difference, result.settlement) == (220_000, Settlement.REFUND)
    # C 3,534,568 ≥ Σ(G ÷ 1/2) = 1,060,000 + 1,500,001 + 0 = 2,560,001: C bounds nothing
    assert [s.symbol for s in result.steps] == [*"ABCDEF", "C′", *"GHIJ"]
    assert [(s.label, s.amount) for s in result.steps] == [
        ("総事業費", 1_234_567 + 2_000_001 + 300_000),
        ("寄附金その他の収入額", 0),
        ("差引額", 3_534_568),
        ("対象経費の実支出額", 1_234_567 + 1_500_001 + 300_000),
        ("基準額", 1_060_000 + 3_536_000),
        ("選定額", 1_060_000 + 1_500_001 + 0),
        ("差引額による限度額", Fraction(2_560_001, 2)),
        ("補助所要額", 1_280_000),
        ("交付決定額", None),
        ("受入額", 1_500_000),
        ("差引過不足額", 220_000),
    ]
    assert result.steps[4].formula == "1,060,000円 + 3,536,000円 + 0円 = 4,596,000円"
    assert result.steps[6].formula == (
        "Σ（各メニューの G ÷ 補助率） 2,560,001円 ≤ C 3,534,568円: C による限度なし（= ΣG）"
    )
    assert result.steps[7].formula == (
        "ΣG（多職種が参加する連携会議の開催 530,000円 + 地域の資源の把握・関係機関等との調整 "
        "750,000.50…円 + 急変時対応 0円 = 1,280,000.50…円） → 1,000円未満切捨て = 1,280,000円"
    )
    # one letter per step: C is the facility's, so the menu has none; G1 then G (H undecided)
    assert [s.symbol for s in result.menus[0].steps] == [*"ABDEF", "G1", "H", "G"]


# ---------------------------------------------------------------------------- invalid inputs


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"actual_expense": -1}, "対象経費の実支出額（actual_expense）に負の金額"),
        ({"excluded_expense": -5}, "対象外経費（excluded_expense）"),
        ({"total_cost": -1}, "総事業費（total_cost）"),
        ({"other_income": -1}, "寄附金その他の収入額（other_income）"),
        ({"cap_amount": -1_060_000}, "基準額の単価（cap_amount）"),
        ({"decided_amount": -1}, "交付決定額（decided_amount）"),
        ({"units": -1}, "基準額の数量（units）は0以上"),
        ({"units": 1.5}, "基準額の数量（units）は整数"),
        ({"rate": Fraction(0)}, "補助率（rate）は0より大きく1以下"),
        ({"rate": Fraction(3, 2)}, "補助率（rate）は0より大きく1以下"),
        ({"rate": -1}, "補助率（rate）は0より大きく1以下"),
        ({"rate": 0.5}, "補助率（rate）は分数"),
        ({"actual_expense": 1000.0}, "対象経費の実支出額（actual_expense）は円単位の整数"),
        ({"total_cost": Fraction(1, 2)}, "総事業費（total_cost）は円単位の整数"),
        ({"actual_expense": True}, "対象経費の実支出額（actual_expense）は円単位の整数"),
        ({"menu_code": ""}, "補助メニューのコード（menu_code）"),
        ({"once_per_facility": "yes"}, "一施設一回限りの区分（once_per_facility）"),
    ],
)
def test_invalid_menu_input_raises_with_a_japanese_message(overrides, message):
    with pytest.raises(ValueError, match=message):
        menu(**overrides)


def test_integer_rate_one_is_accepted_as_ten_tenths():
    assert menu(rate=1).rate == Fraction(1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rounding_unit": 0}, "端数処理の単位（rounding_unit）は1以上"),
        ({"rounding_unit": -1000}, "端数処理の単位（rounding_unit）は1以上"),
        ({"rounding_unit": 1000.0}, "端数処理の単位（rounding_unit）は1以上"),
        ({"order": "rate_first"}, "計算順序（order）"),
        ({"rounding_level": "ward"}, "端数処理の単位の適用先（rounding_level）"),
    ],
)
def test_invalid_rule_raises_with_a_japanese_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CalculationRule(**kwargs)


def test_rule_accepts_the_stored_string_values():
    rule = CalculationRule(order="rate_then_cap", rounding_level="menu")
    assert rule.order is CapRateOrder.RATE_THEN_CAP
    assert rule.rounding_level is RoundingLevel.MENU


def test_invalid_facility_input_raises_with_a_japanese_message():
    with pytest.raises(ValueError, match="受入額（概算払）（advance_received）に負の金額"):
        FacilityInput(recipient_name="拠点", menus=(menu(),), advance_received=-1)
    with pytest.raises(ValueError, match="補助メニューのコード（menu_code）が重複"):
        FacilityInput(recipient_name="拠点", menus=(menu(), menu()))
    with pytest.raises(ValueError, match="補助事業者名（recipient_name）"):
        FacilityInput(recipient_name=" ", menus=())


def test_round_down_rejects_a_non_positive_unit():
    with pytest.raises(ValueError, match="端数処理の単位"):
        round_down_to_unit(1_999, 0)


# -------------------------------------------------------------------- invariants (hypothesis)

yen = st.integers(min_value=0, max_value=30_000_000)
rates = st.one_of(
    st.sampled_from([Fraction(1), HALF, TWO_THIRDS, Fraction(1, 3), Fraction(3, 4)]),
    st.fractions(min_value=Fraction(1, 1000), max_value=1, max_denominator=1000),
)
rules = st.builds(
    CalculationRule,
    order=st.sampled_from(CapRateOrder),
    rounding_unit=st.one_of(st.sampled_from([1, 1_000, 10_000]), st.integers(1, 50_000)),
    rounding_level=st.sampled_from(RoundingLevel),
    other_income_level=st.sampled_from(OtherIncomeLevel),
)


@st.composite
def menu_inputs(draw: st.DrawFn, code: str, decided: bool | None = None) -> MenuInput:
    actual = draw(yen)
    has_decision = draw(st.booleans()) if decided is None else decided
    return MenuInput(
        menu_code=code,
        menu_name=f"メニュー{code}",
        cap_amount=draw(st.one_of(st.none(), st.integers(0, 5_000_000))),
        units=draw(st.integers(0, 12)),
        rate=draw(rates),
        actual_expense=actual,
        excluded_expense=draw(st.integers(0, actual + 100_000)),
        total_cost=draw(st.one_of(st.just(actual), yen)),
        other_income=draw(st.one_of(st.just(0), yen)),
        decided_amount=draw(st.integers(0, 10_000_000)) if has_decision else None,
        once_per_facility=draw(st.booleans()),
        already_granted_before=draw(st.booleans()),
    )


@st.composite
def facilities(draw: st.DrawFn, decided: bool | None = None) -> FacilityInput:
    count = draw(st.integers(0, 6))
    return FacilityInput(
        recipient_name="拠点",
        menus=tuple(draw(menu_inputs(code=str(i), decided=decided)) for i in range(count)),
        advance_received=draw(yen),
    )


def eligible(m: MenuInput) -> int:
    return max(m.actual_expense - m.excluded_expense, 0)


def base(m: MenuInput) -> int:
    return 0 if m.cap_amount is None else m.cap_amount * m.units


@NO_DEADLINE
@given(facilities(), rules)
def test_total_is_within_the_cap_bound_that_holds_for_the_order(facility, rule):
    # MHLW multiplies the capped amount, so G ≤ E × rate. Yamanashi caps after the rate,
    # so G may exceed E × rate (see test_rate_half_orders_differ...) but never E itself.
    total = calculate_claim(facility, rule).required_amount
    if rule.order is CapRateOrder.CAP_THEN_RATE:
        assert total <= sum((base(m) * m.rate for m in facility.menus), Fraction(0))
    else:
        assert total <= sum(base(m) for m in facility.menus)


@NO_DEADLINE
@given(facilities(), rules)
def test_total_is_within_the_rated_eligible_expense(facility, rule):
    # In both orders G ≤ min(D, C) × rate ≤ D: exclusions are never paid.
    total = calculate_claim(facility, rule).required_amount
    assert total <= sum((eligible(m) * m.rate for m in facility.menus), Fraction(0))
    assert total <= sum(eligible(m) for m in facility.menus)
    if rule.other_income_level is OtherIncomeLevel.MENU:
        assert total <= sum(
            (max(m.total_cost - m.other_income, 0) * m.rate for m in facility.menus), Fraction(0)
        )
    else:  # C of the facility bounds the sum, at the highest rate at most
        net_cost = max(sum(m.total_cost - m.other_income for m in facility.menus), 0)
        assert total <= net_cost * max((m.rate for m in facility.menus), default=0)


@NO_DEADLINE
@given(facilities(), rules)
def test_each_menu_stays_within_its_own_limits_before_rounding(facility, rule):
    # Per menu and unrounded, so neither another menu's slack nor rounding can hide a breach.
    for given_menu, line in zip(facility.menus, calculate_claim(facility, rule).menus, strict=True):
        net_cost = max(given_menu.total_cost - given_menu.other_income, 0)
        if rule.other_income_level is OtherIncomeLevel.FACILITY:
            net_cost = eligible(given_menu)  # C bounds the facility's sum, not each menu
        assert 0 <= line.required_amount <= line.computed_amount
        assert line.computed_amount <= min(eligible(given_menu), net_cost) * given_menu.rate
        assert line.computed_amount <= base(given_menu)
        if rule.order is CapRateOrder.CAP_THEN_RATE:
            assert line.computed_amount <= base(given_menu) * given_menu.rate
        if given_menu.decided_amount is not None:
            assert line.required_amount <= given_menu.decided_amount


@NO_DEADLINE
@given(facilities(decided=True), rules)
def test_total_is_within_the_decided_amounts(facility, rule):
    assume(facility.menus)
    decided_total = sum(m.decided_amount or 0 for m in facility.menus)
    result = calculate_claim(facility, rule)
    assert result.decided_amount == decided_total
    assert result.required_amount <= decided_total


@NO_DEADLINE
@given(facilities(), rules)
def test_total_is_a_non_negative_multiple_of_the_rounding_unit(facility, rule):
    result = calculate_claim(facility, rule)
    assert result.required_amount >= 0
    assert result.required_amount % rule.rounding_unit == 0
    assert type(result.required_amount) is int


@NO_DEADLINE
@given(facilities(), rules)
def test_rounding_only_cuts_less_than_one_unit_per_rounding(facility, rule):
    result = calculate_claim(facility, rule)
    loss = result.required_amount_unrounded - result.required_amount
    roundings = 1 if rule.rounding_level is RoundingLevel.FACILITY else len(facility.menus)
    assert loss >= 0
    assert loss < max(roundings, 1) * rule.rounding_unit


@NO_DEADLINE
@given(facilities(), rules)
def test_menu_rounding_never_pays_more_than_facility_rounding(facility, rule):
    per_facility = calculate_claim(facility, replace(rule, rounding_level=RoundingLevel.FACILITY))
    per_menu = calculate_claim(facility, replace(rule, rounding_level=RoundingLevel.MENU))
    assert per_menu.required_amount <= per_facility.required_amount


@NO_DEADLINE
@given(facilities(), rules)
def test_mhlw_order_never_pays_more_than_yamanashi_order(facility, rule):
    mhlw = calculate_claim(facility, replace(rule, order=CapRateOrder.CAP_THEN_RATE))
    yamanashi = calculate_claim(facility, replace(rule, order=CapRateOrder.RATE_THEN_CAP))
    assert mhlw.required_amount <= yamanashi.required_amount


@NO_DEADLINE
@given(facilities(), rules, st.data())
def test_more_actual_expense_never_lowers_the_total(facility, rule, data):
    assume(facility.menus)
    index = data.draw(st.integers(0, len(facility.menus) - 1))
    extra = data.draw(st.integers(1, 5_000_000))
    grown = list(facility.menus)
    grown[index] = replace(grown[index], actual_expense=grown[index].actual_expense + extra)
    before = calculate_claim(facility, rule).required_amount
    after = calculate_claim(replace(facility, menus=tuple(grown)), rule).required_amount
    assert after >= before


@NO_DEADLINE
@given(facilities(), rules)
def test_difference_is_advance_minus_total_and_names_the_settlement(facility, rule):
    result = calculate_claim(facility, rule)
    assert result.difference == facility.advance_received - result.required_amount
    expected = (
        Settlement.REFUND
        if result.difference > 0
        else Settlement.REMAINING_PAYMENT
        if result.difference < 0
        else Settlement.SETTLED
    )
    assert result.settlement is expected


@NO_DEADLINE
@given(facilities(), rules)
def test_explanation_matches_the_figures(facility, rule):
    result = calculate_claim(facility, rule)
    amounts = {s.symbol: s.amount for s in result.steps}
    bound = ["C′"] if rule.other_income_level is OtherIncomeLevel.FACILITY else []
    assert [s.symbol for s in result.steps] == [*"ABCDEF", *bound, *"GHIJ"]
    for line in result.menus:  # one letter per step, never G twice
        symbols = [s.symbol for s in line.steps]
        assert len(symbols) == len(set(symbols))
    assert amounts["D"] == result.eligible_expense == sum(eligible(m) for m in facility.menus)
    assert amounts["E"] == result.base_amount == sum(base(m) for m in facility.menus)
    assert amounts["G"] == result.required_amount
    assert amounts["J"] == result.difference
    if rule.rounding_level is RoundingLevel.MENU:
        expected = sum(
            round_down_to_unit(line.required_amount, rule.rounding_unit) for line in result.menus
        )
        if rule.other_income_level is OtherIncomeLevel.FACILITY:  # within C′, rounded down
            expected = min(expected, round_down_to_unit(result.bound.bounded, rule.rounding_unit))
        assert result.required_amount == expected
    for line in result.menus:
        assert step(line.steps, "G").amount == (
            line.required_amount_rounded
            if rule.rounding_level is RoundingLevel.MENU
            else line.required_amount
        )


@NO_DEADLINE
@given(facilities(), rules)
def test_once_granted_once_per_facility_menus_pay_nothing(facility, rule):
    result = calculate_claim(facility, rule)
    for given_menu, line in zip(facility.menus, result.menus, strict=True):
        if given_menu.once_per_facility and given_menu.already_granted_before:
            assert line.required_amount == 0
            assert line.reason == ONCE_PER_FACILITY_REASON
