"""Formula injection (issue 12, point 4; issue 23): text a user typed never runs as a formula
in a workbook or csv the portal writes, and the round trip gives back exactly what was typed.

Every workbook is downloaded through its real view and read twice: as XML (no `<f>` in a
user's cell; the cell is a string, t="inlineStr" or t="s") and with openpyxl
(data_type "s", the text as typed). The portal's own formulas (the plan's 予定経費の合計)
stay formulas; numbers, negative ones included, stay numbers."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from subsidies.applications import excel
from subsidies.applications import services as service
from subsidies.models import Application, ResultExpense
from tests.subsidies.factories import catalogue, complete_plan
from tests.subsidies.results.factories import worked_case
from zaitaku_portal.exports import escape_formula, unescape_formula
from zaitaku_portal.models import Role
from zaitaku_portal.spreadsheets import Column, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

HOSTILE = ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1")
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


# --- reading a workbook's XML ----------------------------------------------------------------


@dataclass(frozen=True)
class XmlCell:
    sheet: str
    ref: str
    type: str  # the t attribute ("n" when absent)
    formula: str | None
    text: str | None  # a string cell's text, _xHHHH_ decoded as Excel does


def _decoded(text: str) -> str:
    """ECMA-376 ST_Xstring: _xHHHH_ stands for that character (Excel writes CR as _x000D_)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{PACKAGE_REL}Relationship")}
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    paths = {}
    for sheet in book.iter(f"{MAIN}sheet"):
        target = targets[sheet.get(REL)].lstrip("/")
        paths[sheet.get("name")] = target if target.startswith("xl/") else f"xl/{target}"
    return paths


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(f"{MAIN}t")) for si in root.iter(f"{MAIN}si")]


def xml_cells(content: bytes) -> list[XmlCell]:
    cells = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        shared = _shared_strings(archive)
        for name, path in _sheet_paths(archive).items():
            for c in ElementTree.fromstring(archive.read(path)).iter(f"{MAIN}c"):
                kind, formula = c.get("t", "n"), c.find(f"{MAIN}f")
                text = None
                if kind == "inlineStr":
                    text = "".join(t.text or "" for t in c.iter(f"{MAIN}t"))
                elif kind == "s":
                    text = shared[int(c.find(f"{MAIN}v").text)]
                cells.append(
                    XmlCell(
                        name,
                        c.get("r"),
                        kind,
                        None if formula is None else (formula.text or ""),
                        None if text is None else _decoded(text),
                    )
                )
    return cells


def assert_written_as_text(content: bytes, texts, own_formula=lambda cell: False) -> list:
    """Every text in `texts` is in a string cell, as typed; no cell but the portal's own
    formulas holds a formula (in the XML and for openpyxl). Returns the XML cells."""
    cells = xml_cells(content)
    stray = [c for c in cells if c.formula is not None and not own_formula(c)]
    assert stray == [], f"formulas the portal did not write: {stray}"
    for text in texts:
        found = [c for c in cells if c.text == text]
        assert found, f"{text!r} is not in the workbook"
        assert {c.type for c in found} <= {"inlineStr", "s"}
    workbook = load_workbook(io.BytesIO(content))
    for cell in cells:
        opened = workbook[cell.sheet][cell.ref]
        assert (opened.data_type == "f") == (cell.formula is not None), cell
    return cells


def download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.content


# --- the one rule ----------------------------------------------------------------------------


def test_a_text_cell_holds_the_text_as_typed_and_never_a_formula():
    from zaitaku_portal.exports import write_cell, write_formula

    workbook = Workbook()
    sheet = workbook.active
    for row, text in enumerate((*HOSTILE, "#N/A", "_x0041_", "複数行\r\n=2"), start=1):
        write_cell(sheet.cell(row, 1), text)
    write_cell(sheet.cell(1, 2), -5)
    write_formula(sheet.cell(2, 2), "=SUM(B1:B1)")
    buffer = io.BytesIO()
    workbook.save(buffer)
    cells = {c.ref: c for c in assert_written_as_text(buffer.getvalue(), HOSTILE, _is_b2)}
    assert [cells[f"A{row}"].text for row in range(1, 10)] == [
        *HOSTILE,
        "#N/A",
        "_x0041_",
        "複数行\r\n=2",
    ]
    assert cells["B1"].type == "n" and cells["B2"].formula == "SUM(B1:B1)"
    opened = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert opened["A1"].quotePrefix and not opened["A7"].quotePrefix
    assert opened["B1"].value == -5


def _is_b2(cell) -> bool:
    return cell.ref == "B2"


