"""Document batches made by the task workers (docs/adr/0014).

`start_batch` records a job and, in the same transaction, enqueues its planning task. The
plan splits the job's documents into parts of PORTAL_BATCH_CHUNK_SIZE, one task each, so
every worker on every host shares the batch; each part keeps what it made in the default
storage. The part that finishes last (decided under a row lock on the job, so exactly one
part sees "none left") enqueues the assembly, which writes the ZIP into the storage for the
scoped download view. `run_job` makes a whole job in the calling process through the same
steps, without the queue (tests, an operator with no worker).

Every step may run twice (a worker that died is replaced, reports/workers.py): planning
does nothing once the job is planned, a part's result counts only if its part is still
pending under the lock, and the assembly does nothing once the job has a result."""

from __future__ import annotations

import datetime
import io
import logging
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch, Sum
from django.utils import timezone
from django_tasks import task

from reports.models import BatchJob, BatchPart
from reports.pdf import DocumentError, seconds_left
from reports.pdf import deadline as document_deadline
from zaitaku_portal import audit, request_id
from zaitaku_portal.filenames import safe_filename, safe_zip_path

logger = logging.getLogger("reports.batches")

Item = tuple[str, Callable[[], bytes]]  # (file name in the ZIP, how to make it)
ZIP_DATE = (2000, 1, 1, 0, 0, 0)  # a document without a date of its own (same bytes each time)


def _decision_notice_items(job: BatchJob, window: slice | None = None) -> list[Item]:
    from reports.documents import decision_notice_filename, decision_notice_pdf
    from subsidies.models import Decision, DecisionLine

    decisions = (
        Decision.objects.current()
        .filter(application__fiscal_year__year=job.params["year"])
        .select_related(
            "application__hub", "application__institution", "application__fiscal_year", "version"
        )
        .defer("version__snapshot")  # a notice needs the version's date, not the filed plan
        .order_by("application__hub__name", "number", "pk")
    )
    if window is not None:  # a part's own documents (make_part), by their places
        decisions = decisions[window].prefetch_related(
            # the notices' lines in one query for the part (reports.documents.decision_lines)
            Prefetch(
                "lines",
                queryset=DecisionLine.objects.select_related("menu").order_by("pk"),
                to_attr="notice_lines",
            )
        )
    return [(decision_notice_filename(d), lambda d=d: decision_notice_pdf(d)) for d in decisions]


def _dossier_items(job: BatchJob) -> list[Item]:
    from hubs.models import Hub
    from reports.documents import dossier_items
    from subsidies.models import FiscalYear

    hub = Hub.objects.get(pk=job.params["hub"])
    fiscal_year = FiscalYear.objects.get(year=job.params["year"])
    return dossier_items(hub, fiscal_year)


ITEMS: dict[str, Callable[..., list[Item]]] = {
    BatchJob.Kind.DECISION_NOTICES: _decision_notice_items,
    BatchJob.Kind.DOSSIER: _dossier_items,
}
# Kinds whose list can be read for one part's places only (`window`): a part of a batch of
# 300 notices then loads its 4 decisions, not all 300 (issue 21).
WINDOWED = frozenset({BatchJob.Kind.DECISION_NOTICES})


# --- the tasks --------------------------------------------------------------------------


@task()
@request_id.carries_request_id
def plan_batch(job_id: int) -> int:
    """Split the job into parts and enqueue one task a part (in the plan's transaction)."""

    def enqueue_parts(part_ids: list[int]) -> None:
        for part_id in part_ids:
            request_id.enqueue(make_batch_part, part_id)

    planned = plan(job_id, then=enqueue_parts)
    if planned == 0:
        assemble(job_id)  # nothing to make: an empty ZIP that says so
    return planned


@task()
@request_id.carries_request_id
def make_batch_part(part_id: int) -> int:
    outcome = make_part(part_id)
    if outcome.last:
        request_id.enqueue(assemble_batch, outcome.job_id)
    if outcome.error is not None:
        raise outcome.error  # the task's row keeps the traceback; the job says which part
    return outcome.made


@task()
@request_id.carries_request_id
def assemble_batch(job_id: int) -> str:
    return assemble(job_id).status


def start_batch(kind: str, params: dict, label: str, actor) -> BatchJob:
    """Record the job and enqueue its plan in one transaction: a worker sees the task only
    once the job is committed, and a job is never left without its task."""
    with transaction.atomic():
        job = BatchJob.objects.create(kind=kind, params=params, label=label, created_by=actor)
        audit.record(actor, "一括作成の依頼", job, {"条件": params})
        request_id.enqueue(plan_batch, job.pk)
    return job


