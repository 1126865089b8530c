"""Issue 20: the admin entirely in Japanese, django-axes, django-otp and django-tasks
included, and the audit log as an official reads it.

The walk starts at the admin index as the administrator (password and a real code), opens
every model's changelist, its add page when there is one, and the change (view) page of one
row, and reads every label, column and fieldset title, filter title, help text, page title
and action: none may be English only (ALLOWED lists the few English words that are the
officials' words too)."""

import re
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.management import call_command
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult, get_date_max

from tests import factories as f
from tests.subsidies.conftest import apps_world  # noqa: F401  (the fixture, for the import test)
from tests.zaitaku_portal.test_two_factor import VERIFY, code, log_in
from zaitaku_portal import audit
from zaitaku_portal.models import AuditEntry, Role

pytestmark = pytest.mark.django_db

# English words allowed in a label, each with its reason
ALLOWED = {
    "ID": "Django's row number column; 「ID」 is how the officials say it too",
    "IP": "接続元の IP アドレス: the officials' own term",
    "django": "the app names say which component keeps the record (django-axes)",
    "axes": "idem",
    "Excel": "the officials' word for the workbook",
}
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")  # kana and kanji
# the elements whose text is a label, not data the users typed
LABEL_TAGS = {"label", "h1", "h2", "h3", "legend", "caption"}
HELP_CLASSES = {"help", "helptext"}


