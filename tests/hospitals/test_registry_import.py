"""Importing the 届出受理医療機関名簿: the parser on realistic workbooks, every bad input
(with its Japanese message and nothing written), preview then confirm, re-import, and
institutions that disappear from a newer list."""

import datetime
import io

import pytest
from django.urls import reverse

from hospitals.models import MedicalInstitution, RegistryImportRun
from hospitals.registry import service
from hospitals.registry.reader import MAX_FILE_BYTES, read_registry
from hospitals.registry.sample import Row, bureau_number
from tests.factories import MunicipalityFactory, UserFactory
from tests.hospitals.registry_workbooks import (
    PREF,
    code_of,
    encrypted_workbook,
    macro_workbook,
    realistic_rows,
    xlsx,
    zip_bomb,
)
from zaitaku_portal.models import AuditEntry

TODAY = datetime.date(2026, 11, 1)
Tier = MedicalInstitution.SupportTier


def preview_bytes(data: bytes, user, name: str = "名簿.xlsx", today=TODAY):
    return service.preview(io.BytesIO(data), name, len(data), user, today=today)


@pytest.fixture
def staff(db):
    return UserFactory(username="ken")


@pytest.fixture
def naha(db):
    return MunicipalityFactory(name="那覇市", code="472018")


def assert_nothing_written():
    assert MedicalInstitution.objects.count() == 0
    assert not AuditEntry.objects.exists()
    assert not RegistryImportRun.objects.filter(status=RegistryImportRun.Status.APPLIED).exists()


def only_error(run) -> str:
    assert run.status == RegistryImportRun.Status.REJECTED
    assert run.errors, run.problems
    return run.errors[0]["text"]


def held_error(run) -> str:
    """Issue 17: a row with an error no longer refuses the list; it is left out (held)."""
    assert run.status == RegistryImportRun.Status.PREVIEW, run.problems
    assert run.errors and run.held_row_count, run.problems
    return run.errors[0]["text"]


# --- the parser on a realistic list -------------------------------------------------------


@pytest.mark.parametrize("engine", ["calamine", "stream", "openpyxl"])
def test_realistic_list_is_read_with_its_quirks(engine):
    data = xlsx(realistic_rows())
    result = read_registry(io.BytesIO(data), "名簿.xlsx", len(data), today=TODAY, engine=engine)
    assert result.ok, [p.text for p in result.problems]
    assert result.as_of == datetime.date(2024, 6, 1)
    assert result.row_count == 6
    assert result.skipped_row_count == 1  # the 歯科 row
    hospital = result.facilities[code_of(bureau_number(PREF, 101))]
    assert hospital["support_tier"] == Tier.ENHANCED_SINGLE
    assert hospital["is_backup_hospital"] is True
    assert hospital["support_since"] == "2024-06-01"
    assert hospital["bed_count"] == 180
    assert hospital["postal_code"] == "900-0001"
    assert hospital["address"] == "沖縄県那覇市泊1-2-3"
    clinic = result.facilities[code_of(bureau_number(PREF, 202))]  # typed in full-width
    assert clinic["support_tier"] == Tier.ENHANCED_LINKED
    assert clinic["linked_subtype"] == "a"
    assert clinic["support_since"] == "2024-06-01"
    plain = result.facilities[code_of(bureau_number(PREF, 303))]
    assert plain["support_tier"] == Tier.NONE


def test_confirm_writes_institutions_with_type_municipality_and_audit(staff, naha):
    run = preview_bytes(xlsx(realistic_rows()), staff)
    assert run.status == RegistryImportRun.Status.PREVIEW
    assert (run.new_count, run.changed_count, run.unchanged_count) == (3, 0, 0)
    assert MedicalInstitution.objects.count() == 0  # the preview writes nothing

    service.confirm(run.pk, staff)

    run.refresh_from_db()
    assert run.status == RegistryImportRun.Status.APPLIED and run.parsed is None
    hospital = MedicalInstitution.objects.get(code=code_of(bureau_number(PREF, 101)))
    assert hospital.kind == MedicalInstitution.Kind.HOSPITAL
    assert hospital.municipality == naha
    assert hospital.listed_as_of == datetime.date(2024, 6, 1)
    assert hospital.support_label == "在支病（機能強化型（単独型））"
    clinic = MedicalInstitution.objects.get(code=code_of(bureau_number(PREF, 202)))
    assert clinic.support_label == "在支診（機能強化型（連携型）・２ア）"
    entry = AuditEntry.objects.get(action="医療機関名簿の取込")
    assert entry.actor == staff
    assert entry.changes["new"] == 3 and entry.changes["sha256"] == run.file_sha256


