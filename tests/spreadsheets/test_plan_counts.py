"""Form 4-② as seed 004 lays it out (補助希望の医療機関数 and 取り組み事項 per hospital menu),
in the plan workbook when the fiscal year's hospital_plan_form is counts: downloaded, typed
into, previewed as exactly those changes, applied, downloaded again and read back as no
change, also after a re-save through Calc. Under the default (lines) nothing changes."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from subsidies.applications import excel, excel_counts, reading
from subsidies.applications import services as service
from subsidies.applications.excel_layout import COUNTS_SHEET
from subsidies.applications.hospital_counts import COUNTS, HOSPITAL_MENUS, HospitalMenuCount
from subsidies.applications.plan_data import diff
from subsidies.models import Application
from tests.spreadsheets import calc
from tests.subsidies.factories import complete_plan

pytestmark = pytest.mark.django_db

TRAINING = "同行訪問等研修"  # a hospital menu of tests/subsidies/factories.catalogue


@pytest.fixture
def application(apps_world):
    w = apps_world
    w.fiscal_year.hospital_plan_form = COUNTS
    w.fiscal_year.save(update_fields=["hospital_plan_form"])
    application = service.start_application(w.hub_a, w.fiscal_year, w.coordinator)
    service.save_plan(application, complete_plan(application), w.coordinator, 1)
    return Application.objects.get(pk=application.pk)


def _read(application, content: bytes):
    result = excel.read_workbook(application, SimpleUploadedFile("申請.xlsx", content))
    labels, names = reading.labels_for(application)
    return result, diff(reading.current_plan(application), result.plan, labels, names)


def _typed(content: bytes, edits: dict[str, object]) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    for ref, value in edits.items():
        workbook[COUNTS_SHEET][ref] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row_of(content: bytes, menu_name: str) -> int:
    sheet = load_workbook(io.BytesIO(content))[COUNTS_SHEET]
    for row in range(excel_counts.FIRST_ROW, sheet.max_row + 1):
        if sheet.cell(row, 1).value == menu_name:
            return row
    raise AssertionError(menu_name)


def test_the_counts_sheet_replaces_the_hospital_lines(application):
    content = excel.export_workbook(application)
    workbook = load_workbook(io.BytesIO(content))
    assert COUNTS_SHEET in workbook.sheetnames
    assert excel.HOSPITAL_SHEET not in workbook.sheetnames
    sheet = workbook[COUNTS_SHEET]
    assert [c.value for c in sheet[excel_counts.HEADER_ROW]] == excel_counts.HEADERS
    names = [sheet.cell(r, 1).value for r in range(excel_counts.FIRST_ROW, sheet.max_row + 1)]
    assert (
        TRAINING in names and "多職種が参加する連携会議の開催" not in names
    )  # hospital menus only
    assert application.hub.name in sheet["A2"].value
    assert sheet.protection.sheet
    assert not sheet.cell(excel_counts.FIRST_ROW, excel_counts.COUNT_COL).protection.locked


def test_typed_counts_preview_exactly_apply_and_read_back_as_no_change(application, apps_world):
    content = excel.export_workbook(application)
    row = _row_of(content, TRAINING)
    edited = _typed(content, {f"D{row}": "３か所", f"E{row}": "二病院で同行訪問研修\r\n年2回"})
    result, changes = _read(application, edited)
    assert result.errors == []
    label = f"積極的医療機関（{TRAINING}）"
    assert sorted(changes) == sorted(
        [
            (f"{label}／補助希望の医療機関数", "（空欄）", "3か所"),
            (f"{label}／取り組み事項", "（空欄）", "二病院で同行訪問研修\n年2回"),
        ]
    )
    assert any(f"D{row}" in note and "３か所" in note for note in result.notes)
    service.save_plan(application, result.plan, apps_world.coordinator, application.version)
    stored = HospitalMenuCount.objects.get(application=application, menu__name=TRAINING)
    assert (stored.hospital_count, stored.planned_actions) == (3, "二病院で同行訪問研修\n年2回")
    again = excel.export_workbook(Application.objects.get(pk=application.pk))
    cell = load_workbook(io.BytesIO(again))[COUNTS_SHEET].cell(row, excel_counts.COUNT_COL)
    assert cell.value == 3 and cell.number_format == '#,##0"か所"'  # a number shown 3か所
    result, changes = _read(Application.objects.get(pk=application.pk), again)
    assert result.errors == [] and changes == []


def test_a_count_that_is_no_number_is_refused_with_its_cell(application):
    content = excel.export_workbook(application)
    row = _row_of(content, TRAINING)
    result, _changes = _read(application, _typed(content, {f"D{row}": "多数"}))
    assert result.plan == {}
    assert any(f"セルD{row}（補助希望の医療機関数）" in error for error in result.errors)
    assert not HospitalMenuCount.objects.exclude(hospital_count=None).exists()  # nothing saved


def test_a_moved_menu_row_is_refused(application):
    content = excel.export_workbook(application)
    row = _row_of(content, TRAINING)
    result, _changes = _read(application, _typed(content, {f"A{row}": "別のメニュー"}))
    assert any(f"{row}行目の補助事業区分" in error for error in result.errors)


def test_under_the_default_form_the_plan_has_no_counts(apps_world):
    w = apps_world
    application = service.start_application(w.hub_a, w.fiscal_year, w.coordinator)
    assert HOSPITAL_MENUS not in reading.current_plan(application)
    workbook = load_workbook(io.BytesIO(excel.export_workbook(application)))
    assert excel.HOSPITAL_SHEET in workbook.sheetnames and COUNTS_SHEET not in workbook.sheetnames


@pytest.mark.calc
@calc.needs_calc
def test_counts_resaved_by_calc_read_back_unchanged(application, apps_world, tmp_path):
    content = excel.export_workbook(application)
    row = _row_of(content, TRAINING)
    result, _ = _read(application, _typed(content, {f"D{row}": 2, f"E{row}": "研修"}))
    service.save_plan(application, result.plan, apps_world.coordinator, application.version)
    application = Application.objects.get(pk=application.pk)
    saved = calc.resave({"counts": excel.export_workbook(application)}, tmp_path)["counts"]
    result, changes = _read(application, saved)
    assert result.errors == [] and changes == []
