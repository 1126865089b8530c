"""The results report's e-mails: each row of the table names its e-mail, sent on commit.

(Re)submission → the prefecture's staff; return and reopen → the hub's coordinators with
the reason; 額の確定 and its correction → the hub's coordinators with the notice number,
the confirmed amount in integer yen with thousands separators, and the report's link. A
refused action sends nothing.

The confirmed amount is the worked case of test_claims_service.py (DOMAIN.md's rule: per
recipient ΣG rounded down to 1,000円): hub ΣG 1,950,499.5 → 1,950,000, hospital ΣG
252,000; G = 1,950,000 + 252,000 = 2,202,000円."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from subsidies.results import services
from subsidies.results.rules import ClaimError, ConfirmationInput
from tests.subsidies.approvals import drive
from tests.subsidies.results.factories import worked_case
from zaitaku_portal.models import Role

pytestmark = pytest.mark.django_db

STAFF_MAILS = ["admin@example.jp", "staff@example.jp"]  # every active staff user of `world`
COORDINATOR_MAILS = ["coordinator@example.jp"]  # 甲拠点's one coordinator


def _act(capture, report, action, actor, **params):
    """Perform, run what waits for the commit, and return the mails it sent."""
    sent = len(mail.outbox)
    with capture(execute=True):
        report = services.perform(report, action, actor, report.version, **params)
    return report, mail.outbox[sent:]


def _approve(capture, report, approver, on):
    sent = len(mail.outbox)
    with capture(execute=True):
        report = drive.approve(report, approver, on=on)
    return report, mail.outbox[sent:]


def test_every_row_sends_its_mail_on_commit(world, django_capture_on_commit_callbacks):
    case = worked_case(world)
    coordinator = world.users[Role.HUB_COORDINATOR]
    staff = world.users[Role.PREFECTURE_STAFF]
    link = "http://localhost" + reverse("results:report_detail", args=[case.report.pk])
    capture = django_capture_on_commit_callbacks

    report, sent = _act(capture, case.report, "submit", coordinator)
    assert [m.to for m in sent] == [STAFF_MAILS]
    assert sent[0].subject == "【実績報告】甲拠点｜令和8年度実績報告が提出されました"
    assert sent[0].body.startswith("県 担当課 御中\n")
    assert link in sent[0].body

    report, sent = _act(capture, report, "start_review", staff)
    assert sent == []  # the table names no e-mail for it

    report, sent = _act(capture, report, "return", staff, reason="研修の参加者数を確認してください")
    assert [m.to for m in sent] == [COORDINATOR_MAILS]
    assert "差し戻されました" in sent[0].subject
    assert sent[0].body.startswith("甲拠点 御中\n")
    assert "理由: 研修の参加者数を確認してください" in sent[0].body and link in sent[0].body

    report, sent = _act(capture, report, "resubmit", coordinator)
    assert [m.to for m in sent] == [STAFF_MAILS] and "再提出されました" in sent[0].subject

    report, _ = _act(capture, report, "start_review", staff)
    notice = ConfirmationInput("8医政第200号", datetime.date(2027, 5, 10))
    kacho = drive.approver()  # 決裁権者 (issue 15): the draft asks them, the approval mails
    report, sent = _act(capture, report, "confirm", staff, confirmation=notice)
    assert [m.to for m in sent] == [["kacho@example.jp"]]
    assert sent[0].subject == "【決裁依頼】甲拠点｜令和8年度実績報告の額の確定"
    report, sent = _approve(capture, report, kacho, notice.notice_date)
    assert sorted(m.to for m in sent) == [COORDINATOR_MAILS, ["staff@example.jp"]]
    grantee = next(m for m in sent if m.to == COORDINATOR_MAILS)
    assert grantee.subject == "【額の確定】甲拠点｜令和8年度実績報告の額が確定しました"
    assert "通知番号: 8医政第200号\n確定額: 2,202,000円" in grantee.body
    assert link in grantee.body
    drafter = next(m for m in sent if m.to == ["staff@example.jp"])
    assert drafter.subject.startswith("【決裁済み】")

    again = ConfirmationInput("8医政第201号", datetime.date(2027, 6, 1))
    report, sent = _act(
        capture, report, "correct", staff, confirmation=again, reason="概算払の登録漏れ"
    )
    assert [m.to for m in sent] == [["kacho@example.jp"]]
    report, sent = _approve(capture, report, kacho, again.notice_date)
    grantee = next(m for m in sent if m.to == COORDINATOR_MAILS)
    assert "確定額が訂正されました" in grantee.subject
    assert "通知番号: 8医政第201号\n確定額: 2,202,000円（訂正前 2,202,000円）" in grantee.body
    assert "訂正の理由: 概算払の登録漏れ" in grantee.body and link in grantee.body

    report, sent = _act(capture, report, "reopen", staff, reason="同行訪問の人数の訂正")
    assert [m.to for m in sent] == [COORDINATOR_MAILS]
    assert "訂正のため差し戻されました" in sent[0].subject
    assert "理由: 同行訪問の人数の訂正" in sent[0].body


def test_nothing_is_sent_before_the_commit(world, django_capture_on_commit_callbacks):
    case = worked_case(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        services.perform(case.report, "submit", world.users[Role.HUB_COORDINATOR], 1)
    assert mail.outbox == [] and len(waiting) == 1
    waiting[0]()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("action", "role"),
    [
        ("confirm", Role.HUB_COORDINATOR),  # not theirs to do
        ("return", Role.PREFECTURE_STAFF),  # not from 作成中
        ("submit", Role.HUB_COORDINATOR),  # incomplete: no activity
    ],
)
def test_a_refused_action_sends_nothing(world, django_capture_on_commit_callbacks, action, role):
    case = worked_case(world, fill=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as waiting, pytest.raises(ClaimError):
        services.perform(
            case.report,
            action,
            world.users[role],
            case.report.version,
            reason="理由",
            confirmation=ConfirmationInput("8医政第300号", datetime.date(2027, 5, 1)),
        )
    assert waiting == [] and mail.outbox == []
