"""The figures of the progress dashboards, computed with a fixed number of queries.

Every function takes querysets already scoped by zaitaku_portal.access and a fiscal year,
aggregates in the database (GROUP BY), and returns plain rows; the number of queries does not
grow with the number of hubs, hospitals or activities (tests/reports/test_dashboard.py)."""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from subsidies.models import (
    Activity,
    Application,
    ApplicationStatus,
    Confirmation,
    ConfirmationRecipient,
    Decision,
    DecisionLine,
    FiscalYear,
    ResultReport,
)

MEETINGS_MINIMUM = 4  # seed 003: at least four multi-profession meetings a year
DESK_BANDS = ("20時間以上", "10〜19時間", "1〜9時間", "開設なし")
# a meeting with active hospitals: held at one, or of the kind 積極的医療機関との会議
MEETING_WITH_HOSPITALS = Q(kind="meeting") & (
    Q(designation__isnull=False) | Q(meeting_kind__contains="積極的")
)
# a training the hub held: not one its staff only attended (a leader training, seed 003 §4 5)
HELD_TRAINING = Q(kind="training") & ~Q(training_role="attended")


def desk_band(hours: int | None) -> str:
    hours = hours or 0
    if hours >= 20:
        return DESK_BANDS[0]
    if hours >= 10:
        return DESK_BANDS[1]
    if hours >= 1:
        return DESK_BANDS[2]
    return DESK_BANDS[3]


@dataclass
class HubRow:
    hub_id: int
    name: str
    areas: str
    application_id: int | None = None
    application_status: str = "未作成"
    decided: int | None = None
    confirmed: int | None = None
    refund: int | None = None
    report_status: str = "未提出"
    desk_hours: int = 0
    meetings: int = 0
    planned_meetings: int | None = None
    meetings_with_hospitals: int = 0
    trainings: int = 0
    awareness: int = 0
    accompanied_half_days: int = 0
    hospitals: int = 0

    @property
    def meetings_short(self) -> int:
        """Meetings still missing to reach the national minimum (4 a year)."""
        return max(MEETINGS_MINIMUM - self.meetings, 0)

    @property
    def meetings_behind_plan(self) -> int:
        """Meetings still missing to reach the hub's own plan (form 4-③)."""
        return max((self.planned_meetings or 0) - self.meetings, 0)

    @property
    def desk_band(self) -> str:
        return desk_band(self.desk_hours)


@dataclass
class HospitalRow:
    designation_id: int
    institution_id: int
    name: str
    area: str
    hub: str
    municipality: str
    decided: int | None = None
    confirmed: int | None = None


@dataclass
class CoverageRow:
    area_id: int
    name: str
    hubs: list[str] = field(default_factory=list)
    hospitals: int = 0  # 指定中 and 内諾 (seed 002 ※1 counts both; hospitals/coverage.py)
    tentative: int = 0  # of which 内諾

    @property
    def gap(self) -> bool:
        return not self.hubs or not self.hospitals


@dataclass
class Dashboard:
    coverage: list[CoverageRow]
    hubs: list[HubRow]
    hospitals: list[HospitalRow]
    hospitals_per_municipality: list[tuple[str, int]]
    desk_bands: list[tuple[str, int]]
    trend: list[dict]
    status_counts: list[tuple[str, int]]
    computed_at: datetime.datetime | None = None  # the page says as of when (figures cache)

    @property
    def gaps(self) -> list[CoverageRow]:
        return [row for row in self.coverage if row.gap]

    @property
    def tentative_total(self) -> int:
        return sum(row.tentative for row in self.coverage)


def coverage_rows(areas: QuerySet, hubs: QuerySet, designations: QuerySet, today=None):
    """The areas' coverage by the one rule of hospitals.coverage (designation dates)."""
    from hospitals.coverage import coverage_of

    return [
        CoverageRow(
            item.area.pk,
            item.area.name,
            [hub.name for hub in item.hubs],
            item.hospital_count,
            item.tentative_count,
        )
        for item in coverage_of(areas, hubs, designations, today, detail=False)
    ]


