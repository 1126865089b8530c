"""Every figure of the dashboards against hand-built data; scoping; constant query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import dashboard
from tests import factories as f
from tests.reports.dashboard_data import year_of_work
from zaitaku_portal import scopes
from zaitaku_portal.models import Role


def board_for(user, year=2026):
    from subsidies.models import FiscalYear

    return dashboard.build(
        scopes.areas_for(user),
        scopes.hubs_for(user),
        scopes.designations_for(user),
        FiscalYear.objects.get(year=year),
    )


@pytest.fixture
def worked(world):
    staff = world.users[Role.PREFECTURE_STAFF]
    year_of_work(
        world.hub_a,
        staff,
        decided=1_060_000,
        confirmed=950_000,
        advance=1_060_000,
        meetings=3,
        trainings=2,
        awareness=1,
        accompanied=[(2, 3), (1, 4)],
        hospital_line=(world.designation_a, 200_000),
        hours=15,
    )
    year_of_work(world.hub_a, staff, year=2025, decided=800_000, confirmed=800_000, meetings=5)
    year_of_work(world.hub_b, staff, decided=500_000, meetings=6, report_status="draft")
    return world


def test_health_center_figures(worked):
    board = board_for(worked.users[Role.HEALTH_CENTER])
    assert [row.name for row in board.coverage] == ["甲圏域"]
    (hub,) = board.hubs
    assert hub.name == "甲拠点"
    assert hub.application_status == "交付決定済み"
    assert hub.decided == 1_260_000
    assert hub.confirmed == 950_000
    assert hub.refund == 110_000
    assert hub.report_status == "提出済み"
    assert (hub.meetings, hub.meetings_short) == (3, 1)
    assert (hub.trainings, hub.awareness) == (2, 1)
    assert hub.accompanied_half_days == 2 * 3 + 1 * 4
    assert hub.desk_hours == 15
    assert hub.desk_band == "10〜19時間"
    assert hub.hospitals == 1
    (hospital,) = board.hospitals
    assert (hospital.name, hospital.decided) == ("甲病院", 200_000)
    assert board.hospitals_per_municipality == [("甲市", 1)]
    assert board.trend == [
        {"year": 2025, "decided": 800_000, "confirmed": 800_000, "meetings": 5},
        {"year": 2026, "decided": 1_260_000, "confirmed": 950_000, "meetings": 3},
    ]
    assert board.status_counts == [("交付決定済み", 1)]
    assert board.gaps == []


def test_staff_sees_every_area_and_gaps(worked):
    f.HomeCareAreaFactory(name="丙圏域")
    board = board_for(worked.users[Role.PREFECTURE_STAFF])
    assert [row.name for row in board.gaps] == ["丙圏域"]
    hubs = {row.name: row for row in board.hubs}
    assert hubs["乙拠点"].meetings == 6
    assert hubs["乙拠点"].meetings_short == 0
    assert hubs["乙拠点"].confirmed is None
    assert hubs["乙拠点"].report_status == "作成中"
    assert dict(board.desk_bands) == {
        "20時間以上": 1,
        "10〜19時間": 1,
        "1〜9時間": 0,
        "開設なし": 0,
    }


def test_budget_execution_per_menu_and_area(worked):
    from subsidies.models import FiscalYear

    fiscal_year = FiscalYear.objects.get(year=2026)
    per_menu, per_area = dashboard.budget_execution(
        fiscal_year, scopes.hubs_for(worked.users[Role.PREFECTURE_STAFF])
    )
    assert [(row.label, row.decided) for row in per_menu] == [("会議の開催2026", 1_760_000)]
    areas = {row.label: row for row in per_area}
    assert (areas["甲圏域"].decided, areas["甲圏域"].confirmed) == (1_260_000, 950_000)
    assert (areas["甲圏域"].paid, areas["甲圏域"].refunded) == (1_060_000, 110_000)
    assert (areas["乙圏域"].decided, areas["乙圏域"].confirmed) == (500_000, 0)


def test_pages_show_the_figures_and_export_them(client, worked):
    import io

    import openpyxl

    client.force_login(worked.users[Role.HEALTH_CENTER])
    page = client.get("/reports/dashboard/?year=2026").content.decode()
    assert "1,260,000円" in page and "950,000円" in page
    assert "あと1回" in page
    assert "乙拠点" not in page
    response = client.get("/reports/dashboard/export/hubs/?year=2026")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "甲拠点"
    assert sheet["D2"].value == 1_260_000
    assert sheet.max_row == 2
    chart = client.get("/reports/dashboard/export/meetings/?year=2026")
    sheet = openpyxl.load_workbook(io.BytesIO(chart.content)).active
    assert [c.value for c in sheet[2]] == ["甲拠点", 3, 0]  # held, planned (none entered)
    assert client.get("/reports/dashboard/export/nothing/").status_code == 404

    client.force_login(worked.users[Role.PREFECTURE_STAFF])
    page = client.get("/reports/prefecture/?year=2026").content.decode()
    assert "1,760千円" in page  # decided, all areas
    assert "乙圏域" in page


def _grow(world, count, start):
    staff = world.users[Role.PREFECTURE_STAFF]
    for index in range(count):
        area = world.area_a if index % 2 else world.area_b
        hub = f.HubFactory(name=f"追加拠点{start + index}", areas=[area])
        designation = f.DesignationFactory(area=area, hub=hub)
        year_of_work(
            hub,
            staff,
            decided=100_000,
            confirmed=90_000,
            meetings=2,
            trainings=1,
            hospital_line=(designation, 10_000),
        )


@pytest.mark.parametrize("role", [Role.PREFECTURE_STAFF, Role.HEALTH_CENTER])
def test_query_count_does_not_grow_with_the_data(client, worked, role):
    client.force_login(worked.users[role])
    counts = []
    for step in range(2):
        _grow(worked, 3 if step == 0 else 12, start=step * 100)
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/reports/dashboard/?year=2026")
        assert response.status_code == 200
        assert len(response.context["board"].hubs) >= (4 if step == 0 else 14) // 2
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    if role == Role.PREFECTURE_STAFF:
        counts = []
        for step in range(2):
            _grow(worked, 4 if step == 0 else 10, start=1000 + step * 100)
            with CaptureQueriesContext(connection) as captured:
                assert client.get("/reports/prefecture/?year=2026").status_code == 200
            counts.append(len(captured))
        assert counts[0] == counts[1], counts


def test_prefecture_summary_pdf_has_the_years_figures(client, worked):
    from tests.reports.test_documents import text_of

    client.force_login(worked.users[Role.PREFECTURE_STAFF])
    response = client.get("/reports/prefecture/summary.pdf?year=2026")
    assert response.status_code == 200
    text = text_of(response.content)
    assert "令和8年度在宅医療提供体制強化事業実施状況" in text
    assert "1,760,000円" in text  # decided: 1,260,000 (甲) + 500,000 (乙)
    assert "950,000円" in text  # confirmed
    assert "9回・2回・1回" in text  # meetings 3 + 6, trainings 2, awareness 1


def test_activities_list_exports_one_row_per_activity_in_scope(client, worked):
    import io

    import openpyxl

    client.force_login(worked.users[Role.HEALTH_CENTER])
    response = client.get("/reports/dashboard/activities.xlsx?year=2026")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == 3 + 2 + 1 + 2  # 甲: meetings, trainings, awareness, accompanied visits
    assert {row[0] for row in rows} == {"甲拠点"}
    assert sorted(row[8] for row in rows if row[8]) == [4, 6]  # trainees x half days


def test_meetings_held_against_the_hubs_own_plan(client, worked):
    from subsidies.models import Application

    Application.objects.filter(hub=worked.hub_a, fiscal_year__year=2026).update(planned_meetings=6)
    board = board_for(worked.users[Role.HEALTH_CENTER])
    (hub,) = board.hubs
    assert (hub.meetings, hub.planned_meetings, hub.meetings_behind_plan) == (3, 6, 3)
    assert hub.meetings_short == 1  # against the national minimum of 4
    client.force_login(worked.users[Role.HEALTH_CENTER])
    page = client.get("/reports/dashboard/?year=2026").content.decode()
    assert "3回／予定6回" in page
    assert "計画まであと3回" in page
    assert "目安まであと1回" in page


def test_a_superseded_decision_no_longer_counts(worked):
    """A change approval adds a decision that supersedes the first: only the new one counts,
    per menu, per area, per hub and in the trend."""
    from subsidies.models import Decision, DecisionLine, FiscalYear

    fiscal_year = FiscalYear.objects.get(year=2026)
    first = Decision.objects.get(application__hub=worked.hub_b, application__fiscal_year__year=2026)
    second = Decision.objects.create(
        application=first.application,
        number=2,
        version=first.version,
        supersedes=first,
        notice_number="2026-change",
        notice_date=first.notice_date,
        total_amount=300_000,
        decided_by=first.decided_by,
    )
    line = first.lines.get()
    DecisionLine.objects.create(
        decision=second,
        menu=line.menu,
        recipient_name=line.recipient_name,
        computed_amount=300_000,
        decided_amount=300_000,
    )
    assert list(Decision.objects.current().filter(application=first.application)) == [second]
    per_menu, per_area = dashboard.budget_execution(
        fiscal_year, scopes.hubs_for(worked.users[Role.PREFECTURE_STAFF])
    )
    assert [(row.label, row.decided) for row in per_menu] == [("会議の開催2026", 1_560_000)]
    assert {row.label: row.decided for row in per_area}["乙圏域"] == 300_000
    board = board_for(worked.users[Role.PREFECTURE_STAFF])
    assert {row.name: row.decided for row in board.hubs}["乙拠点"] == 300_000
    assert board.trend[-1]["decided"] == 1_560_000


def test_budget_card_says_unset_or_shows_the_execution_rate(client, worked):
    from subsidies.models import FiscalYear

    staff = worked.users[Role.PREFECTURE_STAFF]
    client.force_login(staff)
    page = client.get("/reports/prefecture/?year=2026").content.decode()
    assert '<div>予算額</div><div class="figure">未設定</div>' in page  # not a budget of 0
    FiscalYear.objects.filter(year=2026).update(budget_amount=4_000_000)
    page = client.get("/reports/prefecture/?year=2026").content.decode()
    assert "4,000千円" in page
    assert "予算残 2,240千円（執行率 44.0%）" in page  # 1,760,000 decided of 4,000,000


def test_the_whole_dashboard_in_one_workbook_keeps_the_scope(client, worked):
    import io

    import openpyxl

    client.force_login(worked.users[Role.HEALTH_CENTER])
    response = client.get("/reports/dashboard/export/all/?year=2026")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == ["在宅医療圏の設置状況", "拠点別の進捗", "積極的医療機関別の状況"]
    assert "多職種連携会議の開催回数（拠点別）" in book.sheetnames
    assert len(book.sheetnames) == 3 + 9 + 8  # 3 tables, seed 002's 9 tables, 8 charts' data
    hubs = book["拠点別の進捗"]
    assert [row[0] for row in hubs.iter_rows(min_row=2, values_only=True)] == ["甲拠点"]
    assert hubs["D2"].value == 1_260_000  # the same figure as the single-table export
    assert "乙拠点" not in str([list(s.values) for s in book.worksheets])  # another area's hub
    assert "attachment" in response["Content-Disposition"]
