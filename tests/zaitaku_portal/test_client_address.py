"""The client's real address behind our proxies (zaitaku_portal/client_address.py, issue 16):
X-Forwarded-For is believed only from PORTAL_TRUSTED_PROXIES, read from the right; django-axes
locks the pair (user name, real address), and the audit log and the login records write the
real address."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings

from tests.factories import PASSWORD
from zaitaku_portal.client_address import client_ip, parse_address, parse_networks
from zaitaku_portal.models import AuditEntry

PROXY = "10.0.0.5"  # nginx
PROXIES = ["10.0.0.0/24"]


def request_from(remote: str, forwarded: str | None = None, proto: str | None = None):
    headers = {}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    if proto is not None:
        headers["HTTP_X_FORWARDED_PROTO"] = proto
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


@override_settings(PORTAL_TRUSTED_PROXIES=[])
def test_without_trusted_proxies_the_header_is_never_believed():
    assert client_ip(request_from("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


@override_settings(PORTAL_TRUSTED_PROXIES=PROXIES)
def test_a_spoofed_header_from_an_untrusted_client_is_ignored():
    # The client talks to gunicorn directly (not through nginx) and claims another address.
    assert client_ip(request_from("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


@override_settings(PORTAL_TRUSTED_PROXIES=PROXIES)
def test_through_a_trusted_proxy_the_client_address_is_used():
    assert client_ip(request_from(PROXY, "203.0.113.9")) == "203.0.113.9"


@override_settings(PORTAL_TRUSTED_PROXIES=PROXIES)
def test_what_the_client_wrote_left_of_the_proxy_entry_is_ignored():
    # The client sent "X-Forwarded-For: 1.2.3.4"; nginx appended the real address on the right.
    assert client_ip(request_from(PROXY, "1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    # Garbage written by the client stays on the left and changes nothing.
    assert client_ip(request_from(PROXY, "<script>, 203.0.113.9")) == "203.0.113.9"


@override_settings(PORTAL_TRUSTED_PROXIES=[*PROXIES, "192.0.2.0/28"])
def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
    # client → load balancer 192.0.2.3 → nginx 10.0.0.5 → gunicorn
    assert client_ip(request_from(PROXY, "1.2.3.4, 203.0.113.9, 192.0.2.3")) == "203.0.113.9"


@override_settings(PORTAL_TRUSTED_PROXIES=PROXIES)
def test_garbage_appended_by_no_proxy_stops_at_the_last_trusted_hop():
    assert client_ip(request_from(PROXY, "not-an-address")) == PROXY
    assert client_ip(request_from(PROXY, "")) == PROXY


def test_addresses_as_proxies_write_them():
    assert str(parse_address("203.0.113.9:51000")) == "203.0.113.9"
    assert str(parse_address("[2001:db8::1]:443")) == "2001:db8::1"
    assert str(parse_address("2001:db8::1")) == "2001:db8::1"
    assert str(parse_address("::ffff:203.0.113.9")) == "203.0.113.9"
    assert parse_address("unknown") is None


def test_a_wrong_trusted_proxy_entry_stops_the_start_naming_it():
    with pytest.raises(ImproperlyConfigured, match=re.escape("10.0.0.0/33")):
        parse_networks(["10.0.0.0/24", "10.0.0.0/33"])


# --- through the middleware, axes and the audit log ---------------------------------------


def post_login(client, username, password, remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/login/", {"username": username, "password": password}, **headers)


@override_settings(PORTAL_TRUSTED_PROXIES=PROXIES)
def test_the_login_record_has_the_real_address_through_the_proxy(client, world):
    assert post_login(client, "staff", PASSWORD, PROXY, "203.0.113.9").status_code == 302
    assert AuditEntry.objects.get(action="ログイン").changes == {"接続元": "203.0.113.9"}


@override_settings(PORTAL_TRUSTED_PROXIES=PROXIES)
def test_a_spoofed_login_record_keeps_the_address_the_server_saw(client, world):
    post_login(client, "staff", "wrong", "198.51.100.7", "203.0.113.9")
    assert AuditEntry.objects.get(action="ログイン失敗").changes == {"接続元": "198.51.100.7"}


@override_settings(PORTAL_TRUSTED_PROXIES=PROXIES)
def test_lockout_is_per_user_name_and_real_address(client, world):
    attacker, colleague = "203.0.113.66", "203.0.113.9"
    for _ in range(4):
        assert post_login(client, "staff", "wrong", PROXY, attacker).status_code == 200
    assert post_login(client, "staff", "wrong", PROXY, attacker).status_code == 429
    assert post_login(client, "staff", PASSWORD, PROXY, attacker).status_code == 429
    # The same proxy, another client: the real user still signs in (a lock per user name
    # alone, as when every request had nginx's address, would have locked them out too).
    assert post_login(client, "staff", PASSWORD, PROXY, colleague).status_code == 302


@override_settings(PORTAL_TRUSTED_PROXIES=PROXIES)
def test_an_attacker_cannot_escape_the_lock_by_inventing_addresses(client, world):
    # Straight to gunicorn, a new X-Forwarded-For each time: all count for its own address.
    for number in range(5):
        post_login(client, "staff", "wrong", "198.51.100.7", f"203.0.113.{number}")
    locked = post_login(client, "staff", PASSWORD, "198.51.100.7", "203.0.113.200")
    assert locked.status_code == 429


@override_settings(PORTAL_TRUSTED_PROXIES=PROXIES)
def test_a_download_is_audited_with_the_real_address(client, world):
    client.get("/hospitals/public.csv", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    entry = AuditEntry.objects.get(action="ダウンロード")
    assert entry.changes["接続元"] == "203.0.113.9"


@override_settings(PORTAL_TRUSTED_PROXIES=PROXIES)
def test_the_https_header_is_believed_only_from_a_trusted_proxy(client, world, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    # From nginx with X-Forwarded-Proto: https, the request is HTTPS: no redirect.
    through_proxy = client.get("/login/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")
    assert through_proxy.status_code == 200
    # Straight to gunicorn, the same header is dropped: redirected to https.
    direct = client.get("/login/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_PROTO="https")
    assert direct.status_code == 301
    assert direct["Location"].startswith("https://")