class Labels(HTMLParser):
    """The texts of label-like elements: labels, headings, column headers (thead only: a
    row's first cell is a <th> holding data), help texts, the actions' names."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []  # (tag, collecting)
        self.in_thead = self.in_actions = False
        self.texts: list[str] = []
        self.current: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        if tag == "thead":
            self.in_thead = True
        if tag == "select" and attrs.get("name") == "action":
            self.in_actions = True
        collect = (
            tag in LABEL_TAGS
            or (tag == "th" and self.in_thead)
            or bool(classes & HELP_CLASSES)
            or (tag == "option" and self.in_actions)
        )
        if tag in {"br", "img", "input", "meta", "link", "hr"}:
            return
        if collect and not any(c for _, c in self.stack):
            self.current = []
        self.stack.append((tag, collect))

    def handle_endtag(self, tag):
        if tag == "thead":
            self.in_thead = False
        if tag == "select":
            self.in_actions = False
        while self.stack:
            open_tag, collect = self.stack.pop()
            if collect and not any(c for _, c in self.stack):
                text = " ".join("".join(self.current).split())
                if text:
                    self.texts.append(text)
            if open_tag == tag:
                break

    def handle_data(self, data):
        if any(c for _, c in self.stack):
            self.current.append(data)


def english_in(html: str) -> list[str]:
    """The label-like texts written in English only: an English word (not in ALLOWED) and
    no Japanese at all. A Japanese sentence naming a key or a setting (Control キー,
    PORTAL_GOVERNOR_TITLE) is Japanese."""
    parser = Labels()
    parser.feed(html)
    return [
        text
        for text in parser.texts
        if not JAPANESE.search(text)
        and any(word not in ALLOWED for word in ENGLISH_WORD.findall(text))
    ]


@pytest.fixture
def administrator(client, world):
    admin_user = world.users[Role.ADMINISTRATOR]
    device = TOTPDevice.objects.create(user=admin_user, name="認証アプリ", confirmed=True)
    log_in(client, "admin")
    assert client.post(VERIFY, {"otp_token": code(device)}).status_code == 302
    return client


@pytest.fixture
def one_of_each(world):
    """A row in every admin model the world fixture leaves empty, as the apps write them."""
    staff = world.users[Role.PREFECTURE_STAFF]
    now = timezone.now()
    common = {"user_agent": "Mozilla/5.0", "ip_address": "192.0.2.10", "username": "staff"}
    common |= {"http_accept": "text/html", "path_info": "/login/"}
    AccessAttempt.objects.create(
        **common, get_data="", post_data="username=staff", failures_since_start=2
    )
    AccessFailureLog.objects.create(**common, locked_out=False)
    AccessLog.objects.create(**common, session_hash="0" * 64)
    static = StaticDevice.objects.create(user=staff, name="回復コード", confirmed=True)
    StaticToken.objects.create(device=static, token="abcd1234")
    DBTaskResult.objects.create(
        task_path="reports.batches.plan_batch",
        args_kwargs={"args": [1], "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),
        status="FAILED",
        exception_class_path="builtins.ValueError",
        traceback="Traceback (most recent call last): ...",
        finished_at=now,
    )
    fiscal_year = f.FiscalYearFactory(year=2026)
    f.RequirementItemFactory(fiscal_year=fiscal_year)
    f.SubsidyMenuFactory(fiscal_year=fiscal_year)


def _links(html: str, pattern: str) -> list[str]:
    return sorted(set(re.findall(pattern, html)))


def test_every_admin_page_is_in_japanese(administrator, one_of_each):
    index = administrator.get("/admin/")
    assert index.status_code == 200
    found = {"/admin/": english_in(index.content.decode())}
    changelists = _links(index.content.decode(), r'href="(/admin/[a-z_]+/[a-z]+/)"')
    assert len(changelists) >= 20  # every app's models, the third-party ones included
    for url in changelists:
        page = administrator.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        found[url] = english_in(html)
        pages = _links(html, rf'href="({re.escape(url)}[^"/]+/change/)[^"]*"')[:1]
        pages += [url + "add/"] if f'href="{url}add/"' in html else []
        for other in pages:
            response = administrator.get(other)
            assert response.status_code == 200, other
            found[other] = english_in(response.content.decode())
    left = {url: texts for url, texts in found.items() if texts}
    assert left == {}, "\n".join(f"{u}: {t}" for u, t in left.items())
    # the walk reached the pages that were English before (not a vacuous pass)
    walked = " ".join(found)
    for model in ("axes/accessattempt", "otp_totp/totpdevice", "django_tasks_database"):
        assert model in walked


def test_the_walk_would_see_an_english_label():
    """The reader the walk relies on catches what it must (and only that)."""
    html = (
        '<h2>Identity</h2><label for="x">利用者:</label><table><thead><tr><th>Attempt Time'
        "</th></tr></thead><tbody><tr><th>admin</th></tr></tbody></table>"
        '<div class="help">The user that this device belongs to.</div><p>admin</p>'
    )
    assert english_in(html) == ["Identity", "Attempt Time", "The user that this device belongs to."]


def test_no_migration_for_the_relabelled_apps():
    """The labels are display attributes only: the migration state of axes, otp and tasks
    is unchanged (makemigrations --check exits non-zero on a change)."""
    for app in ("axes", "otp_totp", "otp_static", "django_tasks_database"):
        call_command("makemigrations", app, check=True, dry_run=True, verbosity=0)


# --- the audit log ---------------------------------------------------------------------


def test_the_audit_log_names_kinds_and_amounts_in_japanese(administrator, world):
    application_kind = "subsidies.Application"
    entry = AuditEntry.objects.create(
        action="交付決定する",
        target_type=application_kind,
        target_id="1",
        target_label="甲拠点｜令和8年度交付申請",
        changes={
            "状態": {"from": "審査中", "to": "交付決定済み"},
            "交付決定額": {"from": None, "to": 3598000},
            "版": {"from": None, "to": 2},
            audit.ADDRESS: "192.0.2.10",
        },
    )
    listing = administrator.get("/admin/zaitaku_portal/auditentry/").content.decode()
    assert '<td class="field-kind">交付申請</td>' in listing  # the column
    assert 'target_type=subsidies.Application">交付申請</a>' in listing  # the filter
    assert f">{application_kind}<" not in listing
    page = administrator.get(f"/admin/zaitaku_portal/auditentry/{entry.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    # 3598000 under a label with 額 is yen: 3,598,000円; 版 2 is a count, no 円
    assert "<td>（なし）</td><td>3,598,000円</td>" in html
    assert '<th scope="row">版</th><td>（なし）</td><td>2</td>' in html
    assert "<td>審査中</td><td>交付決定済み</td>" in html
    assert "<td></td><td>192.0.2.10</td>" in html  # recorded on its own: only an "after"
    assert "3598000" not in html and "\\u" not in html  # not the stored JSON


def test_the_kinds_of_non_model_entries_and_removed_models():
    assert audit.kind_name("download") == "ダウンロード"
    assert audit.kind_name("auth.login") == "ログイン・ログアウト"
    assert audit.kind_name("subsidies.Application") == "交付申請"
    assert audit.kind_name("axes.AccessLog") == "ログインの記録"
    assert audit.kind_name("gone.Model") == "gone.Model"


def test_the_action_filter_has_one_entry_per_kind_not_per_file(administrator):
    for name in ("計画_甲.xlsx", "計画_乙.xlsx"):  # as entries were written before the fix
        AuditEntry.objects.create(
            action=f"事業計画の保存（Excel取込 {name}）", target_type="subsidies.Application"
        )
    AuditEntry.objects.create(action="事業計画の保存（Excel取込）", target_type="x.Y")
    AuditEntry.objects.create(action="事業計画の保存（画面入力）", target_type="x.Y")
    html = administrator.get("/admin/zaitaku_portal/auditentry/").content.decode()
    assert html.count("事業計画の保存（Excel取込）</a>") == 1
    assert "計画_甲.xlsx）</a>" not in html
    chosen = administrator.get(
        "/admin/zaitaku_portal/auditentry/", {"action": "事業計画の保存（Excel取込）"}
    )
    assert chosen.context["cl"].result_count == 3  # both old entries and the new one


def test_an_excel_import_is_one_kind_of_action_with_its_file(client, apps_world):  # noqa: F811
    """The cause of the long filter: the file name was part of the action. Now the action is
    the same for every file and the name is in the entry's changes."""
    from subsidies.applications import services as service
    from tests.subsidies.applications.test_excel_round_trip import TRAVEL, _cell, download, upload
    from tests.subsidies.factories import complete_plan

    w = apps_world
    application = service.start_application(w.hub_a, w.fiscal_year, w.coordinator)
    service.save_plan(application, complete_plan(application), w.coordinator, 1)
    application.refresh_from_db()
    client.force_login(w.coordinator)
    workbook = download(client, application)
    _cell(TRAVEL, 90_000)(workbook)
    assert upload(client, application, workbook, name="計画_甲拠点.xlsx").status_code == 200
    response = client.post(f"/subsidies/applications/{application.pk}/excel/apply/")
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="事業計画の保存（Excel取込）")
    assert entry.changes["ファイル"] == "計画_甲拠点.xlsx"
    assert not AuditEntry.objects.filter(action__contains="計画_甲拠点.xlsx").exists()
