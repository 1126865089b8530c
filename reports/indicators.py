"""Seed 002's indicators per hub, per area and per municipality, as a health center reads
them: what each hub planned and held in the fiscal year, the desk's hours, the coordinators
and their qualification (ア〜エ), the active hospitals of every municipality (also those with
none), accompanied-visit training, and the coordinator briefings and exchange meetings.

Held figures are the results report's activities; the planned number of meetings is the
application's; the other plans and the meetings attended are the hub's yearly record
(hubs/models/year_record.py). `build` is a list of named steps, each one query (GROUP BY or
one plain list), so the count does not grow with the hubs, hospitals or activities
(tests/reports/test_seed002_indicators.py)."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet, Sum

from hospitals.coverage import current_designations, current_tentative
from hubs.models import CoordinatorMeetingAttendance, HubCoordinator, HubYearPlan
from hubs.models.year_record import AccompaniedSites, AccompaniedTrainees, PlanChoice
from reports.dashboard import DESK_BANDS, HELD_TRAINING, MEETING_WITH_HOSPITALS, desk_band
from subsidies.models import Activity, Application, ResultReport
from subsidies.results.models import TraineeType, TrainingSite
from subsidies.results.reading import ADMINISTRATORS_MEETING_KIND
from zaitaku_portal.models import Municipality

HELD, PLANNED, NOT_PLANNED, UNKNOWN = "開催済み", "予定あり（未開催）", "予定なし", "未登録"
EVENT_STATES = (HELD, PLANNED, NOT_PLANNED, UNKNOWN)
QUALIFICATIONS = tuple(
    (choice.value, choice.label[:3]) for choice in HubCoordinator.Qualification
)  # ("a", "（ア）") …
WITH_ADMINISTRATORS = Q(kind="meeting") & (
    Q(with_administrators=True) | Q(meeting_kind=ADMINISTRATORS_MEETING_KIND)
)
MANY_HOSPITAL_MEETINGS = 10  # seed 002 (4)(イ) groups "10回以上"


def event_state(held: int, planned: int | None) -> str:
    """seed 002 Ⅰ: 開催済み・予定あり / 開催予定なし, with 未登録 apart (nothing recorded)."""
    if held:
        return HELD
    if planned is None:
        return UNKNOWN
    return PLANNED if planned else NOT_PLANNED


def hospital_meetings_band(planned: int | None) -> str:
    if planned is None:
        return UNKNOWN
    if planned == 0:
        return NOT_PLANNED
    return "10回以上" if planned >= MANY_HOSPITAL_MEETINGS else f"{planned}回"


@dataclass
class Attendance:
    kind: str
    held_on: datetime.date
    venue: str
    attendees: int


@dataclass
class HubIndicators:
    hub_id: int
    name: str
    area_ids: list[int]
    areas: str
    desk_hours: int = 0
    planned_meetings: int | None = None
    meetings: int = 0
    administrators_meetings: int = 0
    administrators_plan: str = ""
    trainings: int = 0
    planned_trainings: int | None = None
    lectures: int = 0
    planned_lectures: int | None = None
    hospital_meetings: int = 0
    planned_hospital_meetings: int | None = None
    accompanied_plan: str = ""
    accompanied_trainees: str = ""
    accompanied_sites: str = ""
    accompanied_held: int = 0
    accompanied_half_days: int = 0
    accompanied_held_trainees: list[str] = field(default_factory=list)
    accompanied_held_sites: list[str] = field(default_factory=list)
    coordinators: list[tuple[str, str]] = field(default_factory=list)  # (name, "（ア）")
    attended: list[Attendance] = field(default_factory=list)

    @property
    def desk_band(self) -> str:
        return desk_band(self.desk_hours)

    @property
    def training_state(self) -> str:
        return event_state(self.trainings, self.planned_trainings)

    @property
    def lecture_state(self) -> str:
        return event_state(self.lectures, self.planned_lectures)

    @property
    def hospital_meetings_band(self) -> str:
        return hospital_meetings_band(self.planned_hospital_meetings)

    @property
    def accompanied_state(self) -> str:
        if self.accompanied_held:
            return HELD
        return self.accompanied_plan or UNKNOWN

    @property
    def qualifications(self) -> str:
        return "、".join(f"{name}{letter}" for name, letter in self.coordinators)

    def qualification_count(self, letter: str) -> int:
        return sum(1 for _, own in self.coordinators if own == letter)

    @property
    def attended_people(self) -> int:
        return sum(item.attendees for item in self.attended)


@dataclass
class MunicipalityRow:
    area: str
    name: str
    active: int = 0
    tentative: int = 0

    @property
    def total(self) -> int:
        return self.active + self.tentative


@dataclass
class AreaIndicators:
    area_id: int
    name: str
    hubs: list[HubIndicators]
    municipalities: list[MunicipalityRow]

    def total(self, name: str) -> int:
        return sum(getattr(hub, name) or 0 for hub in self.hubs)

    def hubs_in(self, state_name: str, state: str) -> int:
        return sum(1 for hub in self.hubs if getattr(hub, state_name) == state)

    @property
    def hospitals(self) -> int:
        return sum(row.total for row in self.municipalities)

    @property
    def municipalities_without(self) -> list[str]:
        return [row.name for row in self.municipalities if not row.total]


@dataclass
class MeetingRow:
    """One briefing or exchange meeting, as seed 002 Ⅲ(2) reports it (第１回 19区 39人)."""

    kind: str
    held_on: datetime.date
    venues: list[str]
    hubs: list[str]
    attendees: int


@dataclass
class Indicators:
    hubs: list[HubIndicators]
    areas: list[AreaIndicators]
    municipalities: list[MunicipalityRow]
    meetings: list[MeetingRow]

    def counts(self, state_name: str, states) -> list[tuple[str, int]]:
        found = Counter(getattr(hub, state_name) for hub in self.hubs)
        return [(state, found[state]) for state in states]

    @property
    def summary(self) -> list[tuple[str, str, int]]:
        """seed 002's counts of hubs per answer (研修会 開催済み・予定あり 9区 …)."""
        rows = []
        for title, name, states in _SUMMARY_ITEMS:
            rows += [(title, state, n) for state, n in self.counts(name, states(self))]
        return rows


