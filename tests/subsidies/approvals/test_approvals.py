"""決裁 (issue 15): a decision, a refusal or a 額の確定 takes effect only when a 決裁権者 who
is not the drafter approves it; it is dated and numbered then; a send-back reaches the
drafter; a changed object or a withdrawn application is refused."""

import pytest
from django.core import mail
from django.urls import reverse

from subsidies.applications import reading
from subsidies.applications import services as service
from subsidies.applications.rules import ApplicationError
from subsidies.models import (
    Application,
    ApplicationStatus,
    Approval,
    Decision,
    MenuPlan,
)
from subsidies.shared.approvals import tokyo_today
from tests.factories import UserFactory
from tests.subsidies.approvals import drive
from tests.subsidies.factories import application_in
from zaitaku_portal.models import AuditEntry, Notification, Role

S = ApplicationStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def under_review(apps_world):
    w = apps_world
    w.fiscal_year.notice_number_pattern = "8医政第{n}号"
    w.fiscal_year.save()
    return application_in(S.UNDER_REVIEW, w.hub_a, w.fiscal_year, w.coordinator, w.staff)


def _draft(application, staff, **amounts):
    return service.perform(
        application,
        "decide",
        staff,
        application.version,
        decision=reading.DecisionInput("", None, amounts),
    )


def _approve(application, user, action="approve_decide"):
    return service.perform(application, action, user, application.version)


def test_nothing_is_decided_or_numbered_until_the_approval(apps_world, under_review):
    w = apps_world
    drafted = _draft(under_review, w.staff, **{"hub-meeting": (350_000, "旅費の一部は対象外")})
    assert drafted.status == S.AWAITING_APPROVAL
    assert not Decision.objects.exists()
    draft = Approval.objects.get(application=drafted)
    assert draft.state == "pending" and draft.notice_number == "" and draft.decision is None
    assert AuditEntry.objects.filter(action="交付決定を起案する").count() == 1

    kacho = drive.approver()
    decided = _approve(drafted, kacho)
    assert decided.status == S.DECIDED
    decision = decided.current_decision
    # The complete plan (tests/subsidies/factories.py) wishes hub-meeting with expenses
    # 300,000 + 100,000 = 400,000円 ≤ its cap: computed 400,000円; the draft reduced it to
    # 350,000円 with a reason, and the decision is exactly the draft.
    assert decision.total_amount == 350_000
    assert decision.lines.get().reason == "旅費の一部は対象外"
    # numbered and dated on approval: the year's pattern's first number, today in Tokyo
    assert decision.notice_number == "8医政第1号"
    assert decision.notice_date == tokyo_today()
    assert decision.decided_by == kacho
    draft.refresh_from_db()
    assert (draft.state, draft.decision, draft.decided_by) == ("approved", decision, kacho)
    assert AuditEntry.objects.filter(action="決裁する（交付決定）").count() == 1


def test_the_drafter_never_approves_their_own_draft(apps_world, under_review):
    kacho = drive.approver()
    drafted = _draft(under_review, kacho)
    with pytest.raises(ApplicationError, match="自分が起案したものは決裁できません"):
        _approve(drafted, kacho)
    assert Application.objects.get(pk=drafted.pk).status == S.AWAITING_APPROVAL
    assert not Decision.objects.exists()
    # another approver may
    other = UserFactory(username="bucho", role=Role.PREFECTURE_STAFF, is_approver=True)
    assert _approve(drafted, other).status == S.DECIDED


def test_staff_without_approval_authority_cannot_approve(apps_world, under_review):
    w = apps_world
    drafted = _draft(under_review, w.staff)
    for user in (w.admin, UserFactory(role=Role.PREFECTURE_STAFF), w.coordinator):
        with pytest.raises(ApplicationError, match="決裁権者が行います"):
            _approve(Application.objects.get(pk=drafted.pk), user)
    assert not Decision.objects.exists()


def test_the_coordinator_and_health_centre_never_see_the_queue(client, apps_world, under_review):
    w = apps_world
    drafted = _draft(under_review, w.staff)
    draft = Approval.objects.get(application=drafted)
    for user in (w.coordinator, w.health_center):
        client.force_login(user)
        assert client.get(reverse("subsidies:approval_queue")).status_code == 403
        assert client.get(reverse("subsidies:approval_detail", args=[draft.pk])).status_code == 403
        response = client.post(
            reverse("subsidies:approval_approve", args=[draft.pk]), {"version": drafted.version}
        )
        assert response.status_code == 403
    assert not Decision.objects.exists()


