import datetime

import pytest
from django.utils import timezone

from subsidies.survey.reading import answer_data, menus_of
from subsidies.survey.services import save_answer, save_period


@pytest.fixture
def survey_world(apps_world):
    """apps_world with the 2026 survey open (today ± days) and hub A in two districts."""
    world = apps_world
    today = timezone.localdate()
    world.survey = save_period(
        world.fiscal_year,
        today - datetime.timedelta(days=1),
        today + datetime.timedelta(days=20),
        None,
        world.staff,
    )
    world.hub_a.district_count = 2
    world.hub_a.save()
    world.menus_list = menus_of(world.fiscal_year)
    return world


def answer(world, hub, coordinator, lines: dict, **fields):
    """Save hub's answer through the real writer: `lines` maps menu code → changes."""
    from subsidies.survey.reading import answer_of

    current = answer_of(world.survey, hub)
    data = answer_data(current, world.menus_list)
    data.update(fields)
    for code, values in lines.items():
        data["lines"][code].update(values)
    saved, _ = save_answer(
        world.fiscal_year, hub, data, current.version if current else None, coordinator
    )
    return saved
