"""Excel round trip of the expense part: download, fill, upload; a bad cell saves nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from subsidies.models import ResultExpense, ResultReport
from tests.subsidies.results.factories import worked_case
from zaitaku_portal.models import AuditEntry, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world, client):
    client.force_login(world.users[Role.HUB_COORDINATOR])
    return worked_case(world)


def _download(client, case):
    response = client.get(reverse("results:expenses_xlsx", args=[case.report.pk]))
    return load_workbook(io.BytesIO(response.content))


def _upload(client, case, workbook, name="expenses.xlsx"):
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile(name, buffer.getvalue())
    return client.post(reverse("results:expenses_upload", args=[case.report.pk]), {"file": upload})


def _cell(sheet, key, header):
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == key:
            return row[headers.index(header)]
    raise AssertionError(key)


def _state():
    return list(
        ResultExpense.objects.order_by("pk").values_list(
            "expenses", "total_cost", "other_income", "excluded_amount", "excluded_source"
        )
    ), ResultReport.objects.get().version


def test_round_trip_saves_and_audits(client, case):
    workbook = _download(client, case)
    sheet = workbook["実支出額"]
    assert _cell(sheet, "w-training", "旅費").value == 300_999
    assert _cell(sheet, "w-training", "給料").value is None  # not a category of that menu
    _cell(sheet, "w-training", "旅費").value = 310_000
    _cell(sheet, "w-training", "総事業費（A）").value = 310_000
    before = _state()
    preview = _upload(client, case, workbook)
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "まだ保存していません" in html
    assert "現在の実績報告との違い（2項目）" in html  # 旅費 and 総事業費
    assert '<th scope="row">研修の開催 旅費</th>' in html
    assert "300,999円" in html and "310,000円" in html
    assert _state() == before  # the preview saved nothing
    response = client.post(reverse("results:expenses_apply", args=[case.report.pk]))
    assert response.status_code == 302
    expense = ResultExpense.objects.get(menu__code="w-training")
    assert (expense.expenses, expense.total_cost, expense.actual_expense_total) == (
        {"travel": 310_000},
        310_000,
        310_000,
    )
    entry = AuditEntry.objects.get(action="実績報告の保存（Excel取込）")
    assert entry.changes["研修の開催 旅費"] == {"from": 300_999, "to": 310_000}


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        (
            "旅費",
            "たくさん",
            "行目「甲拠点：研修の開催」の旅費は円単位の0以上の整数で入力してください",
        ),
        ("旅費", 1000.5, "の旅費は円単位の0以上の整数で入力してください（入力: 1000.5）"),
        ("総事業費（A）", -1, "の総事業費（A）は0以上で入力してください"),
        ("給料", 5000, "「甲拠点：研修の開催」では費目「給料」は補助対象外です。"),
        ("対象外の財源", "宝くじ", "の対象外の財源「宝くじ」は"),
    ],
)
def test_bad_cell_imports_nothing(client, case, header, value, message):
    before = _state()
    workbook = _download(client, case)
    _cell(workbook["実支出額"], "w-training", header).value = value
    response = _upload(client, case, workbook)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _state() == before


def test_old_download_is_refused(client, case, world):
    from subsidies.results import services as claims

    workbook = _download(client, case)
    claims.save_report(
        case.report,
        {"consultation_count": 1},
        world.users[Role.HUB_COORDINATOR],
        case.report.version,
    )
    before = _state()
    response = _upload(client, case, workbook)
    assert "他の方が更新しました" in response.content.decode()
    assert _state() == before


def test_not_an_xlsx_is_refused(client, case):
    upload = SimpleUploadedFile("report.csv", b"a,b\n")
    response = client.post(
        reverse("results:expenses_upload", args=[case.report.pk]), {"file": upload}
    )
    assert "「report.csv」はxlsx形式ではありません" in response.content.decode()
    upload = SimpleUploadedFile("broken.xlsx", b"PK\x03\x04 not really")
    response = client.post(
        reverse("results:expenses_upload", args=[case.report.pk]), {"file": upload}
    )
    assert "Excelファイル（.xlsx）として読めません" in response.content.decode()


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ("xl/vbaProject.bin", "マクロを含むブックは安全のため取り込めません"),
        ("xl/externalLinks/externalLink1.xml", "外部のブックへのリンクを含むファイル"),
    ],
)
def test_macro_or_linked_workbook_is_refused_and_nothing_changes(client, case, member, message):
    from tests.hospitals.registry_workbooks import rezip

    buffer = io.BytesIO()
    _download(client, case).save(buffer)
    before = _state()
    upload = SimpleUploadedFile("expenses.xlsx", rezip(buffer.getvalue(), extra={member: b"x"}))
    response = client.post(
        reverse("results:expenses_upload", args=[case.report.pk]), {"file": upload}
    )
    assert message in response.content.decode()
    assert _state() == before


def test_a_change_between_preview_and_confirmation_saves_nothing(client, case, world):
    from subsidies.results import services as claims

    workbook = _download(client, case)
    _cell(workbook["実支出額"], "w-training", "旅費").value = 310_000
    _cell(workbook["実支出額"], "w-training", "総事業費（A）").value = 310_000
    assert "まだ保存していません" in _upload(client, case, workbook).content.decode()
    claims.save_report(  # someone else saves meanwhile
        case.report,
        {"consultation_count": 7},
        world.users[Role.HUB_COORDINATOR],
        ResultReport.objects.get().version,
    )
    before = _state()
    response = client.post(reverse("results:expenses_apply", args=[case.report.pk]), follow=True)
    assert "他の方が更新しました" in response.content.decode()
    assert _state() == before
    # the preview is used once: confirming again has nothing to save
    again = client.post(reverse("results:expenses_apply", args=[case.report.pk]), follow=True)
    assert "取り込む内容がありません" in again.content.decode()