def build(
    areas: QuerySet, hubs: QuerySet, designations: QuerySet, fiscal_year, today=None
) -> Dashboard:
    """The dashboard as named steps, each one or two GROUP BY queries."""
    hub_list = list(hubs.order_by("name").prefetch_related("areas"))
    hub_ids = [hub.pk for hub in hub_list]
    active = designations.filter(status="active")
    applications = Application.objects.filter(hub_id__in=hub_ids, fiscal_year=fiscal_year)
    current_decisions = Decision.objects.current().filter(application__in=applications)
    current_confirmations = Confirmation.objects.current().filter(application__in=applications)

    coverage = coverage_rows(areas, hubs, designations, today)
    rows = _hub_rows(hub_list)
    # A hub's row is its own application; its hospitals' own (issue 18, setting (b)) count
    # in the hospital rows, the status counts and the totals, never as the hub's.
    hubs_own = applications.filter(institution__isnull=True)
    _add_applications(rows, hubs_own)
    _add_money(
        rows,
        current_decisions.filter(application__institution__isnull=True),
        current_confirmations.filter(application__institution__isnull=True),
    )
    _add_reports(rows, hubs_own)
    _add_activities(rows, hubs_own)
    for row in active.filter(hub_id__in=hub_ids).values("hub_id").annotate(n=Count("pk")):
        rows[row["hub_id"]].hospitals = row["n"]
    hospital_rows = _hospital_rows(active, current_decisions, current_confirmations)
    return Dashboard(
        coverage=coverage,
        hubs=list(rows.values()),
        hospitals=hospital_rows,
        hospitals_per_municipality=_hospitals_per_municipality(active),
        desk_bands=_desk_bands(rows.values()),
        trend=_trend(hub_ids),
        status_counts=_status_counts(applications),
        computed_at=timezone.now(),
    )


def _hub_rows(hub_list) -> dict[int, HubRow]:
    return {
        hub.pk: HubRow(
            hub.pk,
            hub.name,
            "、".join(a.name for a in hub.areas.all()),
            desk_hours=hub.desk_hours_per_week,
        )
        for hub in hub_list
    }


def _add_applications(rows: dict[int, HubRow], applications: QuerySet) -> None:
    for app in applications.values("pk", "hub_id", "status", "planned_meetings"):
        rows[app["hub_id"]].application_id = app["pk"]
        rows[app["hub_id"]].application_status = ApplicationStatus(app["status"]).label
        rows[app["hub_id"]].planned_meetings = app["planned_meetings"]


def _add_money(rows: dict[int, HubRow], decisions: QuerySet, confirmations: QuerySet) -> None:
    """交付決定額, 確定額 and the difference (positive: 返還) of the current rows, per hub."""
    for row in decisions.values("application__hub_id").annotate(total=Sum("total_amount")):
        rows[row["application__hub_id"]].decided = row["total"]
    for row in confirmations.values("application__hub_id").annotate(
        total=Sum("total_amount"), refund=Sum("difference")
    ):
        rows[row["application__hub_id"]].confirmed = row["total"]
        rows[row["application__hub_id"]].refund = row["refund"]


def _add_reports(rows: dict[int, HubRow], applications: QuerySet) -> None:
    """The report's status, and its 相談窓口 hours when the report gives them."""
    labels = dict(ResultReport._meta.get_field("status").choices)
    for report in ResultReport.objects.filter(application__in=applications).values(
        "application__hub_id", "status", "consultation_hours_per_week"
    ):
        row = rows[report["application__hub_id"]]
        row.report_status = labels[report["status"]]
        if report["consultation_hours_per_week"] is not None:
            row.desk_hours = report["consultation_hours_per_week"]


def _add_activities(rows: dict[int, HubRow], applications: QuerySet) -> None:
    activity_totals = (
        Activity.objects.filter(report__application__in=applications)
        .values("report__application__hub_id")
        .annotate(
            meetings=Count("pk", filter=Q(kind="meeting")),
            meetings_with_hospitals=Count("pk", filter=MEETING_WITH_HOSPITALS),
            trainings=Count("pk", filter=HELD_TRAINING),
            awareness=Count("pk", filter=Q(kind="awareness")),
            accompanied=Sum(
                F("trainees") * F("half_days"), filter=Q(kind="accompanied_visit"), default=0
            ),
        )
    )
    for total in activity_totals:
        row = rows[total["report__application__hub_id"]]
        row.meetings = total["meetings"]
        row.meetings_with_hospitals = total["meetings_with_hospitals"]
        row.trainings = total["trainings"]
        row.awareness = total["awareness"]
        row.accompanied_half_days = total["accompanied"] or 0


