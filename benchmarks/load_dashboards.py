"""Load benchmark: 16 concurrent users of the three roles against gunicorn and PostgreSQL on
loopback, with national-scale data. Reports p50/p95 per page and requests per second, for the
production setting (psycopg pool) and the alternative (a new connection per request).

    # once: a database with national data (about 2 minutes)
    createdb -h 127.0.0.1 -U postgres zaitaku_national
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/zaitaku_national
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py generate_national_data
    # then
    .venv/bin/python benchmarks/load_dashboards.py --seconds 30 --users 16
"""

import argparse
import http.cookiejar
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/zaitaku_national"
BENCH_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "national-pass-2026"  # noqa: S105 - the generator's synthetic users
ROLES = ("staff", "coordinator", "health_center")
USERNAMES = {"staff": "全国-staff", "coordinator": "全国-coordinator", "health_center": "全国-hc"}


def pages_for(role: str, ids: dict) -> list[tuple[str, str, int]]:
    """(label, path, weight) per role: the main pages each kind of user opens."""
    year = ids["year"]
    if role == "staff":
        return [
            ("staff: 審査・状況", "/subsidies/review/", 3),
            ("staff: 県全体の状況", f"/reports/prefecture/?year={year}", 2),
            ("staff: 圏域ダッシュボード", f"/reports/dashboard/?year={year}&area={ids['area']}", 2),
            ("staff: 拠点詳細", f"/hubs/{ids['hub']}/", 2),
            ("staff: 医療機関詳細", f"/hospitals/institutions/{ids['institution']}/", 1),
        ]
    if role == "coordinator":
        return [
            ("coordinator: 自拠点", f"/hubs/{ids['coordinator_hub']}/", 3),
            ("coordinator: 積極的医療機関", "/hospitals/", 1),
            ("coordinator: 補助メニュー", f"/subsidies/catalogue/{year}/", 1),
        ]
    return [
        ("health center: ダッシュボード", f"/reports/dashboard/?year={year}", 3),
        ("health center: 拠点一覧", "/hubs/", 1),
    ]


