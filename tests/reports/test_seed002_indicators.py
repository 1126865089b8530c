"""Seed 002's indicators on the dashboard, every figure worked by hand from the factory data
below; the hub's yearly record page that feeds them; scope; constant queries."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hubs.models import CoordinatorMeetingAttendance, HubCoordinator, HubYearPlan
from reports import indicators
from reports.indicator_tables import tables_of
from subsidies.models import Activity, FiscalYear
from tests import factories as f
from tests.reports.dashboard_data import year_of_work
from zaitaku_portal import scopes
from zaitaku_portal.audit import AuditEntry
from zaitaku_portal.models import Role

Q = HubCoordinator.Qualification


def board_for(user, year=2026):
    return indicators.build(
        scopes.areas_for(user),
        scopes.hubs_for(user),
        scopes.designations_for(user),
        FiscalYear.objects.get(year=year),
        today=datetime.date(2026, 9, 1),
    )


def _plan(hub, **values):
    return HubYearPlan.objects.create(hub=hub, fiscal_year=2026, **values)


def _attend(hub, kind, day, people, venue=""):
    return CoordinatorMeetingAttendance.objects.create(
        hub=hub, kind=kind, held_on=day, attendees=people, venue=venue
    )


@pytest.fixture
def worked(world):
    """甲拠点 (area 甲, towns 甲市 and 丙町): planned 5 meetings, held 3 plain + 1 with
    administrators + 1 at 甲病院 = 5; 2 trainings held + 1 only attended; 1 lecture; two
    accompanied visits (2×3 and 1×4 half days, doctors, at active hospitals); desk 15 h
    (report); coordinators ア (the world's) and ウ. 乙拠点 (area 乙): plan only, nothing held."""
    staff = world.users[Role.PREFECTURE_STAFF]
    town_c = f.MunicipalityFactory(name="丙町", secondary_area=world.area_a.secondary_area)
    world.area_a.municipalities.add(town_c)
    tentative = f.MedicalInstitutionFactory(
        name="丁診療所", municipality=world.hospital_a.municipality
    )
    f.DesignationFactory(institution=tentative, area=world.area_a, status="tentative")
    application = year_of_work(
        world.hub_a, staff, meetings=3, trainings=2, awareness=1, hours=15, accompanied=[]
    )
    application.planned_meetings = 5
    application.save(update_fields=["planned_meetings"])
    report = application.result_report
    extra = [
        {"kind": "meeting", "title": "管理者会合", "with_administrators": True},
        {"kind": "meeting", "title": "病院との会議", "designation": world.designation_a},
        {"kind": "training", "title": "県リーダー研修", "training_role": "attended"},
        {
            "kind": "accompanied_visit",
            "title": "同行1",
            "trainees": 2,
            "half_days": 3,
            "trainee_type": "doctors",
            "training_site": "active",
        },
        {
            "kind": "accompanied_visit",
            "title": "同行2",
            "trainees": 1,
            "half_days": 4,
            "trainee_type": "doctors",
            "training_site": "active",
        },
    ]
    for values in extra:
        Activity.objects.create(report=report, **values)
    HubCoordinator.objects.create(hub=world.hub_a, name="介護 花子", qualification=Q.U)
    _plan(
        world.hub_a,
        planned_trainings=3,
        planned_lectures=0,
        administrators_meeting="planned",
        planned_hospital_meetings=4,
        accompanied_visit="planned",
        accompanied_trainees="doctors",
        accompanied_sites="active_only",
    )
    year_of_work(world.hub_b, staff, meetings=0)
    _plan(
        world.hub_b,
        planned_trainings=2,
        planned_lectures=0,
        planned_hospital_meetings=12,
        accompanied_visit="not_planned",
    )
    HubCoordinator.objects.create(hub=world.hub_b, name="連携 次郎", qualification=Q.E)
    _attend(world.hub_a, "briefing", datetime.date(2026, 5, 16), 2, "Web開催")
    _attend(world.hub_b, "briefing", datetime.date(2026, 5, 16), 3, "Web開催")
    _attend(world.hub_a, "exchange", datetime.date(2026, 7, 22), 1, "甲市民センター")
    _attend(world.hub_a, "briefing", datetime.date(2027, 4, 10), 9)  # next fiscal year
    return world


def test_a_hubs_indicators_as_the_health_center_reads_them(worked):
    board = board_for(worked.users[Role.HEALTH_CENTER])
    (hub,) = board.hubs  # 乙拠点 is another health center's
    assert hub.name == "甲拠点"
    # meetings: 3 plain + 1 with administrators + 1 at 甲病院 = 5 of 5 planned
    assert (hub.planned_meetings, hub.meetings) == (5, 5)
    assert (hub.administrators_plan, hub.administrators_meetings) == ("予定あり", 1)
    assert (hub.planned_hospital_meetings, hub.hospital_meetings) == (4, 1)
    # trainings: 2 held by the hub; the leader training it only attended does not count
    assert (hub.planned_trainings, hub.trainings, hub.training_state) == (3, 2, "開催済み")
    assert (hub.planned_lectures, hub.lectures, hub.lecture_state) == (0, 1, "開催済み")
    assert (hub.desk_hours, hub.desk_band) == (15, "10〜19時間")  # the report's 15 h
    # by name: 介護 花子 (ウ) before the world's 利用者 … (ア)
    assert [letter for _, letter in hub.coordinators] == ["（ウ）", "（ア）"]
    assert hub.coordinators[0][0] == "介護 花子"
    assert [hub.qualification_count(x) for x in ("（ア）", "（イ）", "（ウ）", "（エ）")] == [
        1,
        0,
        1,
        0,
    ]
    # accompanied: planned for doctors at active hospitals; held twice, 2×3 + 1×4 = 10
    assert (hub.accompanied_plan, hub.accompanied_trainees, hub.accompanied_sites) == (
        "予定あり",
        "医師のみ",
        "積極的医療機関のみ",
    )
    assert (hub.accompanied_held, hub.accompanied_half_days) == (2, 10)
    assert (hub.accompanied_held_trainees, hub.accompanied_held_sites) == (
        ["医師"],
        ["積極的医療機関"],
    )
    assert hub.accompanied_state == "開催済み"
    # attendance of FY2026 only: 5/16 briefing 2人, 7/22 exchange 1人 (2027-04-10 is FY2027)
    assert [(a.kind, a.held_on.isoformat(), a.attendees) for a in hub.attended] == [
        ("コーディネーター説明会", "2026-05-16", 2),
        ("コーディネーター意見交換会", "2026-07-22", 1),
    ]


def test_every_municipality_counts_also_those_without_an_active_hospital(worked):
    board = board_for(worked.users[Role.HEALTH_CENTER])
    # 甲市: 甲病院 指定中 + 丁診療所 内諾 (※1); 丙町: none, still listed with 0
    rows = [(r.area, r.name, r.active, r.tentative, r.total) for r in board.municipalities]
    assert rows == [("甲圏域", "甲市", 1, 1, 2), ("甲圏域", "丙町", 0, 0, 0)]
    (area,) = board.areas
    assert (area.hospitals, area.municipalities_without) == (2, ["丙町"])


def test_staff_sees_both_areas_and_seed002s_counts_of_hubs(worked):
    board = board_for(worked.users[Role.PREFECTURE_STAFF])
    assert [hub.name for hub in board.hubs] == ["乙拠点", "甲拠点"]
    summary = {(item, state): n for item, state, n in board.summary}
    # 研修会: 甲 held (開催済み), 乙 planned 2 and held none (予定あり)
    assert summary[("医療・介護関係者等向け研修会", "開催済み")] == 1
    assert summary[("医療・介護関係者等向け研修会", "予定あり（未開催）")] == 1
    # 講演会: 甲 held 1; 乙 planned 0 → 予定なし
    assert summary[("地域住民への講演会・普及啓発", "予定なし")] == 1
    # desk: 甲 15 h (report), 乙 20 h (the hub's, no report hours)
    assert summary[("相談窓口の週あたり開設時間", "20時間以上")] == 1
    assert summary[("相談窓口の週あたり開設時間", "10〜19時間")] == 1
    # meetings with active hospitals planned: 甲 4回, 乙 12 → 10回以上
    assert summary[("積極的医療機関との会議の予定回数", "4回")] == 1
    assert summary[("積極的医療機関との会議の予定回数", "10回以上")] == 1
    assert summary[("同行訪問研修", "開催済み")] == 1
    assert summary[("同行訪問研修", "予定なし")] == 1
    assert summary[("同行訪問研修の対象者", "医師のみ")] == 1
    assert summary[("同行訪問研修の研修先", "積極的医療機関のみ")] == 1
    # 5/16 briefing: both hubs, 2 + 3 = 5 people; 7/22 exchange: 甲 only, 1 person
    assert [
        (m.held_on.isoformat(), m.kind, m.hubs, m.attendees, m.venues) for m in board.meetings
    ] == [
        ("2026-05-16", "コーディネーター説明会", ["乙拠点", "甲拠点"], 5, ["Web開催"]),
        ("2026-07-22", "コーディネーター意見交換会", ["甲拠点"], 1, ["甲市民センター"]),
    ]


def test_the_area_table_adds_up_its_hubs(worked):
    tables = {t.key: t for t in tables_of(board_for(worked.users[Role.PREFECTURE_STAFF]))}
    table = tables["seed002_areas"]
    headers = [c.header for c in table.columns]
    rows = {row[0]: dict(zip(headers, row, strict=True)) for row in table.rows}
    a, b = rows["甲圏域"], rows["乙圏域"]
    assert (a["拠点数"], a["会議（予定）"], a["会議（開催）"]) == (1, 5, 5)
    assert a["管理者等の会合を開いた拠点"] == 1 and b["管理者等の会合を開いた拠点"] == 0
    assert (b["研修会：予定あり（未開催）"], b["講演会：予定なし"]) == (1, 1)
    assert (
        a["コーディネーター（ア）"],
        a["コーディネーター（ウ）"],
        b["コーディネーター（エ）"],
    ) == (1, 1, 1)
    # 甲: 甲病院 + 丁診療所 (内諾) = 2, 丙町 without; 乙: 乙病院 in 乙村
    assert (a["積極的医療機関"], a["うち内諾"], a["医療機関のない市区町村"]) == (2, 1, 1)
    assert (b["積極的医療機関"], b["医療機関のない市区町村"]) == (1, 0)
    assert (a["積極的医療機関との会議（予定）"], b["積極的医療機関との会議（予定）"]) == (4, 12)
    assert (a["同行訪問研修の予定がある拠点"], a["同行訪問研修を実施した拠点"]) == (1, 1)
    # 甲: 2 + 1 people in FY2026; 乙: 3
    assert (
        a["説明会・意見交換会の参加者（延べ人）"],
        b["説明会・意見交換会の参加者（延べ人）"],
    ) == (3, 3)


def test_the_page_shows_each_table_with_caption_and_scopes_and_exports_numbers(client, worked):
    client.force_login(worked.users[Role.HEALTH_CENTER])
    page = client.get("/reports/dashboard/?year=2026").content.decode()
    assert "<caption>拠点別の会議（予定と開催）（令和8年度）</caption>" in page
    assert '<th scope="row">丙町</th>' in page
    assert "乙拠点" not in page  # another health center's hub
    assert "コーディネーター説明会" in page and "令和8年5月16日" in page
    response = client.get("/reports/dashboard/export/seed002_meetings/?year=2026")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]] == ["甲拠点", "甲圏域", 5, 5, "予定あり", 1, 4, 1]
    response = client.get("/reports/dashboard/export/seed002_municipalities/?year=2026")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[3]] == ["丙町", "甲圏域", 0, 0, 0]  # a number, not "0"
    chart = client.get("/reports/dashboard/export/events/?year=2026")
    sheet = openpyxl.load_workbook(io.BytesIO(chart.content)).active
    assert [c.value for c in sheet[2]] == ["開催済み", 1, 1]  # 甲: training and lecture held
    attended = client.get("/reports/dashboard/export/seed002_attendance/?year=2026")
    sheet = openpyxl.load_workbook(io.BytesIO(attended.content)).active
    assert sheet["B2"].value == datetime.datetime(2026, 5, 16)  # a date cell
    assert sheet["E2"].value == 2


