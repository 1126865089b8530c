"""Benchmark: one 交付決定通知書 and a batch of 300, the way before issue 21 and now, in one run.

    .venv/bin/python benchmarks/pdf_notices.py [--batch 300] [--workers 2] [--skip-generate]

1. One notice (median of --singles after a warm-up) and --batch notices one after the other
   in this process, built from plain data (no database):
     before  a child process forked for each document, WeasyPrint cold in it (fontconfig, the
             two font files copied and loaded again): the code of reports/pdf_sandbox.py
             before issue 21, kept here as `fork_per_document`;
     round 1 the warm child as issue 21's first round left it (fonts loaded once, but the
             stylesheet parsed for each document, each stream compressed twice, no gc.freeze):
             today's child with those three undone (`first_round`);
     now     reports.notices.notice_pdf: the warm render child of reports/pdf_sandbox.py.
   All must give the same bytes for every notice. "cpu/doc" is the CPU time of this process
   and of its render children (reaped, RUSAGE_CHILDREN) over all the row's renders: what a
   document costs, whatever else runs on the machine.
2. The batch through the task workers (docs/adr/0014): a scratch SQLite file
   (/tmp/zaitaku_bench_pdf.sqlite3, never the project's database) with --batch hubs whose
   decisions of 令和7年度 are the documents; `start_batch` as the page does it, then
   `manage.py task_worker` processes, with 1 worker (serial) and with --workers (parallel).
   Timed from the request to the finished ZIP; the job's progress is sampled while it runs,
   and the ZIP's documents are compared with single renders in this process (same bytes).
   "cpu/doc" is the workers' CPU and their render children's from the request to their stop
   (their start-up, read from /proc before the request, left out: the workers' own and that
   of the render child each warms up before its first task); "render" is the render
   children's share of it (read from /proc when the job has finished), the rest is the
   workers' own: the task claims, the database, the notices' context, the ZIP. --chunk sets
   the workers' PORTAL_BATCH_CHUNK_SIZE.

On SQLite the workers share one file lock (claims, progress); production runs PostgreSQL."""

from __future__ import annotations

import argparse
import contextlib
import datetime
import gc
import io
import multiprocessing
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import types
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = Path(tempfile.gettempdir()) / "zaitaku_bench_pdf.sqlite3"
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zaitaku_portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")  # development settings (off by default)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402
from weasyprint import HTML  # noqa: E402

from reports import pdf_sandbox  # noqa: E402
from reports.notices import decision_notice, notice_pdf  # noqa: E402
from reports.pdf import document_html, font_files, pdf_identifier  # noqa: E402

MENUS = [
    ("多職種が参加する連携会議の開催", 1_060_000),
    ("資源把握・課題整理・対応策検討", 600_000),
    ("関係機関との連携、調整", 1_400_000),
    ("急変時の対応体制や24時間体制の構築", 1_200_000),
    ("ICTシステム導入経費", 550_000),
    ("研修の開催", 518_000),
    ("在宅医療の普及啓発", 472_000),
]
YEAR = 2025  # the scratch data's first, closed year: every hub's application decided


def notice(index: int):
    return decision_notice(
        fiscal_year=2026,
        notice_number=f"8医政第{1000 + index}号",
        notice_date=datetime.date(2026, 6, 1),
        application_date=datetime.date(2026, 5, 10),
        addressee_organisation=f"一般社団法人 拠点{index}地区医師会",
        addressee_title="会長",
        addressee_name=f"代表 {index}郎",
        lines=MENUS[: 3 + index % 5],
    )


# --- before: a cold child forked for each document (reports/pdf_sandbox.py until issue 21) --


def fork_per_document(notice_, document_key: str) -> bytes:
    created = timezone.make_aware(
        datetime.datetime.combine(notice_.notice_date, datetime.time(9, 0)),
        timezone.get_default_timezone(),
    )
    html = document_html("reports/pdf/notice.html", {"notice": notice_}, created=created)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    folder = tempfile.mkdtemp(prefix="bench-pdf-")  # the old code left WeasyPrint's here
    child = context.Process(
        target=_old_child,
        args=(sender, html, str(settings.BASE_DIR), pdf_identifier(document_key), folder),
        daemon=True,
    )
    child.start()
    sender.close()
    try:
        if not receiver.poll(settings.PORTAL_DOCUMENT_TIMEOUT_SECONDS):
            raise TimeoutError
        status, payload = receiver.recv()
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
        shutil.rmtree(folder, ignore_errors=True)
    if status != "ok":
        raise RuntimeError(payload)
    return payload


def _old_child(sender, html, base_url, identifier, folder) -> None:
    tempfile.tempdir = folder
    fetcher = pdf_sandbox.FilesOnlyFetcher(font_files())
    try:
        pdf = HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
            pdf_identifier=identifier, uncompressed_pdf=False
        )
        sender.send(("ok", pdf))
    except Exception as error:
        sender.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        sender.close()


# --- round 1: the warm child of issue 21's first round -----------------------------------


