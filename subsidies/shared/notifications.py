"""What every part's e-mails share (the application's in subsidies/applications/
notifications.py, the results reports' in subsidies/results/notifications.py): to the hub's
coordinators or the prefecture's staff, sent by a task worker (docs/adr/0014).

Every portal e-mail goes through `deliver`, which enqueues a `send_email` task once the
action is committed: the request never waits for the mail server, and a server that is down
or slow never turns the action into an error page. A failed attempt is logged (logger
`zaitaku_portal.mail`), kept as a failed task (its traceback in the admin's task list) and
tried again after each of PORTAL_MAIL_RETRY_DELAYS seconds, then given up. A name that
still holds a line break (from before the name checks) becomes one line, so it cannot add
a header such as Bcc."""

from __future__ import annotations

import datetime
import logging
import re

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from zaitaku_portal import request_id, unread
from zaitaku_portal.access import STAFF_ROLES
from zaitaku_portal.models import Notification, User

logger = logging.getLogger("zaitaku_portal.mail")

_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def one_line(text: str) -> str:
    """Text for a header or a line of its own: each run of line breaks and other control
    characters becomes one space."""
    return _BREAKS.sub(" ", str(text)).strip()


def deliver(subject: str, body: str, recipients: list[str]) -> int:
    """Queue one e-mail; 1 if queued, 0 if nobody is to receive it or the queue could not
    be written (logged; never raised: the action stands).

    Called once the action is committed (the workflow engine's `transaction.on_commit`,
    subsidies/shared/workflow.py) or inside the transaction it belongs to (a reminder and
    its DeadlineReminder row): the task is a row in the same database, so it becomes
    visible to the workers exactly when that transaction commits, and never if it rolls
    back."""
    subject = one_line(subject)
    recipients = list(recipients)
    if not recipients:
        return 0
    try:
        request_id.enqueue(send_email, subject, body, recipients, attempt=1)
    except Exception:
        logger.exception(
            "メールの送信を予約できませんでした（件名: %s、宛先 %d件）。", subject, len(recipients)
        )
        return 0
    return 1


# Mail before documents: a worker busy with a batch takes a waiting e-mail first.
@task(priority=10)
@request_id.carries_request_id
def send_email(subject: str, body: str, recipients: list[str], attempt: int = 1) -> int:
    """One attempt at sending; a failure is logged, the next attempt queued after its delay
    (PORTAL_MAIL_RETRY_DELAYS), and raised, so this attempt's task is recorded as failed."""
    try:
        return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:
        delays = settings.PORTAL_MAIL_RETRY_DELAYS
        attempts = len(delays) + 1
        then = (
            f"{delays[attempt - 1]:g}秒後に再送します" if attempt < attempts else "再送を終了します"
        )
        logger.exception(
            "メールを送信できませんでした（件名: %s、宛先 %d件、%d/%d回目）。%s。",
            *(subject, len(recipients), attempt, attempts, then),
        )
        if attempt < attempts:
            _retry(subject, body, recipients, attempt + 1, delays[attempt - 1])
        raise


def _retry(subject: str, body: str, recipients: list[str], attempt: int, delay: float) -> None:
    retry = send_email
    if retry.get_backend().supports_defer:  # the database backend; the test backend runs now
        retry = send_email.using(run_after=timezone.now() + datetime.timedelta(seconds=delay))
    request_id.enqueue(retry, subject, body, recipients, attempt=attempt)


def notify_users(users, subject: str, body: str, url: str = "") -> int:
    """Tell these users of a step they act on next: a row in each one's お知らせ list in the
    portal (zaitaku_portal.models.Notification; `url` is the page's path) and one e-mail to
    those with an address. Inactive users are left out. Returns 1 if the e-mail was queued."""
    users = {u.pk: u for u in users if u is not None and u.is_active}
    subject = one_line(subject)
    Notification.objects.bulk_create(
        Notification(user=u, subject=subject[:200], body=body, url=url[:300])
        for u in users.values()
    )
    unread.forget(users.keys())  # bulk_create sends no signal
    return deliver(subject, body, sorted({u.email for u in users.values() if u.email}))


def _grantee_people(application):
    """Who speaks for the grantee: the hub's coordinators, or for a hospital's own
    application (issue 18) the institution's contacts (the hub's coordinators only follow)."""
    if application.institution_id:
        return application.institution.contacts.select_related("user")
    return application.hub.coordinators.select_related("user")


def coordinator_users(application) -> list[User]:
    return [c.user for c in _grantee_people(application) if c.user and c.user.is_active]


def staff_users() -> list[User]:
    return list(User.objects.filter(role__in=STAFF_ROLES, is_active=True))


def approver_users() -> list[User]:
    """The 決裁権者 (issue 15): staff who approve what others draft."""
    return list(User.objects.filter(role__in=STAFF_ROLES, is_active=True, is_approver=True))


def coordinator_emails(application) -> list[str]:
    return sorted(
        {
            c.user.email
            for c in _grantee_people(application)
            if c.user and c.user.email and c.user.is_active
        }
    )


def staff_emails() -> list[str]:
    return sorted(
        set(
            User.objects.filter(role__in=STAFF_ROLES, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
