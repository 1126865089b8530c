"""Issue 14, the calculation: C compared per facility (the MHLW 要綱 reading) or per menu,
the explanation an auditor reads (one letter per step, △, 返還 / 精算払), and the invariants
under both orders, both rounding levels and both other-income levels.

Expected yen are worked out by hand from DOMAIN.md "How the amount is calculated": per
facility take min(E, D) = F; compare with C = 総事業費 − 寄付金その他の収入額 (per facility in
the MHLW wording); × 補助率; 1,000円未満切捨て; never above H."""

from dataclasses import replace
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from subsidies.results.calculation import (
    CalculationRule,
    CapRateOrder,
    FacilityInput,
    MenuInput,
    OtherIncomeLevel,
    RoundingLevel,
    Settlement,
    calculate_claim,
    format_yen,
)
from zaitaku_portal.money import signed_yen
from zaitaku_portal.templatetags.ja_format import sankaku, yen

PER_FACILITY = CalculationRule()  # the default: MHLW order, 1,000円, facility, C per facility
PER_MENU = CalculationRule(other_income_level=OtherIncomeLevel.MENU)
NO_DEADLINE = settings(deadline=None, max_examples=150)


def meeting(**kw) -> MenuInput:
    values = {
        "menu_code": "hub-1",
        "menu_name": "会議",
        "cap_amount": 1_060_000,
        "rate": Fraction(1),
        "actual_expense": 800_000,
        "total_cost": 800_000,
    }
    values.update(kw)
    return MenuInput(**values)


def training(**kw) -> MenuInput:
    values = {
        "menu_code": "hub-2",
        "menu_name": "研修",
        "cap_amount": 42_000,
        "units": 10,
        "unit_label": "人・半日",
        "rate": Fraction(1),
        "actual_expense": 300_000,
        "total_cost": 300_000,
    }
    values.update(kw)
    return MenuInput(**values)


def facility(*menus: MenuInput, advance: int = 0) -> FacilityInput:
    return FacilityInput(recipient_name="甲拠点", menus=menus, advance_received=advance)


def symbols(steps) -> list[str]:
    return [s.symbol for s in steps]


def step(steps, symbol: str):
    (found,) = [s for s in steps if s.symbol == symbol]
    return found


# ------------------------------------------------------------- other income at the rule's level


def test_income_split_differently_confirms_at_the_same_amount_per_facility():
    # 会議: D = A 800,000, E 1,060,000 → F 800,000. 研修: E 42,000 × 10 = 420,000, D = A
    # 300,000 → F 300,000. ΣA 1,100,000, ΣB 500,000 → C 600,000 (per facility).
    # Σ(G ÷ 10/10) = ΣF = 1,100,000 > C 600,000 → C′ = 600,000 × 10/10 = 600,000 → G 600,000,
    # wherever the 500,000 of income is written.
    on_meeting = facility(meeting(other_income=500_000), training())
    on_training = facility(meeting(), training(other_income=500_000))
    split = facility(meeting(other_income=250_000), training(other_income=250_000))
    for facts in (on_meeting, on_training, split):
        result = calculate_claim(facts, PER_FACILITY)
        assert result.net_cost == 600_000
        assert result.bound.bounded == 600_000
        assert result.required_amount == 600_000


def test_per_menu_level_gives_todays_reading_and_depends_on_the_split():
    # Per menu: 会議 B 0 → C 800,000 → G 800,000; 研修 B 500,000 → C = 300,000 − 500,000
    # = △200,000 → 0 → G 0; total 800,000. With B on 会議: min(800,000, 300,000) +
    # min(300,000, 300,000) = 600,000.
    on_training = facility(meeting(), training(other_income=500_000))
    on_meeting = facility(meeting(other_income=500_000), training())
    assert calculate_claim(on_training, PER_MENU).required_amount == 800_000
    assert calculate_claim(on_meeting, PER_MENU).required_amount == 600_000
    floored = calculate_claim(on_training, PER_MENU).menus[1]
    assert floored.net_cost == 0
    assert step(floored.steps, "C").formula == (
        "A 300,000円 − B 500,000円 = △200,000円 → 負のため0円"
    )