def _hospital_meeting_bands(board: Indicators) -> list[str]:
    found = {hub.hospital_meetings_band for hub in board.hubs}
    counted = sorted(
        (band for band in found if band.endswith("回") and band != "10回以上"),
        key=lambda band: int(band[:-1]),
    )
    return [*counted, "10回以上", NOT_PLANNED, UNKNOWN]


_SUMMARY_ITEMS = (
    ("医療・介護関係者等向け研修会", "training_state", lambda _: EVENT_STATES),
    ("地域住民への講演会・普及啓発", "lecture_state", lambda _: EVENT_STATES),
    ("相談窓口の週あたり開設時間", "desk_band", lambda _: DESK_BANDS),
    ("積極的医療機関との会議の予定回数", "hospital_meetings_band", _hospital_meeting_bands),
    ("同行訪問研修", "accompanied_state", lambda _: (HELD, *PlanChoice.labels, UNKNOWN)),
    ("同行訪問研修の対象者", "accompanied_trainees", lambda _: AccompaniedTrainees.labels),
    ("同行訪問研修の研修先", "accompanied_sites", lambda _: AccompaniedSites.labels),
)


def build(
    areas: QuerySet, hubs: QuerySet, designations: QuerySet, fiscal_year, today=None
) -> Indicators:
    """Every indicator of the year for the hubs and areas in scope (a fixed number of
    queries: 13 whatever the number of hubs, hospitals and activities)."""
    today = today or datetime.date.today()
    area_list = list(areas.order_by("display_order", "name").values_list("pk", "name"))
    rows = _hub_rows(hubs)
    year = fiscal_year.year if fiscal_year else None
    if year is not None:
        applications = Application.objects.filter(hub_id__in=list(rows), fiscal_year=fiscal_year)
        # the hub's plan and desk are its own application's; the activities of the area
        # include its hospitals' own reports (issue 18 (b)), as the hub's report holds them
        # when the hub applies for its hospitals (a)
        hubs_own = applications.filter(institution__isnull=True)
        _add_plan_of_application(rows, hubs_own)
        _add_desk_hours(rows, hubs_own)
        _add_activities(rows, applications)
        _add_accompanied_kinds(rows, applications)
        _add_year_plans(rows, year)
        _add_attendance(rows, year)
    _add_coordinators(rows)
    municipalities = _municipality_rows(areas, designations, today)
    hub_list = sorted(rows.values(), key=lambda row: row.name)
    return Indicators(
        hubs=hub_list,
        areas=[
            AreaIndicators(
                pk,
                name,
                [hub for hub in hub_list if pk in hub.area_ids],
                [row for row in municipalities if row.area == name],
            )
            for pk, name in area_list
        ],
        municipalities=municipalities,
        meetings=_meeting_rows(hub_list),
    )


def _hub_rows(hubs: QuerySet) -> dict[int, HubIndicators]:
    rows: dict[int, HubIndicators] = {}
    for hub in hubs.order_by("name").prefetch_related("areas"):
        areas = list(hub.areas.all())
        rows[hub.pk] = HubIndicators(
            hub.pk,
            hub.name,
            [area.pk for area in areas],
            "、".join(area.name for area in areas),
            desk_hours=hub.desk_hours_per_week,
        )
    return rows


def _add_plan_of_application(rows, applications: QuerySet) -> None:
    for hub_id, planned in applications.values_list("hub_id", "planned_meetings"):
        rows[hub_id].planned_meetings = planned


def _add_desk_hours(rows, applications: QuerySet) -> None:
    """The report's hours when it gives them, else the hub's (as the dashboard does)."""
    for hub_id, hours in ResultReport.objects.filter(
        application__in=applications, consultation_hours_per_week__isnull=False
    ).values_list("application__hub_id", "consultation_hours_per_week"):
        rows[hub_id].desk_hours = hours


