"""Japanese e-mails about an application, sent after the transaction commits.

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
from django.urls import reverse

from zaitaku_portal.access import STAFF_ROLES

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


SUBJECTS = {
    "submit": "【交付申請】{app}が提出されました",
    "resubmit": "【交付申請】{app}が再提出されました",
    "return": "【交付申請】{app}が差し戻されました",
    "decide": "【交付決定】{app}の交付が決定しました",
    "reject": "【交付申請】{app}は不交付となりました",
    "refuse_change": "【変更承認申請】{app}の変更は承認されませんでした",
}


def coordinator_emails(application) -> list[str]:
    return sorted(
        {
            c.user.email
            for c in application.hub.coordinators.select_related("user")
            if c.user and c.user.email and c.user.is_active
        }
    )


def staff_emails() -> list[str]:
    from zaitaku_portal.models import User

    return sorted(
        set(
            User.objects.filter(role__in=STAFF_ROLES, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def application_link(application, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("subsidies:application_detail", args=[application.pk])


def notify(action: str, application, base_url: str, detail: str = "") -> int:
    if action not in SUBJECTS:
        return 0
    to_staff = action in ("submit", "resubmit")
    recipients = staff_emails() if to_staff else coordinator_emails(application)
    if not recipients:
        return 0
    subject = one_line(SUBJECTS[action].format(app=application))
    body = "\n".join(
        [
            ("県 担当課 御中" if to_staff else f"{one_line(application.hub)} 御中"),
            "",
            subject.split("】", 1)[1] + "。",
            *([detail, ""] if detail else [""]),
            "内容は次のページでご確認ください。",
            application_link(application, base_url),
            "",
            f"{settings.PORTAL_TITLE}（{settings.PREFECTURE_NAME}）",
            "※このメールは送信専用です。",
        ]
    )
    return deliver(subject, body, recipients)