def _hub_with_everything(world, index):
    staff = world.users[Role.PREFECTURE_STAFF]
    area = world.area_a if index % 2 else world.area_b
    hub = f.HubFactory(name=f"追加拠点{index}", areas=[area])
    town = f.MunicipalityFactory(name=f"追加町{index}", secondary_area=area.secondary_area)
    area.municipalities.add(town)
    institution = f.MedicalInstitutionFactory(municipality=town)
    designation = f.DesignationFactory(institution=institution, area=area, hub=hub)
    application = year_of_work(
        hub,
        staff,
        meetings=2,
        trainings=1,
        awareness=1,
        accompanied=[(1, 2)],
        hospital_line=(designation, 10_000),
    )
    Activity.objects.create(
        report=application.result_report,
        kind="meeting",
        title="病院",
        designation=designation,
        with_administrators=True,
    )
    HubCoordinator.objects.create(hub=hub, name=f"担当{index}", qualification=Q.I)
    _plan(
        hub,
        planned_trainings=1,
        planned_lectures=1,
        planned_hospital_meetings=3,
        accompanied_visit="planned",
        accompanied_trainees="undecided",
        accompanied_sites="undecided",
    )
    _attend(hub, "briefing", datetime.date(2026, 5, 16), 1)


@pytest.mark.parametrize("role", [Role.PREFECTURE_STAFF, Role.HEALTH_CENTER])
def test_dashboard_queries_are_the_same_with_2_and_6_hubs(client, world, role):
    client.force_login(world.users[role])
    counts = []
    added = 0
    for total in (2, 6):
        while added < total:  # hubs with every indicator recorded, in both areas
            _hub_with_everything(world, added)
            added += 1
        for url in ("/reports/dashboard/?year=2026", "/reports/dashboard/export/all/?year=2026"):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
    assert counts[:2] == counts[2:], counts


