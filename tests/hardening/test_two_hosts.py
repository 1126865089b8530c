"""The portal on two web hosts (issue 16): real nginx round-robin in front of two gunicorn
processes, each with its own working, temporary, media and cache folders, one PostgreSQL
database, object storage from moto's S3 server, the shared Redis cache and two task workers.
Every request goes through nginx and says which host answered (X-Portal-Host); the test
checks that the steps which once needed one host (a preview and its confirmation, an upload
and its download, a batch and its ZIP) work with each step on the other host.

PostgreSQL only (SQLite is one file on one machine): the test makes its own database
portal_twohost_<pid> beside the suite's and drops it afterwards. nginx and moto_server must be
installed (.ci/setup installs both); on the PostgreSQL pass their absence fails the test."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import boto3
import psycopg
import pytest
import requests
from django.conf import settings
from openpyxl import load_workbook
from requests.adapters import HTTPAdapter
from urllib3.poolmanager import PoolManager

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# The test client talks to nginx from 127.0.0.2; nginx talks to gunicorn from 127.0.0.1, the
# only trusted proxy. The audit log must show 127.0.0.2, whatever X-Forwarded-For it sends.
CLIENT_ADDRESS = "127.0.0.2"
SPOOFED = "198.51.100.23"
BUCKET = "portal-twohost"
HOSTS = ("web-1", "web-2")
DECISIONS = 4  # decided applications of FY2025 in two_hosts_world

pytestmark = [
    pytest.mark.skipif(
        not DATABASE_URL.startswith(("postgres://", "postgresql://")),
        reason="two hosts share a PostgreSQL database (the SQLite pass has one file)",
    ),
]
# Debian's nginx (/usr/sbin, not always on a user's PATH). Missing on the PostgreSQL pass is a
# failure, not a skip: .ci/setup installs it.
NGINX = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/usr/local/sbin")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Processes:
    """The processes the test starts; all are ended (by their own pid) at the end."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.started: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: list[str], **kwargs) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own commands
            args, stdout=log, stderr=subprocess.STDOUT, **kwargs
        )
        self.started[name] = process
        return process

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def wait_for(self, name: str, url: str, seconds: float = 60) -> None:
        """Until `url` answers; the process's log in the message when it never does."""
        process = self.started[name]
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if process.poll() is not None:
                tail = self.log(name)[-2000:]
                raise AssertionError(f"{name} exited with {process.returncode}:\n{tail}")
            try:
                requests.get(url, timeout=5)
                return
            except requests.RequestException:
                time.sleep(0.2)
        raise AssertionError(
            f"{name}: {url} did not answer in {seconds} s\n{self.log(name)[-2000:]}"
        )

    def stop_all(self) -> None:
        for name, process in self.started.items():
            if process.poll() is None:
                if name == "moto":  # its server waits for idle connections; it holds nothing
                    process.kill()
                else:
                    process.terminate()
        for process in self.started.values():
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()


# --- the database -------------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@pytest.fixture(scope="module")
def database():
    name = f"portal_twohost_{os.getpid()}"
    admin = with_database(DATABASE_URL, "postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(DATABASE_URL, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the hosts ----------------------------------------------------------------------------


NGINX_CONF = """
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
    access_log {root}/nginx-access.log;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    client_max_body_size 25m;
    # Bodies and answers stay in memory: nginx's worker (nobody, when the test runs as root)
    # cannot enter pytest's 0700 temporary folder to spill an upload of more than 16 KB.
    client_body_buffer_size 25m;
    proxy_max_temp_file_size 0;
    upstream portal {{
        server 127.0.0.1:{port_1};
        server 127.0.0.1:{port_2};
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://portal;
            proxy_bind 127.0.0.1;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-ID $request_id;
            proxy_next_upstream off;
        }}
    }}
}}
"""


class SourceAddressAdapter(HTTPAdapter):
    """Connects from CLIENT_ADDRESS (any 127.x address is this machine's loopback)."""

    def init_poolmanager(self, connections, maxsize, block=False, **kwargs):
        self.poolmanager = PoolManager(
            num_pools=connections,
            maxsize=maxsize,
            block=block,
            source_address=(CLIENT_ADDRESS, 0),
            **kwargs,
        )


class Browser:
    """A user's session through nginx: cookies, the CSRF token, the host of each answer."""

    def __init__(self, base: str):
        self.base = base
        self.session = requests.Session()
        self.session.mount("http://", SourceAddressAdapter())
        self.session.headers["X-Forwarded-For"] = SPOOFED  # nginx appends the real address
        self.hosts: list[tuple[str, str]] = []

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        response = self.session.request(
            method, self.base + path, allow_redirects=False, timeout=60, **kwargs
        )
        self.hosts.append((path, response.headers.get("X-Portal-Host", "")))
        return response

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict | None = None, **kwargs) -> requests.Response:
        if "csrftoken" not in self.session.cookies:
            self.get("/login/")
        data = {**(data or {}), "csrfmiddlewaretoken": self.session.cookies["csrftoken"]}
        return self.request("POST", path, data=data, headers={"Referer": self.base}, **kwargs)

    def log_in(self, username: str, password: str) -> None:
        response = self.post("/login/", {"username": username, "password": password})
        assert response.status_code == 302, response.text[:500]

    @property
    def last_host(self) -> str:
        return self.hosts[-1][1]