@pytest.mark.parametrize("text", [*HOSTILE, "'=1", "''+2", "'平文", "平文"])
def test_csv_apostrophe_comes_off_again_exactly(text):
    escaped = escape_formula(text)
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert unescape_formula(escaped) == text


def test_write_xlsx_keeps_numbers_numbers_and_texts_as_typed():
    columns = [Column("名称"), Column("金額", "yen"), Column("備考")]
    rows = [[text, -110_000, -3] for text in HOSTILE]
    content = write_xlsx([("一覧", columns, rows)])
    cells = {c.ref: c for c in assert_written_as_text(content, HOSTILE)}
    assert [cells[f"A{row}"].text for row in range(2, 8)] == list(HOSTILE)
    sheet = load_workbook(io.BytesIO(content))["一覧"]
    assert sheet["B2"].value == -110_000 and sheet["B2"].data_type == "n"
    assert sheet["C2"].value == -3 and sheet["C2"].data_type == "n"  # a number in a text column


def test_write_csv_escapes_texts_but_not_numbers():
    columns = [Column("名称"), Column("金額", "yen"), Column("備考")]
    content = write_csv(columns, [[text, -110_000, -3] for text in HOSTILE])
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert [row[0] for row in rows[1:]] == ["'" + text for text in HOSTILE]
    assert [unescape_formula(row[0]) for row in rows[1:]] == list(HOSTILE)
    assert {(row[1], row[2]) for row in rows[1:]} == {("-110000", "-3")}


# --- 交付申請の様式（資料4）: download, upload unchanged, nothing changes -------------------------


@pytest.fixture
def hostile_application(world):
    """An application whose texts start like formulas, typed the way the form stores them."""
    world.fiscal_year, world.menus = catalogue(2026)
    world.hospital_a.name = "=甲病院"
    world.hospital_a.save()
    coordinator = world.users[Role.HUB_COORDINATOR]
    application = service.start_application(world.hub_a, world.fiscal_year, coordinator)
    # the hub plans for the hospital (issue 18): only then is it listed in the workbook
    application = service.add_hospital(application, world.designation_a, coordinator, 1)
    plan = complete_plan(
        application,
        district_policy="=1+1",
        meeting_members="@SUM(A1)\r\n訪問看護ステーション\r\n-1",
        other_actions="-1",
    )
    plan["lines"]["hub-meeting"]["planned_actions"] = "+1"
    service.save_plan(application, plan, coordinator, application.version)
    return Application.objects.get(pk=application.pk)


def _own_total(cell) -> bool:
    """The plan sheets' 予定経費の合計: the one formula the portal writes on purpose."""
    return cell.sheet in (excel.HUB_SHEET, excel.HOSPITAL_SHEET) and cell.formula.startswith("SUM(")


def test_application_workbook_writes_typed_texts_as_text(client, world, hostile_application):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    content = download(client, reverse("subsidies:excel_download", args=[hostile_application.pk]))
    texts = ("=1+1", "@SUM(A1)\r\n訪問看護ステーション\r\n-1", "-1", "+1", "=甲病院")
    cells = assert_written_as_text(content, texts, _own_total)
    totals = [c for c in cells if c.formula is not None]
    assert totals and all(c.type == "n" for c in totals)  # the portal's own totals kept
    meeting = load_workbook(io.BytesIO(content))[excel.MEETING_SHEET]
    assert meeting["B3"].value == "=1+1" and meeting["B3"].data_type == "s"
    assert meeting["B4"].data_type == "n"  # 区割り数 stays a number


def test_application_workbook_round_trip_changes_nothing(client, world, hostile_application):
    client.force_login(world.users[Role.HUB_COORDINATOR])
    before = service.current_plan(hostile_application)
    content = download(client, reverse("subsidies:excel_download", args=[hostile_application.pk]))
    response = client.post(
        reverse("subsidies:excel_upload", args=[hostile_application.pk]),
        {
            "version": hostile_application.version,
            "file": SimpleUploadedFile("申請.xlsx", content),
        },
    )
    page = response.content.decode()
    assert "数式" not in page
    assert "変更はありません" in page, page[page.find("<main") :][:2000]
    client.post(reverse("subsidies:excel_apply", args=[hostile_application.pk]))
    assert service.current_plan(hostile_application) == before


