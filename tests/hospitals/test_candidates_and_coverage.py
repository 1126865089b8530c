"""Candidate order (seed 001), designating several at once, coverage gaps per area, the
designation history by fiscal year, and the public list with its downloads."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hospitals.candidates import candidates_for
from hospitals.designations import DesignationError, active_in_fiscal_year, designate
from hospitals.models import ActiveHospitalDesignation, MedicalInstitution
from tests import factories as f
from zaitaku_portal.models import AuditEntry, Role

Tier = MedicalInstitution.SupportTier
Kind = MedicalInstitution.Kind


def institution(town, name, kind=Kind.CLINIC, tier=Tier.CONVENTIONAL):
    return f.MedicalInstitutionFactory(name=name, municipality=town, kind=kind, support_tier=tier)


@pytest.fixture
def towns(db):
    north = f.SecondaryMedicalAreaFactory(code="4711", name="中部")
    other = f.SecondaryMedicalAreaFactory(code="4712", name="南部")
    town = f.MunicipalityFactory(name="本町", secondary_area=north)
    neighbour = f.MunicipalityFactory(name="隣町", secondary_area=north)
    across = f.MunicipalityFactory(name="圏外町", secondary_area=other)
    town.neighbours.add(neighbour, across)
    return town, neighbour, across


def names(candidates):
    return [c.institution.name for c in candidates]


def test_support_hospitals_come_first_and_alone(towns):
    town, neighbour, _ = towns
    institution(town, "本町診療所", tier=Tier.ENHANCED_SINGLE)
    institution(town, "本町従来型病院", kind=Kind.HOSPITAL, tier=Tier.CONVENTIONAL)
    institution(town, "本町強化型病院", kind=Kind.HOSPITAL, tier=Tier.ENHANCED_LINKED)
    institution(town, "届出なし病院", kind=Kind.HOSPITAL, tier=Tier.NONE)
    institution(neighbour, "隣町病院", kind=Kind.HOSPITAL)
    candidates = candidates_for(town)
    assert names(candidates) == ["本町強化型病院", "本町従来型病院"]
    assert {c.group for c in candidates} == {1}


def test_without_hospital_clinics_enhanced_first(towns):
    town, neighbour, _ = towns
    institution(town, "あ従来型診療所", tier=Tier.CONVENTIONAL)
    institution(town, "い連携型診療所", tier=Tier.ENHANCED_LINKED)
    institution(town, "う単独型診療所", tier=Tier.ENHANCED_SINGLE)
    institution(neighbour, "隣町病院", kind=Kind.HOSPITAL)
    candidates = candidates_for(town)
    assert names(candidates) == ["う単独型診療所", "い連携型診療所", "あ従来型診療所"]
    assert candidates[0].group_label.startswith("② 在宅療養支援診療所")


def test_without_either_neighbours_in_the_same_secondary_area(towns):
    town, neighbour, across = towns
    institution(neighbour, "隣町診療所", tier=Tier.ENHANCED_SINGLE)
    institution(neighbour, "隣町病院", kind=Kind.HOSPITAL, tier=Tier.CONVENTIONAL)
    institution(across, "圏外病院", kind=Kind.HOSPITAL)
    candidates = candidates_for(town)
    assert names(candidates) == ["隣町病院", "隣町診療所"]
    assert {c.group for c in candidates} == {3}


def test_nothing_anywhere_gives_an_empty_list(towns):
    assert candidates_for(towns[0]) == []


def test_staff_designate_several_from_the_candidate_page(client, world):
    town = world.area_a.municipalities.get()
    first = institution(town, "候補病院一", kind=Kind.HOSPITAL)
    second = institution(town, "候補病院二", kind=Kind.HOSPITAL)
    staff = world.users[Role.PREFECTURE_STAFF]
    client.force_login(staff)
    url = reverse("hospitals:candidates")
    page = client.get(url, {"municipality": town.pk}).content.decode()
    assert "候補病院一" in page and "① 在宅療養支援病院" in page
    response = client.post(
        url,
        {
            "municipality": town.pk,
            "institution": [first.pk, second.pk],
            "area": world.area_a.pk,
            "hub": world.hub_a.pk,
            "start_date": "2026-04-01",
            "end_date": "2029-03-31",
        },
        follow=True,
    )
    assert "候補病院一、候補病院二を指定しました" in response.content.decode()
    made = ActiveHospitalDesignation.objects.filter(institution__in=[first, second])
    assert made.count() == 2
    for designation in made:
        assert designation.designated_by == staff
        assert designation.hub == world.hub_a
        assert designation.start_date == datetime.date(2026, 4, 1)
        assert designation.end_date == datetime.date(2029, 3, 31)
    assert AuditEntry.objects.filter(action="積極的医療機関の指定").count() == 2


def test_designation_is_all_or_nothing(world):
    town = world.area_a.municipalities.get()
    fresh = institution(town, "新しい病院", kind=Kind.HOSPITAL)
    staff = world.users[Role.PREFECTURE_STAFF]
    with pytest.raises(
        DesignationError, match="甲病院 は在宅医療圏「甲圏域」で既に指定中または内諾です"
    ):
        designate(
            [fresh, world.hospital_a], world.area_a, None, datetime.date(2026, 4, 1), None, staff
        )
    assert not ActiveHospitalDesignation.objects.filter(institution=fresh).exists()
    with pytest.raises(
        DesignationError, match="拠点「乙拠点」は在宅医療圏「甲圏域」を担当していません"
    ):
        designate([fresh], world.area_a, world.hub_b, datetime.date(2026, 4, 1), None, staff)
    with pytest.raises(DesignationError, match="指定終了日は指定開始日以降"):
        designate(
            [fresh], world.area_a, None, datetime.date(2026, 4, 1), datetime.date(2026, 3, 1), staff
        )


def test_candidate_post_refuses_an_institution_not_in_the_list(client, world):
    town = world.area_a.municipalities.get()
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    response = client.post(
        reverse("hospitals:candidates"),
        {
            "municipality": town.pk,
            "institution": [world.hospital_b.pk],
            "area": world.area_a.pk,
            "start_date": "2026-04-01",
        },
        follow=True,
    )
    assert "候補一覧にない医療機関が選ばれています" in response.content.decode()
    assert ActiveHospitalDesignation.objects.count() == 2


def test_ending_a_designation_records_who_and_why(client, world):
    staff = world.users[Role.PREFECTURE_STAFF]
    client.force_login(staff)
    url = reverse("hospitals:end_designation", args=[world.designation_a.pk])
    client.post(url, {"end_date": "2026-03-31", "reason": ""})
    world.designation_a.refresh_from_db()
    assert world.designation_a.status == "active"  # no reason, nothing changed
    client.post(url, {"end_date": "2026-03-31", "reason": "辞退の申出"})
    world.designation_a.refresh_from_db()
    assert world.designation_a.status == "ended"
    assert world.designation_a.ended_by == staff
    assert world.designation_a.end_reason == "辞退の申出"
    page = client.get(reverse("hospitals:history"), {"year": 2025}).content.decode()
    assert "辞退の申出" in page


def test_who_was_active_in_a_fiscal_year(world):
    world.designation_a.start_date = datetime.date(2024, 4, 1)
    world.designation_a.end_date = datetime.date(2025, 3, 31)
    world.designation_a.status = "ended"
    world.designation_a.save()
    world.designation_b.start_date = datetime.date(2025, 10, 1)
    world.designation_b.save()
    all_designations = ActiveHospitalDesignation.objects.all()

    def active(year):
        return set(
            active_in_fiscal_year(all_designations, year).values_list(
                "institution__name", flat=True
            )
        )

    assert active(2023) == set()
    assert active(2024) == {"甲病院"}
    assert active(2025) == {"乙病院"}


def test_history_page_shows_fiscal_year_in_wareki(client, world):
    client.force_login(world.users[Role.HEALTH_CENTER])
    page = client.get(reverse("hospitals:history"), {"year": 2024}).content.decode()
    assert "令和6年度に指定されていた医療機関" in page
    assert "甲病院" in page and "乙病院" not in page


# --- coverage ------------------------------------------------------------------------------


def test_coverage_shows_gaps(client, world):
    empty = f.HomeCareAreaFactory(name="丙圏域", secondary_area=world.area_a.secondary_area)
    hub_only = f.HomeCareAreaFactory(name="丁圏域", secondary_area=world.area_a.secondary_area)
    f.HubFactory(name="丁拠点", areas=[hub_only])
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    page = client.get(reverse("hospitals:coverage")).content.decode()
    assert "未設置のある圏域：2" in page
    rows = {
        area: chunk for area, chunk in _rows_by_area(page, ["甲圏域", "乙圏域", "丙圏域", "丁圏域"])
    }
    assert "未設置" not in rows["甲圏域"]
    assert rows["丙圏域"].count("未設置") == 2
    assert "丁拠点" in rows["丁圏域"] and rows["丁圏域"].count("未設置") == 1
    assert empty


def _rows_by_area(page, names):
    for name in names:
        start = page.index(f'<th scope="row">{name}</th>')
        yield name, page[start : page.index("</tr>", start)]


def test_ended_designations_and_hubs_do_not_count(client, world):
    world.designation_b.status = "ended"
    world.designation_b.end_date = datetime.date(2024, 12, 31)
    world.designation_b.save()
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    page = client.get(reverse("hospitals:coverage")).content.decode()
    assert "未設置のある圏域：1" in page


def test_health_center_sees_only_its_areas_on_coverage_and_export(client, world):
    client.force_login(world.users[Role.HEALTH_CENTER])
    page = client.get(reverse("hospitals:coverage")).content.decode()
    assert "甲圏域" in page and "乙圏域" not in page
    response = client.get(reverse("hospitals:coverage_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "在宅医療圏"
    assert [row[0] for row in values[1:]] == ["甲圏域"]
    assert values[1][2] == "甲拠点" and values[1][3] == "甲病院"


# --- the public list --------------------------------------------------------------------


def test_public_list_needs_no_login_and_downloads(client, world):
    world.hub_a.address = '=HYPERLINK("http://evil")'
    world.hub_a.save()
    page = client.get(reverse("hospitals:public_list")).content.decode()
    assert "甲拠点" in page and "乙病院" in page and "郡市区医師会" in page
    response = client.get(reverse("hospitals:public_download", args=["csv"]))
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["在宅医療圏", "区分", "名称", "運営主体の種別", "所在地"]
    hub_row = next(r for r in rows if r[2] == "甲拠点")
    assert hub_row[1] == "連携の拠点" and hub_row[4].startswith("'=HYPERLINK")
    response = client.get(reverse("hospitals:public_download", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [row for row in sheet.iter_rows(values_only=True)]
    assert ("乙圏域", "積極的医療機関", "乙病院", "病院", "") in [
        tuple(c if c is not None else "" for c in row) for row in cells
    ]


def test_public_list_leaves_out_ended_designations(client, world):
    world.designation_b.status = "ended"
    world.designation_b.end_date = datetime.date(2025, 3, 31)
    world.designation_b.save()
    page = client.get(reverse("hospitals:public_list")).content.decode()
    assert "乙病院" not in page and "甲病院" in page
