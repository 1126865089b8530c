"""内諾 beside 指定中 (seed 002 ※1), the other-program classification (※2), and the facility
groups of seed 001 (医療提供施設等グループ化の現状)."""

import datetime

import pytest
from django.urls import reverse

from hospitals.coverage import coverage_of
from hospitals.designations import (
    DesignationError,
    active_in_fiscal_year,
    confirm_tentative,
    designate,
    end_designation,
    update_details,
    withdraw_tentative,
)
from hospitals.models import ActiveHospitalDesignation, FacilityGroup
from reports import dashboard
from subsidies.applications.reading import hospital_designations
from tests import factories as f
from zaitaku_portal import scopes
from zaitaku_portal.models import AuditEntry, HomeCareArea, Role

Status = ActiveHospitalDesignation.Status


@pytest.fixture
def tentative(world):
    """A second hospital of 甲圏域 that has agreed to be positioned (内諾)."""
    clinic = f.MedicalInstitutionFactory(
        name="甲クリニック", municipality=world.hospital_a.municipality
    )
    staff = world.users[Role.PREFECTURE_STAFF]
    [made] = designate(
        [clinic],
        world.area_a,
        world.hub_a,
        datetime.date(2025, 4, 1),
        None,
        staff,
        agreed_on=datetime.date(2024, 9, 1),
    )
    return made


def test_tentative_counts_for_the_area_apart_and_never_for_money(world, tentative):
    assert tentative.status == Status.TENTATIVE
    assert AuditEntry.objects.filter(action="積極的医療機関の内諾").count() == 1
    today = datetime.date(2024, 10, 1)
    areas = HomeCareArea.objects.filter(pk=world.area_a.pk)
    designations = ActiveHospitalDesignation.objects.all()
    [item] = coverage_of(areas, world.hub_a.__class__.objects.all(), designations, today)
    # seed 002 ※1: the number includes the 内諾 (甲病院 指定中 + 甲クリニック 内諾 = 2)
    assert (item.hospital_count, item.tentative_count) == (2, 1)
    assert [d.institution.name for d in item.designations] == ["甲病院"]
    [row] = dashboard.coverage_rows(areas, world.hub_a.__class__.objects.all(), designations, today)
    assert (row.hospitals, row.tentative) == (2, 1)
    # the plan lines (money) and the public list read 指定中 only
    assert list(hospital_designations(world.hub_a)) == [world.designation_a]
    assert tentative not in scopes.published_designations()
    assert tentative not in active_in_fiscal_year(designations, 2025)


def test_an_area_with_only_a_tentative_is_covered_as_seed_002_counts(world, tentative):
    end_designation(
        world.designation_a, datetime.date(2024, 6, 30), "辞退", world.users[Role.PREFECTURE_STAFF]
    )
    [item] = coverage_of(
        HomeCareArea.objects.filter(pk=world.area_a.pk),
        world.hub_a.__class__.objects.all(),
        ActiveHospitalDesignation.objects.all(),
        datetime.date(2024, 10, 1),
    )
    assert item.hospital_count == 1 and not item.lacks_hospital


def test_a_tentative_becomes_a_designation_or_is_withdrawn(world, tentative):
    staff = world.users[Role.PREFECTURE_STAFF]
    with pytest.raises(DesignationError, match="内諾日以降"):
        confirm_tentative(tentative, datetime.date(2024, 8, 31), staff)
    with pytest.raises(DesignationError, match="「指定中にする」か「内諾を取り下げる」"):
        end_designation(tentative, datetime.date(2025, 5, 1), "x", staff)
    confirmed = confirm_tentative(tentative, datetime.date(2025, 4, 1), staff)
    assert (confirmed.status, confirmed.start_date) == (Status.ACTIVE, datetime.date(2025, 4, 1))
    assert set(hospital_designations(world.hub_a)) == {world.designation_a, confirmed}
    assert confirmed in active_in_fiscal_year(ActiveHospitalDesignation.objects.all(), 2025)
    with pytest.raises(DesignationError, match="内諾の状態の指定ではありません"):
        withdraw_tentative(confirmed, "取下げ", staff)


def test_withdrawn_tentative_never_counts(world, tentative):
    staff = world.users[Role.PREFECTURE_STAFF]
    with pytest.raises(DesignationError, match="取下げの理由"):
        withdraw_tentative(tentative, " ", staff)
    withdrawn = withdraw_tentative(tentative, "院長交代のため", staff)
    assert withdrawn.status == Status.WITHDRAWN
    assert withdrawn not in active_in_fiscal_year(ActiveHospitalDesignation.objects.all(), 2024)
    # the institution may be positioned again afterwards
    again = designate(
        [withdrawn.institution], world.area_a, None, datetime.date(2025, 4, 1), None, staff
    )
    assert again[0].status == Status.ACTIVE