def run_job(job_id: int) -> BatchJob:
    """Make the whole job now, in this process: plan, every part, the ZIP."""
    part_ids: list[int] = []
    plan(job_id, then=part_ids.extend)
    for part_id in part_ids:
        outcome = make_part(part_id)
        if outcome.error is not None:
            raise outcome.error
    return assemble(job_id)


# --- the steps --------------------------------------------------------------------------


def plan(job_id: int, then: Callable[[list[int]], None]) -> int | None:
    """The job's parts, created once; `then` gets their ids inside the same transaction.
    The number of documents, or None if the job was planned already."""
    with transaction.atomic():
        job = BatchJob.objects.select_for_update().get(pk=job_id)
        if job.status != BatchJob.Status.QUEUED:
            return None
        try:
            names = [name for name, _make in ITEMS[job.kind](job)]
        except Exception as error:  # a failed batch must say so on the page
            _fail(job, error)
            return None
        job.total = len(names)
        job.done = 0
        job.status = BatchJob.Status.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["total", "done", "status", "started_at"])
        size = max(1, int(settings.PORTAL_BATCH_CHUNK_SIZE))
        indexed = list(enumerate(names))
        parts = [
            BatchPart.objects.create(job=job, number=number, items=indexed[start : start + size])
            for number, start in enumerate(range(0, len(indexed), size), start=1)
        ]
        then([part.pk for part in parts])
        return len(names)


@dataclass
class PartOutcome:
    job_id: int
    last: bool  # this part finished the job: assemble it
    made: int = 0
    error: Exception | None = None


def make_part(part_id: int) -> PartOutcome:
    """Make the part's documents into a small ZIP in the storage. A document that cannot be
    made (its time limit, reports/pdf.py) is left out and named; past the batch's limit
    (PORTAL_BATCH_TIMEOUT_SECONDS from the job's start) the rest are skipped."""
    part = BatchPart.objects.select_related("job").get(pk=part_id)
    if part.status != BatchPart.Status.PENDING:
        return PartOutcome(part.job_id, last=False)
    job = part.job
    buffer = io.BytesIO()
    made, skipped, missing = 0, 0, []
    try:
        items, offset = _part_items(job, part.items)
        deadline = _deadline(job)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for index, name in part.items:
                make = _maker(items, index - offset, name)
                if seconds_left(deadline) <= 0:
                    skipped += 1
                    continue
                # each entry dated with its document's own time (reports.documents' zip_date)
                when = getattr(make, "zip_date", None) or ZIP_DATE
                entry = zipfile.ZipInfo(safe_zip_path(name), date_time=when)
                if make is None:
                    missing.append(f"{entry.filename}（依頼の後に対象から外れました）")
                    continue
                try:
                    with document_deadline(deadline):
                        content = make()
                except DocumentError as error:
                    missing.append(f"{entry.filename}（{error}）")
                    continue
                entry.compress_type = _compression_of(content)
                archive.writestr(entry, content)
                made += 1
    except Exception as error:  # recorded on the job; the other parts still make their own
        logger.exception("一括作成 %s の分担 %s でエラーが発生しました。", job.pk, part.number)
        names = "、".join(safe_zip_path(name) for _index, name in part.items)
        failed = [f"{names}（作成中にエラーが発生しました: {error}）"]
        last = finish_part(part, None, 0, 0, failed, BatchPart.Status.FAILED)
        return PartOutcome(job.pk, last=last, error=error)
    last = finish_part(part, buffer.getvalue() if made else None, made, skipped, missing)
    return PartOutcome(job.pk, last=last, made=made)


def _compression_of(content: bytes) -> int:
    """A PDF goes into the ZIP as it is (ZIP_STORED): its streams are deflated already, and
    deflating it again saved 0.8 % of a notice (43 KB) for ~1 ms, and as much again when the
    parts are joined. CSV and other files are deflated. The documents' bytes are the same."""
    return zipfile.ZIP_STORED if content.startswith(b"%PDF-") else zipfile.ZIP_DEFLATED


def _part_items(job: BatchJob, planned: list) -> tuple[list[Item], int]:
    """The makers for a part's documents and the place of the first in the job's list: its
    own window when the kind can read one and it still holds the planned names, else the
    whole list (documents came or went since the plan: `_maker` finds them by name)."""
    if job.kind in WINDOWED and planned:
        first, last = planned[0][0], planned[-1][0] + 1
        items = ITEMS[job.kind](job, slice(first, last))
        if [name for name, _make in items] == [name for _index, name in planned]:
            return items, first
    return ITEMS[job.kind](job), 0


