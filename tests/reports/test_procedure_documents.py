"""取下げ届, 中止・廃止承認申請書 / 承認通知書 and 変更承認申請書 (issue 15,
reports/procedure_documents.py): names, amounts, 和暦 dates, 様式 and notice numbers, the
same bytes on re-render, the dossier, and the scope of their URLs. Every record is made
through the real services (the workflow rows of subsidies/applications)."""

import dataclasses
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import procedure_documents as docs
from reports.documents import dossier_items
from subsidies.applications import rules
from subsidies.applications import services as service
from subsidies.applications.reading import current_plan
from subsidies.applications.withdrawals import DiscontinuationInput, tokyo_today
from subsidies.models import (
    Application,
    ApplicationStatus,
    ApplicationVersion,
    DiscontinuationRequest,
    Withdrawal,
)
from tests.reports.test_documents import text_of
from tests.subsidies.approvals import drive
from tests.subsidies.conftest import apps_world  # noqa: F401 (the fixture)
from tests.subsidies.factories import application_in, complete_plan, decision_input
from zaitaku_portal.models import Role
from zaitaku_portal.wareki import wareki_date

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def _fresh(application):
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def w(apps_world):  # noqa: F811
    year = apps_world.fiscal_year
    year.withdrawal_days = 10
    year.notice_number_pattern = "8医政第{n}号"
    year.issuer_title, year.issuer_name, year.seal_line = "沖縄県知事", "沖縄 花子", "（公印省略）"
    year.guideline_name = "沖縄県在宅医療提供体制強化事業費補助金交付要綱"
    year.change_request_form_number = "様式第3号"
    year.withdrawal_form_number = "様式第5号"
    year.discontinuation_form_number = "様式第6号"
    year.discontinuation_approval_form_number = "様式第7号"
    year.save()
    hub = apps_world.hub_a
    hub.operator_legal_name = "一般社団法人甲医師会"
    hub.representative_title, hub.representative_name = "会長", "甲野 太郎"
    hub.save()
    return apps_world


