"""Issue 12, point 1: a workbook may not make the portal build millions of cells.

Each hostile file is a real download rewritten as raw XML (tests/security/hostile_workbooks.py):
one empty cell at A1048576 (a few KB), a 10^6-row sheet (~4.7 MB, under the 5 MB limit), a
merge or a dimension over the whole sheet. Every upload page answers with a Japanese message
naming the sheet and the cell, saves nothing, and (for the bombs) stays small in memory."""

import io
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from hubs.models import Hub
from subsidies.applications import excel, excel_read
from subsidies.applications import services as service
from subsidies.models import ResultExpense, ResultReport
from subsidies.results.exports import expenses as expense_excel
from tests.security.hostile_workbooks import (
    BILLION_LAUGHS,
    empty_cell_at,
    merged,
    rewrite,
    rows_up_to,
    sheet_part,
)
from tests.subsidies.results.factories import worked_case
from zaitaku_portal.models import Role
from zaitaku_portal.workbook_bounds import (
    SheetLimits,
    WorkbookLimits,
    check_workbook_bounds,
    parse_reference,
)

pytestmark = pytest.mark.django_db
PEAK_LIMIT = 100 * 1024 * 1024


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def peak_of(action):
    """(result, peak bytes Python allocated while `action` ran)."""
    tracemalloc.start()
    try:
        result = action()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --- plan upload (subsidies.applications.excel.read_workbook) ------------------------------------


@pytest.fixture
def application(plan):
    """The filled plan of tests/security/conftest.py, under the name these tests use."""
    return plan


def _plan_download(client, application) -> bytes:
    response = client.get(f"/subsidies/applications/{application.pk}/excel/")
    assert response.status_code == 200
    return response.content


def _plan_upload(client, application, content: bytes):
    return client.post(
        f"/subsidies/applications/{application.pk}/excel/upload/",
        {"version": application.version, "file": SimpleUploadedFile("申請.xlsx", content)},
    )


def _plan_state(application):
    application.refresh_from_db()
    return service.current_plan(application), application.version


PLAN_ATTACKS = [
    (
        "one empty cell at A1048576",
        lambda part: {"part": part, "rows": empty_cell_at("A1048576")},
        f"シート「{excel.HUB_SHEET}」のセルA1048576は様式の範囲（最大",
    ),
    (
        "dimension over the whole sheet",
        lambda part: {"part": part, "dimension": "A1:XFD1048576"},
        f"シート「{excel.HUB_SHEET}」の使用範囲A1:XFD1048576は様式の範囲",
    ),
    (
        "merge over the whole sheet",
        lambda part: {"part": part, "edit": merged("A300:XFD1048576")},
        f"シート「{excel.HUB_SHEET}」の結合セルA300:XFD1048576は様式の範囲",
    ),
    (
        "a cell in the last column",
        lambda part: {"part": part, "rows": empty_cell_at("XFD30")},
        f"シート「{excel.HUB_SHEET}」のセルXFD30は様式の範囲",
    ),
]


@pytest.mark.parametrize(
    ("label", "attack", "message"), PLAN_ATTACKS, ids=[a[0] for a in PLAN_ATTACKS]
)
def test_plan_upload_refuses_a_workbook_bomb_small_and_saves_nothing(
    coordinator, application, label, attack, message
):
    good = _plan_download(coordinator, application)
    bomb = rewrite(good, **attack(sheet_part(good, excel.HUB_SHEET)))
    assert len(bomb) < 64 * 1024, label
    before = _plan_state(application)
    response, peak = peak_of(lambda: _plan_upload(coordinator, application, bomb))
    page = response.content.decode()
    assert "取り込めませんでした（何も保存していません）" in page, label
    assert message in page, label
    assert peak < PEAK_LIMIT, f"{label}: {peak / 1024 / 1024:.0f} MB"
    assert (
        coordinator.post(f"/subsidies/applications/{application.pk}/excel/apply/").status_code
        == 302
    )
    assert _plan_state(application) == before


def test_plan_upload_refuses_a_million_rows_before_parsing_them(coordinator, application):
    good = _plan_download(coordinator, application)
    million = rewrite(good, sheet_part(good, excel.META_SHEET), rows=rows_up_to(1_000_000))
    assert len(million) < excel.UPLOAD_MAX_BYTES  # a valid workbook under the size limit
    before = _plan_state(application)
    response, peak = peak_of(lambda: _plan_upload(coordinator, application, million))
    page = response.content.decode()
    assert f"シート「{excel.META_SHEET}」が展開後36.0 MBあり、上限の20 MBを超えています" in page
    assert peak < PEAK_LIMIT
    assert _plan_state(application) == before


def test_plan_upload_refuses_rows_past_the_form_at_the_first_one(coordinator, application):
    good = _plan_download(coordinator, application)
    many = rewrite(good, sheet_part(good, excel.META_SHEET), rows=rows_up_to(20_000))
    before = _plan_state(application)
    response, peak = peak_of(lambda: _plan_upload(coordinator, application, many))
    limit = excel_read.PLAN_LIMITS.of(excel.META_SHEET).max_row
    assert (
        f"シート「{excel.META_SHEET}」のセルA{limit + 1}は様式の範囲" in response.content.decode()
    )
    assert peak < PEAK_LIMIT
    assert _plan_state(application) == before


