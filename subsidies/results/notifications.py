"""Japanese e-mails about a results report, sent after the transaction commits.

A row of the results table names its e-mail (Transition.notification); the workflow engine
calls `notify` on commit with the row's key, the saved report and the detail its effect
wrote (the reason of a return, the notice number and amount of a confirmation). Delivery,
the one-line headers and the recipients are subsidies.shared.notifications', as for the
application e-mails, whose wording these follow."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from subsidies.shared.notifications import (
    coordinator_users,
    notify_users,
    one_line,
    staff_users,
)

SUBMITTED = "results_submitted"
RESUBMITTED = "results_resubmitted"
RETURNED = "results_returned"
REOPENED = "results_reopened"
CONFIRMED = "results_confirmed"
CORRECTED = "results_corrected"

SUBJECTS = {
    SUBMITTED: "【実績報告】{report}が提出されました",
    RESUBMITTED: "【実績報告】{report}が再提出されました",
    RETURNED: "【実績報告】{report}が差し戻されました",
    REOPENED: "【実績報告】{report}が訂正のため差し戻されました",
    CONFIRMED: "【額の確定】{report}の額が確定しました",
    CORRECTED: "【額の確定】{report}の確定額が訂正されました",
}
TO_STAFF = frozenset({SUBMITTED, RESUBMITTED})


def report_link(report, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("results:report_detail", args=[report.pk])


def notify(key: str, report, base_url: str, detail: str = "") -> int:
    """Send the row's e-mail: a (re)submission to the prefecture's staff, anything else to
    the hub's coordinators. 0 if nobody is to receive it or the sending failed."""
    if key not in SUBJECTS:
        return 0
    to_staff = key in TO_STAFF
    recipients = staff_users() if to_staff else coordinator_users(report.application)
    if not recipients:
        return 0
    subject = one_line(SUBJECTS[key].format(report=report))
    body = "\n".join(
        [
            ("県 担当課 御中" if to_staff else f"{one_line(report.application.recipient)} 御中"),
            "",
            subject.split("】", 1)[1] + "。",
            *([detail, ""] if detail else [""]),
            "内容は次のページでご確認ください。",
            report_link(report, base_url),
            "",
            f"{settings.PORTAL_TITLE}（{settings.PREFECTURE_NAME}）",
            "※このメールは送信専用です。",
        ]
    )
    path = reverse("results:report_detail", args=[report.pk])
    return notify_users(recipients, subject, body, path)