def test_application_workbook_keeps_tab_and_carriage_return_texts(client, world):
    """Texts saved by the service as they came (the web form strips both ends itself)."""
    world.fiscal_year, world.menus = catalogue(2026)
    coordinator = world.users[Role.HUB_COORDINATOR]
    application = service.start_application(world.hub_a, world.fiscal_year, coordinator)
    plan = complete_plan(application, district_policy="\t=1", other_actions="\r=1")
    service.save_plan(application, plan, coordinator, application.version)
    client.force_login(coordinator)
    content = download(client, reverse("subsidies:excel_download", args=[application.pk]))
    cells = assert_written_as_text(content, ("\t=1", "\r=1"), _own_total)
    meeting = {c.ref: c.text for c in cells if c.sheet == excel.MEETING_SHEET}
    assert (meeting["B3"], meeting["B8"]) == ("\t=1", "\r=1")


# --- 実績報告の実支出額（Excel）: issue 23 ---------------------------------------------------


REASONS = (*HOSTILE[:4], "市の事業分\r\n=2回目")  # the last as a textarea sends it (CRLF)


@pytest.fixture
def hostile_report(world):
    case = worked_case(world)
    for expense, reason in zip(
        ResultExpense.objects.filter(report=case.report).order_by("pk"), REASONS, strict=True
    ):
        expense.excluded_reason = reason
        expense.save()
    return case.report


def test_expense_workbook_writes_reasons_as_text(client, world, hostile_report):
    client.force_login(world.users[Role.HUB_COORDINATOR])
    content = download(client, reverse("results:expenses_xlsx", args=[hostile_report.pk]))
    assert_written_as_text(content, REASONS)
    sheet = load_workbook(io.BytesIO(content))["実支出額"]
    reasons = [row[-1].value for row in sheet.iter_rows(min_row=2)]
    assert set(HOSTILE[:4]) <= set(reasons)  # =1+1, not '=1+1


def test_expense_workbook_round_trip_changes_nothing(client, world, hostile_report):
    client.force_login(world.users[Role.HUB_COORDINATOR])
    before = sorted(ResultExpense.objects.values_list("pk", "excluded_reason"))
    content = download(client, reverse("results:expenses_xlsx", args=[hostile_report.pk]))
    response = client.post(
        reverse("results:expenses_upload", args=[hostile_report.pk]),
        {"file": SimpleUploadedFile("実支出額.xlsx", content)},
    )
    page = response.content.decode()
    assert "変更はありません" in page, page[page.find("<main") :][:2000]
    client.post(reverse("results:expenses_apply", args=[hostile_report.pk]))
    assert sorted(ResultExpense.objects.values_list("pk", "excluded_reason")) == before


# --- 精算額調, dashboards, lists -------------------------------------------------------------


@pytest.fixture
def hostile_names(world):
    """Names of hubs, hospitals and areas that start like formulas."""
    for obj, name in (
        (world.hub_a, "=1+1"),
        (world.hub_b, "+1"),
        (world.hospital_a, "-1"),
        (world.hospital_b, "@SUM(A1)"),
        (world.area_a, "\t=1"),
        (world.area_b, "\r=1"),
    ):
        obj.name = name
        obj.save()
    return world


def test_seisan_writes_names_as_text_and_amounts_as_numbers(client, hostile_names):
    case = worked_case(hostile_names)
    client.force_login(hostile_names.users[Role.PREFECTURE_STAFF])
    content = download(client, reverse("results:sheet_xlsx", args=[case.report.pk]))
    assert_written_as_text(content, ("=1+1", "-1"))
    summary = load_workbook(io.BytesIO(content)).worksheets[0]
    header = [c.value for c in summary[1]]
    column = header.index("J 差引過不足額（I−G）")
    differences = [row[column] for row in summary.iter_rows(min_row=2)]
    assert any(c.value < 0 for c in differences)  # nothing received yet: J is negative
    assert all(c.data_type == "n" for c in differences)


