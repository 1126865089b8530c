"""Issue 12, point 2: prefecture staff cannot become administrator through /admin/.

Only administrators manage users, roles and two-factor devices; nobody changes their own role
or activation; a password reset, a device removal and the grant of the administrator role
need the acting administrator's own second factor in the same form; every change of role,
activation, password and device is in the audit log with old and new values and the address.
Every request goes through the real admin views, logged in with a password and a real code."""

import pytest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD
from tests.zaitaku_portal.test_two_factor import VERIFY, code, log_in, wrong
from zaitaku_portal.models import AuditEntry, Role, User
from zaitaku_portal.two_factor import CODE_FAILURE, REAUTH_MISSING, REAUTH_NO_DEVICE, REAUTH_WRONG

pytestmark = pytest.mark.django_db

USERS = "/admin/zaitaku_portal/user/"
NEW_PASSWORD = "kumo-no-ue-2026"


@pytest.fixture
def admin_user(world):
    return world.users[Role.ADMINISTRATOR]


@pytest.fixture
def staff(world):
    return world.users[Role.PREFECTURE_STAFF]


@pytest.fixture
def admin_device(admin_user):
    return TOTPDevice.objects.create(user=admin_user, name="認証アプリ", confirmed=True)


@pytest.fixture
def admin_client(client, admin_user, admin_device):
    """An administrator logged in with the password and the code of step 0."""
    log_in(client, "admin")
    assert client.post(VERIFY, {"otp_token": code(admin_device)}).status_code == 302
    return client


def change_form(user: User, **overrides) -> dict:
    """What the admin's change form posts for `user`, with `overrides` applied."""
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "role": user.role,
        "health_center": user.health_center_id or "",
        "is_active": "on" if user.is_active else "",
        **overrides,
    }
    return {key: value for key, value in data.items() if value is not None}


def new_account(**overrides) -> dict:
    return {
        "username": "eve",
        "full_name": "新規 利用者",
        "role": Role.ADMINISTRATOR,
        "health_center": "",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }


def password_form(**overrides) -> dict:
    return {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD} | (
        overrides
    )


def recovery_codes(user: User, count: int = 3) -> list[str]:
    device = StaticDevice.objects.create(user=user, name="回復コード", confirmed=True)
    tokens = [StaticToken.random_token() for _ in range(count)]
    for token in tokens:
        StaticToken.objects.create(device=device, token=token)
    return tokens


# --- prefecture staff ------------------------------------------------------------------


def test_staff_cannot_make_themselves_administrator(client, staff):
    log_in(client)
    response = client.post(f"{USERS}{staff.pk}/change/", change_form(staff, role="administrator"))
    assert response.status_code == 403
    staff.refresh_from_db()
    assert staff.role == Role.PREFECTURE_STAFF
    assert not staff.is_superuser


def test_staff_cannot_create_an_administrator(client, staff):
    log_in(client)
    response = client.post(f"{USERS}add/", new_account())
    assert response.status_code == 403
    assert not User.objects.filter(username="eve").exists()


def test_staff_cannot_set_anyones_password(client, staff, admin_user):
    log_in(client)
    for target in (admin_user, staff):
        response = client.post(f"{USERS}{target.pk}/password/", password_form())
        assert response.status_code == 403
        target.refresh_from_db()
        assert target.check_password(PASSWORD)


def test_staff_cannot_see_or_remove_devices(client, staff, admin_device):
    log_in(client)
    for url in (
        USERS,
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{admin_device.pk}/change/",
    ):
        assert client.get(url).status_code == 403, url
    removed = client.post(f"/admin/otp_totp/totpdevice/{admin_device.pk}/delete/", {"post": "yes"})
    assert removed.status_code == 403
    assert TOTPDevice.objects.filter(pk=admin_device.pk).exists()
    index = client.get("/admin/").content.decode()
    assert USERS not in index
    assert "/admin/otp_totp/" not in index


# --- nobody changes their own role -----------------------------------------------------