def _decided_now(w):
    """Decided today (the 取下げ window of 10 days open). complete_plan: hub-meeting 報償費
    300,000 + 旅費 100,000 = 400,000, cap 1,060,000, rate 10/10 → 400,000 decided."""
    application = application_in(S.UNDER_REVIEW, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    decision = dataclasses.replace(decision_input(application), notice_date=tokyo_today())
    return drive.decide(application, w.staff, decision=decision)


def _step(application, action, user, **params):
    return service.perform(_fresh(application), action, user, _fresh(application).version, **params)


def _change_filed(w):
    """A decided application whose change request (reason typed) lowers the meeting's
    expenses to 報償費 200,000 + 旅費 50,000 = 250,000, submitted."""
    application = _decided_now(w)
    _step(application, "request_change", w.coordinator, reason="会議を年2回に減らすため")
    plan = complete_plan(_fresh(application))
    plan["lines"]["hub-meeting"]["expenses"] = {"honoraria": 200_000, "travel": 50_000}
    service.save_plan(_fresh(application), plan, w.coordinator, _fresh(application).version)
    _step(application, "submit", w.coordinator)
    return _fresh(application)


def _heading_checks(text, *, form_number):
    assert form_number in text
    assert "沖縄県知事沖縄花子様" in text  # to the year's issuer
    assert "一般社団法人甲医師会" in text and "会長甲野太郎" in text  # from the operator


# --- 取下げ届 --------------------------------------------------------------------------------


def test_withdrawal_before_the_decision(w):
    application = application_in(S.SUBMITTED, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    submitted = _fresh(application).versions.get().created_at
    _step(application, "withdraw", w.coordinator, reason="事業の実施体制が整わないため")
    withdrawal = Withdrawal.objects.get(application=application)
    pdf = docs.withdrawal_pdf(withdrawal)
    text = text_of(pdf)
    _heading_checks(text, form_number="様式第5号")
    assert "補助金交付申請取下げ届" in text
    assert wareki_date(withdrawal.withdrawn_on) in text
    filed = wareki_date(timezone.localtime(submitted).date())
    assert f"{filed}付けで交付申請した令和8年度在宅医療提供体制強化事業費補助金について" in text
    assert "沖縄県在宅医療提供体制強化事業費補助金交付要綱に基づき" in text
    assert "事業の実施体制が整わないため" in text
    assert docs.withdrawal_pdf(withdrawal) == pdf  # byte-identical
    assert docs.withdrawal_filename(withdrawal).startswith("取下げ届_甲拠点_")


def test_withdrawal_after_the_decision_names_the_lapsing_decision(w):
    application = _decided_now(w)
    decision = _fresh(application).current_decision
    _step(application, "withdraw_decided", w.coordinator, reason="補助を辞退します")
    withdrawal = Withdrawal.objects.get(application=application)
    text = text_of(docs.withdrawal_pdf(withdrawal))
    assert "補助金交付申請取下げ届" in text
    assert f"{wareki_date(decision.notice_date)}付け{decision.notice_number}で交付決定" in text
    assert "交付決定額400,000円" in text  # 300,000 + 100,000 at 10/10 (see _decided_now)
    assert "補助を辞退します" in text


# --- 変更承認申請書 and its withdrawal ---------------------------------------------------------


def test_change_request_shows_before_after_per_menu_and_the_reason(w):
    application = _change_filed(w)
    decision = application.current_decision
    version = application.versions.order_by("-number").first()
    assert version.label.startswith("変更承認申請")
    context = docs.change_request_context(version)
    # by hand: before 400,000 (decided); after 200,000 + 50,000 = 250,000; △150,000
    assert [(c.label, c.before, c.after, c.difference) for c in context["changes"]] == [
        ("多職種が参加する連携会議の開催", 400_000, 250_000, -150_000)
    ]
    pdf = docs.change_request_pdf(version)
    text = text_of(pdf)
    _heading_checks(text, form_number="様式第3号")
    assert "変更承認申請書" in text
    assert f"{wareki_date(decision.notice_date)}付け{decision.notice_number}で交付決定" in text
    assert "会議を年2回に減らすため" in text
    assert "400,000円250,000円△150,000円" in text
    assert wareki_date(tokyo_today()) in text
    assert docs.change_request_pdf(version) == pdf
    # a version that is not a change request has none
    first = application.versions.order_by("number").first()
    assert not docs.is_change_request_version(first)


def test_a_withdrawn_change_leaves_the_plan_as_decided(w):
    application = _change_filed(w)
    decided_version = application.current_decision.version
    assert current_plan(application)["lines"]["hub-meeting"]["expenses"] == {
        "honoraria": 200_000,
        "travel": 50_000,
    }
    _step(application, "withdraw_change", w.coordinator, reason="変更を見合わせます")
    application = _fresh(application)
    assert application.status == S.DECIDED and not application.is_change_request
    plan = current_plan(application)
    assert plan["lines"]["hub-meeting"]["expenses"] == {"honoraria": 300_000, "travel": 100_000}
    assert plan == decided_version.snapshot["plan"]
    assert application.change_reason == ""
    withdrawal = Withdrawal.objects.get(application=application)
    text = text_of(docs.withdrawal_pdf(withdrawal))
    assert "変更承認申請取下げ届" in text and "変更を見合わせます" in text


# --- 中止・廃止 ------------------------------------------------------------------------------


def _discontinuation(w, **approval):
    application = _decided_now(w)
    _step(
        application,
        "request_discontinuation",
        w.coordinator,
        reason="担当医師の退職により継続できないため",
        decision=DiscontinuationInput("suspend", datetime.date(2026, 10, 1)),
    )
    _step(application, "approve_discontinuation", w.staff, **approval)
    return DiscontinuationRequest.objects.get(application=application)


def test_discontinuation_request_and_its_approval(w):
    record = _discontinuation(w)
    decision = record.decision
    # numbered from the pattern, one above the register's highest (the decision's 8医政第N号)
    serial = int(decision.notice_number[4:-1])
    assert record.notice_number == f"8医政第{serial + 1}号"
    request_pdf = docs.discontinuation_request_pdf(record)
    text = text_of(request_pdf)
    _heading_checks(text, form_number="様式第6号")
    assert "補助事業中止承認申請書" in text
    assert "中止の日令和8年10月1日" in text
    assert "担当医師の退職により継続できないため" in text
    assert f"{decision.notice_number}（{wareki_date(decision.notice_date)}）" in text
    assert "交付決定額400,000円" in text
    approval_pdf = docs.discontinuation_approval_pdf(record)
    text = text_of(approval_pdf)
    assert "様式第7号" in text and "補助事業中止承認通知書" in text
    assert record.notice_number + wareki_date(record.answered_on) in text
    assert "一般社団法人甲医師会会長甲野太郎様" in text  # the shared letterhead
    assert "沖縄県知事沖縄花子（公印省略）" in text
    assert "中止の日をもって効力を失います" in text
    assert docs.discontinuation_request_pdf(record) == request_pdf
    assert docs.discontinuation_approval_pdf(record) == approval_pdf


def test_a_typed_approval_number_is_used_and_a_taken_one_refused(w):
    record = _discontinuation(w, decision=_number("8医政第7001号"))
    assert record.notice_number == "8医政第7001号"
    application = _decided_now_for_b(w)
    taken = _fresh(application).current_decision.notice_number
    with pytest.raises(rules.ApplicationError) as refused:
        _step(application, "approve_discontinuation", w.staff, decision=_number(taken))
    assert f"「通知番号」{taken}は既に使われています。" in refused.value.problems
    pending = DiscontinuationRequest.objects.get(application=application)
    assert pending.state == "pending" and pending.notice_number == ""


def _number(text):
    from subsidies.applications.reading import DecisionInput

    return DecisionInput(text, None, {})


def _decided_now_for_b(w):
    from tests.factories import coordinator_of

    other = coordinator_of(w.hub_b, username="otsu")
    application = application_in(S.UNDER_REVIEW, w.hub_b, w.fiscal_year, other, w.staff)
    decision = dataclasses.replace(decision_input(application), notice_date=tokyo_today())
    application = drive.decide(application, w.staff, decision=decision)
    _step(
        application,
        "request_discontinuation",
        other,
        reason="統合",
        decision=DiscontinuationInput("abolish", datetime.date(2026, 9, 1)),
    )
    return _fresh(application)


# --- the dossier and the URLs ----------------------------------------------------------------


def test_the_dossier_holds_them_in_the_procedure_order(w):
    application = _change_filed(w)
    _step(application, "withdraw_change", w.coordinator, reason="見合わせ")
    _step(
        application,
        "request_discontinuation",
        w.coordinator,
        reason="廃止",
        decision=DiscontinuationInput("abolish", datetime.date(2026, 12, 1)),
    )
    _step(application, "approve_discontinuation", w.staff)
    names = [name for name, _ in dossier_items(w.hub_a, w.fiscal_year)]
    record = DiscontinuationRequest.objects.get(application=application)
    withdrawal = Withdrawal.objects.get(application=application)
    expected = [
        "01_交付申請書/第1版_交付申請.pdf",
        "01_交付申請書/第2版_変更承認申請.pdf",
        "01_交付申請書/第2版_変更承認申請書.pdf",
        f"11_取下げ・中止・廃止/{docs.withdrawal_filename(withdrawal)}",
        f"11_取下げ・中止・廃止/{docs.discontinuation_filenames(record)[0]}",
        f"11_取下げ・中止・廃止/{docs.discontinuation_filenames(record)[1]}",
    ]
    assert [n for n in names if n.startswith(("01_", "11_"))] == expected
    assert names.index(expected[2]) < names.index(expected[3])
    assert (
        docs.discontinuation_filenames(record)[1]
        == f"廃止承認通知書_甲拠点_{record.notice_number}.pdf"
    )


def test_each_document_is_scoped_like_the_application(w, client):
    from tests.factories import coordinator_of

    application = _change_filed(w)
    version = _fresh(application).versions.order_by("-number").first()
    _step(application, "withdraw_change", w.coordinator, reason="見合わせ")
    _step(
        application,
        "request_discontinuation",
        w.coordinator,
        reason="廃止",
        decision=DiscontinuationInput("abolish", datetime.date(2026, 12, 1)),
    )
    record = DiscontinuationRequest.objects.get(application=application)
    urls = [
        reverse(
            "reports:withdrawal_pdf", args=[Withdrawal.objects.get(application=application).pk]
        ),
        reverse("reports:discontinuation_request_pdf", args=[record.pk]),
        reverse("reports:change_request_pdf", args=[version.pk]),
    ]
    approval_url = reverse("reports:discontinuation_approval_pdf", args=[record.pk])
    client.force_login(w.coordinator)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf"
    assert client.get(approval_url).status_code == 404  # not approved yet: no notice
    first = _fresh(application).versions.order_by("number").first()
    assert client.get(reverse("reports:change_request_pdf", args=[first.pk])).status_code == 404
    client.force_login(coordinator_of(w.hub_b, username="otsu"))  # another hub's coordinator
    for url in [*urls, approval_url]:
        assert client.get(url).status_code == 404, url
    client.force_login(w.users[Role.HEALTH_CENTER])  # 甲保健所 covers 甲拠点's area
    assert all(client.get(url).status_code == 200 for url in urls)
    client.logout()
    assert all(client.get(url).status_code == 302 for url in urls)  # to the login page


def test_the_pages_link_them(w, client):
    application = _change_filed(w)
    version = _fresh(application).versions.order_by("-number").first()
    _step(application, "withdraw_change", w.coordinator, reason="見合わせ")
    client.force_login(w.coordinator)
    page = client.get(reverse("subsidies:application_detail", args=[application.pk]))
    html = page.content.decode()
    withdrawal = Withdrawal.objects.get(application=application)
    assert reverse("reports:withdrawal_pdf", args=[withdrawal.pk]) in html
    assert reverse("reports:change_request_pdf", args=[version.pk]) in html
    assert "取下げ届（PDF）" in html and "変更承認申請書（PDF）" in html


def test_the_version_kind_is_read_from_its_label(w):
    application = _decided_now(w)
    version = ApplicationVersion.objects.filter(application=application).first()
    assert not docs.is_change_request_version(version)
    assert docs.changed_decision(version) is None  # filed before any decision


def test_requested_amounts_come_from_the_frozen_version_alone(w):
    application = _decided_now(w)
    version = ApplicationVersion.objects.create(
        application=application,
        number=2,
        label="変更承認申請",
        created_by=w.coordinator,
        snapshot={
            "plan": {
                "lines": {
                    "hub-meeting": {"wish": True, "start_year": 2026},
                    "visit@7": {"wish": True, "start_year": 2026},
                    "ict": {"wish": True, "start_year": 2027},  # R9〜: not this year's
                    "awareness": {"wish": False},
                }
            },
            "labels": {
                "hub-meeting": "多職種が参加する連携会議の開催",
                "visit@7": "甲病院：同行訪問等研修",
                "ict": "ICTシステム導入経費",
                "awareness": "在宅医療の普及啓発",
            },
            "amounts": {"hub-meeting": 250_000, "visit@7": 84_000, "ict": 550_000, "awareness": 0},
        },
    )
    assert docs.requested_amounts(version) == [
        ("多職種が参加する連携会議の開催", 250_000),
        ("同行訪問等研修（甲病院）", 84_000),  # 42,000 × 1人 × 2半日, labelled as the decision
        ("ICTシステム導入経費", 0),
        ("在宅医療の普及啓発", 0),
    ]
    # before 400,000 (decided) → after: the menus at 0 both times get no line
    changes = docs.change_request_context(version)["changes"]
    assert [(c.label, c.before, c.after) for c in changes] == [
        ("多職種が参加する連携会議の開催", 400_000, 250_000),
        ("同行訪問等研修（甲病院）", 0, 84_000),
    ]
