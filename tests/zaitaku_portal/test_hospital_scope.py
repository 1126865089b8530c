"""The hospital contact's scope (issue 18), query by query: its institution(s) and their own
applications only; never another hospital's, never a hub's (zaitaku_portal/scopes.py). A
health center sees the hospitals of its areas and their applications, read-only."""

from subsidies.models import Application, MenuPlan
from tests import factories as f
from zaitaku_portal import scopes
from zaitaku_portal.models import Role


def _applications(world):
    """Hub A's and hub B's applications of 令和8年度, and hospital A's and B's own of 令和9年度
    (setting (b)); one line of hospital A in hub A's plan (setting (a) that year)."""
    lines_year = f.FiscalYearFactory(year=2026)
    own_year = f.FiscalYearFactory(year=2027, hospital_plan_form="counts")
    menu = f.SubsidyMenuFactory(fiscal_year=lines_year)
    hub_a = Application.objects.create(hub=world.hub_a, fiscal_year=lines_year)
    hub_b = Application.objects.create(hub=world.hub_b, fiscal_year=lines_year)
    own_a = Application.objects.create(
        hub=world.hub_a, institution=world.hospital_a, fiscal_year=own_year
    )
    own_b = Application.objects.create(
        hub=world.hub_b, institution=world.hospital_b, fiscal_year=own_year
    )
    line_a = MenuPlan.objects.create(application=hub_a, menu=menu, designation=world.designation_a)
    MenuPlan.objects.create(application=hub_b, menu=menu, designation=world.designation_b)
    MenuPlan.objects.create(application=hub_a, menu=menu)  # the hub's own line
    return hub_a, hub_b, own_a, own_b, line_a


def test_a_hospital_contact_sees_its_institution_and_its_own_applications_only(world):
    hub_a, _hub_b, own_a, _own_b, line_a = _applications(world)
    user = world.users[Role.HOSPITAL]
    assert list(scopes.institutions_for(user)) == [world.hospital_a]
    assert list(scopes.designations_for(user)) == [world.designation_a]
    assert list(scopes.applications_for(user)) == [own_a]  # never its hub's application
    assert list(scopes.hospital_lines_for(user)) == [line_a]  # its line in hub A's plan
    for nothing in (scopes.hubs_for, scopes.areas_for, scopes.health_centers_for):
        assert not nothing(user).exists()
    assert not scopes.editable_areas_for(user).exists()
    assert hub_a not in scopes.applications_for(user)


def test_a_contact_of_two_institutions_sees_both_and_nothing_of_their_hubs(world):
    _hub_a, _hub_b, own_a, own_b, _line = _applications(world)
    user = f.hospital_contact_of(world.hospital_a, world.hospital_b, username="both")
    assert set(scopes.institutions_for(user)) == {world.hospital_a, world.hospital_b}
    assert set(scopes.applications_for(user)) == {own_a, own_b}
    assert not scopes.hubs_for(user).exists()


def test_a_login_of_the_hospital_role_without_a_contact_row_sees_nothing(world):
    _applications(world)
    user = f.UserFactory(role=Role.HOSPITAL, username="unlinked")
    assert not scopes.institutions_for(user).exists()
    assert not scopes.applications_for(user).exists()
    assert not scopes.hospital_lines_for(user).exists()


def test_hub_and_health_center_follow_the_hospital_applications_of_their_area(world):
    hub_a, hub_b, own_a, own_b, _line = _applications(world)
    coordinator = world.users[Role.HUB_COORDINATOR]
    health_center = world.users[Role.HEALTH_CENTER]
    assert set(scopes.applications_for(coordinator)) == {hub_a, own_a}
    assert set(scopes.applications_for(health_center)) == {hub_a, own_a}
    assert list(scopes.institutions_for(health_center)) == [world.hospital_a]
    # area A's health center writes no hospital's record: the areas it edits are its own
    assert own_b not in scopes.applications_for(health_center)
    assert hub_b not in scopes.applications_for(coordinator)
    staff = world.users[Role.PREFECTURE_STAFF]
    assert set(scopes.applications_for(staff)) == {hub_a, hub_b, own_a, own_b}


def test_the_hospital_contact_lands_on_its_applications_and_sees_no_area_page(client, world):
    client.force_login(world.users[Role.HOSPITAL])
    assert client.get("/", follow=False)["Location"] == "/subsidies/applications/"
    for url in ("/hubs/", "/hubs/areas/", "/hospitals/coverage/", "/reports/dashboard/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "この画面を表示する権限がありません" in response.content.decode(), url