def test_an_administrator_cannot_change_their_own_role_or_activation(admin_client, admin_user):
    page = admin_client.get(f"{USERS}{admin_user.pk}/change/").content.decode()
    assert 'name="role"' not in page and 'name="is_active"' not in page
    response = admin_client.post(
        f"{USERS}{admin_user.pk}/change/",
        change_form(admin_user, role="prefecture_staff", is_active=None),
    )
    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMINISTRATOR and admin_user.is_active
    assert not AuditEntry.objects.filter(action="利用者の変更").exists()


# --- what an administrator may do, and what it leaves in the audit log ------------------


def test_an_administrator_changes_role_and_activation_and_both_are_audited(
    admin_client, admin_user, world
):
    health = world.users[Role.HEALTH_CENTER]
    coordinator = world.users[Role.HUB_COORDINATOR]
    response = admin_client.post(
        f"{USERS}{health.pk}/change/",
        change_form(health, role="prefecture_staff", health_center=""),
    )
    assert response.status_code == 302
    admin_client.post(f"{USERS}{coordinator.pk}/change/", change_form(coordinator, is_active=None))
    health.refresh_from_db()
    coordinator.refresh_from_db()
    assert health.role == Role.PREFECTURE_STAFF and health.is_staff
    assert not coordinator.is_active
    role_change = AuditEntry.objects.get(action="利用者の変更", target_id=str(health.pk))
    assert role_change.actor == admin_user
    assert role_change.changes["役割"] == {"from": "保健所職員", "to": "県職員"}
    assert role_change.changes["所属保健所"] == {"from": "甲保健所", "to": None}
    assert role_change.changes["接続元"] == "127.0.0.1"
    deactivated = AuditEntry.objects.get(action="利用者の変更", target_id=str(coordinator.pk))
    assert deactivated.changes == {"有効": {"from": True, "to": False}, "接続元": "127.0.0.1"}


def test_granting_the_administrator_role_needs_the_administrators_code(
    admin_client, admin_device, staff
):
    url = f"{USERS}{staff.pk}/change/"
    refused = admin_client.post(url, change_form(staff, role="administrator"))
    assert refused.status_code == 200
    assert REAUTH_MISSING in refused.content.decode()
    staff.refresh_from_db()
    assert staff.role == Role.PREFECTURE_STAFF and not staff.is_superuser
    response = admin_client.post(
        url, change_form(staff, role="administrator", reauth_code=code(admin_device, 1))
    )
    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.role == Role.ADMINISTRATOR and staff.is_superuser
    entry = AuditEntry.objects.get(action="利用者の変更", target_id=str(staff.pk))
    assert entry.changes["役割"] == {"from": "県職員", "to": "システム管理者"}


def test_creating_an_account_needs_the_code_and_is_audited(admin_client, admin_user):
    refused = admin_client.post(f"{USERS}add/", new_account())
    assert refused.status_code == 200
    assert REAUTH_MISSING in refused.content.decode()
    assert not User.objects.filter(username="eve").exists()
    [recovery] = recovery_codes(admin_user, 1)
    response = admin_client.post(f"{USERS}add/", new_account(reauth_code=recovery))
    assert response.status_code == 302
    eve = User.objects.get(username="eve")
    assert eve.role == Role.ADMINISTRATOR and eve.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get(action="利用者の作成")
    assert entry.actor == admin_user and entry.target_id == str(eve.pk)
    assert entry.changes["役割"] == {"from": None, "to": "システム管理者"}
    assert entry.changes["パスワード"] == {"from": None, "to": "設定"}
    assert entry.changes["接続元"] == "127.0.0.1"
    assert NEW_PASSWORD not in str(entry.changes)


def test_a_password_reset_needs_the_administrators_code(admin_client, admin_device, staff):
    url = f"{USERS}{staff.pk}/password/"
    page = admin_client.get(url).content.decode()
    assert 'name="reauth_code"' in page and 'autocomplete="one-time-code"' in page
    attempts = (
        (password_form(), REAUTH_MISSING, 0),
        (password_form(reauth_code=wrong(admin_device, 1)), REAUTH_WRONG, 1),
    )
    for data, message, failures in attempts:
        refused = admin_client.post(url, data)
        assert refused.status_code == 200
        assert message in refused.content.decode()
        staff.refresh_from_db()
        assert staff.check_password(PASSWORD)
        assert AuditEntry.objects.filter(action=CODE_FAILURE).count() == failures
    done = admin_client.post(url, password_form(reauth_code=code(admin_device, 1)))
    assert done.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get(action="パスワードの再設定")
    assert entry.actor.username == "admin" and entry.target_id == str(staff.pk)
    assert entry.changes == {
        "パスワード": {"from": "設定済み", "to": "再設定"},
        "接続元": "127.0.0.1",
    }
    # the administrator's own password goes through the same check
    own = admin_client.post(f"{USERS}{admin_device.user_id}/password/", password_form())
    assert own.status_code == 200 and REAUTH_MISSING in own.content.decode()


