"""Optional TOTP two-factor for prefecture staff (docs/adr/0010), with real codes computed
from the device's key: enabling, the second login step, wrong codes, the lock, disabling."""

from base64 import b32decode
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD
from zaitaku_portal.models import AuditEntry, Role
from zaitaku_portal.two_factor import CODE_FAILURE, PENDING_KEY_SESSION

SETUP = "/two-factor/"
VERIFY = "/login/two-factor/"
REVIEW = "/subsidies/review/"


def code(device_or_key, step: int = 0) -> str:
    """The authenticator app's code; `step` 1 is the next 30-second window (still accepted),
    so a test can log in twice without reusing a code the device has already seen."""
    key = device_or_key.bin_key if isinstance(device_or_key, TOTPDevice) else device_or_key
    return f"{totp(key, drift=step):06d}"


def wrong(device, step: int = 0) -> str:
    return f"{(int(code(device, step)) + 1) % 1_000_000:06d}"


@pytest.fixture
def staff(world):
    return world.users[Role.PREFECTURE_STAFF]


@pytest.fixture
def device(staff):
    return TOTPDevice.objects.create(user=staff, name="認証アプリ", confirmed=True)


def log_in(client, username="staff", password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def test_staff_enables_two_factor_with_a_real_code(client, staff):
    client.force_login(staff)
    page = client.get(SETUP)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html
    assert "otpauth://totp/" in html
    assert 'src="data:image/svg+xml' in html
    secret = page.context["secret"]
    key = b32decode(secret)

    refused = client.post(SETUP, {"otp_token": wrong(key)})
    assert "確認コードが正しくありません" in refused.content.decode()
    assert not TOTPDevice.objects.filter(user=staff).exists()

    response = client.post(SETUP, {"otp_token": code(key)})
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed and device.bin_key == key
    assert PENDING_KEY_SESSION not in client.session
    # the session that proved the code stays usable
    assert client.get(REVIEW).status_code == 200
    assert "二要素認証を解除する" in client.get(SETUP).content.decode()
    entry = AuditEntry.objects.get(action="二要素認証の設定")
    assert entry.actor == staff
    # the same code cannot be replayed at the next login
    client.post("/logout/")
    log_in(client)
    replayed = client.post(VERIFY, {"otp_token": code(key)})
    assert "確認コードが正しくありません" in replayed.content.decode()


def test_login_requires_a_current_code_before_any_page_or_the_admin(client, staff, device):
    response = log_in(client)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    for url in (REVIEW, "/", "/hubs/", "/admin/", "/admin/subsidies/subsidymenu/", SETUP):
        blocked = client.get(url)
        assert blocked.status_code == 302, url
        assert blocked.url.startswith(VERIFY), (url, blocked.url)
    page = client.get(f"{VERIFY}?next={REVIEW}")
    assert page.status_code == 200
    assert page.context["navigation"] == []
    assert "二要素認証の設定" not in page.content.decode()  # no way around the code page
    done = client.post(VERIFY, {"otp_token": code(device), "next": REVIEW})
    assert done.status_code == 302
    assert done.url == REVIEW
    assert client.get(REVIEW).status_code == 200
    assert client.get("/admin/").status_code == 200


def test_the_admin_login_form_also_needs_the_code(client, staff, device):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "staff", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/admin/").url.startswith(VERIFY)


def test_a_wrong_code_shows_a_message_and_unlocks_nothing(client, staff, device):
    log_in(client)
    response = client.post(VERIFY, {"otp_token": wrong(device), "next": REVIEW})
    html = response.content.decode()
    assert response.status_code == 200
    assert "確認コードが正しくありません" in html
    assert 'role="alert"' in html
    assert client.get(REVIEW).url.startswith(VERIFY)
    malformed = client.post(VERIFY, {"otp_token": "12ab"})
    assert "6桁の数字で入力してください" in malformed.content.decode()
    entry = AuditEntry.objects.get(action=CODE_FAILURE)
    assert entry.actor == staff
    assert entry.changes == {"接続元": "127.0.0.1"}
    # a correct code right after a typo is accepted
    assert client.post(VERIFY, {"otp_token": code(device)}).status_code == 302
    assert client.get(REVIEW).status_code == 200


def test_five_wrong_codes_lock_the_user_for_15_minutes(client, staff, device):
    log_in(client)
    for _ in range(4):
        assert client.post(VERIFY, {"otp_token": wrong(device)}).status_code == 200
    locked = client.post(VERIFY, {"otp_token": wrong(device)})
    assert locked.status_code == 429
    assert "確認コードを続けて間違えたため" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # the password again does not reopen the code page, even with the right code
    assert log_in(client).status_code == 302
    assert client.get(VERIFY).status_code == 429
    log_in(client)
    assert client.post(VERIFY, {"otp_token": code(device)}).status_code == 429
    assert client.get(REVIEW).status_code == 302
    assert AuditEntry.objects.filter(action=CODE_FAILURE).count() == 5
    # 15 minutes later the right code works again
    AuditEntry.objects.filter(action=CODE_FAILURE).update(at=timezone.now() - timedelta(minutes=16))
    log_in(client)
    assert client.post(VERIFY, {"otp_token": code(device)}).status_code == 302
    assert client.get(REVIEW).status_code == 200


def test_staff_turns_two_factor_off_with_a_current_code(client, staff, device):
    log_in(client)
    client.post(VERIFY, {"otp_token": code(device)})
    refused = client.post("/two-factor/disable/", {"otp_token": wrong(device, 1)})
    assert "確認コードが正しくありません" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=staff).exists()
    done = client.post("/two-factor/disable/", {"otp_token": code(device, 1)})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff).exists()
    entry = AuditEntry.objects.get(action="二要素認証の解除")
    assert entry.actor == staff
    client.post("/logout/")
    log_in(client)
    assert client.get(REVIEW).status_code == 200  # password alone again


