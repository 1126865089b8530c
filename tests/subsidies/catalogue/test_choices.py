"""The calculation settings are one set of enums (subsidies/catalogue/choices.py): the model
fields' choices and the calculation's members are the same objects with one set of labels,
and what a fiscal year stores is what the calculation runs."""

import pytest

from subsidies.catalogue import choices
from subsidies.models import FiscalYear, RecipientType, RequirementItem, SubsidyMenu
from subsidies.results import calculation
from subsidies.results import claim as claims
from tests.subsidies.results.factories import worked_case

# The labels, pinned on their own (the ones of the 精算額調 page and a confirmation's snapshot).
PINNED = {
    "cap_rate_order": [
        ("cap_then_rate", "基準額と比較してから補助率を乗じる（国の交付要綱）"),
        ("rate_then_cap", "補助率を乗じてから基準額と比較する（山梨県方式）"),
    ],
    "rounding_level": [
        ("facility", "施設ごとに合計してから切捨て"),
        ("menu", "補助メニューごとに切捨て"),
    ],
}


def test_the_model_and_the_calculation_share_one_enum_each():
    assert FiscalYear.CapRateOrder is calculation.CapRateOrder is choices.CapRateOrder
    assert FiscalYear.RoundingLevel is calculation.RoundingLevel is choices.RoundingLevel
    assert SubsidyMenu.CapUnit is choices.CapUnit
    assert RecipientType is choices.RecipientType


@pytest.mark.parametrize("name", sorted(PINNED))
def test_one_set_of_labels_for_the_field_and_the_calculation(name):
    field = FiscalYear._meta.get_field(name)
    enum = {"cap_rate_order": calculation.CapRateOrder, "rounding_level": calculation.RoundingLevel}
    assert list(field.choices) == PINNED[name]
    assert [(member.value, member.label) for member in enum[name]] == PINNED[name]


def test_the_other_catalogue_fields_take_their_choices_from_the_same_module():
    assert SubsidyMenu._meta.get_field("cap_unit").choices == choices.CapUnit.choices
    for model in (SubsidyMenu, RequirementItem):
        assert model._meta.get_field("recipient_type").choices == choices.RecipientType.choices


@pytest.mark.django_db
def test_a_fiscal_years_stored_value_drives_the_calculation(world):
    case = worked_case(world)
    # the worked case compares C per menu (tests/subsidies/results/factories.py), else defaults
    assert claims.claim_for(case.application).rule == calculation.CalculationRule(
        other_income_level=calculation.OtherIncomeLevel.MENU
    )
    FiscalYear.objects.filter(pk=case.application.fiscal_year_id).update(
        cap_rate_order="rate_then_cap", rounding_level="menu", rounding_unit=100
    )
    case.application.refresh_from_db()
    fiscal_year = FiscalYear.objects.get(pk=case.application.fiscal_year_id)
    claim = claims.claim_for(case.application)
    assert claim.rule.order is calculation.CapRateOrder.RATE_THEN_CAP
    assert claim.rule.rounding_level is calculation.RoundingLevel.MENU
    assert claim.rule.rounding_unit == 100
    rule = claims.claim_snapshot(claim)["rule"]  # what the 精算額調 page prints
    assert rule["order"] == fiscal_year.get_cap_rate_order_display()  # what the catalogue prints
    assert rule["rounding_level"] == fiscal_year.get_rounding_level_display()
    assert rule["order"] == "補助率を乗じてから基準額と比較する（山梨県方式）"
