"""A staff member turns on two-factor in a real Chromium, logs out, and logs in again with
password and a code from the key shown on the page (docs/adr/0010)."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_enables_two_factor_and_logs_in_with_a_code(page, live_server, world):
    log_in(page, live_server, "staff")
    page.get_by_role("banner").get_by_role("link", name="二要素認証の設定").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("二要素認証の設定")
    expect(page.get_by_role("img", name=re.compile("二次元コード"))).to_be_visible()
    secret = page.locator("#two-factor-secret").get_attribute("data-secret")
    key = b32decode(secret)
    page.get_by_label("確認コード（6桁）").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="確認して有効にする").click()
    expect(page.locator(".messages")).to_contain_text("二要素認証を有効にしました")
    assert TOTPDevice.objects.get(user__username="staff").confirmed

    with page.expect_navigation():  # logged out before log_in opens /login/
        page.get_by_role("button", name="ログアウト").click()
    log_in(page, live_server, "staff")
    expect(page).to_have_url(re.compile(r"/login/two-factor/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("確認コードの入力")
    field = page.get_by_label("確認コード（6桁）")
    expect(field).to_have_attribute("autocomplete", "one-time-code")
    expect(field).to_have_attribute("inputmode", "numeric")
    field.fill(f"{totp(key, drift=1):06d}")  # the next window: the first code was used
    page.get_by_role("button", name="確認").click()
    expect(page).to_have_url(re.compile(r"/subsidies/review/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("審査・状況")


def test_staff_logs_in_with_a_recovery_code_when_the_phone_is_lost(page, live_server, world):
    log_in(page, live_server, "staff")
    page.get_by_role("banner").get_by_role("link", name="二要素認証の設定").click()
    secret = page.locator("#two-factor-secret").get_attribute("data-secret")
    page.get_by_label("確認コード（6桁）").fill(f"{totp(b32decode(secret)):06d}")
    page.get_by_role("button", name="確認して有効にする").click()
    codes = page.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    first = codes.first.inner_text().strip()
    with page.expect_navigation():  # logged out before log_in opens /login/
        page.get_by_role("button", name="ログアウト").click()
    log_in(page, live_server, "staff")
    expect(page.get_by_role("heading", level=1)).to_have_text("確認コードの入力")
    page.get_by_text("認証アプリを使えない場合（回復コードでログイン）").click()
    page.get_by_label("回復コード（8文字）").fill(first.upper())
    page.get_by_role("button", name="回復コードでログイン").click()
    expect(page).to_have_url(re.compile(r"/subsidies/review/$"))
    expect(page.locator(".messages")).to_contain_text("回復コードでログインしました（残り9個）")


def test_an_administrator_sets_up_two_factor_at_first_login(page, live_server, world):
    """Required for administrators (issue 12): after the password, the setup page and nothing
    else until a first code is confirmed."""
    log_in(page, live_server, "admin")
    expect(page).to_have_url(re.compile(r"/two-factor/$"))
    expect(page.get_by_role("status")).to_contain_text("二要素認証の設定が必要です")
    expect(page.get_by_role("navigation", name="メインメニュー")).to_have_count(0)
    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_url(re.compile(r"/two-factor/$"))
    secret = page.locator("#two-factor-secret").get_attribute("data-secret")
    page.get_by_label("確認コード（6桁）").fill(f"{totp(b32decode(secret)):06d}")
    page.get_by_role("button", name="確認して有効にする").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("マスタデータの管理")
