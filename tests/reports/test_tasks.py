"""The task workers (docs/adr/0014): real `manage.py task_worker` processes share the queue
and each task runs once; a killed worker's task is taken again by another; a task whose
workers keep dying is given up without leaving its batch unfinished; a batch step that runs
twice counts once.

The worker processes need a database they can open: on PostgreSQL the test database itself,
on SQLite a file copy of the in-memory test database (tests/reports/task_runner.py)."""

from __future__ import annotations

import datetime
import io
import json
import signal
import time
import zipfile

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from reports import batches, workers
from reports.batches import start_batch
from reports.models import BatchJob, BatchPart, TaskWorker
from tests.reports import task_fixtures
from tests.reports.decided import decided_application
from tests.reports.task_runner import (
    database_url,
    rows,
    run_tasks,
    start_worker,
    use_database_tasks,
    worker_environment,
)
from zaitaku_portal.models import Role

TASKS = DBTaskResult._meta.db_table


def wait_for(check, seconds: float, what: str):
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def stop(process) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    output, _ = process.communicate(timeout=30)
    return output


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_share_a_batch_and_take_each_task_once(world, settings, tmp_path):
    use_database_tasks(settings)
    settings.MEDIA_ROOT = tmp_path
    settings.PORTAL_BATCH_CHUNK_SIZE = 1
    staff = world.users[Role.PREFECTURE_STAFF]
    decided_application(world.hub_a, staff=staff, number="8医政第1号")
    decided_application(world.hub_b, staff=staff, amounts=(300_000,), number="8医政第2号")
    job = start_batch(BatchJob.Kind.DECISION_NOTICES, {"year": 2026}, "一括", staff)
    for _ in range(12):  # enough work that both workers are busy at once
        task_fixtures.note_worker.enqueue(0.4)
    url = database_url(tmp_path)
    env = worker_environment(url, tmp_path, PORTAL_BATCH_CHUNK_SIZE="1")
    first = start_worker(env, "worker-one", "--batch")
    second = start_worker(env, "worker-two", "--batch")
    try:
        assert first.wait(timeout=120) == 0, stop(first)
        assert second.wait(timeout=120) == 0, stop(second)
    finally:
        logs = stop(first) + stop(second)
    results = rows(url, f"SELECT task_path, status, worker_ids FROM {TASKS}")  # noqa: S608
    assert len(results) == 12 + 4  # the notes; the batch's plan, two parts and assembly
    assert {status for _, status, _ in results} == {"SUCCESSFUL"}, logs
    claimed = [json.loads(ids) if isinstance(ids, str) else ids for _, _, ids in results]
    assert all(len(ids) == 1 for ids in claimed), claimed  # each task taken once
    assert {ids[0] for ids in claimed} == {"worker-one", "worker-two"}  # both took work
    ((status, done, total, result),) = rows(
        url, "SELECT status, done, total, result FROM reports_batchjob WHERE id = %s", job.pk
    )
    assert (status, done, total) == ("done", 2, 2)
    with zipfile.ZipFile(io.BytesIO((tmp_path / result).read_bytes())) as archive:
        assert sorted(archive.namelist()) == [
            "交付決定通知書_乙拠点_8医政第2号.pdf",
            "交付決定通知書_甲拠点_8医政第1号.pdf",
        ]
    # A worker that stops cleanly takes its heartbeat with it.
    assert rows(url, "SELECT count(*) FROM reports_taskworker") == [(0,)]


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_task_is_taken_again_by_another_worker(settings, tmp_path):
    use_database_tasks(settings)
    stalled = task_fixtures.stall_first_attempt.enqueue(600)
    url = database_url(tmp_path)
    env = worker_environment(
        url, tmp_path, PORTAL_WORKER_HEARTBEAT_SECONDS="0.3", PORTAL_WORKER_DEAD_SECONDS="2"
    )
    first = start_worker(env, "worker-killed")
    second = None
    try:
        sql = f"SELECT status, worker_ids FROM {TASKS} WHERE id = %s"  # noqa: S608
        task_id = stalled.id.replace("-", "") if url.startswith("sqlite") else stalled.id
        wait_for(lambda: rows(url, sql, task_id)[0][0] == "RUNNING", 60, "the first claim")
        first.send_signal(signal.SIGKILL)  # in the middle of the task
        first.wait(timeout=10)
        killed_at = time.monotonic()
        second = start_worker(env, "worker-survivor")
        wait_for(lambda: rows(url, sql, task_id)[0][0] == "SUCCESSFUL", 60, "the second run")
        # Not before the dead worker's heartbeat was 2 s old.
        assert time.monotonic() - killed_at >= 2
    finally:
        logs = stop(first) + (stop(second) if second else "")
    ((_status, worker_ids),) = rows(url, sql, task_id)
    worker_ids = json.loads(worker_ids) if isinstance(worker_ids, str) else worker_ids
    assert worker_ids == ["worker-killed", "worker-survivor"], logs
    sql = f"SELECT return_value FROM {TASKS} WHERE id = %s"  # noqa: S608
    ((value,),) = rows(url, sql, task_id)
    assert (json.loads(value) if isinstance(value, str) else value) == 2  # the second attempt
    assert "のワーカー worker-killed が停止したため" in logs


