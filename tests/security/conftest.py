"""Fixtures the security tests share: a filled plan to attack, and its coordinator's client."""

import pytest

from subsidies.applications import services as service
from subsidies.models import Application
from tests.subsidies.factories import catalogue, complete_plan
from zaitaku_portal.models import Role


@pytest.fixture
def plan(world):
    """Hub A's draft of 2026, with every cap unit, filled so it could be submitted."""
    world.fiscal_year, world.menus = catalogue(2026)
    coordinator = world.users[Role.HUB_COORDINATOR]
    application = service.start_application(world.hub_a, world.fiscal_year, coordinator)
    service.save_plan(application, complete_plan(application), coordinator, 1)
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def coordinator(client, world):
    """The test client, logged in as hub A's coordinator (test_attachments has its own)."""
    client.force_login(world.users[Role.HUB_COORDINATOR])
    return client
