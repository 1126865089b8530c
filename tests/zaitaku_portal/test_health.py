"""/healthz and /readyz (zaitaku_portal/health.py) and the request id in the logs
(zaitaku_portal/request_id.py), issue 16."""

import io
import json
import logging

import pytest
from django.apps import apps
from django.test import override_settings
from django_tasks import task

from zaitaku_portal import request_id
from zaitaku_portal.models import Role

REDIS = "redis://127.0.0.1:6379/15"
# Nothing listens on port 1: a Redis that is down. The password must not be in the answer.
DEAD_REDIS = "redis://:secret-password@127.0.0.1:1/0"


def redis_cache(url):
    return {
        "default": {
            "BACKEND": "zaitaku_portal.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_healthz_answers_without_database_or_login(client):
    # No django_db mark: a query here would raise "Database access not allowed".
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_checks_database_cache_storage_and_queue(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "storage", "task_queue"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
@override_settings(CACHES=redis_cache(REDIS))
def test_readyz_with_the_shared_redis_cache(client):
    body = client.get("/readyz").json()
    assert body["checks"]["cache"] == {**body["checks"]["cache"], "ok": True}
    assert body["checks"]["cache"]["backend"] == "RedisCache"


@pytest.mark.django_db
@override_settings(CACHES=redis_cache(DEAD_REDIS))
def test_readyz_is_503_when_the_cache_is_down_and_tells_no_secret(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["cache"]["error"] == "ConnectionError"
    assert body["checks"]["database"]["ok"] is True
    assert "secret-password" not in response.content.decode()


@pytest.mark.django_db
def test_readyz_is_503_when_the_storage_cannot_be_read(client, settings, tmp_path):
    not_a_folder = tmp_path / "media"
    not_a_folder.write_text("a file where the media folder should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(not_a_folder)},
        },
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == {
        **response.json()["checks"]["storage"],
        "ok": False,
        "error": "NotADirectoryError",
    }


@pytest.mark.django_db
def test_readyz_on_a_fresh_machine_before_the_first_upload(client, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "not-yet" / "media")},
        },
    }
    assert client.get("/readyz").status_code == 200
    assert not (tmp_path / "not-yet").exists()  # a GET makes nothing


@pytest.mark.django_db
@pytest.mark.skipif(
    not apps.is_installed("django_tasks_db"), reason="django-tasks-db is not installed yet"
)
def test_readyz_counts_the_waiting_tasks(client):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="zaitaku_portal.health.healthz",
        backend_name="default",
        run_after=timezone.now(),
    )
    queue = client.get("/readyz").json()["checks"]["task_queue"]
    assert queue["ok"] is True
    assert queue["waiting"] == 1


@pytest.mark.django_db
def test_health_checks_skip_host_https_login_and_two_factor(client, settings, world):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["portal.example.jp"]
    # A staff member with a device who has not entered the code would be sent to the code page.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    staff = world.users[Role.PREFECTURE_STAFF]
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client.force_login(staff)
    for path in ("/healthz", "/readyz"):
        # The balancer asks by the host's own address, over plain HTTP.
        response = client.get(path, HTTP_HOST="10.0.0.5:8000")
        assert response.status_code == 200, (path, response.status_code)
        assert response["Content-Type"] == "application/json"
    assert client.get("/subsidies/review/", HTTP_HOST="10.0.0.5:8000").status_code == 400


@override_settings(PORTAL_HOST_NAME="web-2")
def test_the_answering_host_is_named(client):
    from zaitaku_portal.middleware import PortalHostMiddleware

    # The middleware reads the setting when the handler is built: build one for this test.
    middleware = PortalHostMiddleware(lambda request: client.get("/healthz"))
    assert middleware(None)["X-Portal-Host"] == "web-2"


# --- request id and JSON logs ---------------------------------------------------------


def test_the_request_id_from_nginx_is_kept_and_answered(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="7f3a9c0e5b2d4e6f8a1b2c3d4e5f6a7b")
    assert response["X-Request-ID"] == "7f3a9c0e5b2d4e6f8a1b2c3d4e5f6a7b"


def test_a_missing_or_strange_request_id_is_replaced(client):
    made = client.get("/healthz")["X-Request-ID"]
    assert len(made) == 32 and made.isalnum()
    strange = client.get("/healthz", HTTP_X_REQUEST_ID='a" b\nforged log line')
    assert strange["X-Request-ID"] != 'a" b\nforged log line'
    assert len(strange["X-Request-ID"]) == 32


def json_line(message, **extra):
    record = logging.makeLogRecord({"msg": message, "levelname": "INFO", "name": "t", **extra})
    request_id.RequestIdFilter().filter(record)
    return json.loads(request_id.JsonFormatter().format(record))


def test_a_json_log_line_carries_the_request_id():
    with request_id.bound("req-123"):
        line = json_line("申請を提出しました %s", args=("A-1",), application=7)
    assert line["message"] == "申請を提出しました A-1"
    assert line["request_id"] == "req-123"
    assert line["application"] == 7
    assert line["level"] == "INFO"
    assert line["time"].endswith("+00:00")
    assert json_line("outside")["request_id"] == ""


@task()
@request_id.carries_request_id
def logged_task(number):
    return [number, request_id.current(), json_line("in the task")["request_id"]]


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
)
def test_a_task_logs_with_the_id_of_the_request_that_enqueued_it():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(request_id.JsonFormatter())
    handler.addFilter(request_id.RequestIdFilter())
    tasks_logger = logging.getLogger("zaitaku_portal.tasks")
    tasks_logger.addHandler(handler)
    try:
        with request_id.bound("req-456"):
            result = request_id.enqueue(logged_task, 3)
    finally:
        tasks_logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(line["message"].split()[-1], line["request_id"]) for line in lines] == [
        ("started", "req-456"),
        ("finished", "req-456"),
    ]
    assert result.kwargs == {"request_id": "req-456"}
    assert result.return_value == [3, "req-456", "req-456"]
    assert request_id.current() == ""
