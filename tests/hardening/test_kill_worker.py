"""Kill the web worker in the middle of a write: afterwards the data is fully there or fully
absent, never half. A real server process runs against the PostgreSQL test database; another
connection holds a lock on the audit log, so the request stops at its last write (the audit
entry, after everything else) and the process is killed with SIGKILL right there."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.subsidies.approvals import drive
from zaitaku_portal.models import AuditEntry, Role

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`manage.py runserver --noreload` as its own process on the test database."""

    def __init__(self):
        database = connection.settings_dict
        self.dsn = (
            f"host={database.get('HOST') or '127.0.0.1'} port={database.get('PORT') or 5432} "
            f"user={database.get('USER') or 'postgres'} dbname={database['NAME']}"
        )
        url = (
            f"postgres://{database.get('USER') or 'postgres'}@{database.get('HOST') or '127.0.0.1'}"
            f":{database.get('PORT') or 5432}/{database['NAME']}"
        )
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "1", "DATABASE_POOL": "0"}
        env["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1"
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(150):
            try:
                urllib.request.urlopen(self.base + "/login/", timeout=1)  # noqa: S310
                return
            except OSError:
                time.sleep(0.1)
        self.kill()
        raise AssertionError("the server did not start")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


class Browser:
    def __init__(self, server: Server, user):
        client = Client()
        client.force_login(user)  # the session is in the database the server reads
        self.server = server
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.jar.set_cookie(
            http.cookiejar.Cookie(
                0,
                settings.SESSION_COOKIE_NAME,
                session,
                None,
                False,
                "127.0.0.1",
                False,
                False,
                "/",
                True,
                False,
                None,
                True,
                None,
                None,
                {},
            )
        )

    def token(self, path: str) -> str:
        with self.opener.open(self.server.base + path, timeout=30) as response:
            html = response.read().decode()
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def post(self, path: str, data: dict, token: str):
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(  # noqa: S310
            self.server.base + path, data=body, headers={"Referer": self.server.base + path}
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status
        except OSError:
            return None  # the server died under us


def kill_during_last_write(
    server: Server, browser: Browser, path: str, data: dict, post_path: str | None = None
) -> None:
    """POST, let the request block on the audit log, SIGKILL the server, release the lock."""
    token = browser.token(path)
    with psycopg.connect(server.dsn, autocommit=False) as blocker:
        blocker.execute("LOCK TABLE zaitaku_portal_auditentry IN SHARE ROW EXCLUSIVE MODE")
        thread = threading.Thread(target=browser.post, args=(post_path or path, data, token))
        thread.start()
        with psycopg.connect(server.dsn, autocommit=True) as watcher:
            for _ in range(200):
                waiting = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND query ILIKE 'INSERT INTO \"zaitaku_portal_auditentry\"%%'"
                ).fetchone()[0]
                if waiting:
                    break
                time.sleep(0.05)
            else:
                raise AssertionError("the request never reached its audit entry")
        server.kill()
        blocker.rollback()  # release: the orphaned transaction now fails and rolls back
    thread.join(timeout=30)
    time.sleep(0.5)


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs a database server a second process can share (PostgreSQL)")


def test_killed_submission_leaves_the_draft_untouched(postgresql_only, world):
    from subsidies.models import ApplicationVersion
    from tests.subsidies.factories import application_in, catalogue

    coordinator = world.users[Role.HUB_COORDINATOR]
    staff = world.users[Role.PREFECTURE_STAFF]
    fiscal_year, _ = catalogue()
    application = application_in("draft", world.hub_a, fiscal_year, coordinator, staff)
    path = f"/subsidies/applications/{application.pk}/action/submit/"

    server = Server()
    kill_during_last_write(
        server, Browser(server, coordinator), path, {"version": application.version}
    )
    application.refresh_from_db()
    assert application.status == "draft"
    assert not ApplicationVersion.objects.filter(application=application).exists()
    assert not AuditEntry.objects.filter(action="提出する").exists()

    server = Server()  # the same request, not killed, does submit: the check can see success
    try:
        browser = Browser(server, coordinator)
        assert browser.post(path, {"version": application.version}, browser.token(path)) == 200
    finally:
        server.kill()
    application.refresh_from_db()
    assert application.status == "submitted"
    assert ApplicationVersion.objects.filter(application=application).count() == 1


def test_killed_registry_import_writes_no_institution(postgresql_only, world):
    from hospitals.models import MedicalInstitution, RegistryImportRun
    from tests.hospitals.registry_workbooks import realistic_rows, xlsx
    from tests.hospitals.test_registry_import import preview_bytes

    staff = world.users[Role.PREFECTURE_STAFF]
    before = MedicalInstitution.objects.count()
    run = preview_bytes(xlsx(realistic_rows()), staff)
    assert run.status == RegistryImportRun.Status.PREVIEW, run.problems
    path = f"/hospitals/registry/{run.pk}/"

    server = Server()
    kill_during_last_write(
        server, Browser(server, staff), path, {"acknowledge": "1"}, post_path=f"{path}confirm/"
    )
    run.refresh_from_db()
    assert run.status == RegistryImportRun.Status.PREVIEW
    assert MedicalInstitution.objects.count() == before
    assert not AuditEntry.objects.filter(action="医療機関名簿の取込").exists()


def test_killed_confirmation_leaves_no_confirmation(postgresql_only, world):
    from subsidies.models import Confirmation, ConfirmationRecipient
    from subsidies.results import services as claims
    from tests.subsidies.results.factories import worked_case

    case = worked_case(world)
    staff = world.users[Role.PREFECTURE_STAFF]
    report = claims.perform(
        case.report, "submit", world.users[Role.HUB_COORDINATOR], case.report.version
    )
    report = claims.perform(report, "start_review", staff, report.version)
    path = f"/results/reports/{report.pk}/confirm/"
    data = {"version": report.version, "notice_number": "9医政第5号", "notice_date": "2027-05-01"}

    server = Server()
    kill_during_last_write(server, Browser(server, staff), path, data)
    report.refresh_from_db()
    assert report.status == "under_review"
    assert not Confirmation.objects.exists()
    assert not ConfirmationRecipient.objects.exists()

    server = Server()  # not killed, the same confirmation goes through
    try:
        browser = Browser(server, staff)
        browser.post(path, data, browser.token(path))
    finally:
        server.kill()
    report.refresh_from_db()
    assert report.status == "awaiting_approval"  # drafted (起案); 決裁 writes the confirmation
    assert not Confirmation.objects.exists()
    report = drive.approve(report)
    assert report.status == "confirmed"
    assert Confirmation.objects.get().notice_number == "9医政第5号"


def test_a_killed_task_worker_s_batch_part_is_made_by_another(
    postgresql_only, world, settings, tmp_path
):
    """A task worker killed in the middle of a batch's task (held by another connection's lock
    where it writes the batch's parts): the surviving worker sees the dead worker's heartbeat
    stop, takes the task again, and the batch ends with every document (docs/adr/0014)."""
    from django_tasks_db.models import DBTaskResult

    from reports.batches import start_batch
    from reports.models import BatchJob
    from tests.reports.decided import decided_application
    from tests.reports.task_runner import (
        database_url,
        start_worker,
        use_database_tasks,
        worker_environment,
    )

    use_database_tasks(settings)
    settings.MEDIA_ROOT = tmp_path
    staff = world.users[Role.PREFECTURE_STAFF]
    decided_application(world.hub_a, staff=staff, number="8医政第1号")
    decided_application(world.hub_b, staff=staff, amounts=(300_000,), number="8医政第2号")
    job = start_batch(BatchJob.Kind.DECISION_NOTICES, {"year": 2026}, "一括", staff)
    url = database_url(tmp_path)
    env = worker_environment(
        url,
        tmp_path,
        PORTAL_BATCH_CHUNK_SIZE="1",
        PORTAL_WORKER_HEARTBEAT_SECONDS="0.3",
        PORTAL_WORKER_DEAD_SECONDS="2",
    )
    database = connection.settings_dict
    dsn = (
        f"host={database.get('HOST') or '127.0.0.1'} port={database.get('PORT') or 5432} "
        f"user={database.get('USER') or 'postgres'} dbname={database['NAME']}"
    )
    first = start_worker(env, "worker-killed")
    survivor = None
    try:
        with psycopg.connect(dsn, autocommit=False) as blocker:
            # The plan writes the batch's parts: it waits here, in the middle of its task.
            blocker.execute("LOCK TABLE reports_batchpart IN SHARE ROW EXCLUSIVE MODE")
            with psycopg.connect(dsn, autocommit=True) as watcher:
                for _ in range(600):
                    waiting = watcher.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        " AND query ILIKE '%%reports_batchpart%%'"
                    ).fetchone()[0]
                    if waiting:
                        break
                    time.sleep(0.05)
                else:
                    raise AssertionError("the worker never reached the batch's parts")
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
            blocker.rollback()
        (lost,) = DBTaskResult.objects.filter(status="RUNNING")
        assert lost.worker_ids == ["worker-killed"]
        survivor = start_worker(env, "worker-survivor")
        for _ in range(600):
            job.refresh_from_db()
            if job.status in (BatchJob.Status.DONE, BatchJob.Status.FAILED):
                break
            time.sleep(0.1)
    finally:
        first.kill()
        output = first.communicate(timeout=10)[0]
        if survivor is not None:
            survivor.kill()
            output += survivor.communicate(timeout=10)[0]
    assert job.status == BatchJob.Status.DONE, (job.message, output)
    assert job.done == 2
    lost.refresh_from_db()
    assert lost.status == "SUCCESSFUL"
    assert lost.worker_ids == ["worker-killed", "worker-survivor"]
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()
