"""Failed logins are audited and, after five for one user name and address, locked out."""

import pytest

from tests.factories import PASSWORD
from zaitaku_portal.models import AuditEntry, Role


def post_login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_login_and_logout_are_audited_with_the_address(client, world):
    response = post_login(client, "staff", PASSWORD)
    assert response.status_code == 302
    client.post("/logout/")
    actions = list(
        AuditEntry.objects.filter(target_type="auth.login").values_list("action", "target_label")
    )
    assert actions == [("ログアウト", "staff"), ("ログイン", "staff")]
    assert AuditEntry.objects.filter(action="ログイン").get().changes == {"接続元": "127.0.0.1"}


def test_a_failed_login_is_audited_and_shown_in_japanese(client, world):
    response = post_login(client, "staff", "wrong-password")
    assert response.status_code == 200
    assert "正しいユーザー名とパスワードを入力してください" in response.content.decode()
    entry = AuditEntry.objects.get(action="ログイン失敗")
    assert entry.target_label == "staff"
    assert entry.actor is None


@pytest.mark.parametrize("limit", [5])
def test_five_failures_lock_the_user_name_even_with_the_right_password(client, world, limit):
    for _ in range(limit - 1):
        assert post_login(client, "staff", "wrong").status_code == 200
    locked = post_login(client, "staff", "wrong")
    assert locked.status_code == 429
    assert "ログインを15分間停止しています" in locked.content.decode()
    again = post_login(client, "staff", PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    # another user name from the same address is not locked
    assert post_login(client, "coordinator", PASSWORD).status_code == 302


def test_a_success_resets_the_count(client, world):
    for _ in range(4):
        post_login(client, "staff", "wrong")
    assert post_login(client, "staff", PASSWORD).status_code == 302
    client.post("/logout/")
    for _ in range(4):
        assert post_login(client, "staff", "wrong").status_code == 200
    assert world.users[Role.PREFECTURE_STAFF].is_active
