import pytest

from hospitals.codes import code_format_problem, compose_code, luhn_check_digit, luhn_check_passes
from tests.factories import MedicalInstitutionFactory


@pytest.mark.parametrize("code", ["0110113719", "1810115202", "3618010015"])
def test_published_samples_pass_luhn(code):
    assert luhn_check_passes(code)


@pytest.mark.parametrize("code", ["0110113718", "1810115203", "3618010014"])
def test_a_changed_last_digit_fails(code):
    assert not luhn_check_passes(code)


def test_check_digit_completes_a_code():
    assert luhn_check_digit("011011371") == "9"


def test_compose_code_from_bureau_number_with_full_width_digits():
    assert compose_code("01", "1", "01-15202") == "01101-15202".replace("-", "")
    assert compose_code("４７", "1", "０１－１５２０２") == "4710115202"


@pytest.mark.parametrize(
    ("code", "message"),
    [("12345", "10桁"), ("47x0115202", "10桁"), ("4720115202", "3桁目")],
)
def test_format_problems_are_japanese(code, message):
    assert message in code_format_problem(code)


@pytest.mark.django_db
def test_institution_records_a_failed_check_for_review_instead_of_refusing():
    good = MedicalInstitutionFactory(code="0110113719")
    bad = MedicalInstitutionFactory(code="0110113718")
    assert good.code_check_passed
    assert not bad.code_check_passed
    assert "在支病" in good.support_label
