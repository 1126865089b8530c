"""The request id that ties a request's log lines to the tasks it enqueued (issue 16).

nginx sets `X-Request-ID` (docs/nginx.conf.example); without it the portal makes one. The id
is kept in a context variable for the request (RequestIdMiddleware), written into every log
line (RequestIdFilter, JsonFormatter) and sent back in the response's `X-Request-ID`.

A task carries it as one more keyword argument: enqueue with `enqueue(task, ...)` and wrap the
task's function in `carries_request_id` (under `@task()`), so the worker's log lines for that
task show the id of the request that caused it."""

from __future__ import annotations

import contextvars
import functools
import json
import logging
import re
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
TASK_ARGUMENT = "request_id"
# What nginx's $request_id and our uuid4().hex look like, and any sane proxy's id; anything
# else (too long, spaces, quotes) is replaced rather than written into the logs.
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")

logger = logging.getLogger("zaitaku_portal.tasks")
_current: contextvars.ContextVar[str] = contextvars.ContextVar("portal_request_id", default="")


def current() -> str:
    """The id of the request (or task) being handled, "" outside one."""
    return _current.get()


def new_id() -> str:
    return uuid.uuid4().hex


def accepted(value: str | None) -> str:
    """The given id when it is one we write into logs as it is, else a new one."""
    return value if value and _ACCEPTABLE.match(value) else new_id()


@contextmanager
def bound(value: str):
    token = _current.set(value)
    try:
        yield value
    finally:
        _current.reset(token)


class RequestIdMiddleware:
    """Binds the request's id for everything the request does and answers it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = accepted(request.META.get(META_KEY))
        with bound(request.request_id):
            response = self.get_response(request)
        response[HEADER] = request.request_id
        return response


# --- tasks -----------------------------------------------------------------------------


def enqueue(task, *args, **kwargs):
    """`task.enqueue(...)` with the current request id as the task's `request_id`."""
    return task.enqueue(*args, **{TASK_ARGUMENT: current(), **kwargs})


def carries_request_id(function):
    """Lets a task function take `request_id=` and binds it while the task runs."""

    name = f"{function.__module__}.{function.__qualname__}"

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        value = kwargs.pop(TASK_ARGUMENT, "") or ""
        with bound(accepted(value) if value else new_id()):
            logger.info("task %s started", name, extra={"task": name})
            result = function(*args, **kwargs)
            logger.info("task %s finished", name, extra={"task": name})
            return result

    return wrapper


# --- logs ------------------------------------------------------------------------------


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (`%(request_id)s` in a text format)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current()
        return True


_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request id,
    the exception's traceback when there is one, and any `extra=` values."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or current(),
            "process": record.process,
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool) else repr(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)
