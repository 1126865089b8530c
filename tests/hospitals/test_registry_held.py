"""Issue 17: import what is right, hold what is not. A row with an error is left out with its
facility (not updated, not flagged missing) and kept on the run with its message, for
download; a warning is imported and flagged. "All rows" only without errors. Another
prefecture's list is refused naming both; an older list is refused at confirm, inside the
transaction; a confirm that fails part way leaves nothing half-written."""

import datetime
import io

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from hospitals.models import MedicalInstitution, RegistryImportRun
from hospitals.registry import service
from hospitals.registry.sample import Row, bureau_number
from tests.factories import MunicipalityFactory, UserFactory
from tests.hospitals.registry_workbooks import PREF, code_of, laid_out, realistic_rows, xlsx
from zaitaku_portal.models import AuditEntry

TODAY = datetime.date(2026, 11, 1)
Status = RegistryImportRun.Status
HOSPITAL = code_of(bureau_number(PREF, 101))
CLINIC = code_of(bureau_number(PREF, 202))
PLAIN = code_of(bureau_number(PREF, 303))


def preview(data: bytes, user, today=TODAY):
    return service.preview(io.BytesIO(data), "名簿.xlsx", len(data), user, today=today)


@pytest.fixture
def staff(db):
    return UserFactory(username="ken")


@pytest.fixture
def naha(db):
    return MunicipalityFactory(name="那覇市", code="472018")


def list_with_errors_and_warnings() -> list[Row]:
    """realistic_rows (rows 5-10) and four more:
    row 11: a new clinic with 令和30 (after today): an error, its only row;
    row 12: a second row of みなと診療所 with 2月30日: an error, so its row 8 is held too;
    row 13: 南風クリニック's standard from 令和7年, after the list's date: a warning;
    row 14: a new hospital whose 病床数 holds no number: a warning."""
    return [
        *realistic_rows(),
        Row(bureau_number(PREF, 505), "未来診療所", "支援診３", since="令和30年 4月 1日"),
        Row(
            bureau_number(PREF, 202),
            "みなと診療所",
            "地包加",
            since="令和 6年 2月30日",
            acceptance_number="第110号",
        ),
        Row(
            bureau_number(PREF, 303),
            "南風クリニック",
            "在医総管",
            since="令和 7年 1月 1日",
            acceptance_number="第5号",
        ),
        Row(bureau_number(PREF, 606), "西原病院", "支援病３", beds="一般　未定"),
    ]


def test_a_list_with_error_rows_and_warnings_is_imported_without_the_error_rows(staff, naha):
    run = preview(xlsx(list_with_errors_and_warnings()), staff)
    assert run.status == Status.PREVIEW
    assert (run.error_count, run.warning_count) == (2, 2)
    errors = {p["cell"]: p["text"] for p in run.errors}
    assert errors["M11"].startswith("11行目 セルM11（算定開始年月日）: 「令和30年 4月 1日」")
    assert (
        errors["M12"]
        == "12行目 セルM12（算定開始年月日）: 「令和 6年 2月30日」は存在しない日付です。"
    )
    warnings = {p["cell"]: p["text"] for p in run.warnings}
    assert (
        "名簿の時点（令和6年6月1日現在）より後の日付です。そのまま取り込みます" in warnings["M13"]
    )
    assert "病床数「一般 未定」から床数を読めません" in warnings["I14"]
    # held: rows 11 and 12 and row 8, the other row of みなと診療所; 2 facilities not updated
    assert (run.held_row_count, run.held_facility_count) == (3, 2)
    assert (run.new_count, run.changed_count, run.missing_count) == (3, 0, 0)

    with pytest.raises(service.ImportRefused, match="エラーのある行が2件あるため「すべての行」"):
        service.confirm(run.pk, staff)
    assert MedicalInstitution.objects.count() == 0

    service.confirm(run.pk, staff, rows=service.WITHOUT_ERRORS)
    run.refresh_from_db()
    assert run.status == Status.APPLIED and run.applied_rows == service.WITHOUT_ERRORS
    assert set(MedicalInstitution.objects.values_list("code", flat=True)) == {
        HOSPITAL,
        PLAIN,
        code_of(bureau_number(PREF, 606)),
    }
    western = MedicalInstitution.objects.get(name="西原病院")
    assert western.bed_count is None and western.beds_text == "一般 未定"
    entry = AuditEntry.objects.get(action="医療機関名簿の取込")
    assert entry.changes["held_rows"] == 3 and entry.changes["rows"] == "without_errors"
    header, rows = service.held_rows(run)
    assert header[0] == "項番" and [row for row, _values, _messages in rows] == [8, 11, 12]
    assert "同じ医療機関（" in rows[0][2][0] and "12行目にエラーがある" in rows[0][2][0]


