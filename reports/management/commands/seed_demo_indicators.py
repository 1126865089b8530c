"""Demo data for seed 002's indicators on the dashboard: each hub's plan of the year
(trainings, lectures, the meeting with administrators, meetings with active hospitals,
accompanied-visit training), a second coordinator with another qualification for some hubs,
and the prefecture's coordinator briefings and exchange meetings with who attended.

Run by seed_demo after the other demo commands; running it again changes nothing. The held
figures come from the results reports the other commands file."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction

from hubs.models import CoordinatorMeetingAttendance, Hub, HubCoordinator, HubYearPlan

Q = HubCoordinator.Qualification
# per hub, by name order: (trainings, lectures, administrators, hospital meetings,
# accompanied, trainees, sites) — the spread of seed 002's answers, some left 未登録
PLANS = [
    (2, 1, "planned", 4, "planned", "doctors", "active_only"),
    (1, 0, "planned", 3, "planned", "doctors_and_students", "active_and_other"),
    (0, 2, "planned", 10, "not_planned", "", ""),
    (3, 1, "not_planned", 3, "planned", "doctors", "active_only"),
    (None, None, "", None, "", "", ""),
    (1, 1, "planned", 8, "planned", "undecided", "other_only"),
    (0, 0, "planned", 0, "not_planned", "", ""),
    (2, 2, "planned", 12, "planned", "doctors", "active_and_other"),
]
SECOND_COORDINATORS = [("比嘉 真理", Q.I), ("宮里 健", Q.U), ("大城 さやか", Q.E)]
# (kind, month, day, venue) of each year's meetings, as Osaka held them (seed 002 Ⅲ(2))
MEETINGS = [
    ("briefing", 5, 16, "Web開催"),
    ("briefing", 5, 17, "会場とWeb併用"),
    ("exchange", 7, 22, "那覇市医師会館"),
    ("exchange", 7, 31, "名護市民会館"),
]


class Command(BaseCommand):
    help = "進捗ダッシュボードの取組の指標（予定・資格・説明会への参加）のデモデータを投入します。"

    def handle(self, *args, **options):
        hubs = list(Hub.objects.order_by("name"))
        with transaction.atomic():
            for index, hub in enumerate(hubs):
                for year in (2024, 2026):
                    self.plan(hub, year, PLANS[(index + year) % len(PLANS)])
                    self.attendance(hub, year, index)
                if index % 3 == 0:
                    name, qualification = SECOND_COORDINATORS[index // 3 % len(SECOND_COORDINATORS)]
                    HubCoordinator.objects.get_or_create(
                        hub=hub,
                        name=name,
                        defaults={
                            "qualification": qualification,
                            "since": datetime.date(2024, 4, 1),
                        },
                    )
        self.stdout.write(f"取組の指標のデモデータ: {len(hubs)}拠点")

    def plan(self, hub, year: int, values) -> None:
        trainings, lectures, administrators, hospital, accompanied, trainees, sites = values
        HubYearPlan.objects.update_or_create(
            hub=hub,
            fiscal_year=year,
            defaults={
                "planned_trainings": trainings,
                "planned_lectures": lectures,
                "administrators_meeting": administrators,
                "planned_hospital_meetings": hospital,
                "accompanied_visit": accompanied,
                "accompanied_trainees": trainees,
                "accompanied_sites": sites,
            },
        )

    def attendance(self, hub, year: int, index: int) -> None:
        """Every hub at one of the two briefings; some at an exchange meeting."""
        for number, (kind, month, day, venue) in enumerate(MEETINGS):
            briefing_day = number == index % 2
            exchange_day = number == 2 + index % 2 and index % 3 != 2
            if briefing_day or exchange_day:
                CoordinatorMeetingAttendance.objects.get_or_create(
                    hub=hub,
                    kind=kind,
                    held_on=datetime.date(year, month, day),
                    defaults={"venue": venue, "attendees": 1 + (index + number) % 3},
                )
