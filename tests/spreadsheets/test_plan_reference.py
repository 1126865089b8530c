"""The plan workbook carries seed 004's read-only columns (求められる事項, 取り組み例, 対象経費,
補助額目安, the 推進事業 columns, the （※） footnote) on locked sheets that are never read: an
edit there is a note in the preview, not a change of the plan (issue 23)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from subsidies.applications import excel, reading
from subsidies.applications import services as service
from subsidies.applications.excel_reference import REFERENCE_SHEETS
from subsidies.applications.plan_data import diff
from subsidies.models import Application, RequirementItem, SubsidyMenu
from tests.subsidies.factories import complete_plan

pytestmark = pytest.mark.django_db

# Seed 004, 4-①, the row of 多職種が参加する連携会議の開催 (written here from the seed).
REQUIREMENT = (
    "○地域の医療及び介護、障害福祉の関係者による会議を定期的に開催し、在宅医療における提供状況の"
    "把握、災害時対応を含む連携上の課題の抽出及びその対応策の検討等を実施すること"
)
EXPENSES = "会議の開催にかかる経費（報償費、給料、職員手当等、共済費、賃金、報償費、旅費、需用費）"
FOOTNOTE = "補助額目安は、他県の金額を参考。沖縄県による補助額の設定は調整中。"


@pytest.fixture
def application(apps_world):
    w = apps_world
    menu = SubsidyMenu.objects.get(fiscal_year=w.fiscal_year, code="hub-meeting")
    item = RequirementItem.objects.create(
        fiscal_year=w.fiscal_year,
        recipient_type="hub",
        number=1,
        title="会議",
        description=REQUIREMENT,
    )
    menu.requirement_items.add(item)
    menu.examples = "会議の開催"
    menu.promotion_items = ["i"]
    menu.promotion_examples = "推進会議の開催（事業報告、課題共有等）\n各種アンケート調査"
    menu.expense_note = EXPENSES
    menu.note = FOOTNOTE
    menu.save()
    application = service.start_application(w.hub_a, w.fiscal_year, w.coordinator)
    service.save_plan(application, complete_plan(application), w.coordinator, 1)
    return Application.objects.get(pk=application.pk)


def _sheet_text(sheet) -> str:
    return "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)


def test_the_reference_sheets_carry_seed_004s_columns_locked(application):
    workbook = load_workbook(io.BytesIO(excel.export_workbook(application)))
    hub = workbook[REFERENCE_SHEETS[excel.HUB_SHEET]]
    text = _sheet_text(hub)
    for expected in (
        REQUIREMENT,
        "・会議の開催",
        EXPENSES,
        "1,060千円",
        "（イ）",  # the 推進事業 item of the menu
        "・推進会議の開催（事業報告、課題共有等）",
        f"（※）{FOOTNOTE}",
        application.hub.name,
    ):
        assert expected in text, expected
    assert [c.value for c in hub[6]][:5] == [
        "求められる事項",
        "補助事業区分",
        "取り組み例",
        "対象経費",
        "補助額目安（※）",
    ]
    assert hub.protection.sheet and hub["A7"].protection.locked
    assert workbook[REFERENCE_SHEETS[excel.HOSPITAL_SHEET]].protection.sheet
    assert hub.oddHeader.center.text.startswith(application.hub.name)


def test_an_edit_on_a_reference_sheet_is_a_note_not_a_change(application):
    workbook = load_workbook(io.BytesIO(excel.export_workbook(application)))
    title = REFERENCE_SHEETS[excel.HUB_SHEET]
    workbook[title]["C7"] = "書き換えた取り組み例"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = excel.read_workbook(application, SimpleUploadedFile("申請.xlsx", buffer.getvalue()))
    assert result.errors == []
    labels, names = reading.labels_for(application)
    assert diff(reading.current_plan(application), result.plan, labels, names) == []
    assert any(
        f"シート「{title}」セルC7" in note and "取り込みません" in note for note in result.notes
    )


def test_an_untouched_download_gives_no_note_about_the_reference_sheets(application):
    content = excel.export_workbook(application)
    result = excel.read_workbook(application, SimpleUploadedFile("申請.xlsx", content))
    assert result.errors == []
    assert not [note for note in result.notes if "読み取り専用" in note]
