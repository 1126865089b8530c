"""Running document batches outside the web request.

`start_batch` records a job and hands it to a worker: a separate `manage.py run_batch_jobs`
process when the database is a server or a file, a thread when it is an in-memory test
database that another process cannot see. Both call `run_job`, which writes progress after
every document, so a killed worker leaves a job that `run_batch_jobs` picks up again."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import OperationalError, close_old_connections, connection, transaction
from django.utils import timezone

from reports.models import BatchJob
from reports.pdf import DocumentError, seconds_left
from reports.pdf import deadline as document_deadline
from zaitaku_portal import audit
from zaitaku_portal.filenames import safe_filename, safe_zip_path

Item = tuple[str, Callable[[], bytes]]  # (file name in the ZIP, how to make it)


def _decision_notice_items(job: BatchJob) -> list[Item]:
    from reports.documents import decision_notice_filename, decision_notice_pdf
    from subsidies.models import Decision

    decisions = (
        Decision.objects.current()
        .filter(application__fiscal_year__year=job.params["year"])
        .select_related("application__hub", "application__fiscal_year", "version")
        .order_by("application__hub__name", "number")
    )
    return [(decision_notice_filename(d), lambda d=d: decision_notice_pdf(d)) for d in decisions]


def _dossier_items(job: BatchJob) -> list[Item]:
    from hubs.models import Hub
    from reports.documents import dossier_items
    from subsidies.models import FiscalYear

    hub = Hub.objects.get(pk=job.params["hub"])
    fiscal_year = FiscalYear.objects.get(year=job.params["year"])
    return dossier_items(hub, fiscal_year)


ITEMS: dict[str, Callable[[BatchJob], list[Item]]] = {
    BatchJob.Kind.DECISION_NOTICES: _decision_notice_items,
    BatchJob.Kind.DOSSIER: _dossier_items,
}


def start_batch(kind: str, params: dict, label: str, actor) -> BatchJob:
    job = BatchJob.objects.create(kind=kind, params=params, label=label, created_by=actor)
    audit.record(actor, "一括作成の依頼", job, {"条件": params})
    transaction.on_commit(lambda: _dispatch(job.pk))
    return job


def _dispatch(job_id: int) -> None:
    if getattr(settings, "BATCH_WORKER", "spawn") == "none":
        return  # a separate `run_batch_jobs` loop picks it up
    database = connection.settings_dict
    in_memory = database["ENGINE"].endswith("sqlite3") and (
        str(database["NAME"]).startswith(":memory:") or "mode=memory" in str(database["NAME"])
    )
    if in_memory or getattr(settings, "BATCH_WORKER", "spawn") == "thread":
        threading.Thread(target=_run_in_thread, args=(job_id,), daemon=True).start()
        return
    environment = dict(os.environ)
    environment["DATABASE_URL"] = _database_url(database)
    environment["DJANGO_MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    subprocess.Popen(  # noqa: S603 - our own manage.py with a job id
        [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "run_batch_jobs",
            "--job",
            str(job_id),
        ],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _database_url(database: dict) -> str:
    if database["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{database['NAME']}"
    user = database.get("USER") or ""
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    at = "@" if user else ""
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{user}{password}{at}{host}:{port}/{database['NAME']}"


def _run_in_thread(job_id: int) -> None:
    """The in-memory database's shared cache locks whole tables and answers "table is
    locked" at once instead of waiting, whenever the page's thread reads at that moment:
    try again (the job restarts from its first document) rather than leave it queued."""
    try:
        for _attempt in range(50):
            try:
                run_job(job_id)
                return
            except OperationalError as error:
                if "locked" not in str(error):
                    raise
                time.sleep(0.05)
    finally:
        close_old_connections()


def claim_job(job_id: int) -> BatchJob | None:
    """Take a queued job (or a running one whose worker died) for this worker."""
    with transaction.atomic():
        job = BatchJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == BatchJob.Status.DONE:
            return None
        job.status = BatchJob.Status.RUNNING
        job.started_at = timezone.now()
        job.done = 0
        job.save(update_fields=["status", "started_at", "done"])
        return job


def iterate_job(job: BatchJob) -> Iterator[BatchJob]:
    """Make every document of the job, yielding after each one (for progress output).

    A document that cannot be made (its time limit, reports/pdf.py) is left out and named;
    the batch stops at PORTAL_BATCH_TIMEOUT_SECONDS. Either way the job ends failed, and the
    documents made are kept in the ZIP for download."""
    items = ITEMS[job.kind](job)
    job.total = len(items)
    job.save(update_fields=["total"])
    buffer = io.BytesIO()
    missing: list[str] = []
    deadline = time.monotonic() + settings.PORTAL_BATCH_TIMEOUT_SECONDS
    try:
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for index, (name, make) in enumerate(items):
                if seconds_left(deadline) <= 0:
                    missing.append(_stopped_message(len(items) - index))
                    break
                entry = zipfile.ZipInfo(safe_zip_path(name), date_time=(2000, 1, 1, 0, 0, 0))
                try:
                    with document_deadline(deadline):
                        content = make()
                except DocumentError as error:
                    missing.append(f"{entry.filename}（{error}）")
                    continue
                archive.writestr(entry, content)
                job.done += 1
                BatchJob.objects.filter(pk=job.pk).update(done=job.done)
                yield job
    except Exception as error:  # a failed batch must say so on the page
        job.status = BatchJob.Status.FAILED
        job.message = f"作成中にエラーが発生しました: {error}"
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        raise
    job.result_name = safe_filename(f"{job.label}.zip")
    job.result.save(f"batch-{job.pk}.zip", ContentFile(buffer.getvalue()), save=False)
    job.status = BatchJob.Status.FAILED if missing else BatchJob.Status.DONE
    job.finished_at = timezone.now()
    job.message = _finished_message(job, missing)
    job.save()
    yield job


def _stopped_message(remaining: int) -> str:
    limit = f"{settings.PORTAL_BATCH_TIMEOUT_SECONDS:g}"
    return f"一括作成の制限時間（{limit}秒）を超えたため、残り{remaining}件は作成していません"


def _finished_message(job: BatchJob, missing: list[str]) -> str:
    if not missing:
        return f"{job.total}件を作成しました。"
    return (
        f"{job.total}件中{job.done}件を作成しました（作成できた書類はダウンロードできます）。"
        f"作成できなかった書類: {'、'.join(missing)}。"
    )


def run_job(job_id: int) -> BatchJob | None:
    job = claim_job(job_id)
    if job is None:
        return None
    for progress in iterate_job(job):
        job = progress
    return job
