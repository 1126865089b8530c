"""Setting (b) of issue 18: a fiscal year whose active hospitals apply themselves."""

import pytest

from subsidies.catalogue.models import FiscalYear
from tests.factories import hospital_contact_of
from zaitaku_portal.models import Role


@pytest.fixture
def own_world(apps_world):
    """The two-area world, its 2026 catalogue set to 'counts' (each hospital its own
    grantee), hospital A with its 開設者 and 代表者, and a contact for hospital B."""
    w = apps_world
    w.fiscal_year.hospital_plan_form = "counts"
    w.fiscal_year.save(update_fields=["hospital_plan_form"])
    w.fiscal_year = FiscalYear.objects.get(pk=w.fiscal_year.pk)
    w.hospital_a.operator_legal_name = "医療法人甲会"
    w.hospital_a.representative_title = "理事長"
    w.hospital_a.representative_name = "甲野 一郎"
    w.hospital_a.save()
    w.hospital = w.users[Role.HOSPITAL]
    w.hospital_b_contact = hospital_contact_of(w.hospital_b, username="hospital_b")
    return w