def test_one_held_designation_per_institution_and_area(world, tentative):
    with pytest.raises(DesignationError, match="既に指定中または内諾です"):
        designate(
            [tentative.institution], world.area_a, None, datetime.date(2025, 4, 1), None, None
        )


def test_candidates_page_registers_a_tentative(client, world):
    clinic = f.MedicalInstitutionFactory(  # a 在宅療養支援病院: candidate ① of its town
        name="甲在宅クリニック", municipality=world.hospital_a.municipality
    )
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    town = world.hospital_a.municipality
    url = reverse("hospitals:candidates")
    post = {"municipality": town.pk, "area": world.area_a.pk, "start_date": "2025-04-01"}
    post |= {"institution": [clinic.pk], "tentative": "1"}
    response = client.post(url, post, follow=True)
    assert "内諾として登録するときは内諾日を入力してください。" in response.content.decode()
    assert not ActiveHospitalDesignation.objects.filter(institution=clinic).exists()
    client.post(url, post | {"agreed_on": "2024-09-01"})
    made = ActiveHospitalDesignation.objects.get(institution=clinic)
    assert (made.status, made.agreed_on) == (Status.TENTATIVE, datetime.date(2024, 9, 1))
    page = client.get(reverse("hospitals:coverage")).content.decode()
    assert '甲在宅クリニック</a> <span class="badge warn">内諾</span>' in page


def test_note_and_other_program_classification(client, world):
    staff = world.users[Role.PREFECTURE_STAFF]
    with pytest.raises(DesignationError, match="他事業での登録"):
        update_details(world.designation_a, "nonsense", "", staff)
    client.force_login(staff)
    url = reverse("hospitals:designation_edit", args=[world.designation_a.pk])
    data = {"part": "details", "other_program": "severe_disability", "note": "※2 の扱い"}
    assert client.post(url, data).status_code == 302
    world.designation_a.refresh_from_db()
    assert world.designation_a.get_other_program_display() == (
        "重症心身障がい児者医療コーディネート事業として登録"
    )
    assert AuditEntry.objects.filter(action="積極的医療機関の備考・他事業での登録").exists()
    page = client.get(reverse("hospitals:list")).content.decode()
    assert "重症心身障がい児者医療コーディネート事業として登録" in page and "※2 の扱い" in page


# --- facility groups -------------------------------------------------------------------------


def group_post(name="甲在宅グループ", **members):
    data = {"name": name, "as_of": "2023-02-01", "note": "", "member_count": "3"}
    for index in range(3):
        data |= {f"m{index}-kind": "", f"m{index}-institution": "", f"m{index}-name": ""}
    return data | members


def test_health_center_records_a_group_with_registered_and_other_members(client, world):
    client.force_login(world.users[Role.HEALTH_CENTER])
    url = reverse("hospitals:facility_group_new", args=[world.area_a.pk])
    data = group_post(
        **{
            "m0-kind": "hospital",
            "m0-institution": str(world.hospital_a.pk),
            "m1-kind": "visiting_nurse",
            "m1-name": "甲訪問看護ステーション",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    group = FacilityGroup.objects.get()
    assert [m.display_name for m in group.members.all()] == ["甲病院", "甲訪問看護ステーション"]
    assert AuditEntry.objects.get(action="医療提供施設等のグループの登録").changes["構成施設"] == [
        "病院：甲病院",
        "訪問看護ステーション：甲訪問看護ステーション",
    ]
    page = client.get(reverse("hospitals:facility_groups")).content.decode()
    assert "令和5年2月1日現在" in page and "甲訪問看護ステーション（名簿外）" in page


def test_group_errors_are_named_and_outside_members_refused(client, world):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    url = reverse("hospitals:facility_group_new", args=[world.area_a.pk])
    page = client.post(url, group_post(**{"m0-name": "名前だけ"})).content.decode()
    assert "1行目の構成施設：「種別」を選んでください。" in page
    outside = {"m0-kind": "hospital", "m0-institution": str(world.hospital_b.pk)}
    page = client.post(url, group_post(**outside)).content.decode()
    assert "1行目の構成施設：「登録済みの医療機関」の選択が正しくありません。" in page
    page = client.post(url, group_post(name="")).content.decode()
    assert "「グループ名」を入力してください。" in page
    assert not FacilityGroup.objects.exists()
    client.force_login(world.users[Role.HEALTH_CENTER])
    other = reverse("hospitals:facility_group_new", args=[world.area_b.pk])
    assert client.post(other, group_post()).status_code == 404
