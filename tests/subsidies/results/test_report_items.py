"""Issues 14 and 22 on the results report: a decided menu not carried out, a menu without its
own cap, seed 003 §5's items, the mandatory meetings (warned, never refused), the disaster
equipment, §6's activity kinds, receipts and the accompanied-visit trainees (seed 002)."""

import datetime
import io
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from subsidies.models import Activity, ActivityKind, ResultExpense, ResultReport
from subsidies.results import services
from subsidies.results.models import (
    NARRATIVE_FIELDS,
    DisasterEquipment,
    EquipmentItem,
    ExpenseReceipt,
)
from subsidies.results.reading import (
    REPORT_FIELDS,
    current_confirmation,
    expenses_of,
    mandatory_warnings,
    report_problems,
)
from subsidies.results.rules import ClaimError, ConfirmationInput
from tests import factories as f
from tests.subsidies.approvals import drive
from tests.subsidies.results.factories import decided_application, fill_report, menu
from zaitaku_portal.models import AuditEntry, Role

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7 body\n%%EOF\n"


@pytest.fixture
def simple(world):
    """Two hub menus decided: 会議 500,000円 (done) and 研修 200,000円 (not carried out)."""
    fy = f.FiscalYearFactory(year=2026)
    meeting = menu(fy, "n-meeting", "連携会議の開催", 1_060_000, order=1)
    training = menu(fy, "n-training", "研修の開催", 518_000, order=2)
    application = decided_application(
        world.hub_a, fy, [(meeting, None, 500_000, {}), (training, None, 200_000, {})]
    )
    report = services.start_report(application, world.users[Role.HUB_COORDINATOR])
    report = fill_report(
        report, {"n-meeting": {"expenses": {"honorarium": 400_000}, "total_cost": 400_000}}
    )
    return report


@pytest.fixture
def coordinator(client, world):
    client.force_login(world.users[Role.HUB_COORDINATOR])
    return client


def _form(report, **overrides):
    form = {"version": report.version}
    for index, expense in enumerate(expenses_of(report)):
        p = f"e{index}"
        for category in expense.menu.expense_categories.all():
            form[f"{p}-cat-{category.code}"] = str(expense.expenses.get(category.code, 0))
        for name in ("total_cost", "other_income", "excluded_amount"):
            form[f"{p}-{name}"] = str(getattr(expense, name))
        form[f"{p}-excluded_source"] = expense.excluded_source
        form[f"{p}-excluded_reason"] = expense.excluded_reason
        if expense.not_carried_out:
            form[f"{p}-not_carried_out"] = "on"
        form[f"{p}-not_carried_out_reason"] = expense.not_carried_out_reason
    for name in REPORT_FIELDS:
        value = getattr(report, name)
        form.setdefault(name, "" if value is None else value)
    form.update(overrides)
    return form


def _prefix(report, code):
    for index, expense in enumerate(expenses_of(report)):
        if expense.menu.code == code:
            return f"e{index}"
    raise AssertionError(code)


def _text_of(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    )
    return "".join(result.stdout.decode().split())


# --- 1. a decided menu not carried out ------------------------------------------------------


def test_a_menu_without_costs_blocks_submission_until_reported_not_carried_out(simple):
    problems = report_problems(simple)
    assert any(
        "「甲拠点：研修の開催」の実支出額と総事業費が入力されていません" in p for p in problems
    )