class _ZlibTwice:
    """pydyf's own zlib: each stream compressed again for the file identifier's MD5."""

    def forget(self) -> None:
        pass

    def __getattr__(self, name):
        import zlib

        return getattr(zlib, name)


@contextlib.contextmanager
def first_round():
    """Today's render child with this round's three changes undone; the child forked inside
    the block inherits the patched module (reports/pdf_sandbox.py)."""
    saved = pdf_sandbox._portal_sheet, pdf_sandbox._DeflateOnce, pdf_sandbox.gc
    pdf_sandbox.close_all()
    pdf_sandbox._portal_sheet = lambda html, fonts: None  # the <style> parsed every time
    pdf_sandbox._DeflateOnce = _ZlibTwice
    pdf_sandbox.gc = types.SimpleNamespace(freeze=lambda: None, collect=lambda: 0)
    try:
        yield
    finally:
        pdf_sandbox.close_all()
        pdf_sandbox._portal_sheet, pdf_sandbox._DeflateOnce, pdf_sandbox.gc = saved


# --- 1: in this process -----------------------------------------------------------------


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def in_process(label: str, make, batch: int, singles: int) -> dict:
    pdf_sandbox.close_all()  # a child of this row only, reaped at the end (its CPU counted)
    gc.collect()
    cpu, cpu_children = time.process_time(), children_cpu()
    make(notice(0), "warm-up")
    times = []
    for index in range(singles):
        start = time.perf_counter()
        make(notice(index), f"single-{index}")
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    pdfs = [make(notice(index), f"batch-{index}") for index in range(batch)]
    elapsed = time.perf_counter() - start
    pdf_sandbox.close_all()
    cpu = time.process_time() - cpu + children_cpu() - cpu_children
    return {
        "label": label,
        "single_s": statistics.median(times),
        "batch_s": elapsed,
        "per_doc_s": elapsed / batch,
        "cpu_doc_s": cpu / (1 + singles + batch),
        "avg_kb": sum(map(len, pdfs)) / batch / 1024,
        "pdfs": pdfs,
    }


# --- 2: through the task workers --------------------------------------------------------


