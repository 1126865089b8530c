"""Population, ageing rate and resources per area and municipality (seed 003 §5(1)): the web
form, the one-sheet workbook (all or nothing, errors by row and cell), the summary the hub
page, the area page and the results report read, and who may write them."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from hubs.area import services
from hubs.area.summary import area_summary, year_label
from hubs.area.workbook import HEADERS, SHEET
from hubs.models import AreaProfile, AreaResource, ResourceKind
from tests import factories as f
from zaitaku_portal.models import AuditEntry, Role


def profile(area, year, population, rate, municipality=None, **counts):
    made = AreaProfile.objects.create(
        area=area,
        municipality=municipality,
        figure_year=year,
        population=population,
        ageing_rate=Decimal(rate),
    )
    for kind, count in counts.items():
        AreaResource.objects.create(profile=made, kind=kind, count=count)
    return made


def test_year_label_is_the_era_of_the_figure_year():
    assert year_label(2024) == "2024年（令和6年）"
    assert year_label(2019) == "2019年（令和元年）"  # 令和 from 1 May 2019: 31 Dec is 令和
    assert year_label(2018) == "2018年（平成30年）"


def test_summary_takes_the_latest_figures_at_or_before_the_year(world):
    town = world.area_a.municipalities.first()
    profile(world.area_a, 2020, 100_000, "25.0", hospital=3)
    profile(world.area_a, 2023, 98_000, "27.4", visiting_nurse=5, hospital=4, care_planning=9)
    profile(world.area_a, 2023, 40_000, "30.1", municipality=town, clinic=12)
    profile(world.area_a, 2025, 97_000, "28.0")

    summary = area_summary(world.area_a, 2024)

    assert summary.figure_year == 2023 and summary.figure_year_label == "2023年（令和5年）"
    assert (summary.whole.population, summary.whole.ageing_rate) == (98_000, Decimal("27.4"))
    # resources in ResourceKind order (medical first), welfare apart
    assert [(r.label, r.count) for r in summary.whole.medical] == [
        ("病院", 4),
        ("訪問看護ステーション", 5),
    ]
    assert [(r.label, r.count) for r in summary.whole.welfare] == [("居宅介護支援事業所", 9)]
    assert [(m.name, m.population) for m in summary.municipalities] == [(town.name, 40_000)]
    assert area_summary(world.area_a, 2019).has_figures is False
    assert area_summary(world.area_a).figure_year == 2025


def post_profile(client, area, **data):
    values = {"municipality": "", "figure_year": "2024", "population": "98000"}
    values |= {"ageing_rate": "27.4", "source": "住民基本台帳"} | data
    return client.post(reverse("hubs:profile_edit", args=[area.pk]), values)


def test_health_center_enters_its_area_and_a_second_entry_replaces(client, world):
    client.force_login(world.users[Role.HEALTH_CENTER])
    response = post_profile(client, world.area_a, count_hospital="３", count_pharmacy="40")
    assert response.status_code == 302
    saved = AreaProfile.objects.get(area=world.area_a, figure_year=2024)
    assert {r.kind: r.count for r in saved.resources.all()} == {"hospital": 3, "pharmacy": 40}
    post_profile(client, world.area_a, population="97500", count_hospital="4")
    saved.refresh_from_db()
    assert saved.population == 97_500
    assert {r.kind: r.count for r in saved.resources.all()} == {"hospital": 4}
    entries = AuditEntry.objects.filter(action="圏域の人口・資源の登録").order_by("pk")
    assert entries.count() == 2
    assert entries.last().changes["人口"] == {"from": 98_000, "to": 97_500}
    assert entries.last().changes["薬局（保険薬局）"] == {"from": 40, "to": None}
    page = client.get(reverse("hubs:area_detail", args=[world.area_a.pk])).content.decode()
    assert "2024年（令和6年）の数値" in page and "97,500人" in page and "病院 4" in page


def test_bad_figures_are_named_and_nothing_is_saved(client, world):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    response = post_profile(
        client, world.area_a, ageing_rate="120", population="たくさん", count_clinic="-1"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "「高齢化率（％）」は100以下で入力してください。" in page
    assert "「人口（人）」は整数で入力してください。" in page
    assert "「一般診療所（数）」は0以上で入力してください。" in page
    assert not AreaProfile.objects.exists()


def test_coordinator_reads_but_does_not_write_and_other_areas_are_404(client, world):
    client.force_login(world.users[Role.HUB_COORDINATOR])
    assert post_profile(client, world.area_a).status_code == 403
    assert client.get(reverse("hubs:area_detail", args=[world.area_a.pk])).status_code == 200
    client.force_login(world.users[Role.HEALTH_CENTER])
    assert post_profile(client, world.area_b).status_code == 404
    assert not AreaProfile.objects.exists()


def test_the_right_is_checked_again_inside_the_lock(world):
    """A health-center user moved to another center between opening and saving the form."""
    user = world.users[Role.HEALTH_CENTER]
    user.health_center = f.HealthCenterFactory(name="別の保健所")
    user.save()
    values = {"municipality": None, "figure_year": 2024, "population": 1, "ageing_rate": 1}
    with pytest.raises(services.AreaError):
        services.save_profile(user, world.area_a, values | {"counts": {}})
    assert not AreaProfile.objects.exists()


# --- the workbook ---------------------------------------------------------------------------


def workbook_upload(rows, header=HEADERS, percent_cell=None) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row) + [None] * (len(header) - len(row)))
    if percent_cell:
        sheet[percent_cell].number_format = "0.0%"
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("figures.xlsx", buffer.getvalue())


def test_template_lists_the_editable_areas_and_their_municipalities(client, world):
    client.force_login(world.users[Role.HEALTH_CENTER])
    response = client.get(reverse("hubs:figures_template"))
    sheet = load_workbook(io.BytesIO(response.content))[SHEET]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == HEADERS
    town = world.area_a.municipalities.first()
    # only 甲圏域 (the health center's): the area row, then its municipality
    assert [(r[0], r[1]) for r in rows[1:]] == [("甲圏域", None), ("甲圏域", str(town))]


def test_import_saves_every_row(client, world):
    town = world.area_a.municipalities.first()
    hospital_column = HEADERS.index("病院（数）")
    row = ["甲圏域", "", 2024, "98,000", "27.4"]
    row += [None] * (hospital_column - len(row)) + [3]
    client.force_login(world.users[Role.HEALTH_CENTER])
    upload = workbook_upload([row, ["甲圏域", town.name, 2024, 40000, 0.301]], percent_cell="E3")
    response = client.post(reverse("hubs:figures_import"), {"workbook": upload})
    assert response.status_code == 302
    whole = AreaProfile.objects.get(municipality=None)
    assert (whole.population, whole.ageing_rate) == (98_000, Decimal("27.4"))
    assert whole.resources.get().kind == ResourceKind.HOSPITAL
    # E3 is formatted as a percentage: the cell holds 0.301 for 30.1%
    assert AreaProfile.objects.get(municipality=town).ageing_rate == Decimal("30.1")


def test_import_is_all_or_nothing_and_names_row_and_cell(client, world):
    client.force_login(world.users[Role.HEALTH_CENTER])
    good = ["甲圏域", "", 2024, 98000, "27.4"]
    bad_rate = ["甲圏域", "", 2023, 97000, "27.45"]
    other_area = ["乙圏域", "", 2024, 5000, "30"]
    unknown_town = ["甲圏域", "存在しない町", 2024, 10, "1"]
    upload = workbook_upload([good, bad_rate, other_area, unknown_town, good])
    page = client.post(reverse("hubs:figures_import"), {"workbook": upload}).content.decode()
    assert "Excelの内容に誤りがあります。取り込んでいません。" in page
    assert "3行目 E3（高齢化率（％））: 小数第1位までで入力してください（入力: 27.45）。" in page
    assert (
        "4行目 A4（在宅医療圏）: 在宅医療圏「乙圏域」は登録がないか、編集できない圏域です。" in page
    )
    assert "5行目 B5（市区町村（空欄は圏域全体））: 市区町村「存在しない町」は" in page
    assert "6行目: 2行目と同じ場所・年です。" in page
    assert not AreaProfile.objects.exists()


def test_import_refuses_another_layout_and_a_non_workbook(client, world):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    wrong = workbook_upload([["甲圏域"]], header=["圏域", "人口"])
    page = client.post(reverse("hubs:figures_import"), {"workbook": wrong}).content.decode()
    assert "1行目の見出しが様式と違います。" in page
    text = SimpleUploadedFile("figures.xlsx", b"not a workbook at all")
    page = client.post(reverse("hubs:figures_import"), {"workbook": text}).content.decode()
    assert "「figures.xlsx」:" in page
    assert not AreaProfile.objects.exists()


def test_hub_page_shows_its_areas_figures(client, world):
    profile(world.area_a, 2024, 98_000, "27.4", hospital=2)
    client.force_login(world.users[Role.HUB_COORDINATOR])
    page = client.get(reverse("hubs:detail", args=[world.hub_a.pk])).content.decode()
    assert "担当する在宅医療圏の人口・資源" in page and "98,000人" in page and "27.4％" in page
    assert datetime.date.today()  # the page renders without figures of the current year
