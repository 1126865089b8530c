"""The survey workbook (資料4-①②③): downloaded and uploaded unchanged → 変更はありません;
edited → exactly those changes, applied on confirm; broken workbooks are refused with the
cell named and nothing saved."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from subsidies.models import SurveyAnswer
from subsidies.survey.excel_layout import HOSPITAL_SHEET, HUB_SHEET, MEETING_SHEET
from tests.subsidies.survey.conftest import answer
from zaitaku_portal.models import AuditEntry


def _answered(world):
    return answer(
        world,
        world.hub_a,
        world.coordinator,
        {
            "hub-meeting": {
                "wish": True,
                "start_year": 2026,
                "planned_actions": "=1+1 は数式ではなく文字\n推進会議を年4回",
            },
            "hosp-nurse": {"hospital_count": 2, "planned_actions": "退院調整看護師の配置"},
        },
        district_policy="市町村ごと",
        meeting_body_count=2,
    )


def _download(client, world) -> bytes:
    client.force_login(world.coordinator)
    response = client.get(f"/subsidies/survey/2026/hubs/{world.hub_a.pk}/excel/")
    assert response.status_code == 200
    return response.content


def _upload(client, world, content: bytes, name="survey.xlsx"):
    return client.post(
        f"/subsidies/survey/2026/hubs/{world.hub_a.pk}/upload/",
        {"file": SimpleUploadedFile(name, content)},
    )


def _edited(content: bytes, edit) -> bytes:
    book = load_workbook(io.BytesIO(content))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_download_is_the_seed_004_layout(client, survey_world):
    world = survey_world
    _answered(world)
    book = load_workbook(io.BytesIO(_download(client, world)))
    assert book.sheetnames[:3] == [HUB_SHEET, HOSPITAL_SHEET, MEETING_SHEET]
    hub = book[HUB_SHEET]
    assert [c.value for c in hub[6]][:5] == [
        "補助事業区分",
        "補助額目安（千円）",
        "補助の希望",
        "取り組み事項",
        "開始年度",
    ]
    assert (hub["A7"].value, hub["B7"].value, hub["C7"].value, hub["E7"].value) == (
        "多職種が参加する連携会議の開催",
        1060,
        "○",
        "R8〜",
    )
    assert hub["D7"].data_type == "s"  # a text that starts with = stays a text
    validations = {v.formula1 for v in hub.data_validations.dataValidation}
    assert validations == {'"○"', '"R8〜,R9〜,R10〜"'}
    assert hub.print_title_rows == "$6:$6"
    hospital = book[HOSPITAL_SHEET]
    nurse = next(
        r for r in hospital.iter_rows(min_row=7) if r[0].value == "病状変化時の受入態勢確保"
    )
    assert (nurse[1].value, nurse[2].value) == (4000, 2)
    assert book[MEETING_SHEET]["B5"].value == "市町村ごと"


def test_unchanged_round_trip_has_no_changes(client, survey_world):
    world = survey_world
    _answered(world)
    response = _upload(client, world, _download(client, world))
    page = response.content.decode()
    assert "現在の回答との違い（0項目）" in page and "変更はありません。" in page


def test_edited_workbook_shows_exactly_those_changes_and_applies(client, survey_world):
    world = survey_world
    _answered(world)

    def edit(book):
        book[HUB_SHEET]["C8"] = "〇"  # the district menu, wished (a look-alike of ○)
        book[HUB_SHEET]["E8"] = "R９"
        row = next(
            r for r in book[HOSPITAL_SHEET].iter_rows(min_row=7) if r[0].value == "システム保守"
        )
        row[2].value = 3
        book[MEETING_SHEET]["B6"] = 3

    response = _upload(client, world, _edited(_download(client, world), edit))
    changes = response.context["changes"]
    assert changes == [
        ("会議体の設置数", "2", "3"),
        ("資源把握・課題整理・対応策検討／補助の希望", "（空欄）", "○"),
        ("資源把握・課題整理・対応策検討／開始年度", "（空欄）", "R9〜"),
        ("システム保守／補助希望の医療機関数", "（空欄）", "3"),
    ]
    notes = " ".join(response.context["result"].notes)
    assert "セルE8" in notes and "R9〜として読み取りました" in notes
    applied = client.post(f"/subsidies/survey/2026/hubs/{world.hub_a.pk}/apply/", follow=True)
    assert "変更 4項目" in applied.content.decode()
    saved = SurveyAnswer.objects.get(hub=world.hub_a)
    assert (saved.version, saved.meeting_body_count) == (2, 3)
    entry = AuditEntry.objects.get(action="意向調査の回答（Excel取込）")
    assert entry.changes["ファイル"] == "survey.xlsx"


def _refused(client, world, content, name="survey.xlsx") -> str:
    before = SurveyAnswer.objects.get(hub=world.hub_a).version
    response = _upload(client, world, content, name)
    assert response.status_code == 200
    assert "何も保存していません" in response.content.decode()
    assert SurveyAnswer.objects.get(hub=world.hub_a).version == before
    assert client.session.get(f"survey-upload-2026-{world.hub_a.pk}") is None
    return " ".join(response.context["result"].errors)


def test_broken_workbooks_name_the_problem_and_save_nothing(client, survey_world):
    world = survey_world
    _answered(world)
    good = _download(client, world)
    assert "「survey.csv」: Excelファイル（.xlsx）ではありません" in _refused(
        client, world, b"name,value\n", "survey.csv"
    )

    def drop_meeting(book):
        del book[MEETING_SHEET]

    assert "シート「4-③会議体」がありません" in _refused(client, world, _edited(good, drop_meeting))

    def header(book):
        book[HUB_SHEET]["C6"] = "希望"

    assert "シート「4-①拠点」セルC6の見出しが「補助の希望」ではありません" in _refused(
        client, world, _edited(good, header)
    )

    def renamed(book):
        book[HUB_SHEET]["A7"] = "別のメニュー"

    assert "セルA7の補助事業区分" in _refused(client, world, _edited(good, renamed))

    def bad_cells(book):
        book[HUB_SHEET]["C7"] = "たぶん"
        book[HUB_SHEET]["E7"] = "R12〜"

    errors = _refused(client, world, _edited(good, bad_cells))
    assert "シート「4-①拠点」セルC7（補助の希望）は「○」か空欄にしてください" in errors
    assert "セルE7（開始年度）は「R8〜」・「R9〜」・「R10〜」のいずれか" in errors

    def added_row(book):
        book[HUB_SHEET]["D20"] = "追加の取り組み"

    assert "セルD20に様式にない行が追加されています" in _refused(
        client, world, _edited(good, added_row)
    )

    def other_hub(book):
        book["_meta"]["A3"] = world.hub_b.pk

    assert "別の拠点または年度の様式です" in _refused(client, world, _edited(good, other_hub))


def test_a_zip_bomb_is_refused(client, survey_world):
    world = survey_world
    _answered(world)
    client.force_login(world.coordinator)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (10 * 1024 * 1024))
    errors = _refused(client, world, buffer.getvalue())
    assert "survey.xlsx" in errors and "圧縮" in errors
