from tests.subsidies.conftest import apps_world, media_in_tmp  # noqa: F401 (fixtures)