class Client:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, b""

    def get_text(self, path: str) -> tuple[int, str]:
        status, body = self.get(path)
        return status, body.decode("utf-8", "replace")

    def post(self, path: str, fields: dict) -> tuple[int, str]:
        """A form POST as a browser sends it (CSRF token from the cookie, Referer set)."""
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(  # noqa: S310 - our own loopback server
            self.base + path, data=data, headers={"Referer": self.base + path}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def login(self, username: str, password: str = PASSWORD) -> None:
        _, body = self.get("/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - our own loopback server
            self.base + "/login/", data=data, headers={"Referer": self.base + "/login/"}
        )
        with self.opener.open(request, timeout=30) as response:
            if "/login/" in response.url:
                raise SystemExit(f"login failed for {username}")


def find_ids(database_url: str) -> dict:
    code = (
        "from hubs.models import Hub; from hospitals.models import MedicalInstitution;"
        "from zaitaku_portal.models import HomeCareArea; from subsidies.models import FiscalYear;"
        "from subsidies.models import Application;"
        "hub = Hub.objects.filter(coordinators__user__username='全国-coordinator').first();"
        "print(Hub.objects.order_by('pk')[10].pk, MedicalInstitution.objects.order_by('pk')[10].pk,"
        " HomeCareArea.objects.filter(name__startswith='全国').order_by('pk')[3].pk,"
        " Application.objects.order_by('-fiscal_year__year').first().fiscal_year.year, hub.pk)"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "zaitaku_portal.settings",
        "DJANGO_DEBUG": "1",  # a read-only lookup on the development settings
    }
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    hub, institution, area, year, coordinator_hub = (int(x) for x in out)
    return {
        "hub": hub,
        "institution": institution,
        "area": area,
        "year": year,
        "coordinator_hub": coordinator_hub,
    }


def start_server(
    database_url: str,
    port: int,
    pooled: bool,
    workers: int,
    figures: bool = True,
    freeze: bool = True,
) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DATABASE_POOL": "1" if pooled else "0",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "benchmark-only-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",  # plain HTTP on loopback
        "DJANGO_LOG_LEVEL": "WARNING",
        # the shared cache as in production (Redis, docs/adr/0016), a database of its own
        "REDIS_URL": BENCH_REDIS,
        "PORTAL_CACHE_PREFIX": "bench",
        # the figures cache (zaitaku_portal/figures.py) as in production, or off
        "PORTAL_FIGURES_MAX_AGE": os.environ.get("PORTAL_FIGURES_MAX_AGE", "60")
        if figures
        else "0",
        # the warm objects out of the collector after 100 requests (zaitaku_portal/wsgi.py)
        "PORTAL_GC_FREEZE_AFTER": "100" if freeze else "0",
    }
    if not pooled:
        env["DATABASE_CONN_MAX_AGE"] = "0"
    # nothing kept from an earlier run: this process's writes (prepare()) stamp no topic there
    redis.Redis.from_url(BENCH_REDIS).flushdb()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "zaitaku_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def signed_in(base: str, usernames: list[str]) -> dict[str, "Client"]:
    """A logged-in client per username, all logged in at once (each login hashes the
    password: about half a second of the server's CPU, kept out of the timed runs)."""
    clients = {name: Client(base) for name in usernames}
    threads = [threading.Thread(target=clients[name].login, args=(name,)) for name in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return clients


def warm_up(base: str, ids: dict, users: int) -> list["Client"]:
    """The users' clients, logged in, each having opened each of its pages once before the
    timed run: what is measured is the steady state, not the logins nor the first
    computation of each figure after the server starts (that cost is the figures-off run's,
    beside it)."""
    clients = [Client(base) for _ in range(users)]

    def user(index: int) -> None:
        clients[index].login(USERNAMES[ROLES[index % 3]])
        for _, path, _ in pages_for(ROLES[index % 3], ids):
            clients[index].get(path)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return clients


def run_load(clients: list, ids: dict, seconds: float, max_requests: int, think: float) -> dict:
    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    done = [0]
    deadline = time.perf_counter() + seconds

    def user(index: int) -> None:
        role, client = ROLES[index % 3], clients[index]
        pages = pages_for(role, ids)
        rng = random.Random(index)
        while time.perf_counter() < deadline:
            with lock:
                if done[0] >= max_requests:
                    return
                done[0] += 1
            label, path, _ = rng.choices(pages, weights=[w for *_, w in pages])[0]
            start = time.perf_counter()
            status, _ = client.get(path)
            elapsed = time.perf_counter() - start
            with lock:
                timings[label].append(elapsed)
                if status != 200:
                    errors[label] += 1
            if think:
                time.sleep(rng.uniform(think / 2, think * 1.5))  # a person reads the page

    threads = [threading.Thread(target=user, args=(i,)) for i in range(len(clients))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {"timings": timings, "errors": errors, "wall": wall}


def speed_probe() -> float:
    """The CPU seconds of a fixed piece of pure Python, the median of three: how fast this
    machine is at the moment for work like a page's (many small objects, dictionaries,
    sorting), not a loop that stays in the core's cache. This shared host is not always as
    fast: on 7 December 2026 the same code and load gave 36 to 60 req/s within an hour, a
    save of the largest plan 12 to 25 ms in-process; a figure is read beside this probe."""
    times = []
    for _ in range(3):
        begin = time.process_time()
        rng = random.Random(1)
        rows = [{"pk": i, "name": f"拠点{i:05d}", "v": rng.random()} for i in range(300_000)]
        rows.sort(key=lambda row: row["v"])
        index = {row["name"]: row for row in rows}
        sum(index[f"拠点{i:05d}"]["pk"] for i in range(0, 300_000, 3))
        times.append(time.process_time() - begin)
    return statistics.median(times)


class CpuMeter:
    """Where the machine's CPU went while the load ran: the server (the processes of
    gunicorn's process group), this load generator (its client threads), and the rest
    (PostgreSQL, the system), read from /proc at `start()` and at `stop()`; the speed probe
    just before and just after."""

    def __init__(self, group: int):
        self.group, self.tick = group, os.sysconf("SC_CLK_TCK")

    def _read(self) -> tuple[float, float, float, float]:
        with open("/proc/stat") as stat:
            ticks = [int(value) for value in stat.readline().split()[1:9]]
        busy = sum(ticks) - ticks[3] - ticks[4]  # not idle, not waiting for the disk
        server = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended meanwhile
            if int(fields[2]) == self.group:  # field 5 of proc(5), the process group
                server += int(fields[11]) + int(fields[12])  # utime + stime
        own = os.times()
        return time.perf_counter(), busy / self.tick, server / self.tick, own.user + own.system

    def start(self) -> None:
        self.probe = speed_probe()
        self.began = self._read()

    def stop(self) -> str:
        """The figures of the load; the probe after them is outside what they count."""
        wall, busy, server, own = (b - a for a, b in zip(self.began, self._read(), strict=True))
        self.server = server
        cores = os.cpu_count() or 1
        return (
            f"CPU over {wall:.1f}s on {cores} cores ({cores * wall:.0f} core-seconds): "
            f"busy {busy:.1f}s = server {server:.1f}s + load generator {own:.1f}s + "
            f"the rest (PostgreSQL, system) {max(busy - server - own, 0):.1f}s\n"
            f"speed probe (a fixed loop, lower is faster): {self.probe:.2f}s before, "
            f"{speed_probe():.2f}s after"
        )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(title: str, result: dict) -> None:
    timings = result["timings"]
    total = sum(len(v) for v in timings.values())
    print(
        f"\n{title}: {total} requests in {result['wall']:.1f}s = {total / result['wall']:.1f} req/s"
    )
    print(f"{'page':<34}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}")
    worst = 0.0
    for label in sorted(timings):
        values = timings[label]
        p95 = percentile(values, 0.95) * 1000
        worst = max(worst, p95)
        print(
            f"{label:<34}{len(values):>6}{statistics.median(values) * 1000:>9.0f}{p95:>9.0f}"
            f"{result['errors'].get(label, 0):>8}"
        )
    print(f"worst p95: {worst:.0f} ms (target ≤ 150 ms, issue 21)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean seconds a user reads a page (0: none)"
    )
    parser.add_argument(
        "--compare",
        choices=("figures", "pool", "gc"),
        default="figures",
        help="the alternative run beside production: figures cache off, no connection pool, "
        "or no gc.freeze() in the web processes",
    )
    args = parser.parse_args()
    ids = find_ids(args.database_url)
    production = (True, True, True, "psycopg pool, figures cache, gc.freeze (production)")
    alternatives = {
        "figures": (True, False, True, "figures cache off (PORTAL_FIGURES_MAX_AGE=0)"),
        "pool": (False, True, True, "new connection per request"),
        "gc": (True, True, False, "no gc.freeze() (PORTAL_GC_FREEZE_AFTER=0)"),
    }
    for pooled, figures, freeze, label in (production, alternatives[args.compare]):
        server = start_server(args.database_url, args.port, pooled, args.workers, figures, freeze)
        try:
            base = f"http://127.0.0.1:{args.port}"
            clients = warm_up(base, ids, args.users)
            meter = CpuMeter(server.pid)
            meter.start()
            result = run_load(clients, ids, args.seconds, args.max_requests, args.think)
            cpu = meter.stop()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        report(
            f"gunicorn {args.workers} workers, {label}, {args.users} users, "
            f"think time {args.think / 2:.1f}-{args.think * 1.5:.1f}s",
            result,
        )
        print(cpu)


if __name__ == "__main__":
    main()
