"""Recovery codes (docs/adr/0010): ten one-time codes shown once when two-factor is turned
on, each good for one login instead of the app's code, made anew with a current code."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from tests.zaitaku_portal.test_two_factor import REVIEW, SETUP, VERIFY, code, log_in, wrong
from zaitaku_portal.models import AuditEntry, Role
from zaitaku_portal.two_factor import CODE_FAILURE, RECOVERY_USED

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(world):
    return world.users[Role.PREFECTURE_STAFF]


def enable(client, staff) -> tuple[bytes, list[str]]:
    """Turn two-factor on through the page; returns the key and the codes shown."""
    from base64 import b32decode

    client.force_login(staff)
    key = b32decode(client.get(SETUP).context["secret"])
    response = client.post(SETUP, {"otp_token": code(key)}, follow=True)
    html = response.content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", html)
    return key, codes


def test_turning_two_factor_on_shows_ten_codes_once(client, staff):
    _key, codes = enable(client, staff)
    assert len(codes) == len(set(codes)) == 10
    assert StaticToken.objects.filter(device__user=staff).count() == 10
    again = client.get(SETUP).content.decode()
    assert codes[0] not in again  # shown once: not on the next visit
    assert "未使用の回復コード: <strong>10個</strong>" in again


def test_a_recovery_code_logs_in_once_however_it_is_typed(client, staff):
    _key, codes = enable(client, staff)
    client.post("/logout/")
    log_in(client)
    page = client.get(VERIFY).content.decode()
    assert "回復コードでログイン" in page
    typed = "　" + codes[0].upper().replace("A", "Ａ") + " "  # full-width, capitals, spaces
    response = client.post(VERIFY, {"recovery_code": typed, "next": REVIEW}, follow=True)
    assert response.redirect_chain[-1][0] == REVIEW
    assert "回復コードでログインしました（残り9個）" in response.content.decode()
    entry = AuditEntry.objects.get(action=RECOVERY_USED)
    assert entry.actor == staff and entry.changes["残り"] == 9
    client.post("/logout/")
    log_in(client)
    reused = client.post(VERIFY, {"recovery_code": codes[0]})
    assert "既に使われています" in reused.content.decode()
    assert client.get(REVIEW).url.startswith(VERIFY)
    assert client.post(VERIFY, {"recovery_code": codes[1]}).status_code == 302
    assert StaticToken.objects.filter(device__user=staff).count() == 8


def test_malformed_and_wrong_recovery_codes_count_towards_the_lock(client, staff):
    _key, codes = enable(client, staff)
    client.post("/logout/")
    log_in(client)
    malformed = client.post(VERIFY, {"recovery_code": "12"}).content.decode()
    assert "8文字" in malformed and 'aria-invalid="true"' in malformed
    for _ in range(4):
        assert client.post(VERIFY, {"recovery_code": "abcd-efgh"}).status_code == 200
    locked = client.post(VERIFY, {"recovery_code": "abcd-efgh"})
    assert locked.status_code == 429
    assert AuditEntry.objects.filter(action=CODE_FAILURE).count() == 5
    log_in(client)
    assert client.post(VERIFY, {"recovery_code": codes[0]}).status_code == 429  # even a good one
    AuditEntry.objects.filter(action=CODE_FAILURE).update(at=timezone.now() - timedelta(minutes=16))
    log_in(client)
    assert client.post(VERIFY, {"recovery_code": codes[0]}).status_code == 302


def test_new_codes_need_a_current_code_and_retire_the_old_ones(client, staff):
    key, old = enable(client, staff)
    refused = client.post("/two-factor/recovery-codes/", {"otp_token": wrong(key, 1)})
    assert "確認コードが正しくありません" in refused.content.decode()
    assert StaticToken.objects.filter(device__user=staff, token=old[0].replace("-", "")).exists()
    response = client.post("/two-factor/recovery-codes/", {"otp_token": code(key, 1)}, follow=True)
    new = re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/logout/")
    log_in(client)
    assert "既に使われています" in client.post(VERIFY, {"recovery_code": old[0]}).content.decode()
    assert client.post(VERIFY, {"recovery_code": new[0]}).status_code == 302


def test_turning_two_factor_off_removes_the_codes(client, staff):
    key, _codes = enable(client, staff)
    client.post("/two-factor/disable/", {"otp_token": code(key, 1)})
    assert not StaticDevice.objects.filter(user=staff).exists()
    assert not StaticToken.objects.exists()


def test_the_admin_does_not_show_the_codes(client, world, staff):
    _key, codes = enable(client, staff)
    client.force_login(world.users[Role.ADMINISTRATOR])
    device = StaticDevice.objects.get(user=staff)
    for url in (
        "/admin/otp_static/staticdevice/",
        f"/admin/otp_static/staticdevice/{device.pk}/change/",
    ):
        html = client.get(url).content.decode()
        assert not any(c.replace("-", "") in html for c in codes), url
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=staff).delete()  # so the code page does not come first
    client.force_login(staff)
    assert client.get("/admin/otp_static/staticdevice/").status_code == 403


def test_after_the_administrator_removes_a_lost_device_the_password_works_again(client, staff):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _key, _codes = enable(client, staff)
    TOTPDevice.objects.filter(user=staff).delete()  # what the administrator does in the admin
    client.post("/logout/")
    log_in(client)
    assert client.get(REVIEW).status_code == 200  # the remaining codes ask for nothing
