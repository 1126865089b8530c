"""The pages: bad input gets a Japanese message naming the field and saves nothing; exports
carry the hand-computed figures; another hub's report is 404."""

import datetime
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from subsidies.models import (
    Activity,
    AdvancePayment,
    Approval,
    Confirmation,
    ResultExpense,
    ResultReport,
)
from subsidies.results import services
from subsidies.results.reading import REPORT_FIELDS, expenses_of
from tests.subsidies.approvals import drive
from tests.subsidies.results.factories import worked_case
from zaitaku_portal.models import AuditEntry, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    return worked_case(world)


@pytest.fixture
def coordinator(client, world):
    client.force_login(world.users[Role.HUB_COORDINATOR])
    return client


@pytest.fixture
def staff(client, world):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    return client


def _edit_post(case, **overrides):
    """The edit form as the page renders it, with `overrides` (field name → value)."""
    form = {"version": case.report.version, "consultation_hours_per_week": "20"}
    for index, expense in enumerate(expenses_of(case.report)):
        prefix = f"e{index}"
        for category in expense.menu.expense_categories.all():
            form[f"{prefix}-cat-{category.code}"] = str(expense.expenses.get(category.code, 0))
        form[f"{prefix}-total_cost"] = str(expense.total_cost)
        form[f"{prefix}-other_income"] = str(expense.other_income)
        form[f"{prefix}-excluded_amount"] = str(expense.excluded_amount)
        form[f"{prefix}-excluded_source"] = expense.excluded_source
        form[f"{prefix}-excluded_reason"] = expense.excluded_reason
    for name in REPORT_FIELDS:
        form.setdefault(name, getattr(case.report, name) or "")
    form.update(overrides)
    return form


def _prefix(case, code):
    for index, expense in enumerate(expenses_of(case.report)):
        if expense.menu.code == code:
            return f"e{index}"
    raise AssertionError(code)


def _state():
    return (
        list(ResultReport.objects.values_list("version", "consultation_hours_per_week")),
        list(
            ResultExpense.objects.order_by("pk").values_list(
                "expenses", "total_cost", "other_income", "excluded_amount"
            )
        ),
        Activity.objects.count(),
    )