def test_the_send_back_reason_reaches_the_drafter_and_a_new_draft_works(
    client, apps_world, under_review, django_capture_on_commit_callbacks
):
    w = apps_world
    kacho = drive.approver()
    with django_capture_on_commit_callbacks(execute=True):
        drafted = _draft(under_review, w.staff)
    asked = Notification.objects.get(user=kacho)
    assert asked.subject.startswith("【決裁依頼】") and "交付決定" in asked.subject
    draft = Approval.objects.get(application=drafted)
    client.force_login(kacho)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("subsidies:approval_send_back", args=[draft.pk]),
            {"version": drafted.version, "reason": "減額の理由を具体的に書いてください"},
        )
    assert response.status_code == 302
    back = Application.objects.get(pk=drafted.pk)
    assert back.status == S.UNDER_REVIEW and not Decision.objects.exists()
    told = Notification.objects.get(user=w.staff, subject__startswith="【起案の差戻し】")
    assert "減額の理由を具体的に書いてください" in told.body
    assert any("減額の理由を具体的に" in m.body and w.staff.email in m.to for m in mail.outbox)
    entry = AuditEntry.objects.get(action="起案を差し戻す")
    assert entry.reason == "減額の理由を具体的に書いてください"
    # the drafter sees the reason on the decide page and in the to-dos, then drafts again
    client.force_login(w.staff)
    page = client.get(reverse("subsidies:application_action", args=[back.pk, "decide"]))
    assert "減額の理由を具体的に書いてください" in page.content.decode()
    from subsidies.approvals.todos import todos

    (sent_back,) = todos(w.staff)
    assert (sent_back.label, sent_back.count) == ("差し戻された起案", 1)
    assert sent_back.detail == f"{back}：減額の理由を具体的に書いてください"
    again = _draft(back, w.staff)
    assert todos(w.staff) == []
    assert [t.label for t in todos(kacho)] == ["決裁待ち 1件"]
    assert _approve(again, kacho).status == S.DECIDED


def test_an_approval_is_refused_when_the_plan_changed_after_the_draft(apps_world, under_review):
    w = apps_world
    drafted = _draft(under_review, w.staff)
    # the plan's amounts change under the draft (here straight in the table: no page lets
    # anyone edit a plan in 決裁待ち, but a cap or a line could still change)
    line = MenuPlan.objects.get(application=drafted, menu__code="hub-meeting")
    line.expenses = {"honoraria": 200_000}
    line.save()
    with pytest.raises(ApplicationError, match="起案の後に内容が変わっています"):
        _approve(drafted, drive.approver())
    assert Application.objects.get(pk=drafted.pk).status == S.AWAITING_APPROVAL
    assert not Decision.objects.exists()
    assert Approval.objects.get(application=drafted).state == "pending"


def test_a_withdrawn_application_cannot_be_approved(apps_world, under_review):
    w = apps_world
    drafted = _draft(under_review, w.staff)
    Application.objects.filter(pk=drafted.pk).update(status=S.WITHDRAWN)
    withdrawn = Application.objects.get(pk=drafted.pk)
    with pytest.raises(ApplicationError, match="「決裁待ち」の申請にのみ行えます"):
        _approve(withdrawn, drive.approver())
    assert not Decision.objects.exists()


def test_a_refusal_keeps_its_reason_number_and_date(apps_world, under_review):
    w = apps_world
    drafted = service.perform(
        under_review, "reject", w.staff, under_review.version, reason="補助対象外の経費のみのため"
    )
    assert drafted.status == S.AWAITING_APPROVAL
    refused = _approve(drafted, drive.approver(), action="approve_reject")
    assert refused.status == S.REJECTED
    draft = Approval.objects.get(application=refused)
    assert draft.kind == "refusal" and draft.payload["reason"] == "補助対象外の経費のみのため"
    assert (draft.notice_number, draft.notice_date) == ("8医政第1号", tokyo_today())
    # the next decision takes the next number: one register for decisions and refusals
    from subsidies.shared.approvals import next_number

    assert next_number(w.fiscal_year) == "8医政第2号"