def test_facility_c_below_zero_is_written_out_and_pays_nothing():
    # ΣA 1,100,000 − ΣB 1,300,000 = △200,000 → C 0 → C′ 0 → G 0
    result = calculate_claim(
        facility(meeting(other_income=1_000_000), training(other_income=300_000)), PER_FACILITY
    )
    assert (result.net_cost, result.required_amount) == (0, 0)
    assert step(result.steps, "C").formula == (
        "ΣA 1,100,000円 − ΣB 1,300,000円 = △200,000円 → 負のため0円（施設ごとに比較）"
    )


def test_c_per_facility_with_one_rate_is_min_of_sum_f_and_c_times_rate():
    # rate 1/2 on both: ΣF 1,100,000, C 700,000 (B 400,000): min(1,100,000, 700,000) × 1/2
    # = 350,000 — the 要綱's min(選定額, 差引額) × 補助率 per facility.
    half = Fraction(1, 2)
    result = calculate_claim(
        facility(meeting(rate=half, other_income=400_000), training(rate=half)), PER_FACILITY
    )
    assert result.required_amount == 350_000
    c_bound = step(result.steps, "C′")
    assert c_bound.amount == 350_000
    assert c_bound.formula == (
        "Σ（各メニューの G ÷ 補助率） 1,100,000円 > C 700,000円: C を補助率の高いメニューから"
        "充当 会議 700,000円 × 1/2 = 350,000円"
    )
    g = step(result.steps, "G")
    assert g.formula == (
        "min(ΣG（会議 400,000円 + 研修 150,000円 = 550,000円）, C′ 350,000円) → "
        "1,000円未満切捨て = 350,000円"
    )


def test_mixed_rates_apply_c_to_the_highest_rate_first():
    # X 10/10 F 400,000; Y 1/2 F 400,000; ΣA 800,000 − ΣB 300,000 = C 500,000.
    # Σ(G ÷ rate) = 400,000 + 400,000 = 800,000 > 500,000: X takes 400,000 × 10/10, Y the
    # remaining 100,000 × 1/2 = 50,000 → C′ 450,000 (ΣG would be 400,000 + 200,000).
    x = meeting(menu_name="X", actual_expense=400_000, total_cost=400_000, other_income=300_000)
    y = training(
        menu_name="Y",
        cap_amount=400_000,
        units=1,
        rate=Fraction(1, 2),
        actual_expense=400_000,
        total_cost=400_000,
    )
    result = calculate_claim(facility(y, x), PER_FACILITY)
    assert result.bound.allocation == (("X", Fraction(1), 400_000), ("Y", Fraction(1, 2), 100_000))
    assert result.required_amount == 450_000


def test_menu_rounding_is_bounded_by_the_facility_c_rounded_down():
    # Two menus of 1,500 (10/10), C = 3,000 − 500 = 2,500. Per menu 切捨て: 1,000 + 1,000 =
    # 2,000; C′ 2,500 → 2,000: min(2,000, 2,000) = 2,000. With C 1,500: C′ 1,500 → 1,000.
    rule = replace(PER_FACILITY, rounding_level=RoundingLevel.MENU)
    a = meeting(actual_expense=1_500, total_cost=1_500)
    b = training(actual_expense=1_500, total_cost=1_500, other_income=500)
    assert calculate_claim(facility(a, b), rule).required_amount == 2_000
    b = replace(b, other_income=1_500)
    assert calculate_claim(facility(a, b), rule).required_amount == 1_000


# ------------------------------------------------------------------------ the explanation


def test_rate_then_cap_shows_its_steps_in_the_order_used():
    # 補助率を先に乗じる: D 1,500,000 × 1/2 = G1 750,000, then min(G1, E 1,060,000) = G2
    # 750,000, then H 700,000 → G3 700,000 = G.
    rule = CalculationRule(order=CapRateOrder.RATE_THEN_CAP)
    line = meeting(
        rate=Fraction(1, 2), actual_expense=1_500_000, total_cost=1_500_000, decided_amount=700_000
    )
    steps = calculate_claim(facility(line), rule).menus[0].steps
    assert symbols(steps) == ["A", "B", "D", "E", "F", "G1", "G2", "H", "G3", "G"]
    assert step(steps, "G1").formula == "D 1,500,000円 × 1/2 = 750,000円"
    assert step(steps, "G2").formula == "min(G1 750,000円, E 1,060,000円) = 750,000円"
    assert step(steps, "G3").formula == "min(G2 750,000円, H 700,000円) = 700,000円"
    assert step(steps, "G").amount == 700_000


