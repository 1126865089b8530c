"""Write load: 16 coordinators saving drafts and submitting while 4 staff review, against
gunicorn and PostgreSQL on loopback. Checks afterwards that no update was lost: every
coordinator's last successful save is what the database holds, and each application's
version counter equals the number of writes that succeeded on it. Two runs, one after the
other on a fresh server each: production (the figures cache, the plan form's HTML and the
year's menus kept), then the alternative with none of them (PORTAL_FIGURES_MAX_AGE=0;
--no-compare skips it). Every user logs in before the clock starts. The last lines: where
the CPU went during each run (with a speed probe of the machine and the server's CPU per
request), and the in-process CPU of one save of the largest plan.

    .venv/bin/python benchmarks/load_writes.py --seconds 30     # on the national database
"""

import argparse
import html
import html.parser
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.load_dashboards import (
    DEFAULT_DB,
    CpuMeter,
    percentile,
    signed_in,
    start_server,
)

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "national-pass-2026"  # noqa: S105 - synthetic benchmark users
YEAR = 2031  # a fresh fiscal year, so the national data's own years stay as they are
FORM_TYPE = "application/x-www-form-urlencoded"  # as a browser (and Client.post) sends it
# the server's settings (benchmarks/load_dashboards.py start_server), for the in-process save
SERVER_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "benchmark-only-" + "k" * 50,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_SECURE_COOKIES": "0",
    "DJANGO_LOG_LEVEL": "WARNING",
}


class FormReader(html.parser.HTMLParser):
    """The fields a browser would send for the form with the given id."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields, self._textarea = form_id, False, {}, None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or ("name" not in a and tag != "option"):
            return
        if tag == "input" and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.fields[a["name"]] = a.get("value", "on")
            else:
                self.fields[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
            self.fields.setdefault(a["name"], "")
        elif tag == "option" and self._select and "selected" in a:
            self.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        if tag == "textarea":
            self._textarea = None
        if tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


_FORM = re.compile(r"<form [^>]*>|</form>")
_TAG = re.compile(r"<(input|textarea|select)\b([^>]*)>", re.S)
_ATTR = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)(="[^"]*")?')  # a bare name: no value
_OPTION = re.compile(r"<option\b([^>]*)>")


def form_fields(page: str, form_id: str) -> dict[str, str]:
    """What FormReader gives for the form, with regular expressions: the load generator shares
    the server's two cores, and Python's HTMLParser spends ~4 ms a page. Checked against
    FormReader on each coordinator's first page (coordinator())."""
    begin = page.index(f'id="{form_id}"')
    end = page.index("</form>", begin)
    part, fields = page[begin:end], {}
    for match in _TAG.finditer(part):
        tag = match.group(1)
        attrs = {
            name: html.unescape(value[2:-1]) if value else None
            for name, value in _ATTR.findall(match.group(2))
        }
        name = attrs.get("name")
        if name is None:
            continue
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    fields[name] = attrs.get("value") or "on"
            else:
                fields[name] = attrs.get("value") or ""
        elif tag == "textarea":
            close = part.index("</textarea>", match.end())
            fields[name] = html.unescape(part[match.end() : close])
        elif tag == "select":
            close = part.index("</select>", match.end())
            fields.setdefault(name, "")
            for option in _OPTION.finditer(part, match.end(), close):
                if re.search(r"\bselected\b", option.group(1)):
                    found = re.search(r'value="([^"]*)"', option.group(1))
                    fields[name] = html.unescape(found.group(1)) if found else ""
    return fields


