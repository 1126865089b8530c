"""E-mail (issue 12, point 10): a mail server that is down never turns a committed action
into an error page, and a hub name with a line break cannot add a mail header.

The failing server is real: Django's SMTP backend pointed at a port on 127.0.0.1 that
nothing listens on (connection refused)."""

import datetime
import socket

import pytest
from django.core import mail
from django.core.management import call_command

from subsidies.models import Application, ApplicationStatus, DeadlineReminder
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


def test_submitting_with_the_mail_server_down_still_submits(
    client, hubs_year, closed_smtp_port, django_capture_on_commit_callbacks, caplog
):
    application = draft(hubs_year)
    client.force_login(hubs_year.coordinator)
    with caplog.at_level("ERROR", logger="zaitaku_portal.mail"):
        response = submit(client, application, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    logged = [r for r in caplog.records if r.name == "zaitaku_portal.mail"]
    assert len(logged) == 1
    assert "メールを送信できませんでした" in logged[0].getMessage()
    assert "提出されました" in logged[0].getMessage()  # which mail
    assert logged[0].exc_info  # with the SMTP error for the operators
    page = client.get(response.url).content.decode()
    assert "」を行いました。" in page  # the success message, not an error


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


def test_reminders_with_the_mail_server_down_log_and_try_again_next_day(
    hubs_year, closed_smtp_port, caplog
):
    w = hubs_year
    w.fiscal_year.application_deadline = datetime.date(2026, 5, 15)
    w.fiscal_year.save()
    draft(w)
    with caplog.at_level("ERROR", logger="zaitaku_portal.mail"):
        call_command("send_deadline_reminders", date="2026-05-10", base_url="https://x.example")
    assert any("締切" in r.getMessage() for r in caplog.records if r.name == "zaitaku_portal.mail")
    assert not DeadlineReminder.objects.exists()  # not marked sent: tomorrow tries again
