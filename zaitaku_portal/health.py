"""Health checks for the load balancer and the monitoring (issue 16, docs/operations.md).

- `/healthz`: the process answers (no database, nothing else): restart the host's gunicorn
  when it does not.
- `/readyz`: the database, the cache, the file storage and the task queue answer: take the
  host out of the balancer's rotation while it does not (HTTP 503).

Both answer JSON for machines, without login and before the login, two-factor, host and
HTTPS checks (HealthCheckMiddleware, first in MIDDLEWARE): a probe has no session and asks by
the host's own address over plain HTTP. Nothing is written (GET never writes): the cache check
reads a key that is not there, the storage check lists the top folder, the queue check counts
the tasks waiting in django-tasks-db's table. A failure names the exception's class only; the
details (which may hold a host name) go to the log."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import storages
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

HEALTH_PATHS = ("/healthz", "/readyz")


def check_database() -> dict:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_cache() -> dict:
    caches["default"].get("portal-readyz-probe")  # a round trip to Redis; a read of the folder
    return {"backend": caches["default"].__class__.__name__}


def check_storage() -> dict:
    storage = storages["default"]
    try:
        storage.listdir("")
    except FileNotFoundError:
        # The file system before its first upload: FileSystemStorage makes MEDIA_ROOT then.
        location = Path(getattr(storage, "location", ""))
        existing = next(path for path in (location, *location.parents) if path.exists())
        if not os.access(existing, os.W_OK):
            raise PermissionError("the media folder cannot be made") from None
    return {"backend": storage.__class__.__name__}


def check_task_queue() -> dict:
    """The tasks waiting in django-tasks-db's table (and how long the oldest has waited: a
    queue nobody works off shows here first)."""
    if not apps.is_installed("django_tasks_db"):
        return {"backend": "none"}
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.ready()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return {
        "waiting": waiting.count(),
        "oldest_waiting_seconds": int((timezone.now() - oldest).total_seconds()) if oldest else 0,
    }


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "storage": check_storage,
    "task_queue": check_task_queue,
}


def _run(name: str, check) -> dict:
    started = time.monotonic()
    try:
        result = {"ok": True, **check()}
    except Exception as error:  # any failure makes the host not ready; none may escape
        logger.warning("readyz: %s failed", name, exc_info=True)
        result = {"ok": False, "error": type(error).__name__}
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def _answer(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return _answer({"status": "ok", "host": settings.PORTAL_HOST_NAME})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {name: _run(name, check) for name, check in CHECKS.items()}
    ready = all(result["ok"] for result in checks.values())
    body = {"status": "ok" if ready else "fail", "host": settings.PORTAL_HOST_NAME}
    return _answer({**body, "checks": checks}, status=200 if ready else 503)


class HealthCheckMiddleware:
    """Answers the two health paths before any other middleware runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return healthz(request)
        if request.path == "/readyz":
            return readyz(request)
        return self.get_response(request)
