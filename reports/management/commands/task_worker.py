"""`manage.py task_worker`: the portal's task worker (docs/adr/0014).

django-tasks-db's `db_worker` (the same options: --interval, --queue-name, --batch,
--max-tasks, --worker-id, --[no-]reload) with a heartbeat and the recovery of the tasks of
workers that died (reports/workers.py). Run one or more on every host that makes documents
or sends e-mail (docs/systemd/zaitaku-worker.service)."""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from reports.workers import Watchman


class Command(DatabaseWorkerCommand):
    help = (
        "タスク（帳票の一括作成、メール送信）を実行するワーカーです。停止したワーカーの"
        "タスクは他のワーカーが引き継ぎます。"
    )

    def handle(self, *args, reload: bool, batch: bool, worker_id: str, **options):
        # With --reload the first process only watches the files: its child does the work.
        watching_only = reload and not batch and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        watchman = None if watching_only else Watchman(worker_id)
        if watchman is not None:
            watchman.once()  # alive before the first task, and lost tasks back first
            watchman.start()
        try:
            super().handle(*args, reload=reload, batch=batch, worker_id=worker_id, **options)
        finally:
            if watchman is not None:
                watchman.stop()