def test_not_carried_out_is_saved_shown_submitted_and_confirmed_at_zero(coordinator, simple, world):
    p = _prefix(simple, "n-training")
    response = coordinator.post(
        reverse("results:report_edit", args=[simple.pk]),
        _form(
            simple,
            **{f"{p}-not_carried_out": "on", f"{p}-not_carried_out_reason": "講師が確保できず"},
        ),
    )
    assert response.status_code == 302
    line = ResultExpense.objects.get(menu__code="n-training")
    assert (line.not_carried_out, line.not_carried_out_reason) == (True, "講師が確保できず")
    entry = AuditEntry.objects.filter(action__startswith="実績報告の保存").get()
    assert entry.changes["研修の開催 未実施"] == {"from": "実施", "to": "未実施"}
    report = ResultReport.objects.get(pk=simple.pk)
    assert report_problems(report) == []
    page = coordinator.get(reverse("results:report_detail", args=[simple.pk])).content.decode()
    assert "未実施" in page and "講師が確保できず" in page

    report = services.perform(report, "submit", world.users[Role.HUB_COORDINATOR], report.version)
    staff = world.users[Role.PREFECTURE_STAFF]
    report = services.perform(report, "start_review", staff, report.version)
    drive.through_approval(
        report,
        "confirm",
        staff,
        report.version,
        confirmation=ConfirmationInput("9医政第71号", datetime.date(2027, 5, 1)),
    )
    # 会議: D 400,000円 (A 400,000 − B 0 = C 400,000), cap 1,060,000円, decided 500,000円, rate
    # 10/10 → 400,000円 (a whole thousand: no rounding). 研修: not carried out → 0円.
    # Total 400,000 + 0 = 400,000円.
    confirmation = current_confirmation(report.application)
    assert confirmation.total_amount == 400_000
    version = report.versions.get(number=1)
    training = next(
        e
        for e in version.snapshot["report"]["expenses"].values()
        if e["label"].endswith("研修の開催")
    )
    assert training["not_carried_out"] is True
    assert training["not_carried_out_reason"] == "講師が確保できず"

    from reports.documents import results_pdf

    text = _text_of(results_pdf(version))
    assert "未実施" in text and "講師が確保できず" in text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"not_carried_out": "on"}, "「甲拠点：研修の開催」を未実施とする場合は「未実施の理由」"),
        (
            {"not_carried_out": "on", "not_carried_out_reason": "中止", "total_cost": "1000"},
            "「甲拠点：研修の開催」は未実施です。実支出額・総事業費",
        ),
        (
            {"not_carried_out": "on", "not_carried_out_reason": "中止", "cat-travel": "5"},
            "「甲拠点：研修の開催」は未実施です。",
        ),
        (
            {"not_carried_out_reason": "中止"},
            "「甲拠点：研修の開催」の未実施の理由が入力されていますが、「未実施」が選ばれていません",
        ),
        (
            {"not_carried_out": "on", "not_carried_out_reason": "長" * 1001},
            "「甲拠点：研修の開催 未実施の理由」は1,000文字以内",
        ),
    ],
)
def test_bad_not_carried_out_input_saves_nothing(coordinator, simple, overrides, message):
    p = _prefix(simple, "n-training")
    before = list(ResultExpense.objects.values_list("not_carried_out", "not_carried_out_reason"))
    response = coordinator.post(
        reverse("results:report_edit", args=[simple.pk]),
        _form(simple, **{f"{p}-{k}": v for k, v in overrides.items()}),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    after = list(ResultExpense.objects.values_list("not_carried_out", "not_carried_out_reason"))
    assert after == before
    assert ResultReport.objects.get(pk=simple.pk).version == simple.version


def test_a_menu_without_its_own_cap_with_actions_but_no_expenses_can_be_submitted(world):
    """Osaka FY2024 ③ (seed 000) is done within ① and ②: it has no own cap."""
    fy = f.FiscalYearFactory(year=2026)
    first = menu(fy, "o-1", "① 会議", 1_060_000, order=1)
    within = menu(fy, "o-3", "③ ①②の中で実施", None, order=3)
    application = decided_application(
        world.hub_a, fy, [(first, None, 500_000, {}), (within, None, 0, {})]
    )
    report = services.start_report(application, world.users[Role.HUB_COORDINATOR])
    report = fill_report(
        report, {"o-1": {"expenses": {"honorarium": 300_000}, "total_cost": 300_000}}
    )
    assert report_problems(report) == []
    submitted = services.perform(
        report, "submit", world.users[Role.HUB_COORDINATOR], report.version
    )
    assert submitted.status == "submitted"


def test_expense_workbook_carries_not_carried_out_and_yen_number_cells(coordinator, simple):
    line = ResultExpense.objects.get(menu__code="n-training")
    line.not_carried_out, line.not_carried_out_reason = True, "講師が確保できず"
    line.save()
    response = coordinator.get(reverse("results:expenses_xlsx", args=[simple.pk]))
    sheet = load_workbook(io.BytesIO(response.content))["実支出額"]
    headers = [c.value for c in sheet[1]]
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    training = rows["甲拠点：研修の開催"]
    assert training[headers.index("未実施（実施しなかったメニューは「未実施」）")].value == "未実施"
    assert training[headers.index("未実施の理由")].value == "講師が確保できず"
    total = rows["甲拠点：連携会議の開催"][headers.index("総事業費（A）")]
    assert total.value == 400_000 and isinstance(total.value, int)
    assert "#,##0" in total.number_format


def test_expense_workbook_reads_back_not_carried_out_and_refuses_a_bad_mark(coordinator, simple):
    response = coordinator.get(reverse("results:expenses_xlsx", args=[simple.pk]))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["実支出額"]
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == "甲拠点：研修の開催":
            row[headers.index("未実施（実施しなかったメニューは「未実施」）")].value = "たぶん"
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("expenses.xlsx", buffer.getvalue())
    page = coordinator.post(
        reverse("results:expenses_upload", args=[simple.pk]), {"file": upload}
    ).content.decode()
    assert "の未実施欄「たぶん」は、「未実施」または空欄にしてください。" in page
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == "甲拠点：研修の開催":
            row[headers.index("未実施（実施しなかったメニューは「未実施」）")].value = "未実施"
            row[headers.index("未実施の理由")].value = "講師が確保できず"
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("expenses.xlsx", buffer.getvalue())
    coordinator.post(reverse("results:expenses_upload", args=[simple.pk]), {"file": upload})
    coordinator.post(reverse("results:expenses_apply", args=[simple.pk]))
    line = ResultExpense.objects.get(menu__code="n-training")
    assert (line.not_carried_out, line.not_carried_out_reason) == (True, "講師が確保できず")


# --- 2. seed 003 §5's items -----------------------------------------------------------------


def test_every_section_5_item_has_its_field_on_the_form_page_and_pdf(coordinator, simple, world):
    assert list(NARRATIVE_FIELDS) == [
        "area_overview",
        "operator_overview",
        "operator_history",
        "issues_and_solutions",
        "meeting_outcomes",
        "twenty_four_hour_system",
        "information_sharing",
        "outreach_summary",
        "resource_optimisation",
        "awareness_summary",
        "workforce_development",
        "disaster_response",
        "coordinator_role",
        "usefulness",
        "problems",
        "other_notes",
    ]
    texts = {name: f"{name}の記述" for name in NARRATIVE_FIELDS}
    response = coordinator.post(
        reverse("results:report_edit", args=[simple.pk]),
        _form(simple, operator_staff_count="７", **texts),
    )
    assert response.status_code == 302
    report = ResultReport.objects.get(pk=simple.pk)
    assert report.operator_staff_count == 7
    assert report.resource_optimisation == "resource_optimisationの記述"
    page = coordinator.get(reverse("results:report_detail", args=[simple.pk])).content.decode()
    for name, label in NARRATIVE_FIELDS.items():
        assert label in page and texts[name] in page
    line = ResultExpense.objects.get(menu__code="n-training")
    line.not_carried_out, line.not_carried_out_reason = True, "中止"
    line.save()
    report = services.perform(report, "submit", world.users[Role.HUB_COORDINATOR], report.version)
    from reports.documents import results_pdf

    text = _text_of(results_pdf(report.versions.get()))
    for name in ("meeting_outcomes", "resource_optimisation", "awareness_summary"):
        assert texts[name] in text
    assert "拠点の職員数" in text and "7人" in text


def test_staff_count_out_of_bounds_is_refused_with_its_name(coordinator, simple):
    page = coordinator.post(
        reverse("results:report_edit", args=[simple.pk]),
        _form(simple, operator_staff_count="10000"),
    ).content.decode()
    assert "「拠点の職員数（人）」" in page
    assert ResultReport.objects.get(pk=simple.pk).operator_staff_count is None


def _activity_post(report, **fields):
    return {"version": report.version, "title": "活動", **fields}


def test_outreach_with_target_and_result_and_leader_training_roles(coordinator, simple):
    url = reverse("results:activity_add", args=[simple.pk])
    response = coordinator.post(
        url,
        _activity_post(
            simple,
            kind="outreach",
            audience="〇〇地域包括支援センター",
            count="3",
            outreach_target="community_centre",
            result="医療的な助言を3件行い、うち2件で退院調整につながった",
        ),
    )
    assert response.status_code == 302
    outreach = Activity.objects.get(kind="outreach")
    assert outreach.get_outreach_target_display() == "地域包括支援センター"
    assert "退院調整につながった" in outreach.result
    simple.refresh_from_db()
    response = coordinator.post(
        url,
        _activity_post(
            simple,
            kind="training",
            held_on="2026-09-01",
            attendance="40",
            leader_training="area",
            training_role="led",
        ),
    )
    assert response.status_code == 302
    training = Activity.objects.get(kind="training")
    assert training.get_leader_training_display() == "地域リーダー研修"
    assert training.get_training_role_display() == "講師・主催として実施した"
    page = coordinator.get(reverse("results:report_detail", args=[simple.pk])).content.decode()
    assert "地域リーダー研修（講師・主催として実施した）" in page
    assert "訪問先: 地域包括支援センター" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {
                "kind": "training",
                "held_on": "2026-09-01",
                "attendance": "4",
                "leader_training": "x",
            },
            "「リーダー研修」は選択肢から選んでください。",
        ),
        (
            {
                "kind": "training",
                "held_on": "2026-09-01",
                "attendance": "4",
                "leader_training": "prefectural",
            },
            "リーダー研修の「研修への関わり」",
        ),
        (
            {
                "kind": "awareness",
                "held_on": "2026-09-01",
                "audience": "住民",
                "attendance": "4",
                "leader_training": "area",
                "training_role": "attended",
            },
            "「リーダー研修」は種別「研修」の活動で選んでください。",
        ),
        (
            {"kind": "outreach", "audience": "包括", "count": "1", "with_administrators": "on"},
            "「行政担当官・関連施設の管理者が参加」は会議の活動で選んでください。",
        ),
    ],
)
def test_bad_activity_details_save_nothing(coordinator, simple, fields, message):
    before = Activity.objects.count()
    response = coordinator.post(
        reverse("results:activity_add", args=[simple.pk]), _activity_post(simple, **fields)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Activity.objects.count() == before


# --- 3. the mandatory meetings: warned, never refused ---------------------------------------


def _meeting(report, month, *, administrators=False):
    return Activity.objects.create(
        report=report,
        kind=ActivityKind.MEETING,
        title=f"{month}月の会議",
        held_on=datetime.date(2026, month, 10),
        meeting_kind="多職種連携会議（全体会議）",
        participants_by_profession={"医師": 2},
        with_administrators=administrators,
    )


def test_fewer_than_four_meetings_and_none_with_administrators_warn_but_submit(
    client, simple, world
):
    # fill_report registered one meeting (June), without administrators
    warnings = mandatory_warnings(simple)
    assert warnings == [
        "多職種連携会議の登録は1回です。手順書（§4 1)ア）では年4回以上の開催が必須です。",
        "行政担当官及び関連施設の管理者が参加した会議が登録されていません"
        "（手順書 §4 1)ア：年4回以上のうち1回は必須）。",
    ]
    line = ResultExpense.objects.get(menu__code="n-training")
    line.not_carried_out, line.not_carried_out_reason = True, "中止"
    line.save()
    client.force_login(world.users[Role.HUB_COORDINATOR])
    url = reverse("results:report_action", args=[simple.pk, "submit"])
    assert "年4回以上の開催が必須です" in client.get(url).content.decode()
    response = client.post(url, {"version": simple.version}, follow=True)
    assert "提出済み" in response.content.decode()
    assert "年4回以上の開催が必須です" in response.content.decode()  # the report page says it
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    report = ResultReport.objects.get(pk=simple.pk)
    report = services.perform(
        report, "start_review", world.users[Role.PREFECTURE_STAFF], report.version
    )
    page = client.get(reverse("results:confirm", args=[simple.pk])).content.decode()
    assert 'id="mandatory-warnings"' in page and "管理者が参加した会議が登録されていません" in page


def test_four_meetings_one_with_administrators_give_no_warning(simple):
    for month in (8, 10):
        _meeting(simple, month)
    _meeting(simple, 12, administrators=True)
    assert mandatory_warnings(simple) == []


def test_the_administrators_meeting_kind_counts_as_with_administrators(simple):
    for month in (8, 10):
        _meeting(simple, month)
    last = _meeting(simple, 12)
    last.meeting_kind = "管理者・施設長の会議"
    last.save()
    assert mandatory_warnings(simple) == []


# --- 4. disaster equipment ------------------------------------------------------------------


def test_equipment_is_listed_with_quantity_and_cost(coordinator, simple, world):
    url = reverse("results:equipment_add", args=[simple.pk])
    response = coordinator.post(
        url, {"version": simple.version, "item": "aed", "quantity": "2", "cost": "５００，０００"}
    )
    assert response.status_code == 302
    simple.refresh_from_db()
    coordinator.post(
        url,
        {
            "version": simple.version,
            "item": "other",
            "other_name": "簡易ベッド",
            "quantity": "1",
            "cost": "30000",
        },
    )
    items = list(DisasterEquipment.objects.order_by("pk").values_list("item", "quantity", "cost"))
    assert items == [("aed", 2, 500_000), ("other", 1, 30_000)]
    entry = AuditEntry.objects.filter(action="災害時の備品の登録").order_by("pk").first()
    assert entry.changes["災害時の備品"]["to"] == "自動体外式除細動器（AED） 2点・500,000円"
    page = coordinator.get(reverse("results:report_detail", args=[simple.pk])).content.decode()
    assert "その他（簡易ベッド）" in page and "500,000円" in page
    assert set(EquipmentItem.labels) >= {
        "自動体外式除細動器（AED）",
        "携帯用吸引器（足踏み式含む）",
        "担架",
        "蘇生バッグ",
        "衛星電話",
        "トランシーバー",
        "電波時計",
        "携帯ラジオ",
        "その他",
    }
    report = ResultReport.objects.get(pk=simple.pk)
    assert report.version == simple.version + 1
    first = DisasterEquipment.objects.get(item="aed")
    coordinator.post(
        reverse("results:equipment_delete", args=[simple.pk, first.pk]),
        {"version": report.version},
    )
    assert not DisasterEquipment.objects.filter(pk=first.pk).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"item": "", "quantity": "1", "cost": "1"}, "「備品」を選択してください。"),
        ({"item": "rocket", "quantity": "1", "cost": "1"}, "「備品」は選択肢から選んでください。"),
        ({"item": "other", "quantity": "1", "cost": "1"}, "「備品名（その他の場合）」を入力"),
        ({"item": "aed", "quantity": "0", "cost": "1"}, "「数量」は1以上で入力してください。"),
        ({"item": "aed", "quantity": "", "cost": "1"}, "「数量」は1以上の整数で入力してください。"),
        ({"item": "aed", "quantity": "1", "cost": "-1"}, "「購入費」は円単位の0以上の整数"),
        ({"item": "aed", "quantity": "1", "cost": "1.5"}, "「購入費」は円単位の0以上の整数"),
        ({"item": "aed", "quantity": "1", "cost": "10000000001"}, "「購入費」が大きすぎます"),
    ],
)
def test_bad_equipment_saves_nothing(coordinator, simple, fields, message):
    response = coordinator.post(
        reverse("results:equipment_add", args=[simple.pk]), {"version": simple.version, **fields}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DisasterEquipment.objects.exists()


def test_equipment_service_rechecks_the_values():
    from subsidies.results.rules import equipment_problems

    assert equipment_problems({"item": "aed", "quantity": True, "cost": 1}) == [
        "「数量」は1以上の整数で入力してください。"
    ]
    assert equipment_problems({"item": "aed", "quantity": 10_000, "cost": 1}) == [
        "「数量」は9,999以下で入力してください。"
    ]


# --- 5. §6's recommended additions ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("emergency_beds", "緊急一時入院ベッドの確保・レスパイトサービス"),
        ("nurse_call_centre", "訪問看護のコールセンター"),
        ("one_stop", "医療・介護のワンストップサービス"),
        ("support_other_institutions", "他の医療機関の支援（医師不在時・夜間の診療支援）"),
    ],
)
def test_section_6_additions_can_be_reported(coordinator, simple, kind, label):
    url = reverse("results:activity_add", args=[simple.pk])
    page = coordinator.post(url, _activity_post(simple, kind=kind)).content.decode()
    assert f"{label}の「内容」を入力してください。" in page
    response = coordinator.post(url, _activity_post(simple, kind=kind, description="実施した"))
    assert response.status_code == 302
    assert Activity.objects.get(kind=kind).get_kind_display() == label


