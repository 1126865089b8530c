import pytest

from subsidies.models import ApplicationStatus
from tests.subsidies.factories import application_in, catalogue
from zaitaku_portal.models import Role


@pytest.fixture
def draft(world):
    """The hub's draft of 2026, driven through the real services (the test catalogue)."""
    fiscal_year = catalogue(year=2026)[0]
    coordinator, staff = world.users[Role.HUB_COORDINATOR], world.users[Role.PREFECTURE_STAFF]
    return application_in(ApplicationStatus.DRAFT, world.hub_a, fiscal_year, coordinator, staff)