# --- the hub's yearly record page ----------------------------------------------------------


def test_the_coordinator_records_the_plan_and_a_bad_one_saves_nothing(client, world):
    client.force_login(world.users[Role.HUB_COORDINATOR])
    url = f"/hubs/{world.hub_a.pk}/year/?year=2026"
    assert "年間の取組予定" in client.get(url).content.decode()
    bad = client.post(
        url,
        {
            "part": "plan",
            "accompanied_visit": "not_planned",
            "accompanied_trainees": "doctors",
            "planned_trainings": "３",
        },
    )
    text = bad.content.decode()
    assert bad.status_code == 200
    assert (
        "同行訪問研修が「予定あり」でないときは「同行訪問研修の対象者」を空欄にしてください。"
        in text
    )
    assert not HubYearPlan.objects.exists()
    too_many = client.post(url, {"part": "plan", "planned_lectures": "100"})
    assert "地域住民への講演会・普及啓発の開催予定回数" in too_many.content.decode()
    assert not HubYearPlan.objects.exists()
    saved = client.post(
        url,
        {
            "part": "plan",
            "planned_trainings": "３",
            "planned_lectures": "0",
            "administrators_meeting": "planned",
            "planned_hospital_meetings": "4",
            "accompanied_visit": "planned",
            "accompanied_trainees": "doctors_and_students",
            "accompanied_sites": "active_and_other",
        },
    )
    assert saved.status_code == 302
    plan = HubYearPlan.objects.get(hub=world.hub_a, fiscal_year=2026)
    assert (plan.planned_trainings, plan.planned_lectures, plan.planned_hospital_meetings) == (
        3,
        0,
        4,
    )
    assert plan.accompanied_sites == "active_and_other"
    entry = AuditEntry.objects.get(action="拠点の年間の取組予定の保存")
    assert entry.changes["同行訪問研修の研修先"] == "積極的医療機関と他医療機関"