@pytest.mark.django_db
def test_a_live_workers_long_task_is_not_taken(settings):
    use_database_tasks(settings)
    settings.PORTAL_WORKER_DEAD_SECONDS = 60
    result = task_fixtures.note_worker.enqueue(0).db_result
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    DBTaskResult.objects.filter(pk=result.pk).update(
        status="RUNNING", started_at=long_ago, worker_ids=["busy"]
    )
    workers.beat("busy")  # alive: seen just now
    assert workers.recover_lost_tasks() == []
    TaskWorker.objects.filter(pk="busy").update(seen_at=long_ago)
    assert workers.recover_lost_tasks() == [str(result.pk)]
    result.refresh_from_db()
    assert result.status == "READY"


def test_a_part_whose_workers_keep_dying_is_given_up_and_the_batch_still_ends(
    world, settings, tmp_path
):
    use_database_tasks(settings)
    settings.MEDIA_ROOT = tmp_path
    settings.PORTAL_BATCH_CHUNK_SIZE = 1
    settings.PORTAL_TASK_MAX_ATTEMPTS = 3
    staff = world.users[Role.PREFECTURE_STAFF]
    decided_application(world.hub_a, staff=staff, number="8医政第1号")
    decided_application(world.hub_b, staff=staff, amounts=(300_000,), number="8医政第2号")
    job = start_batch(BatchJob.Kind.DECISION_NOTICES, {"year": 2026}, "一括", staff)
    run_tasks(limit=1)  # the plan: two parts queued
    first, _second = DBTaskResult.objects.filter(status="READY").order_by("enqueued_at")
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    DBTaskResult.objects.filter(pk=first.pk).update(
        status="RUNNING", started_at=long_ago, worker_ids=["dead-1", "dead-2", "dead-3"]
    )
    assert workers.recover_lost_tasks() == [str(first.pk)]  # three dead workers: given up
    first.refresh_from_db()
    assert first.status == "FAILED"
    assert first.exception_class_path == "reports.workers.WorkerLost"
    run_tasks()  # the other part, then the assembly the last part asked for
    job.refresh_from_db()
    assert job.status == BatchJob.Status.FAILED
    assert (job.done, job.total) == (1, 2)
    assert "作業プロセスが3回停止したため作成できませんでした" in job.message
    with zipfile.ZipFile(io.BytesIO(job.result.read())) as archive:
        assert len(archive.namelist()) == 1  # the document that was made is kept


def test_a_part_made_twice_counts_once_and_only_the_last_part_assembles(world, settings, tmp_path):
    """A worker taken for dead that was only slow finishes the same part as its successor:
    the first to record it wins, and exactly one part sees that none is left."""
    settings.MEDIA_ROOT = tmp_path
    settings.PORTAL_BATCH_CHUNK_SIZE = 1
    staff = world.users[Role.PREFECTURE_STAFF]
    decided_application(world.hub_a, staff=staff, number="8医政第1号")
    decided_application(world.hub_b, staff=staff, amounts=(300_000,), number="8医政第2号")
    job = BatchJob.objects.create(
        kind=BatchJob.Kind.DECISION_NOTICES, params={"year": 2026}, label="一括", created_by=staff
    )
    part_ids: list[int] = []
    assert batches.plan(job.pk, then=part_ids.extend) == 2
    assert batches.plan(job.pk, then=part_ids.extend) is None  # planned once
    first, second = part_ids
    assert batches.make_part(first).last is False
    assert batches.make_part(first).last is False  # again: already recorded, not counted
    assert BatchJob.objects.get(pk=job.pk).done == 1
    assert batches.make_part(second).last is True
    assert batches.make_part(second).last is False
    job = batches.assemble(job.pk)
    assert (job.status, job.done) == (BatchJob.Status.DONE, 2)
    assert batches.assemble(job.pk).result.name == job.result.name  # assembled once
    assert BatchPart.objects.filter(job=job, status="done").count() == 2
