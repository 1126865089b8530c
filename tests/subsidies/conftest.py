import pytest

from tests.subsidies.factories import catalogue
from zaitaku_portal.models import Role


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def apps_world(world):
    """The two-area world with a 2026 catalogue holding every cap unit."""
    world.fiscal_year, world.menus = catalogue(2026)
    world.coordinator = world.users[Role.HUB_COORDINATOR]
    world.staff = world.users[Role.PREFECTURE_STAFF]
    world.admin = world.users[Role.ADMINISTRATOR]
    world.health_center = world.users[Role.HEALTH_CENTER]
    return world