def test_the_coordinator_adds_and_deletes_an_attendance_within_the_year(client, world):
    client.force_login(world.users[Role.HUB_COORDINATOR])
    url = f"/hubs/{world.hub_a.pk}/year/?year=2026"
    outside = client.post(
        url, {"part": "attendance", "kind": "briefing", "held_on": "2027-04-01", "attendees": "2"}
    )
    assert (
        "「開催日」は令和8年度（2026年4月1日〜2027年3月31日）の日付にしてください。"
        in outside.content.decode()
    )
    nobody = client.post(
        url, {"part": "attendance", "kind": "briefing", "held_on": "2026-05-16", "attendees": "0"}
    )
    assert "「参加者数（人）」は1以上で入力してください。" in nobody.content.decode()
    assert not CoordinatorMeetingAttendance.objects.exists()
    data = {
        "part": "attendance",
        "kind": "briefing",
        "held_on": "2026-05-16",
        "venue": "Web開催",
        "attendees": "２",
    }
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert (
        "コーディネーター説明会（2026-05-16）の参加は既に登録されています。"
        in again.content.decode()
    )
    (attendance,) = CoordinatorMeetingAttendance.objects.all()
    assert attendance.attendees == 2
    assert client.post(url, {"part": "delete", "attendance": attendance.pk}).status_code == 302
    assert not CoordinatorMeetingAttendance.objects.exists()
    assert AuditEntry.objects.filter(action__startswith="説明会・意見交換会への参加").count() == 2


def test_another_hubs_attendance_cannot_be_deleted(client, world):
    other = _attend(world.hub_b, "briefing", datetime.date(2026, 5, 16), 1)
    client.force_login(world.users[Role.HUB_COORDINATOR])
    response = client.post(
        f"/hubs/{world.hub_a.pk}/year/?year=2026", {"part": "delete", "attendance": other.pk}
    )
    assert "削除する参加記録が見つかりません。" in response.content.decode()
    assert CoordinatorMeetingAttendance.objects.filter(pk=other.pk).exists()