def prepare(coordinators: int, staff: int) -> list[int]:
    """Users, hubs and draft applications for the run (idempotent), in the national database:
    `coordinators` hubs, each in a home-care area of its own with two active hospitals (the
    national data's areas hold 36 hospitals each, whose 223-line plans are measured apart)."""
    import datetime

    from hospitals.models import ActiveHospitalDesignation, MedicalInstitution
    from hubs.models import Hub, HubCoordinator
    from subsidies.applications.reading import current_plan
    from subsidies.applications.services import save_plan, start_application
    from subsidies.catalogue.services import copy_fiscal_year
    from subsidies.models import Application, FiscalYear
    from zaitaku_portal.models import HomeCareArea, SecondaryMedicalArea, User

    fiscal_year = FiscalYear.objects.filter(year=YEAR).first()
    if fiscal_year is None:
        source = (
            FiscalYear.objects.filter(
                menus__code="okinawa-hub-meeting", menus__expense_categories__isnull=False
            )
            .order_by("-year")
            .first()
        )
        fiscal_year = copy_fiscal_year(source, YEAR, actor=None)
    ids = []
    for index in range(coordinators):
        user, _ = User.objects.get_or_create(
            username=f"load-coord-{index}", defaults={"role": "hub_coordinator"}
        )
        user.set_password(PASSWORD)
        user.save()
        area, _ = HomeCareArea.objects.get_or_create(
            name=f"負荷試験圏域{index:02d}",
            defaults={"basis": "other", "secondary_area": SecondaryMedicalArea.objects.first()},
        )
        hub, created = Hub.objects.get_or_create(
            name=f"負荷試験拠点B{index:02d}",
            defaults={
                "operator_type": "medical_association",
                "operator_name": f"負荷試験医師会{index}",
                "designated_from": datetime.date(YEAR, 4, 1),
            },
        )
        if created:
            hub.areas.set([area])
            for _number in range(2):
                institution = (
                    MedicalInstitution.objects.filter(designations__isnull=True).first()
                    or MedicalInstitution.objects.order_by("?").first()
                )
                ActiveHospitalDesignation.objects.create(
                    institution=institution,
                    area=area,
                    hub=hub,
                    start_date=datetime.date(YEAR, 4, 1),
                )
        HubCoordinator.objects.get_or_create(
            hub=hub, user=user, defaults={"name": f"負荷{index}", "qualification": "a"}
        )
        application = Application.objects.filter(hub=hub, fiscal_year=fiscal_year).first()
        application = application or start_application(hub, fiscal_year, user)
        Application.objects.filter(pk=application.pk).update(status="draft")
        application.refresh_from_db()
        plan = current_plan(application)
        plan.update(
            district_policy="市町村ごとに区割り",
            meeting_body_count=2,
            meeting_members="医師会、訪問看護、地域包括支援センター",
        )
        plan["lines"]["okinawa-hub-meeting"].update(
            wish=True,
            planned_actions="連携会議を年4回",
            start_year=YEAR,
            expenses={"honoraria": 300_000},
        )
        try:  # complete: it can be submitted
            save_plan(application, plan, user, application.version)
        except Exception as error:
            raise SystemExit(f"{error}: {getattr(error, 'problems', '')}") from error
        ids.append(application.pk)
    for index in range(staff):
        user, _ = User.objects.get_or_create(
            username=f"load-staff-{index}", defaults={"role": "prefecture_staff"}
        )
        user.set_password(PASSWORD)
        user.save()
    return ids


