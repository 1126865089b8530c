"""The Excel round trip: download, fill offline, upload, see the diff, apply on confirm.
Every broken workbook below is generated here from the real download."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from subsidies.applications import excel
from subsidies.applications import services as service
from subsidies.models import Application
from tests.hospitals.registry_workbooks import rezip, zip_bomb
from tests.subsidies.factories import complete_plan, pick

pytestmark = pytest.mark.django_db
HUB = excel.HUB_SHEET
HOSP = excel.HOSPITAL_SHEET
MEET = excel.MEETING_SHEET
# Columns of the 4-① / 4-② sheets (see subsidies.applications.excel).
WISH, ACTIONS, START, TRAINEES, HALF_DAYS, MONTHS, INCOME = "E", "F", "G", "H", "I", "J", "K"
HONORARIA, TRAVEL, SUPPLIES, WAGES = "L", "M", "N", "O"  # the test catalogue's categories


@pytest.fixture
def application(apps_world):
    w = apps_world
    application = service.start_application(w.hub_a, w.fiscal_year, w.coordinator)
    application = pick(application, w.designation_a, w.coordinator)  # issue 18, setting (a)
    service.save_plan(application, complete_plan(application), w.coordinator, 2)
    return Application.objects.get(pk=application.pk)


def download(client, application):
    response = client.get(f"/subsidies/applications/{application.pk}/excel/")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def upload(client, application, workbook, name="申請.xlsx"):
    buffer = io.BytesIO()
    workbook.save(buffer)
    file = SimpleUploadedFile(name, buffer.getvalue())
    return client.post(
        f"/subsidies/applications/{application.pk}/excel/upload/",
        {"version": application.version, "file": file},
    )


def row_of(workbook, sheet, menu_name):
    for row in range(excel.FIRST_ROW, workbook[sheet].max_row + 1):
        if workbook[sheet][f"B{row}"].value == menu_name:
            return row
    raise AssertionError(menu_name)


@pytest.fixture
def coordinator(client, apps_world):
    client.force_login(apps_world.coordinator)
    return client


def test_download_is_laid_out_like_seed_004_and_prefilled(coordinator, application):
    workbook = download(coordinator, application)
    assert workbook.sheetnames[:3] == [HUB, HOSP, MEET]
    sheet = workbook[HUB]
    assert "甲拠点" in sheet["A2"].value
    row = row_of(workbook, HUB, "多職種が参加する連携会議の開催")
    assert (sheet[f"C{row}"].value, sheet[f"E{row}"].value, sheet[f"G{row}"].value) == (
        1060,
        "○",
        "R8〜",
    )
    assert sheet[f"{HONORARIA}{row}"].value == 300_000
    assert sheet[f"{excel.get_column_letter(excel.FIRST_EXPENSE_COL + 4)}{row}"].value.startswith(
        "=SUM("
    )
    hospital_row = row_of(workbook, HOSP, "同行訪問等研修")
    assert workbook[HOSP][f"A{hospital_row}"].value == "甲病院"
    assert workbook[MEET]["B3"].value == "市町村ごとに区割り"


def test_round_trip_with_normalisations_shows_diff_then_applies_on_confirm(
    coordinator, application, apps_world
):
    workbook = download(coordinator, application)
    hub = workbook[HUB]
    row = row_of(workbook, HUB, "資源把握・課題整理・対応策検討")
    hub[f"{WISH}{row}"] = "◯"
    hub[f"{ACTIONS}{row}"] = "アンケート調査"
    hub[f"{START}{row}"] = "Ｒ９"
    hub[f"{WAGES}{row}"] = "２５０，０００円"
    hub[f"{TRAVEL}{row}"] = "30千円"
    hospital = workbook[HOSP]
    hrow = row_of(workbook, HOSP, "同行訪問等研修")
    hospital[f"{WISH}{hrow}"] = "○"
    hospital[f"{TRAINEES}{hrow}"] = "３人"
    hospital[f"{HALF_DAYS}{hrow}"] = 4
    hospital[f"{HONORARIA}{hrow}"] = 126
    hospital[f"{HONORARIA}{hrow}"].number_format = '#,##0"千円"'
    response = upload(coordinator, application, workbook)
    text = response.content.decode()
    assert "取込内容の確認" in text
    for note in (
        "「◯」を○として読み取りました",
        "「Ｒ９」をR9〜として読み取りました",
        "「２５０，０００円」を250,000円として読み取りました",
        "千円単位の「30千円」を30,000円として読み取りました",
        "千円単位の「126」を126,000円として読み取りました",
        "「３人」を3として読み取りました",
    ):
        assert note in text, note
    assert "資源把握・課題整理・対応策検討／賃金" in text and "250,000円" in text
    application.refresh_from_db()
    assert application.version == 3  # nothing saved before confirming
    response = coordinator.post(
        f"/subsidies/applications/{application.pk}/excel/apply/", follow=True
    )
    assert "Excelの内容を取り込みました" in response.content.decode()
    plan = service.current_plan(application)
    line = plan["lines"]["hub-resources" if "hub-resources" in plan["lines"] else "hub-district"]
    assert line["wish"] and line["start_year"] == 2027
    assert line["expenses"] == {"wages": 250_000, "travel": 30_000}
    hosp = plan["lines"][f"hosp-training@{apps_world.designation_a.pk}"]
    assert (hosp["trainees"], hosp["half_days"], hosp["expenses"]) == (3, 4, {"honoraria": 126_000})
    assert application.__class__.objects.get(pk=application.pk).version == 4


def _edit(sheet, cell, value):
    def change(workbook):
        workbook[sheet][cell] = value

    return change


def _meeting_row(workbook):
    return row_of(workbook, HUB, "多職種が参加する連携会議の開催")


def _cell(column, value, sheet=HUB, menu="多職種が参加する連携会議の開催"):
    def change(workbook):
        workbook[sheet][f"{column}{row_of(workbook, sheet, menu)}"] = value

    return change


def _merge(workbook):
    workbook[HUB].merge_cells(f"{ACTIONS}{excel.FIRST_ROW}:{START}{excel.FIRST_ROW}")


def _merge_meeting(workbook):
    workbook[MEET].merge_cells("B3:C4")


def _insert_row(workbook):
    workbook[HUB].insert_rows(excel.FIRST_ROW)


def _insert_column(workbook):
    workbook[HUB].insert_cols(3)


def _delete_meta(workbook):
    del workbook[excel.META_SHEET]


def _rename_sheet(workbook):
    workbook[HOSP].title = "医療機関"


def _other_application(workbook):
    workbook[excel.META_SHEET]["A2"] = 999999


def _wrong_marker(workbook):
    workbook[excel.META_SHEET]["A1"] = "another-template"


def _extra_row(workbook):
    sheet = workbook[HUB]
    sheet[f"B{sheet.max_row + 1}"] = "独自の事業"


def _move_rows(workbook):
    sheet = workbook[HUB]
    sheet.move_range(f"A{excel.FIRST_ROW}:Y{excel.FIRST_ROW}", rows=20)


def _meeting_label(workbook):
    workbook[MEET]["A4"] = "区域数"


def _blank_workbook(workbook):
    raise Replace(Workbook())


class Replace(Exception):
    def __init__(self, workbook):
        self.workbook = workbook


BROKEN = [
    ("text in amount", _cell(TRAVEL, "たくさん"), "を金額として読めません"),
    ("formula in amount", _cell(TRAVEL, "=1000*3"), "数式が入っています"),
    ("negative amount", _cell(TRAVEL, -5000), "負の金額は入力できません"),
    ("fraction of a yen", _cell(TRAVEL, 1000.5), "円未満の端数があります"),
    ("fraction of a thousand", _cell(TRAVEL, "1.2345千円"), "円未満の端数があります"),
    (
        "date in amount",
        _cell(TRAVEL, __import__("datetime").date(2026, 4, 1)),
        "金額（円）を入力してください",
    ),
    (
        "edited cap",
        _cell("C", 2000),
        "補助額目安（上限額）が様式の値（1,060千円）から変わっています",
    ),
    ("edited menu name", _cell("B", "会議（改）"), "補助メニュー名が様式の値"),
    ("edited recipient", _cell("A", "乙拠点"), "補助事業者名が様式の値"),
    ("merged cells", _merge, "が結合されています"),
    ("merged meeting cells", _merge_meeting, "シート「4-③会議体」セルB3:C4が結合されています"),
    ("inserted row", _insert_row, "から変わっています"),
    ("inserted column", _insert_column, "列の挿入・削除・移動はできません"),
    ("moved rows", _move_rows, "から変わっています"),
    ("extra row", _extra_row, "様式にない行が追加されています"),
    ("wish not a circle", _cell(WISH, "たぶん"), "「○」か空欄にしてください"),
    ("unknown start year", _cell(START, "R12〜"), "「R8〜」・「R9〜」・「R10〜」のいずれか"),
    ("start year gibberish", _cell(START, "来年"), "開始年度"),
    (
        "ineligible category",
        _cell(HONORARIA, 1000, HOSP, "病状変化時の受入態勢確保"),
        "対象外です（灰色のセル）",
    ),
    ("unit on a per-recipient menu", _cell(MONTHS, 3), "対象外です（灰色のセル）"),
    ("text in trainees", _cell(TRAINEES, "数名", HOSP, "同行訪問等研修"), "を数として読めません"),
    ("formula in actions", _cell(ACTIONS, "=A1"), "数式が入っています"),
    ("district count zero", _edit(MEET, "B4", 0), "区割り数）は1以上"),
    ("district count text", _edit(MEET, "B4", "三つ"), "を数として読めません"),
    ("meeting label moved", _meeting_label, "見出しが「区割り数」ではありません"),
    ("metadata removed", _delete_meta, "この申請の様式ではありません"),
    ("sheet renamed", _rename_sheet, "シート「4-②積極的医療機関」がありません"),
    ("other application", _other_application, "別の申請"),
    ("not our template", _wrong_marker, "様式の識別情報がありません"),
    ("blank workbook", _blank_workbook, "この申請の様式ではありません"),
]


@pytest.mark.parametrize(("label", "breaker", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_workbook_is_refused_with_the_cell_and_nothing_is_saved(
    coordinator, application, label, breaker, message
):
    before = (service.current_plan(application), application.version)
    workbook = download(coordinator, application)
    try:
        breaker(workbook)
    except Replace as replacement:
        workbook = replacement.workbook
    response = upload(coordinator, application, workbook)
    text = response.content.decode()
    assert "取り込めませんでした（何も保存していません）" in text, label
    assert message in text, label
    if label not in (
        "metadata removed",
        "sheet renamed",
        "other application",
        "not our template",
        "blank workbook",
    ):
        assert "セル" in text or "行目" in text, label
    assert (
        coordinator.post(f"/subsidies/applications/{application.pk}/excel/apply/").status_code
        == 302
    )
    application.refresh_from_db()
    assert (service.current_plan(application), application.version) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("申請.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "旧形式のExcelファイル（.xls）"),
        ("申請.csv", "補助事業区分,金額\n".encode(), "Excelファイル（.xlsx）ではありません"),
        ("申請.xlsx", b"PK\x03\x04 truncated zip", "読めません"),
    ],
)
def test_not_an_xlsx_is_refused(coordinator, application, name, content, message):
    response = coordinator.post(
        f"/subsidies/applications/{application.pk}/excel/upload/",
        {"version": application.version, "file": SimpleUploadedFile(name, content)},
    )
    assert message in response.content.decode()
    application.refresh_from_db()
    assert application.version == 3


def test_upload_only_while_editable_and_apply_refuses_a_stale_preview(
    coordinator, application, apps_world
):
    workbook = download(coordinator, application)
    _cell(TRAVEL, 90_000)(workbook)
    assert "取込内容の確認" in upload(coordinator, application, workbook).content.decode()
    # Meanwhile the draft changes in another tab: the preview is stale.
    service.save_plan(
        application,
        complete_plan(application, other_actions="別の画面で"),
        apps_world.coordinator,
        application.version,
    )
    response = coordinator.post(
        f"/subsidies/applications/{application.pk}/excel/apply/", follow=True
    )
    assert (
        "他の方が更新しました" in response.content.decode()
        or "上書きしていません" in response.content.decode()
    )
    assert (
        service.current_plan(application)["lines"]["hub-meeting"]["expenses"]["travel"] == 100_000
    )


# --- the container checks every spreadsheet upload goes through (zaitaku_portal.uploads) ---
def _workbook_bytes(client, application) -> bytes:
    buffer = io.BytesIO()
    download(client, application).save(buffer)
    return buffer.getvalue()


def _upload(client, application, name, content):
    return client.post(
        f"/subsidies/applications/{application.pk}/excel/upload/",
        {"version": application.version, "file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("macro", "マクロを含むブックは安全のため取り込めません"),
        ("macro_extension", "マクロ有効ブック（.xlsm）"),
        ("external_link", "外部のブックへのリンクを含むファイル"),
        ("zip_bomb", "圧縮爆弾の疑い"),
        ("too_large", "ファイルが大きすぎます"),
    ],
)
def test_dangerous_workbooks_are_refused_and_nothing_changes(
    coordinator, application, case, message
):
    good = _workbook_bytes(coordinator, application)
    name, content = "申請.xlsx", good
    if case == "macro":
        content = rezip(good, extra={"xl/vbaProject.bin": b"\x00" * 64})
    elif case == "macro_extension":
        name = "申請.xlsm"
    elif case == "external_link":
        content = rezip(good, extra={"xl/externalLinks/externalLink1.xml": b"<externalLink/>"})
    elif case == "zip_bomb":
        content = zip_bomb(64)
    elif case == "too_large":
        content = good + b"\x00" * (excel.UPLOAD_MAX_BYTES + 1)
    before = application.version
    response = _upload(coordinator, application, name, content)
    assert message in response.content.decode()
    application.refresh_from_db()
    assert application.version == before
    load_workbook(io.BytesIO(good))  # the untouched download itself is a valid workbook


def test_planned_meetings_round_trip_through_the_meeting_sheet(coordinator, application):
    workbook = download(coordinator, application)
    meeting = workbook[excel.MEETING_SHEET]
    assert meeting["A7"].value == "多職種連携会議の開催予定回数（年）"
    meeting["B7"] = "６回"
    response = upload(coordinator, application, workbook)
    text = response.content.decode()
    assert "多職種連携会議の開催予定回数（年）" in text  # shown in the diff before applying
    application.refresh_from_db()
    assert application.planned_meetings is None
    coordinator.post(f"/subsidies/applications/{application.pk}/excel/apply/")
    application.refresh_from_db()
    assert application.planned_meetings == 6


def test_planned_meetings_on_the_web_form_refuses_text_in_japanese(coordinator, application):
    page = coordinator.get(f"/subsidies/applications/{application.pk}/edit/")
    assert "多職種連携会議の開催予定回数（年）" in page.content.decode()
    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {f.html_name: f.value() for f in form if f.value() not in (None, False)},
        planned_meetings="たくさん",
        save="1",
    )
    response = coordinator.post(f"/subsidies/applications/{application.pk}/edit/", data)
    assert (
        "「多職種連携会議の開催予定回数（年）」は整数で入力してください"
        in response.content.decode()
    )
    application.refresh_from_db()
    assert application.planned_meetings is None