def _hospital_rows(active: QuerySet, decisions: QuerySet, confirmations: QuerySet):
    """Each active hospital with its decided and confirmed amounts."""
    hospital_rows = {
        d["pk"]: HospitalRow(
            d["pk"],
            d["institution_id"],
            d["institution__name"],
            d["area__name"],
            d["hub__name"] or "—",
            d["institution__municipality__name"] or "—",
        )
        for d in active.values(
            "pk",
            "institution_id",
            "institution__name",
            "area__name",
            "hub__name",
            "institution__municipality__name",
        ).order_by("area__display_order", "institution__name")
    }
    for line in (
        DecisionLine.objects.filter(decision__in=decisions, designation_id__in=list(hospital_rows))
        .values("designation_id")
        .annotate(total=Sum("decided_amount"))
    ):
        hospital_rows[line["designation_id"]].decided = line["total"]
    for recipient in (
        ConfirmationRecipient.objects.filter(
            confirmation__in=confirmations, designation_id__in=list(hospital_rows)
        )
        .values("designation_id")
        .annotate(total=Sum("required_amount"))
    ):
        hospital_rows[recipient["designation_id"]].confirmed = recipient["total"]
    return list(hospital_rows.values())


def _hospitals_per_municipality(active: QuerySet) -> list[tuple[str, int]]:
    return [
        (row["institution__municipality__name"] or "（不明）", row["n"])
        for row in active.values("institution__municipality__name")
        .annotate(n=Count("institution", distinct=True))
        .order_by("institution__municipality__code")
    ]


def _desk_bands(rows) -> list[tuple[str, int]]:
    bands: dict[str, int] = dict.fromkeys(DESK_BANDS, 0)
    for row in rows:
        bands[row.desk_band] += 1
    return list(bands.items())


def _status_counts(applications: QuerySet) -> list[tuple[str, int]]:
    return [
        (ApplicationStatus(row["status"]).label, row["n"])
        for row in applications.values("status").annotate(n=Count("pk")).order_by("status")
    ]


def status_counts(fiscal_year, hubs: QuerySet) -> list[tuple[str, int]]:
    return _status_counts(Application.objects.filter(fiscal_year=fiscal_year, hub__in=hubs))


def _trend(hub_ids: list[int]) -> list[dict]:
    """Decided and confirmed totals and meetings held, per fiscal year, for these hubs."""
    years: dict[int, dict] = defaultdict(lambda: {"decided": 0, "confirmed": 0, "meetings": 0})
    for row in (
        Decision.objects.current()
        .filter(application__hub_id__in=hub_ids)
        .values("application__fiscal_year__year")
        .annotate(total=Sum("total_amount"))
    ):
        years[row["application__fiscal_year__year"]]["decided"] = row["total"]
    for row in (
        Confirmation.objects.current()
        .filter(application__hub_id__in=hub_ids)
        .values("application__fiscal_year__year")
        .annotate(total=Sum("total_amount"))
    ):
        years[row["application__fiscal_year__year"]]["confirmed"] = row["total"]
    for row in (
        Activity.objects.filter(report__application__hub_id__in=hub_ids, kind="meeting")
        .values("report__application__fiscal_year__year")
        .annotate(n=Count("pk"))
    ):
        years[row["report__application__fiscal_year__year"]]["meetings"] = row["n"]
    known = set(FiscalYear.objects.filter(year__in=list(years)).values_list("year", flat=True))
    return [{"year": year, **years[year]} for year in sorted(years) if year in known]


def years_in_progress(trend: list[dict], today=None) -> frozenset[int]:
    """Indices of the trend's years not over yet (today's fiscal year or later): their
    確定額 is not known, so the chart marks them instead of drawing a fall."""
    from zaitaku_portal.wareki import fiscal_year_of

    current = fiscal_year_of(today or timezone.localdate())
    return frozenset(index for index, row in enumerate(trend) if row["year"] >= current)