def test_each_step_has_one_letter_in_every_explanation():
    for rule in (
        PER_FACILITY,
        PER_MENU,
        replace(PER_MENU, order=CapRateOrder.RATE_THEN_CAP, rounding_level=RoundingLevel.MENU),
    ):
        result = calculate_claim(
            facility(meeting(decided_amount=500_000), training(other_income=10_000)), rule
        )
        for steps in (result.steps, *(m.steps for m in result.menus)):
            assert len(symbols(steps)) == len(set(symbols(steps))), symbols(steps)


def test_an_excluded_part_shows_its_source_and_reason():
    # 実支出額 1,300,000 − 対象外 200,000 = D 1,100,000
    line = meeting(
        cap_amount=3_536_000,
        actual_expense=1_300_000,
        total_cost=1_300_000,
        excluded_expense=200_000,
        excluded_source="市町村の在宅医療・介護連携推進事業",
        excluded_reason="市が開催した研修会の講師謝金",
    )
    d = step(calculate_claim(facility(line), PER_FACILITY).menus[0].steps, "D")
    assert d.amount == 1_100_000
    assert d.formula == (
        "実支出額 1,300,000円 − 対象外経費 200,000円（財源: 市町村の在宅医療・介護連携推進事業。"
        "理由: 市が開催した研修会の講師謝金） = 1,100,000円"
    )


def test_a_menu_refused_once_per_facility_names_the_earlier_grant():
    line = meeting(
        once_per_facility=True,
        already_granted_before=True,
        earlier_grant="令和7年度の交付決定（7医政第1号）",
    )
    menu = calculate_claim(facility(line), PER_FACILITY).menus[0]
    assert menu.required_amount == 0
    assert menu.reason == (
        "一施設一回限りの補助で、令和7年度の交付決定（7医政第1号）により交付済みのため対象外"
    )
    assert step(menu.steps, "G").formula == f"{menu.reason}: 0円"


def test_facility_rounding_lists_the_menu_amounts_it_sums():
    # 会議 F 800,000 × 1/3 = 266,666.66…; 研修 F 300,000 × 2/3 = 200,000;
    # C 1,100,000 ≥ Σ(G ÷ rate) 1,100,000 → no bound; ΣG 466,666.66… → 466,000 (切捨て)
    result = calculate_claim(
        facility(meeting(rate=Fraction(1, 3)), training(rate=Fraction(2, 3))), PER_FACILITY
    )
    assert result.required_amount == 466_000
    assert step(result.steps, "G").formula == (
        "ΣG（会議 266,666.66…円 + 研修 200,000円 = 466,666.66…円） → 1,000円未満切捨て = 466,000円"
    )


def test_negative_amounts_are_written_with_a_triangle_and_the_words_are_right():
    # I 500,000 − G 800,000 = J △300,000: the 精算払 of 300,000 (never 追加交付)
    paid = calculate_claim(facility(meeting(), advance=500_000), PER_FACILITY)
    assert paid.settlement is Settlement.REMAINING_PAYMENT
    assert (paid.settlement.label, paid.settlement.amount_label) == ("精算払", "支払額（精算払）")
    assert step(paid.steps, "J").formula == "I 500,000円 − G 800,000円 = △300,000円（精算払）"
    refund = calculate_claim(facility(meeting(), advance=900_000), PER_FACILITY)
    assert refund.settlement.label == "返還"
    assert (format_yen(-300_000), signed_yen(-1), yen(-60_000), sankaku(-60_000)) == (
        "△300,000円",
        "△1円",
        "△60,000円",
        "△60,000",
    )
    assert (yen(0), sankaku(1_234)) == ("0円", "1,234")


# ---------------------------------------------------------------------- invariants (hypothesis)