def test_edit_saves_and_audits(coordinator, case):
    p = _prefix(case, "w-training")
    response = coordinator.post(
        reverse("results:report_edit", args=[case.report.pk]),
        _edit_post(case, **{f"{p}-cat-travel": "３１０，０００", f"{p}-total_cost": "310000"}),
    )
    assert response.status_code == 302
    expense = ResultExpense.objects.get(menu__code="w-training")
    assert expense.expenses == {"travel": 310_000}
    entry = AuditEntry.objects.filter(action__startswith="実績報告の保存").get()
    assert entry.changes["研修の開催 旅費"] == {"from": 300_999, "to": 310_000}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "cat-travel",
            "三十万",
            "「甲拠点：研修の開催 旅費」は円単位の0以上の整数で入力してください",
        ),
        ("cat-travel", "-5", "「甲拠点：研修の開催 旅費」は円単位の0以上の整数"),
        (
            "total_cost",
            "1000",
            "「甲拠点：研修の開催」の総事業費（A）1,000円は、費目別の実支出額の合計",
        ),
        (
            "other_income",
            "400000",
            "「甲拠点：研修の開催」の寄附金その他の収入額（B）400,000円が総事業費",
        ),
        ("excluded_amount", "400000", "「甲拠点：研修の開催」の対象外とする額 400,000円が実支出額"),
        ("excluded_amount", "1000", "「甲拠点：研修の開催」の対象外とする額があります。財源"),
        ("excluded_source", "municipal", "対象外の財源が選ばれていますが、対象外とする額が0円"),
        ("excluded_source", "lottery", "「甲拠点：研修の開催 対象外の財源」は選択肢から選んで"),
    ],
)
def test_bad_expense_input_saves_nothing(coordinator, case, field, value, message):
    before = _state()
    p = _prefix(case, "w-training")
    response = coordinator.post(
        reverse("results:report_edit", args=[case.report.pk]),
        _edit_post(case, **{f"{p}-{field}": value}),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "保存していません" in response.content.decode()
    assert _state() == before


def test_excluded_amount_needs_a_reason(coordinator, case):
    before = _state()
    p = _prefix(case, "w-training")
    response = coordinator.post(
        reverse("results:report_edit", args=[case.report.pk]),
        _edit_post(
            case, **{f"{p}-excluded_amount": "1000", f"{p}-excluded_source": "other_subsidy"}
        ),
    )
    assert (
        "「甲拠点：研修の開催」の対象外とする理由を入力してください。" in response.content.decode()
    )
    assert _state() == before


def test_consultation_hours_over_a_week_are_refused(coordinator, case):
    before = _state()
    response = coordinator.post(
        reverse("results:report_edit", args=[case.report.pk]),
        _edit_post(case, consultation_hours_per_week="200"),
    )
    assert "「相談窓口の開設時間（週あたり時間）」が大きすぎます。" in response.content.decode()
    assert _state() == before


def test_stale_form_saves_nothing(coordinator, case):
    form = _edit_post(case, consultation_count="7")
    services.save_report(
        case.report,
        {"consultation_count": 3},
        case.report.application.hub.coordinators.first().user,
        case.report.version,
    )
    response = coordinator.post(reverse("results:report_edit", args=[case.report.pk]), form)
    assert "他の方が更新しました" in response.content.decode()
    assert ResultReport.objects.get().consultation_count == 3


def _activity_post(case, **data):
    return {"version": case.report.version, **data}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "会議"}, "「種別」を選択してください。"),
        (
            {
                "kind": "meeting",
                "title": "会議",
                "held_on": "2027-04-01",
                "meeting_kind": "事例検討会",
                "prof0": "2",
            },
            "「実施日」は令和8年度（2026-04-01〜2027-03-31）の日付を入力してください。",
        ),
        (
            {
                "kind": "meeting",
                "title": "会議",
                "held_on": "2026-06-01",
                "meeting_kind": "事例検討会",
            },
            "多職種連携会議の「職種別の参加者数」を1人以上入力してください。",
        ),
        (
            {
                "kind": "meeting",
                "title": "会議",
                "held_on": "2026-06-01",
                "meeting_kind": "事例検討会",
                "prof0": "3",
                "aff0": "2",
            },
            "職種別の参加者数の合計（3人）と所属別の参加者数の合計（2人）が一致しません。",
        ),
        (
            {"kind": "training", "title": "研修", "held_on": "2026-13-01", "attendance": "20"},
            "「実施日」は正しい日付（例: 2026-07-15）で入力してください。",
        ),
        (
            {"kind": "accompanied_visit", "title": "同行訪問", "trainees": "3"},
            "同行訪問研修の「実施した積極的医療機関」を入力してください。",
        ),
        (
            {"kind": "awareness", "title": "講演会", "held_on": "2026-09-01", "attendance": "x"},
            "「参加者数」は整数で入力してください。",
        ),
    ],
)
def test_bad_activity_saves_nothing(coordinator, case, data, message):
    before = _state()
    response = coordinator.post(
        reverse("results:activity_add", args=[case.report.pk]), _activity_post(case, **data)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _state() == before


def test_meeting_with_participants_is_recorded(coordinator, case):
    response = coordinator.post(
        reverse("results:activity_add", args=[case.report.pk]),
        _activity_post(
            case,
            kind="meeting",
            title="第2回",
            held_on="2026-09-01",
            meeting_kind="管理者・施設長の会議",
            topics=["災害時の対応", "ACP（人生会議）"],
            prof0="2",
            prof3="3",
            aff0="4",
            aff5="1",
        ),
    )
    assert response.status_code == 302
    activity = Activity.objects.get(title="第2回")
    assert activity.participants_by_profession == {"医師": 2, "看護師": 3}
    assert activity.participants_by_affiliation == {"病院": 4, "地域包括支援センター": 1}
    assert activity.topics == ["災害時の対応", "ACP（人生会議）"]


def test_coordinator_submits_through_the_action_page(coordinator, case):
    url = reverse("results:report_action", args=[case.report.pk, "submit"])
    response = coordinator.post(url, {"version": case.report.version})
    assert response.status_code == 302
    assert ResultReport.objects.get().status == "submitted"
    # submitted: no more editing
    response = coordinator.get(reverse("results:report_edit", args=[case.report.pk]))
    assert response.status_code == 302


def _to_review(case, world):
    report = services.perform(
        case.report, "submit", world.users[Role.HUB_COORDINATOR], case.report.version
    )
    return services.perform(
        report, "start_review", world.users[Role.PREFECTURE_STAFF], report.version
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # the year has no pattern: an empty number cannot be given at the approval
        ({"notice_number": ""}, "通知番号を入力してください（この年度には通知番号の形式"),
        ({"notice_number": "医政1号"}, "「通知番号」は「8医政第1234号」の形"),
        # the date is the approval's (決裁の日): the page asks none
    ],
)
def test_bad_confirmation_confirms_nothing(staff, case, world, data, message):
    report = _to_review(case, world)
    response = staff.post(
        reverse("results:confirm", args=[report.pk]), {"version": report.version, **data}
    )
    assert message in response.content.decode()
    assert not Confirmation.objects.exists() and not Approval.objects.exists()