def test_an_administrator_without_two_factor_cannot_confirm_anything(client, admin_user, staff):
    """A session begun before two-factor was required (force_login stands for it here)."""
    client.force_login(admin_user)
    refused = client.post(f"{USERS}{staff.pk}/password/", password_form(reauth_code="123456"))
    assert refused.status_code == 200 and REAUTH_NO_DEVICE in refused.content.decode()
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_guessing_the_code_in_the_admin_locks_like_the_login(admin_client, admin_device, staff):
    url = f"{USERS}{staff.pk}/password/"
    for _ in range(4):
        refused = admin_client.post(url, password_form(reauth_code=wrong(admin_device, 1)))
        assert refused.status_code == 200
    locked = admin_client.post(url, password_form(reauth_code=wrong(admin_device, 1)))
    assert locked.status_code == 429
    assert "_auth_user_id" not in admin_client.session
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_removing_a_device_needs_the_administrators_code_and_is_audited(
    admin_client, admin_user, admin_device, staff
):
    device = TOTPDevice.objects.create(user=staff, name="認証アプリ", confirmed=True)
    url = f"/admin/otp_totp/totpdevice/{device.pk}/delete/"
    page = admin_client.get(url).content.decode()
    assert 'name="reauth_code"' in page
    refused = admin_client.post(url, {"post": "yes"})
    assert refused.status_code == 200
    assert REAUTH_MISSING in refused.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    done = admin_client.post(url, {"post": "yes", "reauth_code": code(admin_device, 1)})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    entry = AuditEntry.objects.get(action="二要素認証の登録削除")
    assert entry.actor == admin_user
    assert entry.target_type == "zaitaku_portal.User" and entry.target_id == str(staff.pk)
    assert entry.changes == {
        "認証アプリ": {"from": "認証アプリ", "to": None},
        "接続元": "127.0.0.1",
    }


def test_recovery_codes_are_removed_the_same_way(admin_client, admin_user, staff):
    [first, _unused] = recovery_codes(admin_user, 2)
    staff_codes = StaticDevice.objects.create(user=staff, name="回復コード", confirmed=True)
    url = f"/admin/otp_static/staticdevice/{staff_codes.pk}/delete/"
    refused = admin_client.post(url, {"post": "yes", "reauth_code": "zzzz-zzzz"})
    assert refused.status_code == 200 and REAUTH_WRONG in refused.content.decode()
    assert StaticDevice.objects.filter(pk=staff_codes.pk).exists()
    done = admin_client.post(url, {"post": "yes", "reauth_code": first.upper()})
    assert done.status_code == 302
    assert not StaticDevice.objects.filter(pk=staff_codes.pk).exists()
    assert AuditEntry.objects.get(action="二要素認証の登録削除").changes["回復コード"] == {
        "from": "回復コード",
        "to": None,
    }


def test_devices_are_neither_added_nor_edited_nor_deleted_in_bulk(admin_client, staff):
    device = TOTPDevice.objects.create(user=staff, name="認証アプリ", confirmed=True)
    assert admin_client.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    listing = admin_client.get("/admin/otp_totp/totpdevice/").content.decode()
    assert "delete_selected" not in listing
    admin_client.post(
        "/admin/otp_totp/totpdevice/",
        {"action": "delete_selected", "_selected_action": [device.pk], "post": "yes"},
    )
    changed = admin_client.post(
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
        {"user": staff.pk, "name": "x", "confirmed": "", "key": "00" * 20},
    )
    assert changed.status_code == 403
    device.refresh_from_db()
    assert device.name == "認証アプリ" and device.confirmed