def _maker(items: list[Item], index: int, name: str):
    """The maker of the planned document: by its place, or by its name if the list moved."""
    if index < len(items) and items[index][0] == name:
        return items[index][1]
    return next((make for item_name, make in items if item_name == name), None)


def _deadline(job: BatchJob) -> float:
    """The batch's time limit as a time.monotonic() value for this process."""
    ends = job.started_at + datetime.timedelta(seconds=settings.PORTAL_BATCH_TIMEOUT_SECONDS)
    return time.monotonic() + (ends - timezone.now()).total_seconds()


def finish_part(part, content, made, skipped, missing, status=BatchPart.Status.DONE) -> bool:
    """Record a finished part under the job's row lock; True for the part that finished the
    job (no part left pending), which alone assembles it. A part finished already (by a
    worker taken for dead that was only slow) keeps its first result."""
    with transaction.atomic():
        job = BatchJob.objects.select_for_update().get(pk=part.job_id)
        part = BatchPart.objects.select_for_update().get(pk=part.pk)
        if part.status != BatchPart.Status.PENDING:
            return False
        if content:
            part.result.save(f"batch-{job.pk}-{part.number}.zip", ContentFile(content), save=False)
        part.status, part.made, part.skipped, part.missing = status, made, skipped, missing
        part.save()
        job.done = job.parts.aggregate(total=Sum("made"))["total"] or 0
        job.save(update_fields=["done"])
        return not job.parts.filter(status=BatchPart.Status.PENDING).exists()


def assemble(job_id: int) -> BatchJob:
    """The parts' documents, in the job's order, as one ZIP in the storage."""
    job = BatchJob.objects.get(pk=job_id)
    if job.status in (BatchJob.Status.DONE, BatchJob.Status.FAILED):
        return job
    parts = list(job.parts.order_by("number"))
    if any(part.status == BatchPart.Status.PENDING for part in parts):
        return job  # not the last part: nothing to do yet
    with tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024) as spool:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
            for part in parts:
                if not part.result:
                    continue
                with part.result.open("rb") as stored:
                    source = zipfile.ZipFile(io.BytesIO(stored.read()))
                for info in source.infolist():  # each as its part stored it (_compression_of)
                    archive.writestr(info, source.read(info))
        spool.seek(0)
        job = _store_result(job_id, parts, spool)
    for part in parts:  # the ZIP holds them now
        if part.result:
            part.result.delete(save=True)
    return job


def _store_result(job_id: int, parts: list[BatchPart], spool) -> BatchJob:
    missing = [message for part in parts for message in part.missing]
    skipped = sum(part.skipped for part in parts)
    if skipped:
        missing.append(_stopped_message(skipped))
    with transaction.atomic():
        job = BatchJob.objects.select_for_update().get(pk=job_id)
        if job.status in (BatchJob.Status.DONE, BatchJob.Status.FAILED):
            return job  # assembled by another worker meanwhile
        job.result_name = safe_filename(f"{job.label}.zip")
        job.result.save(f"batch-{job.pk}.zip", File(spool), save=False)
        job.done = sum(part.made for part in parts)
        job.status = BatchJob.Status.FAILED if missing else BatchJob.Status.DONE
        job.finished_at = timezone.now()
        job.message = _finished_message(job, missing)
        job.save()
        return job


def _fail(job: BatchJob, error: BaseException) -> None:
    logger.error("一括作成 %s を計画できませんでした: %s", job.pk, error)
    job.status = BatchJob.Status.FAILED
    job.message = f"作成中にエラーが発生しました: {error}"
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "finished_at"])


def abandon(task_path: str, args: list, kwargs: dict, reason: str) -> None:
    """A batch task given up after its worker died too often (reports/workers.py): its part
    is recorded as failed (and the job assembled if it was the last), or the job fails."""
    key = args[0] if args else kwargs.get("part_id", kwargs.get("job_id"))
    if task_path.endswith(".make_batch_part"):
        part = BatchPart.objects.filter(pk=key).first()
        if part is None:
            return
        names = "、".join(safe_zip_path(name) for _index, name in part.items)
        if finish_part(part, None, 0, 0, [f"{names}（{reason}）"], BatchPart.Status.FAILED):
            request_id.enqueue(assemble_batch, part.job_id)
    elif task_path.endswith((".plan_batch", ".assemble_batch")):
        job = BatchJob.objects.filter(pk=key).first()
        if job is not None and job.status not in (BatchJob.Status.DONE, BatchJob.Status.FAILED):
            _fail(job, RuntimeError(reason))


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
