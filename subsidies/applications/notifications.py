"""The application's e-mails: one per notification key of the workflow table
(subsidies/applications/workflow.py), sent by perform() after the transaction commits.

The pieces every part's e-mails share (deliver, one_line, the recipients) are in
subsidies/shared/notifications.py."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from subsidies.shared.notifications import (
    coordinator_users,
    notify_users,
    one_line,
    staff_users,
)

SUBJECTS = {
    "submit": "【交付申請】{app}が提出されました",
    "resubmit": "【交付申請】{app}が再提出されました",
    "return": "【交付申請】{app}が差し戻されました",
    "decide": "【交付決定】{app}の交付が決定しました",
    "reject": "【交付申請】{app}は不交付となりました",
    "refuse_change": "【変更承認申請】{app}の変更は承認されませんでした",
    # 取下げ・中止・廃止 (subsidies/applications/withdrawals.py)
    "withdraw": "【取下げ】{app}が取り下げられました",
    "withdraw_change": "【取下げ】{app}の変更承認申請が取り下げられました",
    "withdraw_decided": "【取下げ届】{app}の取下げ届が提出されました",
    "request_discontinuation": "【中止・廃止承認申請】{app}の中止・廃止承認申請が提出されました",
    "discontinuation_approved": "【中止・廃止承認】{app}の中止・廃止が承認されました",
    "discontinuation_refused": "【中止・廃止承認申請】{app}の中止・廃止は承認されませんでした",
}
# The keys whose e-mail goes to the prefecture's staff; the others go to the hub.
TO_STAFF = frozenset(
    {
        "submit",
        "resubmit",
        "withdraw",
        "withdraw_change",
        "withdraw_decided",
        "request_discontinuation",
    }
)


def application_link(application, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("subsidies:application_detail", args=[application.pk])


def notify(key: str, application, base_url: str, detail: str = "") -> int:
    if key not in SUBJECTS:
        return 0
    to_staff = key in TO_STAFF
    recipients = staff_users() if to_staff else coordinator_users(application)
    if not recipients:
        return 0
    subject = one_line(SUBJECTS[key].format(app=application))
    body = "\n".join(
        [
            ("県 担当課 御中" if to_staff else f"{one_line(application.recipient)} 御中"),
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
    path = reverse("subsidies:application_detail", args=[application.pk])
    return notify_users(recipients, subject, body, path)
