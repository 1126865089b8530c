"""A prefecture clerk in a real Chromium: upload the bureau's list, read the preview, confirm."""

import re

import pytest
from playwright.sync_api import expect

from hospitals.models import MedicalInstitution, RegistryImportRun
from hospitals.registry.sample import Row, bureau_number
from tests.conftest import log_in
from tests.hospitals.registry_workbooks import PREF, realistic_rows, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_preview_confirm(page, live_server, world, tmp_path):
    bad = bureau_number(PREF, 909, valid=False)
    path = tmp_path / "届出受理医療機関名簿.xlsx"
    path.write_bytes(xlsx([*realistic_rows(), Row(bad, "検証番号ちがい診療所", "支援診３")]))
    before = MedicalInstitution.objects.count()

    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/hospitals/registry/")
    expect(page.get_by_role("heading", level=1)).to_have_text("届出受理医療機関名簿の取込")
    page.get_by_label("名簿ファイル（.xlsx）").set_input_files(str(path))
    page.get_by_role("button", name="プレビュー").click()

    expect(page).to_have_url(re.compile(r"/hospitals/registry/\d+/$"))
    expect(page.locator("[data-count=new]")).to_have_text("4")
    expect(page.get_by_role("table", name="問題のある行")).to_contain_text(
        "検証番号がLuhn方式と一致しません"
    )
    expect(page.get_by_text("プレビュー（未反映）")).to_be_visible()
    assert MedicalInstitution.objects.count() == before

    page.get_by_role("button", name="反映する").click()  # without the acknowledgement
    expect(page.locator(".messages")).to_contain_text(
        "検証番号が一致しない医療機関コードが1件あります"
    )
    assert MedicalInstitution.objects.count() == before

    page.get_by_label("検証番号が一致しない1件を「要確認」として取り込む").check()
    page.get_by_role("button", name="反映する").click()
    expect(page.locator(".messages")).to_contain_text("名簿を反映しました（新規 4件")
    expect(page.get_by_text("反映済み").first).to_be_visible()
    assert MedicalInstitution.objects.count() == before + 4
    assert RegistryImportRun.objects.get().status == RegistryImportRun.Status.APPLIED
    assert MedicalInstitution.objects.get(name="検証番号ちがい診療所").code_check_passed is False


def test_bad_file_shows_message_and_nothing_is_offered(page, live_server, world, tmp_path):
    path = tmp_path / "名簿.xlsx"
    path.write_bytes(b"not a workbook at all")
    log_in(page, live_server, "staff")
    page.goto(f"{live_server.url}/hospitals/registry/")
    page.get_by_label("名簿ファイル（.xlsx）").set_input_files(str(path))
    page.get_by_role("button", name="プレビュー").click()
    expect(page.get_by_role("alert")).to_contain_text("何も登録していません")
    expect(page.get_by_role("table", name="問題のある行")).to_contain_text(
        "Excelファイル（.xlsx）ではありません"
    )
    expect(page.get_by_role("button", name="反映する")).to_have_count(0)
