"""The data of the two-host test (tests/hardening/test_two_hosts.py), written into its own
database by a process of its own: `python -m tests.hardening.two_hosts_world` with
DATABASE_URL set migrates the empty database and prints the ids the test needs as JSON.

A hub with a coordinator and an application in progress (a saved plan to download as a
workbook and upload again); prefecture staff; four decided applications of FY2025 whose
notices a batch makes."""

import json
import os

import django


def build() -> dict:
    from subsidies.applications import services as service
    from tests import factories as f
    from tests.reports.decided import decided_application
    from tests.subsidies.factories import catalogue, complete_plan
    from zaitaku_portal.models import Role

    secondary = f.SecondaryMedicalAreaFactory(code="4701", name="北部")
    town = f.MunicipalityFactory(name="甲市", secondary_area=secondary)
    area = f.HomeCareAreaFactory(name="甲圏域", secondary_area=secondary, municipalities=[town])
    hub = f.HubFactory(name="甲拠点", areas=[area])
    hospital = f.MedicalInstitutionFactory(name="甲病院", municipality=town)
    f.DesignationFactory(institution=hospital, area=area, hub=hub)
    coordinator = f.coordinator_of(hub, username="coordinator")
    staff = f.UserFactory(username="staff", role=Role.PREFECTURE_STAFF)

    fiscal_year, _menus = catalogue(2026)
    application = service.start_application(hub, fiscal_year, coordinator)
    service.save_plan(application, complete_plan(application), coordinator, 1)

    decided = [
        decided_application(
            f.HubFactory(name=f"決定拠点{number}"),
            year=2025,
            staff=staff,
            number=f"7医政第{number}号",
        )
        for number in range(1, 5)
    ]
    return {
        "application": application.pk,
        "decisions": [decision.pk for decision in decided],
        "password": f.PASSWORD,
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zaitaku_portal.settings_test")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)  # one start of Django for both
    print(json.dumps(build()))
