"""E-mail (issue 12, point 10; issue 16): a mail server that is down never turns a committed
action into an error page; the e-mail is a task that records each failed attempt and is
tried again later; a hub name with a line break cannot add a mail header.

The servers are real: Django's SMTP backend pointed at a port on 127.0.0.1 that nothing
listens on (connection refused), then a small SMTP server on that port written here."""

import datetime
import email
import email.policy
import socket
import socketserver
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from subsidies.models import Application, ApplicationStatus, DeadlineReminder
from tests.reports.task_runner import run_tasks, use_database_tasks
from tests.subsidies.factories import application_in, catalogue
from zaitaku_portal.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_smtp_port(settings):
    """The SMTP backend, aimed at a port that was free a moment ago and is closed now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 5
    return port


@pytest.fixture
def hubs_year(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world.fiscal_year, world.menus = catalogue(2026)
    world.coordinator = world.users[Role.HUB_COORDINATOR]
    world.staff = world.users[Role.PREFECTURE_STAFF]
    return world


def draft(w) -> Application:
    return application_in(ApplicationStatus.DRAFT, w.hub_a, w.fiscal_year, w.coordinator, w.staff)


def submit(client, application, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            f"/subsidies/applications/{application.pk}/action/submit/",
            {"version": application.version},
        )


class SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: greeting, EHLO, MAIL, RCPT, DATA, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 test.example ESMTP")
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 test.example")
            elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                self.reply("250 OK")
            elif command == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                data = b""
                while not data.endswith(b"\r\n.\r\n"):
                    data += self.rfile.readline()
                self.server.received.append(data[: -len(b".\r\n")])
                self.reply("250 OK queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


def smtp_server(port: int) -> socketserver.ThreadingTCPServer:
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    server = socketserver.ThreadingTCPServer(("127.0.0.1", port), SmtpHandler)
    server.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def mail_tasks(status: str | None = None):
    tasks = DBTaskResult.objects.filter(task_path="subsidies.shared.notifications.send_email")
    return tasks.filter(status=status) if status else tasks


def test_submitting_with_the_mail_server_down_still_submits_and_the_mail_is_retried(
    client, hubs_year, closed_smtp_port, django_capture_on_commit_callbacks, caplog, settings
):
    use_database_tasks(settings)
    settings.PORTAL_MAIL_RETRY_DELAYS = [60.0, 300.0]
    application = draft(hubs_year)
    client.force_login(hubs_year.coordinator)
    response = submit(client, application, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    page = client.get(response.url).content.decode()
    assert "」を行いました。" in page  # the success message, not an error
    (queued,) = mail_tasks()
    assert queued.status == "READY"  # the request did not touch the mail server

    with caplog.at_level("ERROR", logger="zaitaku_portal.mail"):
        assert run_tasks() == 1  # the first attempt; the retry waits its 60 s
    queued.refresh_from_db()
    assert queued.status == "FAILED"
    assert "ConnectionRefusedError" in queued.traceback  # kept for the operators
    logged = [r for r in caplog.records if r.name == "zaitaku_portal.mail"]
    assert len(logged) == 1
    message = logged[0].getMessage()
    assert "メールを送信できませんでした" in message and "提出されました" in message
    assert "1/3回目" in message and "60秒後に再送します" in message
    assert logged[0].exc_info
    (retry,) = mail_tasks("READY")
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    wait = (retry.run_after - timezone.now()).total_seconds()
    assert 50 < wait <= 60
    assert not DBTaskResult.objects.ready().exists()  # not before its time

    server = smtp_server(closed_smtp_port)  # the mail server is back
    try:
        DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # 60 s later
        assert run_tasks() == 1
    finally:
        server.shutdown()
        server.server_close()
    retry.refresh_from_db()
    assert retry.status == "SUCCESSFUL"
    (raw,) = server.received
    sent = email.message_from_bytes(raw, policy=email.policy.default)
    assert "提出されました" in sent["Subject"]
    assert hubs_year.staff.email in sent["To"]


def test_a_hub_name_with_a_line_break_cannot_add_a_mail_header(
    client, hubs_year, django_capture_on_commit_callbacks
):
    """An old hub name (from before the name checks) with CR/LF and a header after it."""
    from hubs.models import Hub

    Hub.objects.filter(pk=hubs_year.hub_a.pk).update(name="甲拠点\r\nBcc: attacker@example.com\r\n")
    application = draft(hubs_year)
    client.force_login(hubs_year.coordinator)
    mail.outbox.clear()
    response = submit(client, application, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "\n" not in message.subject and "\r" not in message.subject
    assert "甲拠点 Bcc: attacker@example.com" in message.subject
    raw = message.message().as_bytes()
    assert b"\nBcc:" not in raw
    assert "attacker@example.com" not in message.recipients()
    assert "甲拠点 Bcc: attacker@example.com" in message.body  # one line in the body too
    assert not any(line.startswith("Bcc:") for line in message.body.splitlines())


def test_reminders_with_the_mail_server_down_are_retried_then_given_up(
    hubs_year, closed_smtp_port, caplog, settings, django_capture_on_commit_callbacks
):
    """The reminder is recorded with its e-mail queued (one transaction); the e-mail is
    tried once more after its delay, then given up with a last error in the log."""
    use_database_tasks(settings)
    settings.PORTAL_MAIL_RETRY_DELAYS = [0.0]
    w = hubs_year
    w.fiscal_year.application_deadline = datetime.date(2026, 5, 15)
    w.fiscal_year.save()
    draft(w)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_deadline_reminders", date="2026-05-10", base_url="https://x.example")
    assert DeadlineReminder.objects.count() == 1
    with caplog.at_level("ERROR", logger="zaitaku_portal.mail"):
        assert run_tasks() == 2  # the attempt and its retry
    assert mail_tasks("FAILED").count() == 2 and mail_tasks().count() == 2
    messages = [r.getMessage() for r in caplog.records if r.name == "zaitaku_portal.mail"]
    assert len(messages) == 2 and all("締切" in m for m in messages)
    assert "1/2回目）。0秒後に再送します" in messages[0]
    assert "2/2回目）。再送を終了します" in messages[1]