def test_reimporting_the_same_file_changes_nothing(staff, naha):
    data = xlsx(realistic_rows())
    service.confirm(preview_bytes(data, staff).pk, staff)
    before = list(MedicalInstitution.objects.order_by("code").values())

    again = preview_bytes(data, staff)
    assert (again.new_count, again.changed_count, again.missing_count) == (0, 0, 0)
    assert again.unchanged_count == 3
    service.confirm(again.pk, staff)

    assert list(MedicalInstitution.objects.order_by("code").values()) == before


def test_newer_list_updates_changes_and_flags_missing_without_deleting(staff, naha):
    service.confirm(preview_bytes(xlsx(realistic_rows()), staff).pk, staff)
    rows = [r for r in realistic_rows() if r.name != "南風クリニック"]
    rows[0].symbol = "支援病３"  # the hospital is now 従来型
    run = preview_bytes(xlsx(rows, as_of="令和 7年 1月 1日"), staff)
    assert (run.new_count, run.changed_count, run.missing_count) == (0, 1, 1)
    changed = next(s for s in run.changes_sample if s["kind"] == "changed")
    assert "在宅療養支援の区分: 機能強化型（単独型） → 従来型" in changed["detail"]
    service.confirm(run.pk, staff)

    gone = MedicalInstitution.objects.get(name="南風クリニック")
    assert gone.missing_from_latest_list is True  # flagged, still there
    assert MedicalInstitution.objects.count() == 3
    hospital = MedicalInstitution.objects.get(name="医療法人 北山会 北山病院")
    assert hospital.support_tier == Tier.CONVENTIONAL
    assert hospital.listed_as_of == datetime.date(2025, 1, 1)


def test_confirm_refuses_when_records_changed_after_preview(staff, naha):
    run = preview_bytes(xlsx(realistic_rows()), staff)
    MedicalInstitution.objects.create(
        code=code_of(bureau_number(PREF, 303)), name="x", kind="clinic"
    )
    with pytest.raises(service.ImportRefused, match="プレビューの後に"):
        service.confirm(run.pk, staff)
    assert MedicalInstitution.objects.count() == 1
    assert not AuditEntry.objects.exists()


def test_confirm_twice_is_refused(staff, naha):
    run = preview_bytes(xlsx(realistic_rows()), staff)
    service.confirm(run.pk, staff)
    with pytest.raises(service.ImportRefused, match="反映済み"):
        service.confirm(run.pk, staff)


def test_an_older_list_than_the_last_import_is_refused(staff, naha):
    service.confirm(
        preview_bytes(xlsx(realistic_rows(), as_of="令和 7年 1月 1日"), staff).pk, staff
    )
    run = preview_bytes(xlsx(realistic_rows(), as_of="令和 6年 6月 1日"), staff)
    assert "取込済みの名簿（令和7年1月1日現在）より古い" in only_error(run)


# --- failed check digit: flagged for review, only with an explicit acknowledgement --------


def test_failed_check_digit_needs_acknowledgement_and_is_flagged(staff, naha):
    bad = bureau_number(PREF, 404, valid=False)
    rows = [*realistic_rows(), Row(bad, "検証番号ちがい診療所", "支援診３")]
    run = preview_bytes(xlsx(rows), staff)
    assert run.status == RegistryImportRun.Status.PREVIEW
    warning = run.warnings[0]
    assert warning["row"] == 11 and warning["cell"] == "D11"
    assert f"医療機関コード {code_of(bad)} の検証番号がLuhn方式と一致しません" in warning["text"]

    with pytest.raises(service.ImportRefused, match="検証番号が一致しない医療機関コードが1件"):
        service.confirm(run.pk, staff)
    assert MedicalInstitution.objects.count() == 0

    service.confirm(run.pk, staff, acknowledge_check_digits=True)
    flagged = MedicalInstitution.objects.get(code=code_of(bad))
    assert flagged.code_check_passed is False
    assert MedicalInstitution.objects.filter(code_check_passed=True).count() == 3