amounts = st.integers(min_value=0, max_value=20_000_000)
rates = st.sampled_from([Fraction(1), Fraction(1, 2), Fraction(2, 3), Fraction(3, 4)])
rules = st.builds(
    CalculationRule,
    order=st.sampled_from(CapRateOrder),
    rounding_unit=st.sampled_from([1, 1_000, 10_000]),
    rounding_level=st.sampled_from(RoundingLevel),
    other_income_level=st.sampled_from(OtherIncomeLevel),
)


@st.composite
def menus(draw, code: str) -> MenuInput:
    actual = draw(amounts)
    return MenuInput(
        menu_code=code,
        menu_name=f"メニュー{code}",
        cap_amount=draw(st.one_of(st.none(), st.integers(0, 5_000_000))),
        units=draw(st.integers(0, 12)),
        rate=draw(rates),
        actual_expense=actual,
        excluded_expense=draw(st.integers(0, actual)),
        total_cost=draw(st.one_of(st.just(actual), amounts)),
        other_income=draw(st.one_of(st.just(0), amounts)),
        decided_amount=draw(st.one_of(st.none(), st.integers(0, 10_000_000))),
        once_per_facility=draw(st.booleans()),
        already_granted_before=draw(st.booleans()),
    )


@st.composite
def facilities(draw) -> FacilityInput:
    count = draw(st.integers(1, 5))
    return facility(*(draw(menus(str(i))) for i in range(count)), advance=draw(amounts))


def cap_times_units(m: MenuInput) -> int:
    return 0 if m.cap_amount is None else m.cap_amount * m.units


@NO_DEADLINE
@given(facilities(), rules)
def test_confirmed_is_within_decided_cap_times_units_and_not_negative(facts, rule):
    result = calculate_claim(facts, rule)
    assert result.required_amount >= 0
    assert result.required_amount <= sum(cap_times_units(m) for m in facts.menus)
    decided = [m.decided_amount for m in facts.menus]
    if None not in decided:
        assert result.required_amount <= sum(decided)
    for given_menu, line in zip(facts.menus, result.menus, strict=True):
        assert line.required_amount <= cap_times_units(given_menu)
        if given_menu.decided_amount is not None:
            assert line.required_amount <= given_menu.decided_amount


@NO_DEADLINE
@given(facilities(), rules, st.data())
def test_never_more_when_an_expense_falls(facts, rule, data):
    index = data.draw(st.integers(0, len(facts.menus) - 1))
    menu = facts.menus[index]
    fall = data.draw(st.integers(0, menu.actual_expense))
    lower = replace(
        menu,
        actual_expense=menu.actual_expense - fall,
        excluded_expense=min(menu.excluded_expense, menu.actual_expense - fall),
        total_cost=max(menu.total_cost - fall, 0),
    )
    fallen = replace(facts, menus=(*facts.menus[:index], lower, *facts.menus[index + 1 :]))
    assert (
        calculate_claim(fallen, rule).required_amount
        <= calculate_claim(facts, rule).required_amount
    )


@NO_DEADLINE
@given(facilities(), rules, st.data())
def test_never_more_when_other_income_rises(facts, rule, data):
    index = data.draw(st.integers(0, len(facts.menus) - 1))
    more = data.draw(st.integers(0, 5_000_000))
    menu = facts.menus[index]
    richer = replace(menu, other_income=menu.other_income + more)
    raised = replace(facts, menus=(*facts.menus[:index], richer, *facts.menus[index + 1 :]))
    assert (
        calculate_claim(raised, rule).required_amount
        <= calculate_claim(facts, rule).required_amount
    )


@NO_DEADLINE
@given(facilities(), rules, st.data())
def test_per_facility_the_split_of_income_across_menus_does_not_matter(facts, rule, data):
    rule = replace(rule, other_income_level=OtherIncomeLevel.FACILITY)
    total_income = sum(m.other_income for m in facts.menus)
    target = data.draw(st.integers(0, len(facts.menus) - 1))
    moved = tuple(
        replace(m, other_income=total_income if i == target else 0)
        for i, m in enumerate(facts.menus)
    )
    assert (
        calculate_claim(replace(facts, menus=moved), rule).required_amount
        == calculate_claim(facts, rule).required_amount
    )