def test_a_genuine_plan_download_is_within_the_bounds(coordinator, application):
    good = _plan_download(coordinator, application)
    assert check_workbook_bounds(io.BytesIO(good), excel_read.PLAN_LIMITS) is None


# --- expense upload (subsidies.results.exports.expenses.read_expense_workbook) ---


@pytest.fixture
def case(world, client):
    client.force_login(world.users[Role.HUB_COORDINATOR])
    return worked_case(world)


def _expense_state():
    return list(
        ResultExpense.objects.order_by("pk").values_list("expenses", "total_cost", "other_income")
    ), ResultReport.objects.get().version


def _expense_download(client, case) -> bytes:
    return client.get(reverse("results:expenses_xlsx", args=[case.report.pk])).content


def _expense_upload(client, case, content: bytes):
    upload = SimpleUploadedFile("expenses.xlsx", content)
    return client.post(reverse("results:expenses_upload", args=[case.report.pk]), {"file": upload})


@pytest.mark.parametrize(
    ("label", "attack", "message"),
    [
        (
            "one empty cell at A1048576",
            {"rows": empty_cell_at("A1048576")},
            "シート「実支出額」のセルA1048576は様式の範囲（最大",
        ),
        (
            "dimension over the whole sheet",
            {"dimension": "A1:XFD1048576"},
            "シート「実支出額」の使用範囲A1:XFD1048576は様式の範囲",
        ),
        (
            "a million rows",
            {"rows": rows_up_to(1_000_000)},
            "シート「実支出額」が展開後",
        ),
        (
            "rows past the form",
            {"rows": rows_up_to(20_000)},
            "シート「実支出額」のセルA{past_last_row}は様式の範囲",
        ),
    ],
)
def test_expense_upload_refuses_a_workbook_bomb_small_and_saves_nothing(
    client, case, label, attack, message
):
    good = _expense_download(client, case)
    bomb = rewrite(good, sheet_part(good, expense_excel.DATA_SHEET), **attack)
    assert len(bomb) < expense_excel.UPLOAD_MAX_BYTES
    before = _expense_state()
    response, peak = peak_of(lambda: _expense_upload(client, case, bomb))
    page = response.content.decode()
    message = message.format(past_last_row=expense_excel.EXPENSE_LIMITS.sheet.max_row + 1)
    assert message in page and "を超えています" in page, label
    assert peak < PEAK_LIMIT, f"{label}: {peak / 1024 / 1024:.0f} MB"
    assert _expense_state() == before


def test_expense_upload_of_a_genuine_download_still_previews(client, case):
    response = _expense_upload(client, case, _expense_download(client, case))
    assert "まだ保存していません" in response.content.decode()


# --- admin import (django-import-export through ScopedImportExportMixin) ----------------------


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    return client


def _hub_export(world) -> bytes:
    from django.contrib import admin
    from django.test import RequestFactory
    from import_export.formats.base_formats import XLSX

    request = RequestFactory().get("/")
    request.user = world.users[Role.PREFECTURE_STAFF]
    model_admin = admin.site._registry[Hub]
    return model_admin.get_export_data(XLSX(), request, Hub.objects.all())


def _admin_import(client, content: bytes, name: str, input_format: int):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(
        reverse("admin:hubs_hub_import"),
        {"import_file": upload, "format": input_format, "resource": 0},
    )


def _hubs():
    return list(Hub.objects.order_by("pk").values_list("name", "desk_hours_per_week", "note"))


def test_admin_import_refuses_a_workbook_bomb_in_japanese_and_writes_nothing(staff_client, world):
    good = _hub_export(world)
    part = "xl/worksheets/sheet1.xml"
    bomb = rewrite(good, part, rows=empty_cell_at("XFD1048576"), dimension="A1:XFD1048576")
    before = _hubs()
    response, peak = peak_of(lambda: _admin_import(staff_client, bomb, "拠点.xlsx", 0))
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    assert "の使用範囲A1:XFD1048576は取込の範囲" in page
    assert "encountered" not in page
    assert peak < PEAK_LIMIT
    assert _hubs() == before


@pytest.mark.parametrize("rows", [1_000_000, 20_000])
def test_admin_import_refuses_a_million_rows(staff_client, world, rows):
    good = _hub_export(world)
    many = rewrite(good, "xl/worksheets/sheet1.xml", rows=rows_up_to(rows))
    before = _hubs()
    response = _admin_import(staff_client, many, "拠点.xlsx", 0)
    page = response.content.decode()
    from zaitaku_portal.admin_import import ADMIN_IMPORT_LIMITS

    limit = ADMIN_IMPORT_LIMITS.sheet.max_row
    assert f"のセルA{limit + 1}は取込の範囲" in page or "が展開後" in page
    assert response.context.get("confirm_form") is None
    assert _hubs() == before