def test_staff_confirms_and_exports(staff, case, world):
    services.record_advance(
        case.application,
        world.users[Role.PREFECTURE_STAFF],
        amount=2_000_000,
        paid_on=datetime.date(2026, 7, 1),
    )
    report = _to_review(case, world)
    page = staff.get(reverse("results:calculation", args=[report.pk])).content.decode()
    assert "min(F 1,050,000円, C 1,250,000円) × 10/10 = 1,050,000円" in page
    assert "600,000円 × 2区割り = 1,200,000円" in page
    assert (
        "ΣG（連携会議の開催 1,000,000円 + 関係機関との連携、調整 800,000円 + 研修の開催 "
        "150,499.50…円 = 1,950,499.50…円） → 1,000円未満切捨て = 1,950,000円"
    ) in page
    response = staff.post(
        reverse("results:confirm", args=[report.pk]),
        {"version": report.version, "notice_number": "9医政第77号"},
    )
    assert response.status_code == 302
    assert not Confirmation.objects.exists()  # a draft: confirmed on approval (決裁)
    drive.approve(report, on=datetime.date(2027, 5, 20))
    detail = staff.get(reverse("results:report_detail", args=[report.pk])).content.decode()
    assert "2,202,000円" in detail and "9医政第77号" in detail

    xlsx = staff.get(reverse("results:sheet_xlsx", args=[report.pk]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[1] == "A 総事業費" and header[10] == "J 差引過不足額（I−G）"
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["甲拠点"][7] == 1_950_000 and rows["甲拠点"][10] == 50_000
    assert rows["甲病院"][7] == 252_000 and rows["甲病院"][10] == -252_000
    assert rows["合計"][7] == 2_202_000

    prefecture = staff.get(reverse("results:prefecture_xlsx", args=[2026]))
    rows = list(load_workbook(io.BytesIO(prefecture.content)).worksheets[0].values)
    assert rows[1][2] == "9医政第77号" and len(rows) == 3

    exported = json.loads(staff.get(reverse("results:confirmed_json", args=[2026])).content)
    assert exported["total_confirmed"] == 2_202_000
    assert exported["total_refund"] == 50_000
    assert exported["total_additional_payment"] == 252_000
    hospital = next(e for e in exported["entries"] if e["recipient_type"] == "hospital")
    assert hospital["institution_code"] == case.designation.institution.code

    pdf = staff.get(reverse("reports:confirmation_notice", args=[Confirmation.objects.get().pk]))
    assert pdf.content.startswith(b"%PDF")


def test_advance_form_refuses_bad_input(staff, case):
    url = reverse("results:advances", args=[case.application.pk])
    for data, message in [
        (
            {"recipient": "hub", "amount": "abc", "paid_on": "2026-07-01"},
            "「支払額」は円単位の0以上の整数",
        ),
        ({"recipient": "hub", "amount": "0", "paid_on": "2026-07-01"}, "「支払額」は1円以上"),
        (
            {"recipient": "hub", "amount": "3000000", "paid_on": "2026-07-01"},
            "交付決定額 2,459,000円を超えます",
        ),
        (
            {"recipient": "999", "amount": "1000", "paid_on": "2026-07-01"},
            "「支払先」は選択肢から選んでください。",
        ),
        ({"recipient": "hub", "amount": "1000", "paid_on": ""}, "「支払日」を入力してください。"),
    ]:
        response = staff.post(url, data)
        assert message in response.content.decode(), message
    assert not AdvancePayment.objects.exists()
    response = staff.post(url, {"recipient": "hub", "amount": "1,000,000", "paid_on": "2026-07-01"})
    assert response.status_code == 302
    assert AdvancePayment.objects.get().amount == 1_000_000


def test_what_if_page_changes_nothing(staff, case):
    meeting = case.menus["meeting"]
    old = reverse("results:what_if", args=[2026])  # moved to the budget pages (301, query kept)
    response = staff.get(old, {f"cap{meeting.pk}": "40000"})
    assert response.status_code == 301
    url = reverse("subsidies:what_if", args=[2026])
    assert response["Location"] == f"{url}?cap{meeting.pk}=40000"
    response = staff.get(url, {f"cap{meeting.pk}": "40000", f"rate{meeting.pk}": "10/10"})
    page = response.content.decode()
    assert "574,420,000円" in page
    assert "△60,000円" in page  # a negative difference written with △
    response = staff.get(url, {f"rate{meeting.pk}": "3/2"})
    assert "「連携会議の開催 補助率」は0より大きく1以下にしてください" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.cap_amount == 1_060_000


def test_health_center_outside_the_area_gets_404(client, case, world):
    from tests import factories as f

    other = f.HealthCenterFactory(
        name="乙保健所", municipalities=list(world.area_b.municipalities.all())
    )
    user = f.UserFactory(username="hc-b", role=Role.HEALTH_CENTER, health_center=other)
    client.force_login(user)
    for name in ("results:report_detail", "results:calculation", "results:sheet_xlsx"):
        assert client.get(reverse(name, args=[case.report.pk])).status_code == 404


def test_minutes_are_attached_and_checked(coordinator, case, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    data = {
        "kind": "meeting",
        "title": "第3回",
        "held_on": "2026-10-01",
        "meeting_kind": "事例検討会",
        "prof0": "2",
    }
    url = reverse("results:activity_add", args=[case.report.pk])
    before = _state()
    fake = SimpleUploadedFile("議事録.pdf", b"MZ not a pdf")
    response = coordinator.post(url, {**_activity_post(case, **data), "minutes": fake})
    assert (
        "「議事録」の「議事録.pdf」の中身が拡張子（.pdf）と一致しません。"
        in response.content.decode()
    )
    assert _state() == before
    pdf = SimpleUploadedFile("議事録.pdf", b"%PDF-1.4 minutes\n%%EOF\n")
    response = coordinator.post(url, {**_activity_post(case, **data), "minutes": pdf})
    assert response.status_code == 302
    activity = Activity.objects.get(title="第3回")
    download = coordinator.get(
        reverse("results:activity_minutes", args=[case.report.pk, activity.pk])
    )
    assert b"".join(download.streaming_content) == b"%PDF-1.4 minutes\n%%EOF\n"


def test_the_old_claims_addresses_redirect_to_results_with_their_query(client):
    """Results moved from /claims/ to /results/ (issue 13); links in e-mails sent before
    still land on the same page, query string kept."""
    response = client.get("/claims/reports/7/?tab=expenses")
    assert response.status_code == 301
    assert response["Location"] == "/results/reports/7/?tab=expenses"