def scratch_database(hubs: int, skip_generate: bool) -> int:
    from subsidies.models import Decision

    if not (skip_generate and SCRATCH.exists()):
        SCRATCH.unlink(missing_ok=True)
        call_command("migrate", verbosity=0)
        from reports.national import Scale, generate

        print(f"generating {hubs} hubs in {SCRATCH} ...", flush=True)
        generate(
            Scale(hubs=hubs, hospitals=0, areas=max(1, hubs // 6), years=2, first_year=YEAR),
            log=lambda line: None,
        )
    return Decision.objects.current().filter(application__fiscal_year__year=YEAR).count()


def start_workers(count: int) -> list[subprocess.Popen]:
    from reports.models import TaskWorker

    TaskWorker.objects.all().delete()
    env = {**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{SCRATCH}"}
    command = [sys.executable, "manage.py", "task_worker", "--no-reload", "--interval", "0.05"]
    workers = [
        subprocess.Popen(  # noqa: S603
            [*command, "--no-startup-delay", "--worker-id", f"bench-{n}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(count)
    ]
    while TaskWorker.objects.count() < count:  # each has said it is alive
        if any(worker.poll() is not None for worker in workers):
            raise RuntimeError("a task worker ended before its first heartbeat")
        time.sleep(0.1)
    time.sleep(1.0)  # past django-tasks-db's start-up
    return workers


def process_cpu(pid: int) -> float:
    """CPU seconds a running process has used so far (user and system, /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def render_children_cpu(workers: list[subprocess.Popen]) -> float:
    """CPU seconds the workers' render children (reports/pdf_sandbox.py) have used so far."""
    total = 0.0
    for worker in workers:
        with contextlib.suppress(OSError):
            children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text()
            for pid in children.split():
                with contextlib.suppress(OSError, IndexError):
                    total += process_cpu(int(pid))
    return total


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        worker.wait(timeout=60)


def through_workers(count: int, sample: int) -> dict:
    from django_tasks_db.models import DBTaskResult

    from reports.batches import start_batch
    from reports.documents import decision_notice_filename, decision_notice_pdf
    from reports.models import BatchJob
    from subsidies.models import Decision
    from zaitaku_portal.models import User

    DBTaskResult.objects.all().delete()
    staff = User.objects.get(username="全国-staff")
    cpu_children = children_cpu()
    workers = start_workers(count)
    started_cpu = sum(process_cpu(worker.pid) for worker in workers)
    started_render_cpu = render_children_cpu(workers)  # a worker's warm-up, if it has one
    try:
        start = time.perf_counter()
        job = start_batch(
            BatchJob.Kind.DECISION_NOTICES, {"year": YEAR}, f"交付決定通知書 {count}", staff
        )
        progress = []
        while job.status not in (BatchJob.Status.DONE, BatchJob.Status.FAILED):
            time.sleep(0.2)
            job.refresh_from_db()
            if not progress or progress[-1][1] != job.done:
                progress.append((time.perf_counter() - start, job.done))
        elapsed = time.perf_counter() - start
        render_cpu = render_children_cpu(workers) - started_render_cpu  # before the stop
    finally:
        stop_workers(workers)
    # the workers and their render children, less what both had used before the request
    cpu = children_cpu() - cpu_children - started_cpu - started_render_cpu
    with job.result.open("rb") as stored:
        archive = zipfile.ZipFile(io.BytesIO(stored.read()))
    decisions = (
        Decision.objects.current()
        .filter(application__fiscal_year__year=YEAR)
        .select_related("application__hub", "application__fiscal_year", "version")
        .order_by("application__hub__name", "number")
    )
    chosen = list(decisions)
    step = max(1, len(chosen) // sample)
    checked = chosen[::step][:sample]
    same = sum(archive.read(decision_notice_filename(d)) == decision_notice_pdf(d) for d in checked)
    return {
        "workers": count,
        "status": job.get_status_display(),
        "message": job.message,
        "made": job.done,
        "seconds": elapsed,
        "per_doc_s": elapsed / max(1, job.done),
        "cpu_doc_s": cpu / max(1, job.done),
        "render_doc_s": render_cpu / max(1, job.done),
        "entries": len(archive.namelist()),
        "same": same,
        "checked": len(checked),
        "progress": progress,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=300)
    parser.add_argument("--singles", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=10, help="ZIP documents compared")
    parser.add_argument("--skip-generate", action="store_true", help="reuse the scratch file")
    parser.add_argument("--skip-workers", action="store_true")
    parser.add_argument("--skip-in-process", action="store_true", help="only part 2")
    parser.add_argument("--chunk", type=int, help="the workers' PORTAL_BATCH_CHUNK_SIZE")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"load average at the start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", flush=True)
    if not args.skip_in_process:
        in_this_process(args)
    if args.skip_workers:
        return
    if args.chunk:
        os.environ["PORTAL_BATCH_CHUNK_SIZE"] = str(args.chunk)  # the workers' environment
        settings.PORTAL_BATCH_CHUNK_SIZE = args.chunk

    total = scratch_database(args.batch, args.skip_generate)
    print(f"\n2. the batch of {total} 交付決定通知書 (令和7年度) through manage.py task_worker,")
    print(f"   PORTAL_BATCH_CHUNK_SIZE={settings.PORTAL_BATCH_CHUNK_SIZE}, SQLite scratch file")
    rows = [through_workers(count, args.sample) for count in sorted({1, args.workers})]
    print(
        f"{'workers':<9}{'seconds':>9}{'per doc':>9}{'cpu/doc':>9}{'render':>8}{'made':>6}"
        "  status, same bytes as single"
    )
    for row in rows:
        print(
            f"{row['workers']:<9}{row['seconds']:>8.1f}s{row['per_doc_s']:>8.3f}s"
            f"{row['cpu_doc_s']:>8.3f}s{row['render_doc_s']:>7.3f}s{row['made']:>6}"
            f"  {row['status']}, {row['same']} of {row['checked']} identical"
        )
        every = max(1, len(row["progress"]) // 8)
        marks = ", ".join(f"{t:.0f}s:{done}" for t, done in row["progress"][::every])
        print(f"         progress (seconds:documents): {marks}")
    if len(rows) == 2:
        speed_up = rows[0]["seconds"] / rows[1]["seconds"]
        print(f"speed-up with {args.workers} workers: {speed_up:.1f}x")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def in_this_process(args) -> None:
    before = in_process("before: fork per document", fork_per_document, args.batch, args.singles)
    with first_round():
        first = in_process("round 1: warm child", notice_pdf, args.batch, args.singles)
    now = in_process("now: warm render child", notice_pdf, args.batch, args.singles)
    same = sum(
        a == b == c for a, b, c in zip(before["pdfs"], first["pdfs"], now["pdfs"], strict=True)
    )
    print(f"\n1. notices from plain data: 1 single (median of {args.singles}) and {args.batch}")
    print("   one after the other in this process, A4, BIZ UD Gothic")
    print(f"{'way':<30}{'single':>9}{'batch':>9}{'per doc':>9}{'cpu/doc':>9}{'avg size':>10}")
    for row in (before, first, now):
        print(
            f"{row['label']:<30}{row['single_s']:>8.3f}s{row['batch_s']:>8.1f}s"
            f"{row['per_doc_s']:>8.3f}s{row['cpu_doc_s']:>8.3f}s{row['avg_kb']:>8.1f}KB"
        )
    print(
        f"speed-up: single {before['single_s'] / now['single_s']:.1f}x, "
        f"batch {before['batch_s'] / now['batch_s']:.1f}x "
        f"(over round 1: single {first['single_s'] / now['single_s']:.2f}x, "
        f"cpu/doc {first['cpu_doc_s'] / now['cpu_doc_s']:.2f}x); "
        f"same bytes: {same} of {args.batch} notices"
    )


if __name__ == "__main__":
    main()
