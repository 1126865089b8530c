"""A person in a real Chromium: each role logs in and lands on its page; staff edits a cap."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from subsidies.models import SubsidyMenu
from tests.conftest import log_in
from tests.factories import FiscalYearFactory, SubsidyMenuFactory
from zaitaku_portal.models import AuditEntry, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_role_logs_in_and_sees_its_own_home(page, live_server, world):
    expectations = {
        "staff": ("/subsidies/review/", "審査・状況"),
        "admin": ("/subsidies/review/", "審査・状況"),
        "coordinator": (f"/hubs/{world.hub_a.pk}/", "甲拠点"),
        "healthcenter": ("/reports/dashboard/", "進捗ダッシュボード"),
    }
    # administrators must use two-factor (issue 12): theirs is set up, the code follows
    device = TOTPDevice.objects.create(
        user=world.users[Role.ADMINISTRATOR], name="認証アプリ", confirmed=True
    )
    for username, (path, heading) in expectations.items():
        log_in(page, live_server, username)
        if username == "admin":
            page.get_by_label("確認コード（6桁）").fill(f"{totp(device.bin_key):06d}")
            page.get_by_role("button", name="確認").click()
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        page.get_by_role("button", name="ログアウト").click()
        expect(page).to_have_url(re.compile("/login/"))


def test_wrong_password_gets_a_japanese_message(page, live_server, world):
    log_in(page, live_server, "staff", "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text(
        "正しいユーザー名とパスワードを入力してください"
    )


def test_health_center_sees_only_its_areas(page, live_server, world):
    log_in(page, live_server, "healthcenter")
    main = page.locator("main")
    expect(main).to_contain_text("甲圏域")
    expect(main).to_contain_text("甲拠点")
    expect(main).not_to_contain_text("乙圏域")
    expect(main).not_to_contain_text("乙拠点")


def test_staff_edits_a_menu_cap_in_admin(page, live_server, world):
    menu = SubsidyMenuFactory(
        fiscal_year=FiscalYearFactory(year=2026), name="研修の開催", cap_amount=518_000
    )
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/admin/subsidies/subsidymenu/")
    page.get_by_role("link", name="研修の開催").click()
    page.get_by_label("上限額（円）").fill("600000")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("変更しました")
    menu.refresh_from_db()
    assert menu.cap_amount == 600_000
    assert AuditEntry.objects.filter(
        action="上限額・補助率の変更", actor__username="staff"
    ).exists()


def test_coordinator_cannot_open_admin(page, live_server, world):
    log_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/admin/subsidies/subsidymenu/")
    expect(page).to_have_url(re.compile("/admin/login/"))
    assert SubsidyMenu.objects.count() == 0
    assert world.users[Role.HUB_COORDINATOR].is_staff is False
