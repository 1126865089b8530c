"""Issue 12, point 11: every role changes its own password (Django's PasswordChangeView with
Japanese pages), from the link beside the user's name; the change is audited with the address
and keeps the session; wrong input names its field in Japanese and changes nothing."""

import re

import pytest

from tests.factories import PASSWORD
from tests.url_cases import ROLES
from zaitaku_portal.models import AuditEntry, Role

pytestmark = pytest.mark.django_db

CHANGE = "/account/password/"
DONE = "/account/password/done/"
NEW = "umi-no-oto-2026"


def form(old=PASSWORD, new1=NEW, new2=NEW) -> dict:
    return {"old_password": old, "new_password1": new1, "new_password2": new2}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"], ids=str)
def test_each_role_changes_its_own_password(client, world, role):
    user = world.users[role]
    client.force_login(user)
    home = client.get("/", follow=True).content.decode()
    assert f'href="{CHANGE}"' in home and "パスワードの変更" in home
    page = client.get(CHANGE)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>パスワードの変更</h1>" in html
    assert 'autocomplete="current-password"' in html and 'autocomplete="new-password"' in html
    response = client.post(CHANGE, form())
    assert response.status_code == 302 and response.url == DONE
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert client.get(DONE).status_code == 200  # the session survives its own change
    assert "パスワードを変更しました" in client.get(DONE).content.decode()
    entry = AuditEntry.objects.get(action="パスワードの変更")
    assert entry.actor == user and entry.target_id == str(user.pk)
    assert entry.changes == {
        "パスワード": {"from": "設定済み", "to": "変更"},
        "接続元": "127.0.0.1",
    }
    assert NEW not in str(entry.changes)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (form(old="wrong-password"), "old_password", "元のパスワードが間違っています"),
        (form(new2="umi-no-oto-2027"), "new_password2", "確認用パスワードが一致しません"),
        (form(new1="short", new2="short"), "new_password2", "短すぎます"),
        (form(new1="password123", new2="password123"), "new_password2", "一般的すぎます"),
    ],
    ids=["old", "mismatch", "short", "common"],
)
def test_bad_input_names_the_field_and_changes_nothing(client, world, data, field, message):
    user = world.users[Role.HUB_COORDINATOR]
    client.force_login(user)
    response = client.post(CHANGE, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    # the message sits under its field and the field points at it
    errors = re.search(rf'<div class="errorlist" id="id_{field}_error">(.*?)</div>', html)
    assert errors is not None and message in errors.group(1)
    field_input = re.search(rf'<input[^>]*id="id_{field}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field_input and f"id_{field}_error" in field_input
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action="パスワードの変更").exists()


def test_anonymous_users_are_sent_to_login(client, db):
    assert client.get(CHANGE).url.startswith("/login/")
    assert client.post(CHANGE, form()).url.startswith("/login/")


def test_the_admins_own_password_page_is_the_portals(client, world):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    response = client.get("/admin/password_change/")
    assert response.status_code == 302 and response.url == CHANGE