@pytest.mark.parametrize(
    ("url", "texts"),
    [
        ("/reports/dashboard/export/all/", ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1")),
        ("/reports/dashboard/export/hubs/", ("=1+1", "+1")),
        ("/hospitals/coverage.xlsx", ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1")),
        ("/hospitals/public.xlsx", ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1")),
    ],
)
def test_lists_write_names_as_text(client, hostile_names, url, texts):
    client.force_login(hostile_names.users[Role.PREFECTURE_STAFF])
    assert_written_as_text(download(client, url), texts)


def test_public_csv_escapes_names(client, hostile_names):
    content = download(client, "/hospitals/public.csv").decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(content, newline="")) for cell in row]
    for text in HOSTILE:
        assert "'" + text in cells
        assert text not in cells


def test_review_and_activity_exports_write_texts_as_text(client, hostile_names):
    case = worked_case(hostile_names)
    case.report.activities.update(title='=HYPERLINK("http://example.invalid")')
    client.force_login(hostile_names.users[Role.PREFECTURE_STAFF])
    year = case.application.fiscal_year.year
    content = download(client, f"/reports/dashboard/activities.xlsx?year={year}")
    assert_written_as_text(content, ('=HYPERLINK("http://example.invalid")',))
    content = download(client, f"/subsidies/review/export.xlsx?year={year}&status=decided")
    assert_written_as_text(content, ("=1+1",))


# --- admin (django-import-export) ------------------------------------------------------------


def _admin_export(client, fmt: str) -> bytes:
    from django.contrib import admin

    from hubs.models import Hub

    model_admin = admin.site._registry[Hub]
    formats = [f().get_title() for f in model_admin.get_export_formats()]
    resource = model_admin.get_export_resource_classes(None)[0]
    data = {"format": formats.index(fmt), "resource": 0}
    for name in resource().get_export_order():
        data[f"{resource.__name__.lower()}_{name}"] = "on"
    response = client.post(reverse("admin:hubs_hub_export"), data)
    assert response.status_code == 200, response.content[:500]
    return response.content


def test_admin_xlsx_export_writes_texts_as_typed_and_imports_back_unchanged(client, world):
    world.hub_a.operator_name = "=1+1"
    world.hub_a.note = "@SUM(A1)"
    world.hub_a.representative_name = "-1"
    world.hub_a.save()
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    content = _admin_export(client, "xlsx")
    assert_written_as_text(content, ("=1+1", "@SUM(A1)", "-1"))
    sheet = load_workbook(io.BytesIO(content)).active
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("name")].value == "甲拠点")
    assert row[header.index("operator_name")].value == "=1+1"  # not '=1+1
    assert row[header.index("desk_hours_per_week")].data_type == "n"
    upload = io.BytesIO(content)
    upload.name = "拠点.xlsx"
    response = client.post(
        reverse("admin:hubs_hub_import"), {"import_file": upload, "format": 0, "resource": 0}
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    # the preview marks a changed value with <ins>/<del>: none here
    changed = [
        row.diff for row in result.rows if "<ins" in str(row.diff) or "<del" in str(row.diff)
    ]
    assert changed == []


@pytest.mark.parametrize(
    "model_name",
    ["Hub", "MedicalInstitution", "ActiveHospitalDesignation", "HomeCareArea", "SubsidyMenu"],
)
def test_every_master_exports_through_the_text_cell_writer(world, model_name):
    from django.apps import apps
    from django.contrib import admin
    from django.test import RequestFactory

    from tests.factories import FiscalYearFactory, SubsidyMenuFactory
    from zaitaku_portal.exports import TextCellXLSX

    SubsidyMenuFactory(fiscal_year=FiscalYearFactory(year=2026), name="=1+1")
    model = next(m for m in apps.get_models() if m.__name__ == model_name)
    model_admin = admin.site._registry[model]
    assert TextCellXLSX in model_admin.get_export_formats()
    request = RequestFactory().get("/")
    request.user = world.users[Role.PREFECTURE_STAFF]
    content = model_admin.get_export_data(TextCellXLSX(), request, model._default_manager.all())
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert len(rows) == model._default_manager.count() + 1
    assert_written_as_text(content, ("=1+1",) if model_name == "SubsidyMenu" else ())


def test_admin_csv_export_escapes_texts(client, world):
    world.hub_a.operator_name = "=1+1"
    world.hub_a.save()
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    text = _admin_export(client, "csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert next(r for r in rows if r["name"] == "甲拠点")["operator_name"] == "'=1+1"


# --- no writer around the rule ---------------------------------------------------------------

WRITERS = {
    "zaitaku_portal/exports.py",  # the rule itself, csv responses, the admin's xlsx
    "zaitaku_portal/spreadsheets.py",  # write_xlsx / write_csv: every list and report
    "subsidies/applications/excel.py",  # the application workbook (資料4)
    "subsidies/survey/excel.py",  # the 意向調査 workbook (資料4-①②③), through write_cell
    "hospitals/registry/sample.py",  # sample registry lists for tests and benchmarks only
}


def test_every_workbook_and_csv_is_written_by_a_module_that_uses_the_rule():
    """A new writer must go through zaitaku_portal.exports (write_cell / escape_formula):
    a module that builds a workbook or a csv itself is listed here after review."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = set()
    for app in ("hospitals", "hubs", "reports", "subsidies", "zaitaku_portal"):
        for path in (root / app).rglob("*.py"):
            source = path.read_text(encoding="utf-8")
            if re.search(r"\bWorkbook\(|csv\.(writer|DictWriter)\(", source):
                found.add(path.relative_to(root).as_posix())
    assert found == WRITERS