# --- 6. receipts ----------------------------------------------------------------------------


def _receipt(coordinator, report, line, name="領収書.pdf", content=PDF):
    return coordinator.post(
        reverse("results:receipt_upload", args=[report.pk]),
        {
            "version": report.version,
            "line": str(line.pk),
            "file": SimpleUploadedFile(name, content),
        },
    )


def test_receipt_is_stored_listed_downloaded_with_audit_and_in_the_dossier(
    coordinator, simple, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    line = ResultExpense.objects.get(menu__code="n-meeting")
    response = _receipt(coordinator, simple, line)
    assert response.status_code == 302
    receipt = ExpenseReceipt.objects.get()
    assert (receipt.expense, receipt.original_name, receipt.size) == (line, "領収書.pdf", len(PDF))
    assert receipt.file.name.startswith(f"results/{simple.pk}/receipts/")
    page = coordinator.get(reverse("results:report_detail", args=[simple.pk])).content.decode()
    download = reverse("results:receipt_download", args=[simple.pk, receipt.pk])
    assert download in page
    response = coordinator.get(download)
    assert b"".join(response.streaming_content) == PDF
    assert AuditEntry.objects.filter(target_type="download", target_label="領収書.pdf").exists()
    assert AuditEntry.objects.filter(action="領収書等の登録").exists()

    from reports.documents import dossier_items, results_pdf

    items = dict(dossier_items(world.hub_a, simple.application.fiscal_year))
    path = f"08_領収書等/{receipt.pk}_領収書.pdf"
    assert items[path]() == PDF

    report = ResultReport.objects.get(pk=simple.pk)
    line = ResultExpense.objects.get(menu__code="n-training")
    line.not_carried_out, line.not_carried_out_reason = True, "中止"
    line.save()
    report = services.perform(report, "submit", world.users[Role.HUB_COORDINATOR], report.version)
    version = report.versions.get()
    assert version.snapshot["report"]["receipts"] == [
        {"line": "甲拠点：連携会議の開催", "name": "領収書.pdf", "size": len(PDF)}
    ]
    assert "領収書.pdf" in _text_of(results_pdf(version))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("run.exe", b"MZ", "領収書等「run.exe」の形式は受け付けられません"),
        ("fake.pdf", b"MZ\x90\x00", "領収書等「fake.pdf」の中身が拡張子（.pdf）と一致しません"),
        ("big.png", b"\x89PNG" + b"0" * (10 * 1024 * 1024), "10MB以下にしてください"),
    ],
)
def test_bad_receipt_is_refused_and_nothing_is_stored(
    coordinator, simple, settings, tmp_path, name, content, message
):
    settings.MEDIA_ROOT = tmp_path
    line = ResultExpense.objects.get(menu__code="n-meeting")
    response = _receipt(coordinator, simple, line, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ExpenseReceipt.objects.exists()
    assert not list(tmp_path.rglob("*.*"))


def test_receipt_for_another_reports_line_is_refused(
    coordinator, simple, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    fy = simple.application.fiscal_year
    other_menu = menu(fy, "n-other", "他の会議", 100_000)
    other = decided_application(world.hub_b, fy, [(other_menu, None, 1, {})], notice="8医政第5号")
    coordinator_b = f.coordinator_of(world.hub_b, username="coordinator-b")
    other_report = services.start_report(other, coordinator_b)
    line = other_report.expenses.get()
    with pytest.raises(ClaimError, match="この実績報告の行から選んでください"):
        services.add_receipt(
            simple,
            line.pk,
            SimpleUploadedFile("a.pdf", PDF),
            world.users[Role.HUB_COORDINATOR],
            simple.version,
        )
    page = _receipt(coordinator, simple, line).content.decode()
    assert "「経費の行」は選択肢から選んでください。" in page
    assert not ExpenseReceipt.objects.exists()
    assert not list(tmp_path.rglob("*.*"))


def test_receipt_delete_removes_the_file_on_commit(
    coordinator, simple, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    line = ResultExpense.objects.get(menu__code="n-meeting")
    _receipt(coordinator, simple, line)
    receipt = ExpenseReceipt.objects.get()
    stored = receipt.file.name
    version = ResultReport.objects.get(pk=simple.pk).version
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(
            reverse("results:receipt_delete", args=[simple.pk, receipt.pk]), {"version": version}
        )
    assert not ExpenseReceipt.objects.exists()
    assert not receipt.file.storage.exists(stored)


# --- 7. accompanied-visit training: who and where (seed 002) --------------------------------


def test_accompanied_visit_records_trainees_and_site(coordinator, world):
    from tests.subsidies.results.factories import worked_case

    case = worked_case(world)
    url = reverse("results:activity_add", args=[case.report.pk])
    base = {
        "version": case.report.version,
        "kind": "accompanied_visit",
        "title": "同行訪問研修",
        "designation": str(case.designation.pk),
        "trainees": "1",
        "half_days": "2",
    }
    page = coordinator.post(url, base).content.decode()
    assert "同行訪問研修の「同行訪問研修の対象者」を入力してください。" in page
    assert "同行訪問研修の「同行訪問研修の研修先」を入力してください。" in page
    page = coordinator.post(
        url, {**base, "trainee_type": "nurses", "training_site": "both"}
    ).content.decode()
    assert "「同行訪問研修の対象者」は選択肢から選んでください。" in page
    response = coordinator.post(
        url, {**base, "trainee_type": "doctors_and_students", "training_site": "both"}
    )
    assert response.status_code == 302
    visit = Activity.objects.get(kind="accompanied_visit", trainee_type="doctors_and_students")
    assert visit.get_training_site_display() == "積極的医療機関とその他の医療機関の両方"
    page = coordinator.get(reverse("results:report_detail", args=[case.report.pk])).content.decode()
    assert "対象者: 医師及び医学生" in page


def test_nurse_placement_needs_the_months_placed(coordinator, world):
    from tests.subsidies.results.factories import worked_case

    case = worked_case(world)
    url = reverse("results:activity_add", args=[case.report.pk])
    base = {
        "version": case.report.version,
        "kind": "nurse_placement",
        "title": "退院調整看護師の配置",
        "designation": str(case.designation.pk),
        "count": "1",
    }
    page = coordinator.post(url, base).content.decode()
    assert "退院調整看護師等の新規配置の「配置した月数」を入力してください。" in page
    page = coordinator.post(url, {**base, "months": "13"}).content.decode()
    assert "「配置した月数（看護師等の配置）」" in page and "12" in page
    assert coordinator.post(url, {**base, "months": "9"}).status_code == 302
    assert Activity.objects.get(kind="nurse_placement", months=9)


def test_another_hubs_receipts_and_equipment_cannot_be_reached(coordinator, simple, world):
    """IDOR: coordinator A posts to hub B's report: 404, nothing changes."""
    fy = simple.application.fiscal_year
    other_menu = menu(fy, "n-other", "他の会議", 100_000)
    other = decided_application(world.hub_b, fy, [(other_menu, None, 1, {})], notice="8医政第6号")
    report_b = services.start_report(other, f.coordinator_of(world.hub_b, username="coord-b"))
    item = DisasterEquipment.objects.create(report=report_b, item="aed", quantity=1, cost=1)
    receipt = ExpenseReceipt(
        expense=report_b.expenses.get(),
        original_name="b.pdf",
        size=1,
        uploaded_by=world.users[Role.HUB_COORDINATOR],
    )
    receipt.file.name = "results/none/b.pdf"
    receipt.save()
    version = {"version": report_b.version}
    for url in (
        reverse("results:equipment_delete", args=[report_b.pk, item.pk]),
        reverse("results:receipt_delete", args=[report_b.pk, receipt.pk]),
        # hub A's report with hub B's rows: not found in A's report either
        reverse("results:equipment_delete", args=[simple.pk, item.pk]),
        reverse("results:receipt_delete", args=[simple.pk, receipt.pk]),
    ):
        response = coordinator.post(url, version, follow=True)
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert "ありません" in response.content.decode() or "更新" in response.content.decode()
    assert (
        coordinator.get(
            reverse("results:receipt_download", args=[simple.pk, receipt.pk])
        ).status_code
        == 404
    )
    assert DisasterEquipment.objects.filter(pk=item.pk).exists()
    assert ExpenseReceipt.objects.filter(pk=receipt.pk).exists()


def test_the_areas_recorded_figures_show_read_only_and_are_frozen_with_the_version(
    coordinator, simple, world
):
    """seed 003 §5(1): the latest figures up to the fiscal year (2024 and 2026, not 2027)."""
    from decimal import Decimal

    from hubs.models import AreaProfile, AreaResource

    AreaProfile.objects.create(
        area=world.area_a, figure_year=2024, population=70_000, ageing_rate=Decimal("27.0")
    )
    latest = AreaProfile.objects.create(
        area=world.area_a, figure_year=2026, population=68_500, ageing_rate=Decimal("28.4")
    )
    AreaProfile.objects.create(
        area=world.area_a, figure_year=2027, population=1, ageing_rate=Decimal("1.0")
    )
    AreaResource.objects.create(profile=latest, kind="visiting_nurse", count=6)
    page = coordinator.get(reverse("results:report_detail", args=[simple.pk])).content.decode()
    assert "甲圏域</strong>（令和8年の数値）人口 68,500人・高齢化率 28.4％" in page
    assert '<td>訪問看護ステーション</td><td class="num">6</td>' in page
    line = ResultExpense.objects.get(menu__code="n-training")
    line.not_carried_out, line.not_carried_out_reason = True, "中止"
    line.save()
    report = services.perform(simple, "submit", world.users[Role.HUB_COORDINATOR], simple.version)
    frozen = report.versions.get().snapshot["report"]["area_figures"]
    assert frozen == [
        {
            "area": "甲圏域",
            "figure_year": 2026,
            "figure_label": "令和8年",
            "population": 68_500,
            "ageing_rate": "28.4",
            "resources": [{"kind": "訪問看護ステーション", "count": 6}],
        }
    ]
    from reports.documents import results_pdf

    text = _text_of(results_pdf(report.versions.get()))
    assert "人口68,500人・高齢化率28.4％" in text and "訪問看護ステーション6" in text


def test_an_old_workbook_without_the_column_keeps_not_carried_out_and_its_zero(coordinator, simple):
    line = ResultExpense.objects.get(menu__code="n-training")
    line.not_carried_out, line.not_carried_out_reason = True, "中止"
    line.save()
    response = coordinator.get(reverse("results:expenses_xlsx", args=[simple.pk]))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["実支出額"]
    headers = [c.value for c in sheet[1]]
    sheet.delete_cols(headers.index("未実施（実施しなかったメニューは「未実施」）") + 1, 2)
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == "甲拠点：研修の開催":
            row[headers.index("総事業費（A）")].value = 5_000
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("expenses.xlsx", buffer.getvalue())
    page = coordinator.post(
        reverse("results:expenses_upload", args=[simple.pk]), {"file": upload}
    ).content.decode()
    assert "「甲拠点：研修の開催」は未実施です。" in page
    assert ResultExpense.objects.get(menu__code="n-training").total_cost == 0
