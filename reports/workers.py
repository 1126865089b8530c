"""What `manage.py task_worker` adds to django-tasks-db's worker (docs/adr/0014): a heartbeat
and the recovery of the tasks of a worker that died.

django-tasks-db claims a task by setting it RUNNING under a row lock (PostgreSQL: FOR UPDATE
SKIP LOCKED; SQLite: an exclusive transaction), so each task is taken by one worker. A worker
killed in the middle (SIGKILL, a lost host) leaves its task RUNNING for ever: the library
has no recovery. Here every worker writes a heartbeat (TaskWorker.seen_at) every
PORTAL_WORKER_HEARTBEAT_SECONDS, and every worker looks for RUNNING tasks whose last
claimer has not been seen for PORTAL_WORKER_DEAD_SECONDS: those go back to READY and are
taken again (the task steps are written to be run twice, reports/batches.py). A task whose
workers died PORTAL_TASK_MAX_ATTEMPTS times is given up: FAILED, with the reason."""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from reports.models import TaskWorker

logger = logging.getLogger("reports.workers")

LOST = "reports.workers.WorkerLost"


class WorkerLost(Exception):
    """The worker running the task stopped (killed, its host lost) too many times."""


def beat(worker_id: str, started_at: datetime.datetime | None = None) -> None:
    now = timezone.now()
    TaskWorker.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": now},
        create_defaults={
            "seen_at": now,
            "started_at": started_at or now,
            "host": socket.gethostname()[:200],
            "pid": os.getpid(),
        },
    )


def live_workers():
    """The workers seen within PORTAL_WORKER_DEAD_SECONDS."""
    limit = datetime.timedelta(seconds=settings.PORTAL_WORKER_DEAD_SECONDS)
    return TaskWorker.objects.filter(seen_at__gte=timezone.now() - limit)


def forget(worker_id: str) -> None:
    TaskWorker.objects.filter(worker_id=worker_id).delete()


def _dead(worker_ids: list[str], now: datetime.datetime) -> bool:
    if not worker_ids:
        return True
    seen = TaskWorker.objects.filter(worker_id=worker_ids[-1]).values_list("seen_at", flat=True)
    limit = datetime.timedelta(seconds=settings.PORTAL_WORKER_DEAD_SECONDS)
    return not seen or seen[0] < now - limit


def recover_lost_tasks() -> list[str]:
    """Put the RUNNING tasks of dead workers back in the queue (or give them up); the ids of
    the tasks touched. Safe to run on every worker at once: the rows are locked."""
    now = timezone.now()
    limit = datetime.timedelta(seconds=settings.PORTAL_WORKER_DEAD_SECONDS)
    # A task started after the limit began cannot have a dead worker yet.
    candidates = DBTaskResult.objects.running().filter(started_at__lt=now - limit)
    touched, abandoned = [], []
    with exclusive_transaction(candidates.db):
        for result in candidates.select_for_update(skip_locked=True):
            if not _dead(result.worker_ids, now):
                continue
            touched.append(str(result.id))
            if len(result.worker_ids) >= settings.PORTAL_TASK_MAX_ATTEMPTS:
                _give_up(result, now)
                abandoned.append(result)
                continue
            logger.warning(
                "タスク %s（%s）のワーカー %s が停止したため、タスクを待機中に戻します。",
                result.id,
                result.task_path,
                result.worker_ids[-1] if result.worker_ids else "-",
            )
            result.status = "READY"
            result.save(update_fields=["status"])
    for result in abandoned:  # after the lock: the batch's own bookkeeping locks its rows
        _abandoned(result)
    return touched


def _give_up(result: DBTaskResult, now: datetime.datetime) -> None:
    reason = f"作業プロセスが{len(result.worker_ids)}回停止したため、処理を中止しました"
    logger.error("タスク %s（%s）: %s。", result.id, result.task_path, reason)
    result.status = "FAILED"
    result.finished_at = now
    result.exception_class_path = LOST
    result.traceback = f"{LOST}: {reason}\n"
    result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])


def _abandoned(result: DBTaskResult) -> None:
    from reports import batches

    reason = f"作業プロセスが{len(result.worker_ids)}回停止したため作成できませんでした"
    batches.abandon(
        result.task_path, result.args_kwargs["args"], result.args_kwargs["kwargs"], reason
    )


class Watchman(threading.Thread):
    """Beside the worker loop: the heartbeat and, every beat, the recovery of lost tasks."""

    def __init__(self, worker_id: str):
        super().__init__(name=f"task-worker-watchman-{worker_id[:8]}", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.once()
            self.stopped.wait(settings.PORTAL_WORKER_HEARTBEAT_SECONDS)
        connection.close()  # this thread's own connection

    def once(self) -> None:
        try:
            with transaction.atomic():
                beat(self.worker_id, self.started_at)
            recover_lost_tasks()
        except Exception:  # a database that is away for a moment must not stop the worker
            logger.exception("ワーカー %s の生存通知・復旧に失敗しました。", self.worker_id)
        finally:
            close_old_connections()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=settings.PORTAL_WORKER_HEARTBEAT_SECONDS + 5)
        try:
            forget(self.worker_id)
        except Exception:
            logger.exception("ワーカー %s の登録を消せませんでした。", self.worker_id)
