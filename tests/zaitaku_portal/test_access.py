"""What each role sees, asked of zaitaku_portal.access directly."""

from tests import factories as f
from zaitaku_portal import access, scopes
from zaitaku_portal.models import Role


def test_staff_and_administrator_see_the_whole_prefecture(world):
    for role in (Role.PREFECTURE_STAFF, Role.ADMINISTRATOR):
        user = world.users[role]
        assert set(scopes.hubs_for(user)) == {world.hub_a, world.hub_b}
        assert set(scopes.areas_for(user)) == {world.area_a, world.area_b}
        assert set(scopes.designations_for(user)) == {world.designation_a, world.designation_b}
        assert set(scopes.institutions_for(user)) == {world.hospital_a, world.hospital_b}
        assert access.can_manage_master_data(user)


def test_coordinator_sees_own_hub_and_its_hospitals_only(world):
    user = world.users[Role.HUB_COORDINATOR]
    assert list(scopes.hubs_for(user)) == [world.hub_a]
    assert list(scopes.areas_for(user)) == [world.area_a]
    assert list(scopes.designations_for(user)) == [world.designation_a]
    assert list(scopes.institutions_for(user)) == [world.hospital_a]
    permission = access.can_manage_master_data(user)
    assert not permission
    assert "県職員のみ" in permission.reason


def test_coordinator_of_two_hubs_sees_both(world):
    user = f.coordinator_of(world.hub_a, world.hub_b)
    assert set(scopes.hubs_for(user)) == {world.hub_a, world.hub_b}


def test_health_center_sees_the_areas_of_its_jurisdiction(world):
    user = world.users[Role.HEALTH_CENTER]
    assert list(scopes.areas_for(user)) == [world.area_a]
    assert list(scopes.hubs_for(user)) == [world.hub_a]
    assert list(scopes.designations_for(user)) == [world.designation_a]
    assert list(scopes.institutions_for(user)) == [world.hospital_a]
    assert list(scopes.health_centers_for(user)) == [world.health_center_a]
    assert not access.can_manage_master_data(user)


def test_health_center_user_without_a_health_center_sees_nothing(world):
    user = f.UserFactory(role=Role.HEALTH_CENTER, health_center=None)
    assert not scopes.areas_for(user).exists()
    assert not scopes.hubs_for(user).exists()
    assert not scopes.institutions_for(user).exists()


def test_inactive_or_anonymous_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    staff = world.users[Role.PREFECTURE_STAFF]
    staff.is_active = False
    assert not scopes.hubs_for(staff).exists()
    assert not scopes.hubs_for(AnonymousUser()).exists()


def test_role_decides_admin_access_not_a_checkbox(world):
    user = world.users[Role.HUB_COORDINATOR]
    user.is_staff = True
    user.save()
    user.refresh_from_db()
    assert user.is_staff is False
    assert world.users[Role.PREFECTURE_STAFF].is_staff is True
    assert world.users[Role.ADMINISTRATOR].is_superuser is True


def test_each_role_lands_on_its_own_home(client, world):
    homes = {
        Role.PREFECTURE_STAFF: "/subsidies/review/",
        Role.ADMINISTRATOR: "/subsidies/review/",
        Role.HUB_COORDINATOR: f"/hubs/{world.hub_a.pk}/",
        Role.HEALTH_CENTER: "/reports/dashboard/",
    }
    for role, home in homes.items():
        client.force_login(world.users[role])
        response = client.get("/", follow=True)
        assert response.redirect_chain[-1][0] == home, role
        assert response.status_code == 200


def test_health_center_home_lists_only_its_areas(client, world):
    client.force_login(world.users[Role.HEALTH_CENTER])
    page = client.get("/reports/dashboard/").content.decode()
    assert "甲圏域" in page
    assert "甲拠点" in page
    assert "甲病院" in page
    assert "乙圏域" not in page
    assert "乙拠点" not in page


def test_staff_home_counts_and_gaps(client, world):
    area_c = f.HomeCareAreaFactory(name="丙圏域")
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    response = client.get("/subsidies/review/")
    assert response.context["hub_count"] == 2
    assert response.context["hospital_count"] == 2
    assert [area.name for area in response.context["gaps"]] == [area_c.name]


def test_hub_list_pages_and_searches_within_scope(client, world):
    for number in range(60):
        f.HubFactory(name=f"追加拠点{number:02d}", areas=[world.area_b])
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    first = client.get("/hubs/")
    assert len(first.context["hubs"]) == 50
    assert "1 / 2ページ（全62件）" in first.content.decode()
    second = client.get("/hubs/?page=2")
    assert len(second.context["hubs"]) == 12
    found = client.get("/hubs/?q=甲")
    assert [hub.name for hub in found.context["hubs"]] == ["甲拠点"]
    client.force_login(world.users[Role.HEALTH_CENTER])
    assert [h.name for h in client.get("/hubs/?q=拠点").context["hubs"]] == ["甲拠点"]