def test_staff_without_a_device_and_other_roles_log_in_as_before(client, world):
    assert log_in(client).status_code == 302
    assert client.get(REVIEW).status_code == 200
    client.post("/logout/")
    for role in (Role.HUB_COORDINATOR, Role.HEALTH_CENTER):
        user = world.users[role]
        # even a device (left from a former staff role) is ignored for non-staff roles
        TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=True)
        assert log_in(client, user.username).status_code == 302
        home = client.get("/", follow=True)
        assert home.status_code == 200
        assert VERIFY not in [url for url, _ in home.redirect_chain]
        assert client.get(SETUP).status_code == 403
        client.post("/logout/")


def test_force_login_staff_without_a_device_is_unaffected(client, world):
    for role in (Role.PREFECTURE_STAFF, Role.ADMINISTRATOR):
        client.force_login(world.users[role])
        assert client.get(REVIEW).status_code == 200
        assert client.get(VERIFY).status_code == 302


def test_only_the_administrator_may_remove_a_device_in_the_admin(client, world, device):
    admin_user = world.users[Role.ADMINISTRATOR]
    # since issue 12 the administrator confirms a removal with their own code
    own = TOTPDevice.objects.create(user=admin_user, name="認証アプリ", confirmed=True)
    log_in(client, "admin")
    client.post(VERIFY, {"otp_token": code(own)})
    listing = client.get("/admin/otp_totp/totpdevice/")
    assert listing.status_code == 200
    assert device.key not in listing.content.decode()
    unconfirmed = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert unconfirmed.status_code == 200
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    delete = client.post(
        f"/admin/otp_totp/totpdevice/{device.pk}/delete/",
        {"post": "yes", "reauth_code": code(own, 1)},
    )
    assert delete.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 403


def test_the_admin_names_the_security_apps_in_japanese(client, world):
    client.force_login(world.users[Role.ADMINISTRATOR])
    html = client.get("/admin/").content.decode()
    for name in (
        "二要素認証（認証アプリ）",
        "認証アプリの登録",
        "回復コードの組",
        "ログイン失敗の記録",
    ):
        assert name in html
    for english in ("TOTP devices", "Static devices", "Access attempts"):
        assert english not in html
    assert "マスタデータの管理" in html