@pytest.mark.parametrize(
    ("content", "name", "input_format", "message"),
    [
        (b"PK\x03\x04 truncated", "拠点.xlsx", 0, "Excelファイル（.xlsx）として読めません"),
        ("名前,メモ\n".encode("shift_jis"), "拠点.csv", 1, "UTF-8"),
        (b"id,name\n", "拠点.csv", 1, "取り込むデータの行がありません"),
    ],
    ids=["broken xlsx", "csv not utf-8", "header only"],
)
def test_admin_import_says_what_is_wrong_in_japanese(
    staff_client, world, content, name, input_format, message
):
    before = _hubs()
    response = _admin_import(staff_client, content, name, input_format)
    page = response.content.decode()
    assert message in page
    assert "encountered" not in page and "No valid data" not in page
    assert _hubs() == before


def test_admin_import_of_a_genuine_export_still_previews(staff_client, world):
    response = _admin_import(staff_client, _hub_export(world), "拠点.xlsx", 0)
    assert response.context["confirm_form"] is not None


# --- the bounds themselves -------------------------------------------------------------------


def test_references_are_read_like_excel_reads_them():
    assert parse_reference("A1") == (1, 1)
    assert parse_reference("$XFD$1048576") == (1_048_576, 16_384)
    assert parse_reference("A0") is None and parse_reference("1A") is None


def test_a_genuine_openpyxl_workbook_passes_and_one_cell_too_far_does_not(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "計画"
    sheet["J300"] = "最後のセル"
    buffer = io.BytesIO()
    workbook.save(buffer)
    limits = WorkbookLimits(SheetLimits(300, 10), max_cells=1000, max_part_bytes=1024 * 1024)
    assert check_workbook_bounds(io.BytesIO(buffer.getvalue()), limits) is None
    sheet["J301"] = "一つ下"
    buffer = io.BytesIO()
    workbook.save(buffer)
    message = check_workbook_bounds(io.BytesIO(buffer.getvalue()), limits)
    assert message.startswith("シート「計画」の")
    assert "J301" in message and "最大300行・J列まで" in message
    assert load_workbook(io.BytesIO(buffer.getvalue()))["計画"]["J301"].value == "一つ下"


def test_the_cells_of_the_whole_upload_are_capped():
    from openpyxl import Workbook

    workbook = Workbook()
    for index in range(3):
        sheet = workbook.create_sheet(f"表{index}")
        for _ in range(10):
            sheet.append(list(range(10)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    limits = WorkbookLimits(SheetLimits(300, 10), max_cells=250, max_part_bytes=1024 * 1024)
    message = check_workbook_bounds(io.BytesIO(buffer.getvalue()), limits)
    assert message.startswith("ブック全体のセルが多すぎます（上限250セル。シート「表2」のセル")


def test_a_doctype_in_any_part_is_refused_before_it_is_parsed():
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    laughs = rewrite(
        buffer.getvalue(),
        "xl/worksheets/sheet1.xml",
        extra={"xl/sharedStrings.xml": BILLION_LAUGHS},
    )
    limits = WorkbookLimits(SheetLimits(300, 10), max_cells=250, max_part_bytes=1024 * 1024)
    message, peak = peak_of(lambda: check_workbook_bounds(io.BytesIO(laughs), limits))
    assert "DTD・エンティティ宣言" in message and "xl/sharedStrings.xml" in message
    assert peak < 10 * 1024 * 1024


def _workbook_with_comment_and_link() -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "計画"
    sheet["B2"] = "確認"
    sheet["B2"].comment = Comment("要確認", "県")
    sheet["C3"].hyperlink = "https://example.invalid/"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("what", "edit", "message"),
    [
        ("comment", (b'<comment ref="B2"', b'<comment ref="A1048576"'), "のコメントA1048576は"),
        ("hyperlink", (b'ref="C3" r:id', b'ref="A1:XFD1048576" r:id'), "ハイパー"),
        ("repeated rows", (b'<row r="2"', b'<row r="2"/>' * 400 + b'<row r="2"'), "の2行目は"),
        ("unreadable row", (b'<row r="2"', b'<row r="x2"'), "の行番号「x2」を読めません"),
    ],
)
def test_every_reference_openpyxl_would_build_from_is_bounded(what, edit, message):
    import zipfile

    from tests.hospitals.registry_workbooks import rezip

    good = _workbook_with_comment_and_link()
    limits = WorkbookLimits(SheetLimits(300, 10), max_cells=1000, max_part_bytes=1024 * 1024)
    assert check_workbook_bounds(io.BytesIO(good), limits) is None
    parts = [n for n in zipfile.ZipFile(io.BytesIO(good)).namelist() if n.endswith(".xml")]
    changed = rezip(good, replace={part: lambda xml: xml.replace(*edit) for part in parts})
    refused = check_workbook_bounds(io.BytesIO(changed), limits)
    assert refused is not None and refused.startswith("シート「計画」の"), what
    assert message in refused, what
