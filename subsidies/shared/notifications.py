"""What every part's e-mails share (the application's in subsidies/applications/
notifications.py, the results reports' in subsidies/results/notifications.py): sent after
the transaction commits, to the hub's coordinators or the prefecture's staff.

Every portal e-mail goes through `deliver`: by then the action is committed, so a mail
server that is down or slow is logged (logger `zaitaku_portal.mail`) and never turns the
action into an error page; the operations issue moves mail to a task queue. A name that
still holds a line break (from before the name checks) becomes one line, so it cannot add
a header such as Bcc."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.core.mail import send_mail

from zaitaku_portal.access import STAFF_ROLES
from zaitaku_portal.models import User

logger = logging.getLogger("zaitaku_portal.mail")

_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def one_line(text: str) -> str:
    """Text for a header or a line of its own: each run of line breaks and other control
    characters becomes one space."""
    return _BREAKS.sub(" ", str(text)).strip()


def deliver(subject: str, body: str, recipients: list[str]) -> int:
    """Send one e-mail; 1 if it went, 0 (and an error in the log) if it did not."""
    subject = one_line(subject)
    try:
        return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:  # any backend's failure: the committed action must still stand
        logger.exception(
            "メールを送信できませんでした（件名: %s、宛先 %d件）。", subject, len(recipients)
        )
        return 0


def coordinator_emails(application) -> list[str]:
    return sorted(
        {
            c.user.email
            for c in application.hub.coordinators.select_related("user")
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
