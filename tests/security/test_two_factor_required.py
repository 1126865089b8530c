"""Issue 12, point 7: two-factor is required for administrators (and, with a setting, for all
prefecture staff). After the password, a user who must have it and has none is on the setup
page and nowhere else until it is done; wrong codes on the disable and regenerate pages count
towards the same five-in-15-minutes lock as at login."""

from base64 import b32decode

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.zaitaku_portal.test_two_factor import REVIEW, SETUP, VERIFY, code, log_in, wrong
from zaitaku_portal.models import AuditEntry, Role
from zaitaku_portal.two_factor import CODE_FAILURE

pytestmark = pytest.mark.django_db

PAGES = (REVIEW, "/", "/hubs/", "/admin/", "/admin/zaitaku_portal/user/", "/account/password/")


@pytest.fixture
def admin_user(world):
    return world.users[Role.ADMINISTRATOR]


@pytest.fixture
def staff(world):
    return world.users[Role.PREFECTURE_STAFF]


def enrol(client) -> bytes:
    """Confirm the secret the setup page shows; returns the key."""
    key = b32decode(client.get(SETUP).context["secret"])
    response = client.post(SETUP, {"otp_token": code(key)})
    assert response.status_code == 302, response.content.decode()[:500]
    return key


def test_who_must_use_two_factor(world, settings):
    from zaitaku_portal.access import requires_two_factor

    settings.PORTAL_REQUIRE_TWO_FACTOR_FOR_ALL_STAFF = False
    users = world.users
    assert requires_two_factor(users[Role.ADMINISTRATOR])
    assert not requires_two_factor(users[Role.PREFECTURE_STAFF])
    assert not requires_two_factor(users[Role.HUB_COORDINATOR])
    assert not requires_two_factor(users[Role.HEALTH_CENTER])
    settings.PORTAL_REQUIRE_TWO_FACTOR_FOR_ALL_STAFF = True
    assert requires_two_factor(users[Role.PREFECTURE_STAFF])
    assert not requires_two_factor(users[Role.HUB_COORDINATOR])
    assert not requires_two_factor(users[Role.HEALTH_CENTER])


def test_an_administrator_without_a_device_is_sent_to_the_setup_page_after_the_password(
    client, admin_user
):
    response = log_in(client, "admin")
    assert response.status_code == 302
    for url in PAGES:
        blocked = client.get(url)
        assert blocked.status_code == 302, url
        assert blocked.url.startswith(SETUP), (url, blocked.url)
    page = client.get(SETUP)
    html = page.content.decode()
    assert page.status_code == 200
    assert "二要素認証の設定が必要です" in html
    assert page.context["navigation"] == []  # no menu before it is done
    # a POST elsewhere changes nothing either
    posted = client.post("/admin/zaitaku_portal/user/add/", {"username": "x", "role": "x"})
    assert posted.status_code == 302 and posted.url.startswith(SETUP)
    key = enrol(client)
    assert TOTPDevice.objects.get(user=admin_user).bin_key == key
    assert client.get(REVIEW).status_code == 200
    assert client.get("/admin/").status_code == 200
    # next login: the code page, as for any user with a device
    client.post("/logout/")
    log_in(client, "admin")
    assert client.get(REVIEW).url.startswith(VERIFY)
    assert client.post(VERIFY, {"otp_token": code(key, 1)}).status_code == 302
    assert client.get(REVIEW).status_code == 200


def test_the_admin_login_form_also_leads_to_the_setup_page(client, admin_user):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": "test-pass-12345"}
    )
    assert response.status_code == 302
    assert client.get("/admin/").url.startswith(SETUP)


def test_staff_are_sent_to_setup_only_when_the_setting_requires_it(client, staff, settings):
    settings.PORTAL_REQUIRE_TWO_FACTOR_FOR_ALL_STAFF = False
    log_in(client)
    assert client.get(REVIEW).status_code == 200
    client.post("/logout/")
    settings.PORTAL_REQUIRE_TWO_FACTOR_FOR_ALL_STAFF = True
    log_in(client)
    assert client.get(REVIEW).url.startswith(SETUP)
    enrol(client)
    assert client.get(REVIEW).status_code == 200


def test_coordinators_and_health_centers_never_need_it(client, world, settings):
    settings.PORTAL_REQUIRE_TWO_FACTOR_FOR_ALL_STAFF = True
    for username in ("coordinator", "healthcenter"):
        log_in(client, username)
        home = client.get("/", follow=True)
        assert home.status_code == 200
        assert all(SETUP not in url for url, _ in home.redirect_chain)
        client.post("/logout/")


def test_a_required_user_who_turns_it_off_must_set_it_up_again(client, admin_user):
    log_in(client, "admin")
    key = enrol(client)
    done = client.post("/two-factor/disable/", {"otp_token": code(key, 1)})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=admin_user).exists()
    assert client.get(REVIEW).url.startswith(SETUP)


def _verified_staff(client, staff) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=staff, name="認証アプリ", confirmed=True)
    log_in(client)
    assert client.post(VERIFY, {"otp_token": code(device)}).status_code == 302
    return device


@pytest.mark.parametrize("url", ["/two-factor/disable/", "/two-factor/recovery-codes/"])
def test_guessing_on_the_disable_and_regenerate_pages_locks(client, staff, url):
    device = _verified_staff(client, staff)
    for _ in range(4):
        refused = client.post(url, {"otp_token": wrong(device, 1)})
        assert refused.status_code == 200
        assert "確認コードが正しくありません" in refused.content.decode()
    locked = client.post(url, {"otp_token": wrong(device, 1)})
    assert locked.status_code == 429
    assert "確認コードを続けて間違えたため" in locked.content.decode()
    assert "_auth_user_id" not in client.session  # logged out
    failures = AuditEntry.objects.filter(action=CODE_FAILURE, actor=staff)
    assert failures.count() == 5
    assert failures.first().changes["接続元"] == "127.0.0.1"
    # the password and even the right code do not reopen it for 15 minutes
    log_in(client)
    assert client.post(VERIFY, {"otp_token": code(device, 1)}).status_code == 429
    assert TOTPDevice.objects.filter(user=staff).exists()


def test_wrong_codes_on_the_two_pages_add_up(client, staff):
    device = _verified_staff(client, staff)
    for _ in range(4):
        client.post("/two-factor/recovery-codes/", {"otp_token": wrong(device, 1)})
    # the fifth wrong guess on the other page completes the lock
    assert client.post("/two-factor/disable/", {"otp_token": wrong(device, 1)}).status_code == 429
    assert TOTPDevice.objects.filter(user=staff).exists()