# --- every bad input: a message naming the place, and nothing written ---------------------


def test_not_an_xlsx(staff):
    run = preview_bytes("医療機関番号,医療機関名称\n01-15202,テスト\n".encode(), staff, "名簿.xlsx")
    assert "Excelファイル（.xlsx）ではありません" in only_error(run)
    assert_nothing_written()


def test_a_pdf_renamed_to_xlsx(staff):
    run = preview_bytes(b"%PDF-1.7\n" + b"0" * 2000, staff)
    assert "Excelファイル（.xlsx）ではありません" in only_error(run)
    assert_nothing_written()


def test_password_protected_workbook(staff):
    run = preview_bytes(encrypted_workbook(), staff)
    assert "パスワードで保護（暗号化）されたファイルは取り込めません" in only_error(run)
    assert_nothing_written()


def test_macro_workbook_by_extension(staff):
    run = preview_bytes(macro_workbook(realistic_rows()), staff, "名簿.xlsm")
    assert "マクロ有効ブック（.xlsm）は安全のため取り込めません" in only_error(run)
    assert_nothing_written()


def test_macro_workbook_renamed_to_xlsx(staff):
    run = preview_bytes(macro_workbook(realistic_rows()), staff, "名簿.xlsx")
    assert "マクロを含むブックは安全のため取り込めません" in only_error(run)
    assert_nothing_written()


def test_wrong_header(staff):
    header = (
        "項番",
        "都道府県コード",
        "区分",
        "医療機関コード",
        "名称",
        "住所",
        "受理記号",
        "算定開始日",
    )
    run = preview_bytes(xlsx([], header=header), staff)
    text = only_error(run)
    assert text.startswith("4行目 セルA4: 4行目の見出しが名簿の形式と異なります")
    assert "「医療機関番号」" in text and "「算定開始年月日」" in text
    assert_nothing_written()


def test_year_reiwa_30(staff):
    rows = [
        *realistic_rows(),
        Row(bureau_number(PREF, 505), "未来診療所", "支援診３", since="令和30年 4月 1日"),
    ]
    run = preview_bytes(xlsx(rows), staff)
    assert held_error(run) == (
        "11行目 セルM11（算定開始年月日）: 「令和30年 4月 1日」は名簿の時点（令和6年6月1日現在）"
        "より後の日付です。年の誤りがないか確認してください。"
    )
    assert_nothing_written()


def test_as_of_date_in_the_future(staff):
    run = preview_bytes(xlsx(realistic_rows(), as_of="令和30年 4月 1日"), staff)
    assert "2行目 セルA2（名簿の時点）: 名簿の時点「令和30年 4月 1日」が今日より後" in only_error(
        run
    )
    assert_nothing_written()


def test_invalid_date(staff):
    rows = [
        *realistic_rows(),
        Row(bureau_number(PREF, 606), "二月診療所", "支援診３", since="令和 6年 2月30日"),
    ]
    run = preview_bytes(xlsx(rows), staff)
    assert (
        held_error(run)
        == "11行目 セルM11（算定開始年月日）: 「令和 6年 2月30日」は存在しない日付です。"
    )
    assert_nothing_written()


def test_missing_as_of_title(staff):
    run = preview_bytes(xlsx(realistic_rows(), title="届出受理医療機関名簿"), staff)
    assert "名簿の時点（例: [令和6年6月1日現在]）が1〜3行目に見つかりません" in only_error(run)
    assert_nothing_written()


def test_duplicate_rows(staff):
    rows = realistic_rows()
    rows.append(rows[0])
    run = preview_bytes(xlsx(rows), staff)
    text = held_error(run)
    assert text.startswith("11行目 セルK11（受理記号）: 5行目と同じ医療機関")
    assert "受理記号（支援病1）" in text and "重複しています" in text
    assert_nothing_written()