def test_the_queue_shows_the_draft_to_staff_and_only_an_approver_acts(
    client, apps_world, under_review
):
    w = apps_world
    drafted = _draft(under_review, w.staff, **{"hub-meeting": (350_000, "旅費の一部は対象外")})
    draft = Approval.objects.get(application=drafted)
    client.force_login(w.staff)  # not an approver: reads
    queue = client.get(reverse("subsidies:approval_queue")).content.decode()
    assert "甲拠点" in queue and "交付決定" in queue and "決裁権者ではない" in queue
    page = client.get(reverse("subsidies:approval_detail", args=[draft.pk])).content.decode()
    assert "350,000円" in page and "旅費の一部は対象外" in page
    assert 'id="approve-form"' not in page and "決裁権者が行います" in page
    response = client.post(
        reverse("subsidies:approval_approve", args=[draft.pk]), {"version": drafted.version}
    )
    assert response.status_code == 400 and "決裁権者が行います" in response.content.decode()
    assert not Decision.objects.exists()
    client.force_login(drive.approver())
    page = client.get(reverse("subsidies:approval_detail", args=[draft.pk])).content.decode()
    assert 'id="approve-form"' in page
    client.post(
        reverse("subsidies:approval_approve", args=[draft.pk]), {"version": drafted.version}
    )
    assert Application.objects.get(pk=drafted.pk).current_decision.total_amount == 350_000


def _change_request_under_review(w):
    application = application_in(S.DECIDED, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    application = service.perform(application, "request_change", w.coordinator, application.version)
    plan = reading.current_plan(application)
    plan["lines"]["hub-meeting"]["expenses"] = {"honoraria": 500_000}
    application, _ = service.save_plan(application, plan, w.coordinator, application.version)
    application = service.perform(application, "submit", w.coordinator, application.version)
    return service.perform(application, "start_review", w.staff, application.version)


def test_a_change_decision_shows_before_and_after_and_a_refused_change_keeps_the_decision(
    client, apps_world
):
    w = apps_world
    w.fiscal_year.notice_number_pattern = "8医政第{n}号"
    w.fiscal_year.save()
    application = _change_request_under_review(w)
    first = application.current_decision
    # before: the first decision's 400,000円 (300,000 + 100,000); after: the change's plan,
    # honoraria 500,000円 ≤ the cap, so 500,000円
    drafted = _draft(application, w.staff)
    draft = Approval.objects.get(application=drafted, state="pending")
    assert draft.kind == "change_decision"
    client.force_login(drive.approver())
    page = client.get(reverse("subsidies:approval_detail", args=[draft.pk])).content.decode()
    assert "変更前と変更後" in page and "400,000円" in page and "500,000円" in page
    back = service.perform(
        drafted, "send_back", drive.approver(), drafted.version, reason="もう一度確認を"
    )
    refusing = service.perform(
        back, "refuse_change", w.staff, back.version, reason="変更の必要性が認められないため"
    )
    kept = _approve(refusing, drive.approver(), action="approve_refuse_change")
    assert kept.status == S.DECIDED and kept.current_decision == first
    refusal = Approval.objects.get(application=kept, kind="change_refusal")
    # numbered after the first decision's typed number (8医政第N号 → 第N+1号)
    serial = int(first.notice_number.removeprefix("8医政第").removesuffix("号"))
    assert refusal.notice_number == f"8医政第{serial + 1}号"
    assert refusal.payload["reason"] == "変更の必要性が認められないため"


def test_the_grantee_is_told_of_the_refusal_with_its_notice(
    apps_world, under_review, django_capture_on_commit_callbacks
):
    w = apps_world
    drafted = service.perform(
        under_review, "reject", w.staff, under_review.version, reason="補助対象外の経費のみのため"
    )
    assert not Notification.objects.filter(user=w.coordinator).exists()  # a draft: nothing yet
    with django_capture_on_commit_callbacks(execute=True):
        refused = _approve(drafted, drive.approver(), action="approve_reject")
    told = Notification.objects.get(user=w.coordinator)
    draft = Approval.objects.get(application=refused)
    assert "不交付" in told.subject and "補助対象外の経費のみのため" in told.body
    assert reverse("reports:refusal_notice", args=[draft.pk]) in told.body
    assert Notification.objects.get(user=w.staff).subject.startswith("【決裁済み】")