def test_a_held_facility_is_neither_updated_nor_flagged_missing(staff, naha):
    service.confirm(preview(xlsx(realistic_rows()), staff).pk, staff)
    rows = realistic_rows()
    rows[0].symbol = "支援病３"  # the hospital is now 従来型: updated
    rows[3].since = "令和 7年13月 1日"  # みなと診療所's only row: an error, held
    run = preview(xlsx(rows, as_of="令和 7年 1月 1日"), staff)
    assert (run.changed_count, run.missing_count, run.held_facility_count) == (1, 0, 1)
    service.confirm(run.pk, staff, rows=service.WITHOUT_ERRORS)
    clinic = MedicalInstitution.objects.get(code=CLINIC)
    assert clinic.missing_from_latest_list is False
    assert clinic.listed_as_of == datetime.date(2024, 6, 1)  # not updated
    hospital = MedicalInstitution.objects.get(code=HOSPITAL)
    assert hospital.support_tier == MedicalInstitution.SupportTier.CONVENTIONAL


def test_the_held_rows_download_keeps_a_formula_as_text(client, staff):
    rows = [
        *realistic_rows(),
        # openpyxl would write "=…" as a formula; the bureau's file holds such texts as text
        Row("1-2345", "@SUM(1+1)", "支援診３", address="-1+1 那覇市"),
    ]
    run = preview(xlsx(rows), staff)
    client.force_login(staff)
    response = client.get(reverse("hospitals:registry_import_held", args=[run.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active  # formulas kept as written
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["シート", "行", "項番"] and header[-1] == "取り込まなかった理由"
    line = sheet[2]
    assert line[1].value == 11
    name = line[header.index("医療機関名称")]
    assert name.value == "@SUM(1+1)" and name.data_type == "s" and name.quotePrefix
    address = line[header.index("医療機関所在地（住所）")]
    assert address.value == "-1+1 那覇市" and address.data_type == "s" and address.quotePrefix
    assert "医療機関番号（例: 01-15202）として読めません" in line[-1].value
    page = client.get(reverse("hospitals:registry_import_detail", args=[run.pk])).content.decode()
    assert "取り込まなかった行をExcelでダウンロード" in page
    assert "エラーのない行だけ反映する" in page and "すべての行を反映する" not in page


def test_another_prefectures_list_is_refused_before_anything_else(staff):
    rows = [
        Row(bureau_number("01", serial), f"札幌診療所{serial}", "支援診３", prefecture="01")
        for serial in range(1, 4)
    ]
    rows[1].since = "令和30年 1月 1日"  # an error that is not worth showing
    run = preview(xlsx(rows), staff)
    assert run.status == Status.REJECTED and len(run.problems) == 1
    text = run.errors[0]["text"]
    assert text.startswith("（都道府県コード）: この名簿は北海道（01）の名簿です（3行）。")
    assert "沖縄県（47）の医療機関だけを取り込む" in text
    assert MedicalInstitution.objects.count() == 0


def test_rows_of_another_prefecture_in_our_list_are_held(staff):
    rows = [
        *realistic_rows(),
        Row(bureau_number("46", 1), "鹿児島診療所", "支援診３", prefecture="46"),
    ]
    run = preview(xlsx(rows), staff)
    assert run.status == Status.PREVIEW and run.new_count == 3
    assert run.errors[0]["text"] == (
        "11行目 セルB11（都道府県コード）: 都道府県コード「46」は鹿児島県（46）です。"
        "このポータルは沖縄県（47）の医療機関だけを取り込みます。"
    )
    assert (run.held_row_count, run.held_facility_count) == (1, 0)


def test_an_older_list_confirmed_after_a_newer_one_is_refused(staff, naha):
    older = preview(xlsx(realistic_rows(), as_of="令和 6年 6月 1日"), staff)
    newer = preview(xlsx(realistic_rows(), as_of="令和 7年 1月 1日"), staff)
    assert older.status == newer.status == Status.PREVIEW  # neither is older at preview
    service.confirm(newer.pk, staff)
    with pytest.raises(service.ImportRefused) as refused:
        service.confirm(older.pk, staff)
    assert str(refused.value) == (
        "この名簿（令和6年6月1日現在）は取込済みの名簿（令和7年1月1日現在）より古いため取り込めません。"
    )
    assert set(MedicalInstitution.objects.values_list("listed_as_of", flat=True)) == {
        datetime.date(2025, 1, 1)
    }
    older.refresh_from_db()
    assert older.status == Status.PREVIEW


def test_a_first_import_older_than_the_dates_on_the_institutions_is_refused(staff, naha):
    run = preview(xlsx(realistic_rows(), as_of="令和 6年 6月 1日"), staff)
    MedicalInstitution.objects.create(
        code=PLAIN, name="南風クリニック", kind="clinic", listed_as_of=datetime.date(2024, 10, 1)
    )
    with pytest.raises(
        service.ImportRefused, match="登録済みの医療機関の名簿の時点（令和6年10月1日現在）"
    ):
        service.confirm(run.pk, staff)
    again = preview(xlsx(realistic_rows(), as_of="令和 6年 6月 1日"), staff)
    assert again.status == Status.REJECTED
    assert (
        "この名簿（令和6年6月1日現在）は、登録済みの医療機関の名簿の時点" in again.errors[0]["text"]
    )


def test_reimporting_a_shifted_list_changes_nothing(staff, naha):
    data = laid_out(realistic_rows(), cover=True, header_row=5, first_column=2, footer="※ 以上")
    service.confirm(preview(data, staff).pk, staff)
    before = list(MedicalInstitution.objects.order_by("code").values())
    again = preview(data, staff)
    assert (again.new_count, again.changed_count, again.unchanged_count) == (0, 0, 3)
    service.confirm(again.pk, staff)
    assert list(MedicalInstitution.objects.order_by("code").values()) == before


@pytest.mark.django_db(transaction=True)
def test_nothing_is_half_written_when_the_confirm_fails_part_way(monkeypatch):
    staff = UserFactory(username="ken")
    MunicipalityFactory(name="那覇市", code="472018")
    service.confirm(preview(xlsx(realistic_rows()), staff).pk, staff)
    rows = [*realistic_rows(), Row(bureau_number(PREF, 707), "新設診療所", "支援診３")]
    rows[0].symbol = "支援病３"
    run = preview(xlsx(rows, as_of="令和 7年 1月 1日"), staff)
    assert (run.new_count, run.changed_count) == (1, 1)
    before = list(MedicalInstitution.objects.order_by("code").values())
    audits = AuditEntry.objects.count()

    def fail_after_the_inserts(*args, **kwargs):  # the new row is written (COPY or INSERT)
        assert MedicalInstitution.objects.filter(name="新設診療所").exists()
        raise RuntimeError("the database went away")

    monkeypatch.setattr(service.writes, "update", fail_after_the_inserts)
    with pytest.raises(RuntimeError):
        service.confirm(run.pk, staff)
    assert list(MedicalInstitution.objects.order_by("code").values()) == before
    assert AuditEntry.objects.count() == audits
    run.refresh_from_db()
    assert run.status == Status.PREVIEW and run.parsed is not None
    monkeypatch.undo()
    service.confirm(run.pk, staff)  # and the same run can be confirmed once the fault is gone
    assert MedicalInstitution.objects.filter(name="新設診療所").exists()
    assert connection.vendor in ("sqlite", "postgresql")
