"""Running tasks in tests (docs/adr/0014). The suite's own process runs tasks at once
(tests/conftest.py: the immediate backend); a test of the workers switches to the database
backend with `use_database_tasks(settings)` and then runs the queued tasks in this process
with `run_tasks()` (django-tasks-db's own claim and run), or starts `manage.py task_worker`
processes against a database they can see (`worker_environment`)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def use_database_tasks(settings) -> None:
    settings.TASKS = DATABASE_TASKS


def run_tasks(limit: int | None = None, worker_id: str = "in-process") -> int:
    """Run the READY tasks (and those they enqueue) here, as a worker would: all of them, or
    the first `limit`; how many ran."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    for count in range(limit or 500):
        with exclusive_transaction():
            result = DBTaskResult.objects.ready().get_locked()
            if result is None:
                return count
            result.claim(worker_id)
        worker.run_task(result)
    if limit:
        return limit
    raise AssertionError(f"more than {limit} tasks: a task that enqueues itself for ever?")


def database_url(tmp_path: Path) -> str:
    """A URL another process can open onto this test's committed data: the PostgreSQL test
    database itself, or a copy of the in-memory SQLite test database in a file."""
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        user = quote(database.get("USER") or "postgres", safe="")
        password = f":{quote(database['PASSWORD'], safe='')}" if database.get("PASSWORD") else ""
        host = database.get("HOST") or "127.0.0.1"
        return (
            f"postgres://{user}{password}@{host}:{database.get('PORT') or 5432}/{database['NAME']}"
        )
    path = tmp_path / "shared.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(path)])
    return f"sqlite:///{path}"


def sqlite_file(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def rows(url: str, sql: str, *params) -> list[tuple]:
    """Read what the other processes wrote: from the SQLite file, or from PostgreSQL."""
    path = sqlite_file(url)
    if path is not None:
        with sqlite3.connect(path) as shared:
            return shared.execute(sql.replace("%s", "?"), params).fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def worker_environment(url: str, media: Path, **extra: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DATABASE_POOL": "0",
        "DJANGO_DEBUG": "1",
        "DJANGO_MEDIA_ROOT": str(media),
        "PORTAL_LOG_FORMAT": "text",
        **extra,
    }


def start_worker(env: dict, worker_id: str, *options: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "task_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.1",
            "--worker-id",
            worker_id,
            *options,
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