@dataclass
class BudgetRow:
    label: str
    decided: int = 0
    confirmed: int = 0
    paid: int = 0
    refunded: int = 0


def data_version() -> tuple:
    """Changes whenever money moves: decisions, confirmations and advance payments are only
    ever added (a correction is a new row), so the newest ids identify the state."""
    from django.db.models import Max

    from subsidies.models import AdvancePayment, Confirmation, Decision

    return (
        Decision.objects.aggregate(m=Max("pk"))["m"],
        Confirmation.objects.aggregate(m=Max("pk"))["m"],
        AdvancePayment.objects.aggregate(m=Max("pk"), n=Count("pk")).values(),
    )


def budget_execution(fiscal_year, hubs: QuerySet) -> tuple[list[BudgetRow], list[BudgetRow]]:
    """Cached until money moves (see data_version); the sums cover tens of thousands of lines."""
    from django.core.cache import cache

    digest = hashlib.sha256(f"{hubs.query}|{data_version()}".encode()).hexdigest()[:32]
    key = f"budget:{fiscal_year.pk}:{digest}"  # the same key in every worker process
    result = cache.get(key)
    if result is None:
        result = _budget_execution(fiscal_year, hubs)
        cache.set(key, result, 24 * 60 * 60)  # the key changes whenever money moves
    return result


def _budget_execution(fiscal_year, hubs: QuerySet) -> tuple[list[BudgetRow], list[BudgetRow]]:
    """Per menu (decided) and per area (decided, confirmed, paid, refunded). A hub that
    covers several areas is counted in its first area, so area totals add up to the whole."""
    from subsidies.models import (
        AdvancePayment,
        Confirmation,
        Decision,
        DecisionLine,
        SubsidyMenu,
    )

    hub_ids = hubs.values("pk")  # a subquery: no list of thousands of ids in the SQL
    decisions = Decision.objects.current().filter(
        application__fiscal_year=fiscal_year, application__hub_id__in=hub_ids
    )
    # Summed per menu id (a hash aggregate over integers), named afterwards: grouping by
    # the name sorted 62,000 rows of text.
    decided_per_menu = dict(
        DecisionLine.objects.filter(decision__in=decisions)
        .values("menu_id")
        .annotate(total=Sum("decided_amount"))
        .order_by()
        .values_list("menu_id", "total")
    )
    per_menu = [
        BudgetRow(menu.name, decided=decided_per_menu[menu.pk])
        for menu in SubsidyMenu.objects.filter(pk__in=list(decided_per_menu)).order_by(
            "display_order", "pk"
        )
    ]
    from hubs.models import Hub

    first_area: dict[int, str] = {}
    for hub_id, area_name, _order in (
        Hub.objects.filter(pk__in=hub_ids)
        .values_list("pk", "areas__name", "areas__display_order")
        .order_by("pk", "areas__display_order")
    ):
        first_area.setdefault(hub_id, area_name or "（圏域なし）")
    areas: dict[str, BudgetRow] = {}

    def area_row(hub_id: int) -> BudgetRow:
        name = first_area.get(hub_id, "（圏域なし）")
        return areas.setdefault(name, BudgetRow(name))

    for row in decisions.values("application__hub_id").annotate(total=Sum("total_amount")):
        area_row(row["application__hub_id"]).decided += row["total"]
    confirmations = Confirmation.objects.current().filter(
        application__fiscal_year=fiscal_year, application__hub_id__in=hub_ids
    )
    for row in confirmations.values("application__hub_id").annotate(
        total=Sum("total_amount"),
        refunded=Sum("difference", filter=Q(difference__gt=0), default=0),
    ):
        area_row(row["application__hub_id"]).confirmed += row["total"]
        area_row(row["application__hub_id"]).refunded += row["refunded"]
    for row in (
        AdvancePayment.objects.filter(
            application__fiscal_year=fiscal_year, application__hub_id__in=hub_ids
        )
        .values("application__hub_id")
        .annotate(total=Sum("amount"))
    ):
        area_row(row["application__hub_id"]).paid += row["total"]
    return per_menu, sorted(areas.values(), key=lambda r: r.label)