def _add_activities(rows, applications: QuerySet) -> None:
    for total in (
        Activity.objects.filter(report__application__in=applications)
        .values("report__application__hub_id")
        .annotate(
            meetings=Count("pk", filter=Q(kind="meeting")),
            administrators=Count("pk", filter=WITH_ADMINISTRATORS),
            hospital_meetings=Count("pk", filter=MEETING_WITH_HOSPITALS),
            trainings=Count("pk", filter=HELD_TRAINING),
            lectures=Count("pk", filter=Q(kind="awareness")),
            accompanied=Count("pk", filter=Q(kind="accompanied_visit")),
            half_days=Sum(
                F("trainees") * F("half_days"), filter=Q(kind="accompanied_visit"), default=0
            ),
        )
        .order_by()
    ):
        row = rows[total["report__application__hub_id"]]
        row.meetings = total["meetings"]
        row.administrators_meetings = total["administrators"]
        row.hospital_meetings = total["hospital_meetings"]
        row.trainings = total["trainings"]
        row.lectures = total["lectures"]
        row.accompanied_held = total["accompanied"]
        row.accompanied_half_days = total["half_days"] or 0


def _add_accompanied_kinds(rows, applications: QuerySet) -> None:
    """Whom the held accompanied visits trained and where (seed 002 (5), as reported)."""
    trainees, sites = dict(TraineeType.choices), dict(TrainingSite.choices)
    for hub_id, trainee, site in (
        Activity.objects.filter(report__application__in=applications, kind="accompanied_visit")
        .values_list("report__application__hub_id", "trainee_type", "training_site")
        .distinct()
        .order_by("trainee_type", "training_site")
    ):
        row = rows[hub_id]
        if trainee and trainees[trainee] not in row.accompanied_held_trainees:
            row.accompanied_held_trainees.append(trainees[trainee])
        if site and sites[site] not in row.accompanied_held_sites:
            row.accompanied_held_sites.append(sites[site])


def _add_year_plans(rows, year: int) -> None:
    plan_labels = dict(PlanChoice.choices)
    trainees, sites = dict(AccompaniedTrainees.choices), dict(AccompaniedSites.choices)
    for plan in HubYearPlan.objects.filter(hub_id__in=list(rows), fiscal_year=year):
        row = rows[plan.hub_id]
        row.planned_trainings = plan.planned_trainings
        row.planned_lectures = plan.planned_lectures
        row.planned_hospital_meetings = plan.planned_hospital_meetings
        row.administrators_plan = plan_labels.get(plan.administrators_meeting, "")
        row.accompanied_plan = plan_labels.get(plan.accompanied_visit, "")
        row.accompanied_trainees = trainees.get(plan.accompanied_trainees, "")
        row.accompanied_sites = sites.get(plan.accompanied_sites, "")


def _add_attendance(rows, year: int) -> None:
    start, end = datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)
    for item in CoordinatorMeetingAttendance.objects.filter(
        hub_id__in=list(rows), held_on__range=(start, end)
    ).order_by("held_on", "kind"):
        rows[item.hub_id].attended.append(
            Attendance(item.get_kind_display(), item.held_on, item.venue, item.attendees)
        )


def _add_coordinators(rows) -> None:
    letters = dict(QUALIFICATIONS)
    for hub_id, name, qualification in (
        HubCoordinator.objects.filter(hub_id__in=list(rows))
        .order_by("name", "pk")
        .values_list("hub_id", "name", "qualification")
    ):
        rows[hub_id].coordinators.append((name, letters.get(qualification, "（不明）")))


def _municipality_rows(areas: QuerySet, designations: QuerySet, today) -> list[MunicipalityRow]:
    """Every municipality of the areas, with its current 指定中 and 内諾 (seed 002 ※1), also
    the ones with none; a hospital outside its area's municipalities gets its own row."""
    rows: dict[tuple[str, str], MunicipalityRow] = {}
    for area, name in (
        Municipality.objects.filter(home_care_areas__in=areas)
        .order_by("home_care_areas__display_order", "home_care_areas__name", "code")
        .values_list("home_care_areas__name", "name")
    ):
        rows.setdefault((area, name), MunicipalityRow(area, name))
    counted = Q(pk__in=current_designations(designations, today).values("pk")) | Q(
        pk__in=current_tentative(designations, today).values("pk")
    )
    for area, name, status, n in (
        designations.filter(counted)
        .values_list("area__name", "institution__municipality__name", "status")
        .annotate(n=Count("institution", distinct=True))
        .order_by()
    ):
        row = rows.setdefault((area, name or "（不明）"), MunicipalityRow(area, name or "（不明）"))
        if status == "tentative":
            row.tentative += n
        else:
            row.active += n
    return list(rows.values())


def _meeting_rows(hubs: list[HubIndicators]) -> list[MeetingRow]:
    grouped: dict[tuple[datetime.date, str], MeetingRow] = {}
    for hub in hubs:
        for item in hub.attended:
            row = grouped.setdefault(
                (item.held_on, item.kind), MeetingRow(item.kind, item.held_on, [], [], 0)
            )
            row.hubs.append(hub.name)
            row.attendees += item.attendees
            if item.venue and item.venue not in row.venues:
                row.venues.append(item.venue)
    return [grouped[key] for key in sorted(grouped)]
