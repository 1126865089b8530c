"""Setting (a) of issue 18 in tests: a started hub plan, and the hub picking a hospital."""

from subsidies.applications import services as service
from subsidies.models import Application


def fresh(application) -> Application:
    return Application.objects.get(pk=application.pk)


def started(world):
    return service.start_application(world.hub_a, world.fiscal_year, world.coordinator)


def pick(application, designation, user):
    """The hub (or the hospital itself) adds the hospital to the plan: its lines, wish unset."""
    return service.add_hospital(fresh(application), designation, user, fresh(application).version)
