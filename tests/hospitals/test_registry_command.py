"""Issue 17: manage.py import_registry, for a scheduled download of the bureau's list: the
same checks and the same all-or-held choice as the pages, a non-zero exit on refusal."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hospitals.models import MedicalInstitution, RegistryImportRun
from hospitals.registry.sample import Row, bureau_number
from tests.factories import MunicipalityFactory, UserFactory
from tests.hospitals.registry_workbooks import PREF, realistic_rows, xlsx
from zaitaku_portal.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    MunicipalityFactory(name="那覇市", code="472018")
    return UserFactory(username="ken")


def run_command(path, *options) -> str:
    out = io.StringIO()
    call_command("import_registry", str(path), *options, stdout=out)
    return out.getvalue()


def refused(path, *options) -> CommandError:
    with pytest.raises(CommandError) as error:
        run_command(path, *options)
    assert error.value.returncode == 2  # manage.py exits with it
    return error.value


def test_a_good_list_is_imported_and_recorded(tmp_path, staff):
    path = tmp_path / "名簿.xlsx"
    path.write_bytes(xlsx(realistic_rows()))
    out = run_command(path, "--user", "ken")
    assert "名簿を反映しました" in out and "新規 3件" in out
    run = RegistryImportRun.objects.get()
    assert run.status == RegistryImportRun.Status.APPLIED and run.uploaded_by == staff
    assert MedicalInstitution.objects.count() == 3
    assert AuditEntry.objects.get(action="医療機関名簿の取込").actor == staff


def test_error_rows_refuse_the_list_unless_asked_to_leave_them_out(tmp_path, staff):
    rows = [*realistic_rows(), Row(bureau_number(PREF, 505), "未来診療所", "支援診３")]
    rows[-1].since = "令和30年 4月 1日"
    path = tmp_path / "名簿.xlsx"
    path.write_bytes(xlsx(rows))
    error = refused(path)
    assert "エラーのある行が1件あるため「すべての行」は反映できません" in str(error)
    assert MedicalInstitution.objects.count() == 0

    out = run_command(path, "--without-error-rows")
    assert "取り込まなかった行 1行" in out
    assert MedicalInstitution.objects.count() == 3


def test_another_prefectures_list_is_refused(tmp_path, staff):
    path = tmp_path / "名簿.xlsx"
    path.write_bytes(xlsx([Row(bureau_number("01", 1), "札幌診療所", "支援診３", prefecture="01")]))
    error = refused(path, "--without-error-rows")
    assert "北海道（01）の名簿です" in str(error)
    assert MedicalInstitution.objects.count() == 0


def test_an_older_list_is_refused(tmp_path, staff):
    newer, older = tmp_path / "新.xlsx", tmp_path / "旧.xlsx"
    newer.write_bytes(xlsx(realistic_rows(), as_of="令和 7年 1月 1日"))
    older.write_bytes(xlsx(realistic_rows(), as_of="令和 6年 6月 1日"))
    run_command(newer)
    error = refused(older)
    assert "取込済みの名簿（令和7年1月1日現在）より古い" in str(error)
    assert set(MedicalInstitution.objects.values_list("listed_as_of", flat=True)) == {
        datetime.date(2025, 1, 1)
    }


def test_a_dry_run_writes_only_the_run(tmp_path, staff):
    path = tmp_path / "名簿.xlsx"
    path.write_bytes(xlsx(realistic_rows()))
    out = run_command(path, "--dry-run")
    assert "反映していません" in out
    assert MedicalInstitution.objects.count() == 0
    assert RegistryImportRun.objects.get().status == RegistryImportRun.Status.PREVIEW


def test_a_missing_file_or_user_is_refused(tmp_path, staff):
    assert "見つかりません" in str(refused(tmp_path / "ない.xlsx"))
    path = tmp_path / "名簿.xlsx"
    path.write_bytes(xlsx(realistic_rows()))
    assert "利用者「nobody」が見つかりません" in str(refused(path, "--user", "nobody"))