# The task workers (docs/adr/0014): django-tasks-db's worker with the portal's heartbeat and
# recovery of a dead worker's task; quick beats and a short death so the test waits seconds.
WORKER_COMMAND = ["task_worker", "--interval", "0.2", "--no-reload"]
WORKER_ENV = {
    "PORTAL_WORKER_HEARTBEAT_SECONDS": "0.5",
    "PORTAL_WORKER_DEAD_SECONDS": "3",
    "PORTAL_BATCH_CHUNK_SIZE": "2",  # four notices: two tasks, shared by the two workers
}


def environment(database: str, endpoint: str) -> dict:
    """What every host and worker gets: the same database, bucket, cache and proxy."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PORTAL_", "DATABASE_", "PYTEST", "REDIS_"))
    }
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "zaitaku_portal.settings",
        "DJANGO_DEBUG": "1",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database,
        "PYTHONPATH": str(ROOT),
        "PORTAL_TRUSTED_PROXIES": "127.0.0.1/32",
        "PORTAL_LOG_FORMAT": "json",
        "PORTAL_S3_BUCKET": BUCKET,
        "PORTAL_S3_ENDPOINT_URL": endpoint,
        "PORTAL_S3_REGION": "us-east-1",
        "PORTAL_S3_ACCESS_KEY_ID": "twohost",
        "PORTAL_S3_SECRET_ACCESS_KEY": "twohost-secret",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "PORTAL_CACHE_PREFIX": f"twohost-{os.getpid()}",
        **WORKER_ENV,
    }


def run_checked(args: list[str], env: dict) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def start_host(processes: Processes, root: Path, name: str, common: dict) -> dict:
    """gunicorn for one web host: its own working, temporary, media and cache folders."""
    home = root / name
    for folder in ("work", "tmp", "media", "cache"):
        (home / folder).mkdir(parents=True)
    env = {
        **common,
        "PORTAL_HOST_NAME": name,
        "TMPDIR": str(home / "tmp"),
        "DJANGO_MEDIA_ROOT": str(home / "media"),
        "PORTAL_CACHE_DIR": str(home / "cache"),
    }
    port = free_port()
    arguments = ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--preload"]
    arguments += ["--timeout", "60", "--graceful-timeout", "2"]
    arguments += ["--worker-tmp-dir", str(home / "tmp")]
    processes.start(
        name, [str(BIN / "gunicorn"), "zaitaku_portal.wsgi", *arguments], cwd=home / "work", env=env
    )
    return {"home": home, "env": env, "port": port}


def start_nginx(processes: Processes, root: Path, hosts: dict) -> str:
    port = free_port()
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (root / folder).mkdir()
        (root / folder).chmod(0o777)  # nginx's worker runs as nobody when the test is root
    ports = [hosts[name]["port"] for name in HOSTS]
    config = NGINX_CONF.format(root=root, port=port, port_1=ports[0], port_2=ports[1])
    (root / "nginx.conf").write_text(config)
    processes.start(
        "nginx",
        [
            NGINX,
            "-p",
            str(root),
            "-c",
            str(root / "nginx.conf"),
            "-e",
            str(root / "nginx-error.log"),
            "-g",
            "daemon off;",
        ],
        cwd=root,
    )
    return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def cluster(database, tmp_path_factory):
    assert NGINX, "nginx is not installed: run .ci/setup (SYSTEM_PACKAGES)"
    assert (BIN / "moto_server").exists(), "moto[server] is not installed: run .ci/setup"
    root = tmp_path_factory.mktemp("two-hosts")
    processes = Processes(root)
    s3_port = free_port()
    endpoint = f"http://127.0.0.1:{s3_port}"
    common = environment(database, endpoint)
    try:
        processes.start(
            "moto", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port)], cwd=root
        )
        # The web hosts start (import Django) while the database is being migrated.
        hosts = {name: start_host(processes, root, name, common) for name in HOSTS}
        base = start_nginx(processes, root, hosts)
        made = run_checked([sys.executable, "-m", "tests.hardening.two_hosts_world"], common)
        world = json.loads(made.strip().splitlines()[-1])
        processes.wait_for("moto", endpoint)
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="twohost",
            aws_secret_access_key="twohost-secret",
        )
        s3.create_bucket(Bucket=BUCKET)
        for number, name in enumerate(HOSTS, start=1):
            worker = [sys.executable, str(ROOT / "manage.py"), *WORKER_COMMAND]
            processes.start(
                f"worker-{number}",
                [*worker, "--worker-id", f"worker-{number}"],
                cwd=hosts[name]["home"] / "work",
                env=hosts[name]["env"],
            )
        for name in HOSTS:
            processes.wait_for(name, f"http://127.0.0.1:{hosts[name]['port']}/healthz")
        processes.wait_for("nginx", base + "/healthz")
        yield {
            "base": base,
            "world": world,
            "hosts": hosts,
            "s3": s3,
            "database": database,
            "processes": processes,
            "root": root,
        }
    finally:
        processes.stop_all()


def query(database: str, sql: str, *params):
    with psycopg.connect(database) as connection:
        return connection.execute(sql, params).fetchall()


def real_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<h1>在宅医療連携拠点 添付資料</h1><p>二台構成の試験</p>").write_pdf()


# --- the test ---------------------------------------------------------------------------


def test_health_and_alternating_hosts(cluster):
    browser = Browser(cluster["base"])
    answered = {browser.get("/healthz").headers["X-Portal-Host"] for _ in range(4)}
    assert answered == set(HOSTS)
    ready = browser.get("/readyz")
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert checks["cache"]["backend"] == "RedisCache"
    assert checks["storage"]["backend"] == "S3Storage"
    request_id = ready.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id


def test_a_logout_on_one_host_ends_the_session_on_both(cluster):
    """Sessions are read through the shared cache (settings SESSION_ENGINE, cached_db): what
    one host ends, the other no longer knows."""
    world = cluster["world"]
    browser = Browser(cluster["base"])
    browser.log_in("coordinator", world["password"])
    signed_in = {}
    for _ in range(8):  # nginx alternates: each host serves the signed-in page
        response = browser.get("/subsidies/applications/")
        signed_in[browser.last_host] = response.status_code
    assert signed_in == dict.fromkeys(HOSTS, 200)
    assert browser.post("/logout/").status_code == 302
    signed_out = {}
    for _ in range(8):
        response = browser.get("/subsidies/applications/")
        signed_out[browser.last_host] = (response.status_code, response.headers.get("Location"))
    assert set(signed_out) == set(HOSTS)
    assert all(
        status == 302 and location.startswith("/login/") for status, location in signed_out.values()
    ), signed_out


def table(model_path: str) -> str:
    from django.apps import apps

    return apps.get_model(model_path)._meta.db_table


def test_plan_workbook_preview_on_one_host_confirm_on_the_other(cluster):
    world = cluster["world"]
    browser = Browser(cluster["base"])
    browser.log_in("coordinator", world["password"])
    application = world["application"]
    version_sql = f"SELECT version FROM {table('subsidies.Application')} WHERE id = %s"  # noqa: S608
    ((before,),) = query(cluster["database"], version_sql, application)

    download = browser.get(f"/subsidies/applications/{application}/excel/")
    assert download.status_code == 200
    workbook = load_workbook(io.BytesIO(download.content))
    change_one_amount(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)

    upload = browser.request(
        "POST",
        f"/subsidies/applications/{application}/excel/upload/",
        data={"version": str(before), "csrfmiddlewaretoken": browser.session.cookies["csrftoken"]},
        files={"file": ("申請.xlsx", buffer.getvalue())},
        headers={"Referer": cluster["base"]},
    )
    assert upload.status_code == 200, upload.text[:2000]
    assert "報償費" in upload.text  # the preview lists the changed amount
    preview_host = browser.last_host
    confirm = browser.post(f"/subsidies/applications/{application}/excel/apply/")
    assert browser.last_host != preview_host, browser.hosts
    assert confirm.status_code == 302
    detail = browser.get(confirm.headers["Location"])
    assert "Excelの内容を取り込みました（変更 1項目）" in detail.text, detail.text[:3000]
    ((after,),) = query(cluster["database"], version_sql, application)
    assert after == before + 1


def change_one_amount(workbook) -> int:
    """Raise the first 報償費 amount on the hub sheet by 1,000 yen; returns the new value."""
    from subsidies.applications import excel

    sheet = workbook[excel.HUB_SHEET]
    for row in range(excel.FIRST_ROW, sheet.max_row + 1):
        value = sheet[f"L{row}"].value
        if isinstance(value, int) and value > 0:
            sheet[f"L{row}"].value = value + 1_000
            return value + 1_000
    raise AssertionError("no amount to change in the downloaded workbook")


def test_attachment_uploaded_on_one_host_downloads_from_the_other(cluster):
    world = cluster["world"]
    browser = Browser(cluster["base"])
    browser.log_in("coordinator", world["password"])
    application = world["application"]
    content = real_pdf()
    upload = browser.request(
        "POST",
        f"/subsidies/applications/{application}/attachments/",
        data={"csrfmiddlewaretoken": browser.session.cookies["csrftoken"]},
        files={"file": ("会議資料.pdf", content, "application/pdf")},
        headers={"Referer": cluster["base"]},
    )
    assert upload.status_code == 302
    upload_host = browser.last_host
    (attachment,) = query(
        cluster["database"],
        f"SELECT id, file FROM {table('subsidies.ApplicationAttachment')} "  # noqa: S608
        "WHERE application_id = %s",
        application,
    )
    download = browser.get(f"/subsidies/applications/{application}/attachments/{attachment[0]}/")
    assert browser.last_host != upload_host
    assert download.status_code == 200
    assert download.content == content
    # In the bucket, not on either host's disk.
    keys = [item["Key"] for item in cluster["s3"].list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert attachment[1] in keys
    for name in HOSTS:
        media = cluster["hosts"][name]["home"] / "media"
        assert not any(media.rglob("*")), f"{name} wrote into its media folder"


def test_the_audit_log_has_the_test_clients_address(cluster):
    world = cluster["world"]
    browser = Browser(cluster["base"])
    browser.log_in("staff", world["password"])
    rows = query(
        cluster["database"],
        "SELECT changes FROM zaitaku_portal_auditentry WHERE action = 'ログイン' "
        "AND target_label = 'staff' ORDER BY id DESC LIMIT 1",
    )
    # X-Forwarded-For said 198.51.100.23 (the client's own claim); nginx appended 127.0.0.2.
    assert rows[0][0] == {"接続元": CLIENT_ADDRESS}


def wait_for_batch(browser: Browser, job: int, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page = browser.get(f"/reports/batches/{job}/")
        assert page.status_code == 200
        if "完了" in page.text or "失敗" in page.text:
            return page.text
        time.sleep(0.5)
    raise AssertionError(f"batch {job} did not finish in {seconds} s")


def test_staff_batch_of_notices_and_its_zip_through_both_hosts(cluster):
    world = cluster["world"]
    browser = Browser(cluster["base"])
    browser.log_in("staff", world["password"])
    started = browser.post("/reports/batches/", {"kind": "decision_notices", "year": "2025"})
    assert started.status_code == 302, started.text[:2000]
    job = int(re.search(r"/reports/batches/(\d+)/", started.headers["Location"]).group(1))
    request_id = started.headers["X-Request-ID"]
    page = wait_for_batch(browser, job)
    assert "完了" in page, page[:3000]
    parts = query(
        cluster["database"],
        f"SELECT status FROM {table('django_tasks_database.DBTaskResult')} "  # noqa: S608
        "WHERE task_path = 'reports.batches.make_batch_part'",
    )
    # Four notices in parts of two (PORTAL_BATCH_CHUNK_SIZE): two part tasks, both run.
    assert [status for (status,) in parts] == ["SUCCESSFUL"] * 2

    downloads = [browser.get(f"/reports/batches/{job}/download/") for _ in range(2)]
    assert {host for path, host in browser.hosts[-2:]} == set(HOSTS)  # one from each host
    for download in downloads:
        assert download.status_code == 200
        with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
            names = archive.namelist()
            assert len(names) == DECISIONS, names  # one notice per decided application
            assert all(archive.read(name).startswith(b"%PDF-") for name in names)
    assert downloads[0].content == downloads[1].content
    # The workers' JSON log lines for the batch's tasks carry the id of the staff's request.
    processes = cluster["processes"]
    worker_lines = [
        json.loads(line)
        for name in ("worker-1", "worker-2")
        for line in processes.log(name).splitlines()
        if line.startswith("{")
    ]
    tagged = {line["logger"] for line in worker_lines if line["request_id"] == request_id}
    assert "zaitaku_portal.tasks" in tagged, worker_lines[-20:]


def start_notices(browser: Browser) -> int:
    started = browser.post("/reports/batches/", {"kind": "decision_notices", "year": "2025"})
    assert started.status_code == 302, started.text[:2000]
    return int(re.search(r"/reports/batches/(\d+)/", started.headers["Location"]).group(1))


def test_a_killed_workers_task_is_taken_by_the_other(cluster):
    world, processes = cluster["world"], cluster["processes"]
    browser = Browser(cluster["base"])
    browser.log_in("staff", world["password"])
    tasks_table = table("django_tasks_database.DBTaskResult")
    before = {row[0] for row in query(cluster["database"], f"SELECT id FROM {tasks_table}")}  # noqa: S608
    job = start_notices(browser)

    # Catch a worker in the middle of a task: stop it, check the task is still its own and
    # still running, then kill it (SIGKILL: no goodbye, its row stays RUNNING).
    deadline = time.monotonic() + 30
    killed = None
    while killed is None:
        assert time.monotonic() < deadline, "no task was seen running"
        running = query(
            cluster["database"],
            f"SELECT id, worker_ids FROM {tasks_table} WHERE status = 'RUNNING'",  # noqa: S608
        )
        for task_id, worker_ids in running:
            if task_id in before:
                continue
            process = processes.started[worker_ids[-1]]
            process.send_signal(signal.SIGSTOP)
            ((status, now_ids),) = query(
                cluster["database"],
                f"SELECT status, worker_ids FROM {tasks_table} WHERE id = %s",  # noqa: S608
                task_id,
            )
            if status == "RUNNING" and now_ids == worker_ids:
                process.kill()
                process.wait(timeout=10)
                killed = (task_id, worker_ids[-1])
                break
            process.send_signal(signal.SIGCONT)
        time.sleep(0.05)

    page = wait_for_batch(browser, job, seconds=60)
    assert "完了" in page, page[:3000]
    task_id, dead_worker = killed
    survivor = next(name for name in ("worker-1", "worker-2") if name != dead_worker)
    ((status, worker_ids),) = query(
        cluster["database"],
        f"SELECT status, worker_ids FROM {tasks_table} WHERE id = %s",  # noqa: S608
        task_id,
    )
    assert status == "SUCCESSFUL"
    assert worker_ids[0] == dead_worker and worker_ids[-1] == survivor, worker_ids
    download = browser.get(f"/reports/batches/{job}/download/")
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert len(archive.namelist()) == DECISIONS
