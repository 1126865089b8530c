"""`manage.py task_worker`: the portal's task worker (docs/adr/0014).

django-tasks-db's `db_worker` (the same options: --interval, --queue-name, --batch,
--max-tasks, --worker-id, --[no-]reload) with a heartbeat and the recovery of the tasks of
workers that died (reports/workers.py). Run one or more on every host that makes documents
or sends e-mail (docs/systemd/zaitaku-worker.service).

Before its first task a worker makes one notice from plain data and throws it away
(`warm_up`): the first document of a batch otherwise paid, in each worker, for importing
WeasyPrint, compiling the notice's template, forking the render child and loading the fonts
into it, and the child's first document (~0.6 s of CPU a worker, ten notices' worth; issue 21).
The render child it leaves is the one the batch's documents then use (reports/pdf_sandbox.py).
A worker whose warm-up fails (no fonts on an e-mail-only host) logs it and works on."""

import datetime
import logging
import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from reports.workers import Watchman

logger = logging.getLogger("reports.workers")


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
            warm_up()  # before the heartbeat's thread: the render child forks a one-thread process
            watchman.once()  # alive before the first task, and lost tasks back first
            watchman.start()
        try:
            super().handle(*args, reload=reload, batch=batch, worker_id=worker_id, **options)
        finally:
            if watchman is not None:
                watchman.stop()


def warm_up() -> None:
    """Render one notice from plain data, so the batch's first document finds WeasyPrint
    imported, the template compiled and a warm render child with the fonts loaded."""
    from reports.notices import decision_notice, notice_pdf

    try:
        notice = decision_notice(
            fiscal_year=2026,
            notice_number="ワーカー起動時の試し作成",
            notice_date=datetime.date(2026, 4, 1),
            application_date=datetime.date(2026, 4, 1),
            addressee_organisation="試し作成",
            addressee_title="",
            addressee_name="",
            lines=[("試し作成", 1)],
        )
        notice_pdf(notice, "task-worker-warm-up")
    except Exception:  # a worker that only sends e-mail still works without the fonts
        logger.warning("帳票作成の準備（試し作成）に失敗しました。", exc_info=True)