def largest_save_cpu(repeat: int = 7) -> str:
    """Issue 21's "a save's CPU ≤ 40 ms for the largest plan": the in-process CPU of one
    POST of the plan form (下書き保存, the redirect not followed) of the hub whose areas have
    the most active hospitals, newest year, its picked hospitals laid out as
    benchmarks/plan_form.py does; the median of `repeat` saves, all rolled back."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext, override_settings

    from benchmarks.plan_form import new_layout, old_layout
    from hubs.models import HubCoordinator
    from subsidies.applications import services
    from subsidies.models import Application
    from zaitaku_portal.models import Role, User

    plain_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain_static), transaction.atomic():
        application = (
            Application.objects.filter(institution__isnull=True)
            .annotate(n=Count("hub__areas__designations"))
            .order_by("-n", "-fiscal_year__year", "pk")
            .first()
        )
        Application.objects.filter(pk=application.pk).update(status="draft")
        user = User.objects.create(
            username="bench-save-cpu", role=Role.HUB_COORDINATOR, full_name="計測用"
        )
        HubCoordinator.objects.create(
            hub=application.hub, user=user, name="計測用", qualification="a"
        )
        application.refresh_from_db()
        services.ensure_lines(application)
        old_layout(application)
        new_layout(application)  # the picked hospitals (issue 18)
        lines = application.lines.count()
        client = TestClient(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        edit = f"/subsidies/applications/{application.pk}/edit/"
        times, queries = [], 0
        for index in range(repeat + 1):  # the first warms the templates and caches
            reader = FormReader("plan-form")
            reader.feed(client.get(edit).content.decode())
            fields = {**reader.fields, "meeting_members": f"計測{index}", "save": "1"}
            body = urllib.parse.urlencode(fields)
            with CaptureQueriesContext(connection) as captured:
                begin = time.process_time()
                response = client.post(edit, body, content_type=FORM_TYPE)
                spent = time.process_time() - begin
            assert response.status_code == 302, response.status_code
            if index:
                times.append(spent)
                queries = len(captured)
        transaction.set_rollback(True)
    median = statistics.median(times) * 1000
    return (
        f"largest plan ({application}, {lines} lines): one save {median:.0f} ms CPU "
        f"in-process, median of {repeat} (target ≤ 40), {queries} queries"
    )


def final_state(ids: list[int]) -> dict[int, tuple[str, int, str]]:
    from subsidies.models import Application

    return {
        a.pk: (a.status, a.version, a.meeting_members)
        for a in Application.objects.filter(pk__in=ids)
    }


def run_load(args, ids: list[int], figures: bool, label: str) -> None:
    """One timed run against a fresh gunicorn, with the figures cache (and the plan form's
    HTML kept, zaitaku_portal/figures.py) or without; prints its table and checks."""
    start = final_state(ids)
    server = start_server(args.database_url, args.port, True, args.workers, figures)
    base = f"http://127.0.0.1:{args.port}"
    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    last_saved: dict[int, str] = {}
    conflicts = [0]
    lock = threading.Lock()
    # Everyone logs in before the clock starts: a login's password hash (PBKDF2, about half
    # a second of CPU each) is not a write, and twenty of them would fill the first seconds.
    clients = signed_in(
        base,
        [f"load-coord-{i}" for i in range(args.coordinators)]
        + [f"load-staff-{i}" for i in range(args.staff)],
    )
    deadline = time.perf_counter() + args.seconds

    def timed(label, call):
        begin = time.perf_counter()
        status, body = call()
        with lock:
            timings[label].append(time.perf_counter() - begin)
            if status not in (200, 302):
                errors[label] += 1
        return status, body

    writes: dict[int, int] = defaultdict(int)  # accepted writes per application

    def coordinator(index: int) -> None:
        client = clients[f"load-coord-{index}"]
        pk = ids[index]
        rng = random.Random(index)
        counter = 0
        while time.perf_counter() < deadline:
            status, body = timed(
                "coordinator: 計画の画面",
                lambda: client.get_text(f"/subsidies/applications/{pk}/edit/"),
            )
            if status != 200 or 'id="plan-form"' not in body:
                time.sleep(0.3)  # not editable now (submitted, under review)
                continue
            fields = form_fields(body, "plan-form")
            if counter == 0:  # the fast reader reads what a browser would send
                reader = FormReader("plan-form")
                reader.feed(body)
                assert fields == reader.fields, "form_fields differs from FormReader"
            counter += 1
            members = f"負荷試験{index}-{counter}"
            fields = {**fields, "meeting_members": members}
            submitting = rng.random() < 0.15
            fields["submit" if submitting else "save"] = "1"
            label = "coordinator: 保存して提出" if submitting else "coordinator: 下書き保存"
            status, body = timed(
                label,
                lambda fields=fields: client.post(f"/subsidies/applications/{pk}/edit/", fields),
            )
            saved = "下書きを保存しました" in body or "変更はありませんでした" in body
            if saved or "を行いました" in body or ("提出する" in body and submitting):
                with lock:
                    last_saved[pk] = members
                    writes[pk] += 1
            else:
                with lock:
                    conflicts[0] += 1
            time.sleep(rng.uniform(0.2, 0.6))

    def reviewer(index: int) -> None:
        client = clients[f"load-staff-{index}"]
        rng = random.Random(1000 + index)
        while time.perf_counter() < deadline:
            timed("staff: 審査一覧", lambda: client.get_text("/subsidies/review/"))
            pk = rng.choice(ids)
            status, body = timed(
                "staff: 申請の画面",
                lambda pk=pk: client.get_text(f"/subsidies/applications/{pk}/"),
            )
            for action, extra in (
                ("start_review", {}),
                ("return", {"reason_code": "missing", "reason": "負荷試験の差戻し"}),
            ):
                status, page = client.get_text(f"/subsidies/applications/{pk}/action/{action}/")
                version = re.search(r'name="version" value="(\d+)"', page)
                if status != 200 or version is None:
                    continue
                status, body = timed(
                    f"staff: {action}",
                    lambda action=action, extra=extra, version=version, pk=pk: client.post(
                        f"/subsidies/applications/{pk}/action/{action}/",
                        {"version": version.group(1), **extra},
                    ),
                )
                if "を行いました" in body:
                    with lock:
                        writes[pk] += 1
            time.sleep(rng.uniform(0.2, 0.6))

    threads = [threading.Thread(target=coordinator, args=(i,)) for i in range(args.coordinators)]
    threads += [threading.Thread(target=reviewer, args=(i,)) for i in range(args.staff)]
    meter = CpuMeter(server.pid)
    meter.start()  # the speed probe first, then the clock
    deadline = time.perf_counter() + args.seconds
    began = time.perf_counter()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - began
        cpu = meter.stop()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    end = final_state(ids)
    total = sum(len(v) for v in timings.values())
    print(
        f"\n{label}\n{args.coordinators} coordinators + {args.staff} staff, {wall:.1f}s, "
        f"{total} requests, {total / wall:.1f} req/s"
    )
    print(f"{'request':<28}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}")
    for label in sorted(timings):
        values = sorted(timings[label])
        p50 = values[len(values) // 2] * 1000
        p95 = percentile(values, 0.95) * 1000
        print(f"{label:<28}{len(values):>6}{p50:>9.0f}{p95:>9.0f}{errors.get(label, 0):>8}")
    lost = [pk for pk, members in last_saved.items() if end[pk][2] != members]
    miscounted = [pk for pk in ids if end[pk][1] - start[pk][1] != writes[pk]]
    print(
        f"refused with a message (stale version or not editable): {conflicts[0]}; "
        f"lost updates: {len(lost)}; version counters off: {len(miscounted)}; "
        f"HTTP errors: {sum(errors.values())}"
    )
    print(cpu)
    print(f"server CPU per request: {meter.server / total * 1000:.1f} ms ({total} requests)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--coordinators", type=int, default=16)
    parser.add_argument("--staff", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--save-cpu-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--no-compare",
        dest="compare",
        action="store_false",
        help="production only, without the run with the caches off beside it",
    )
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zaitaku_portal.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")  # development settings (off by default)
    import django

    django.setup()
    if args.save_cpu_only:  # the child below, on the server's settings
        print(largest_save_cpu())
        return
    # before the load, in a process of its own with the server's settings (DEBUG off)
    save_cpu = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--save-cpu-only", "--database-url", args.database_url],
        env={**os.environ, **SERVER_ENV},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ids = prepare(args.coordinators, args.staff)
    run_load(args, ids, True, "production: figures, the plan form and the menus kept (ADR 0018)")
    if args.compare:
        run_load(args, ids, False, "the alternative: nothing kept (PORTAL_FIGURES_MAX_AGE=0)")
    print(save_cpu)


if __name__ == "__main__":
    main()