def test_bad_bureau_number_and_section(staff):
    rows = [
        *realistic_rows(),
        Row("1-2345", "桁不足診療所", "支援診３"),
        Row(bureau_number(PREF, 707), "区分不明", "支援診３", section="介護"),
    ]
    run = preview_bytes(xlsx(rows), staff)
    texts = [p["text"] for p in run.errors]
    assert (
        "11行目 セルD11（医療機関番号）: 「1-2345」は医療機関番号（例: 01-15202）として読めません。"
        in texts
    )
    assert any(t.startswith("12行目 セルC12（区分）") for t in texts)
    assert_nothing_written()


def test_empty_file(staff):
    run = preview_bytes(b"", staff)
    assert only_error(run) == "ファイルが空です（0バイト）。名簿のExcelファイルを選んでください。"
    assert_nothing_written()


def test_workbook_with_header_but_no_rows_is_harmless(staff):
    run = preview_bytes(xlsx([]), staff)
    assert run.status == RegistryImportRun.Status.PREVIEW
    assert run.row_count == 0 and run.new_count == 0


def test_empty_sheet(staff):
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    run = preview_bytes(buffer.getvalue(), staff)
    assert any("シートが空です" in p["text"] for p in run.errors)
    assert_nothing_written()


def test_100_megabyte_file(staff, tmp_path):
    path = tmp_path / "巨大な名簿.xlsx"
    with open(path, "wb") as handle:
        handle.write(xlsx(realistic_rows()))
        handle.truncate(100 * 1024 * 1024)
    assert path.stat().st_size > MAX_FILE_BYTES
    with open(path, "rb") as handle:
        run = service.preview(handle, path.name, path.stat().st_size, staff, today=TODAY)
    assert only_error(run) == "ファイルが大きすぎます（100.0 MB）。取り込めるのは20 MBまでです。"
    assert_nothing_written()


def test_zip_bomb(staff):
    data = zip_bomb()
    assert len(data) < 1024 * 1024
    run = preview_bytes(data, staff)
    assert "展開後のサイズが異常に大きいファイルです（圧縮爆弾の疑い）" in only_error(run)
    assert_nothing_written()


def test_errors_are_all_listed_and_nothing_is_written_even_with_good_rows(staff, naha):
    rows = [
        *realistic_rows(),
        Row(bureau_number(PREF, 808), "日付誤り", "支援診３", since="令和 6年13月 1日"),
    ]
    run = preview_bytes(xlsx(rows), staff)
    # issue 17: held, not refused whole; "all rows" is refused while a row has an error
    assert run.status == RegistryImportRun.Status.PREVIEW and run.error_count == 1
    with pytest.raises(service.ImportRefused):
        service.confirm(run.pk, staff)
    assert_nothing_written()


# --- through the pages ---------------------------------------------------------------------


def test_upload_preview_confirm_through_the_pages(client, staff, naha):
    client.force_login(staff)
    data = xlsx(realistic_rows())
    upload = io.BytesIO(data)
    upload.name = "届出受理医療機関名簿.xlsx"
    response = client.post(reverse("hospitals:registry_imports"), {"workbook": upload})
    run = RegistryImportRun.objects.get()
    assert response.url == reverse("hospitals:registry_import_detail", args=[run.pk])
    page = client.get(response.url).content.decode()
    assert "プレビュー（未反映）" in page and "医療法人 北山会 北山病院" in page
    assert MedicalInstitution.objects.count() == 0
    response = client.post(reverse("hospitals:registry_import_confirm", args=[run.pk]), follow=True)
    assert "名簿を反映しました（新規 3件" in response.content.decode()
    assert MedicalInstitution.objects.count() == 3


def test_rejected_upload_page_names_row_and_cell(client, staff):
    client.force_login(staff)
    rows = [
        *realistic_rows(),
        Row(bureau_number(PREF, 505), "未来診療所", "支援診３", since="令和30年 4月 1日"),
    ]
    upload = io.BytesIO(xlsx(rows))
    upload.name = "名簿.xlsx"
    response = client.post(reverse("hospitals:registry_imports"), {"workbook": upload}, follow=True)
    page = response.content.decode()
    assert "エラーのため取込不可" in page
    assert "11行目" in page and "M11" in page and "算定開始年月日" in page
    assert "何も登録していません" in page
    assert MedicalInstitution.objects.count() == 0
