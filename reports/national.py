"""A national-scale data set (DOMAIN.md: about 2,000 hubs, 12,000 active hospitals, 330 areas)
for load tests and query-count tests. Written with bulk_create: minutes, not hours.

generate is a list of named steps: the geography, the hubs, the hospitals, the users, then per
fiscal year the applications and their plans, the decisions, the advances, the results
reports and (for closed years) the confirmations. One random generator runs through them in
that order, so a seed always gives the same data."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from hospitals.codes import luhn_check_digit
from hospitals.models import ActiveHospitalDesignation, MedicalInstitution
from hubs.models import CoordinatorMeetingAttendance, Hub, HubCoordinator, HubYearPlan
from subsidies.models import (
    Activity,
    AdvancePayment,
    Application,
    ApplicationVersion,
    Confirmation,
    ConfirmationRecipient,
    Decision,
    DecisionLine,
    MenuPlan,
    ResultReport,
    ResultReportVersion,
)
from zaitaku_portal import figures
from zaitaku_portal.models import (
    HealthCenter,
    HomeCareArea,
    Municipality,
    SecondaryMedicalArea,
    User,
)

BATCH = 2000
HUB_MENUS_PER_HUB = 7
MENUS_PER_HOSPITAL = 4


@dataclass(frozen=True)
class Scale:
    hubs: int = 2000
    hospitals: int = 12000
    areas: int = 330
    years: int = 3
    first_year: int = 2024
    prefix: str = "全国"
    seed: int = 2024


def _fiscal_years(scale: Scale):
    from subsidies.catalogue.services import (
        CATALOGUE_DIR,
        copy_fiscal_year,
        load_catalogue_file,
    )
    from subsidies.models import FiscalYear

    source = FiscalYear.objects.filter(menus__code__startswith="okinawa").first()
    if source is None:
        source = load_catalogue_file(
            settings.BASE_DIR / CATALOGUE_DIR / "okinawa_fy2026.json", actor=None
        )
    years = []
    for year in range(scale.first_year, scale.first_year + scale.years):
        existing = FiscalYear.objects.filter(year=year).first()
        years.append(existing or copy_fiscal_year(source, year, actor=None))
    # The generated years carry decisions, which only a confirmed (確定) catalogue may have.
    FiscalYear.objects.filter(pk__in=[y.pk for y in years]).update(
        catalogue_status=FiscalYear.CatalogueStatus.CONFIRMED
    )
    for fiscal_year in years:
        fiscal_year.catalogue_status = FiscalYear.CatalogueStatus.CONFIRMED
    return years


@dataclass
class _World:
    """What every step after the geography reads: the seeded generator and the rows so far."""

    scale: Scale
    rng: random.Random
    hubs: list
    by_hub: dict[int, list]
    staff: User | None = None
    coordinator: User | None = None


@transaction.atomic
def generate(scale: Scale, log=print) -> dict[str, int]:
    rng = random.Random(scale.seed)  # noqa: S311 - synthetic test data, not secrets
    counts: dict[str, int] = {}
    areas, municipalities, centers = _geography(scale)
    counts["areas"] = len(areas)
    log(f"  圏域 {len(areas)}・市区町村 {len(municipalities)}・保健所 {len(centers)}")
    hubs = _hubs(scale, rng, areas)
    counts["hubs"] = len(hubs)
    designations = _hospitals(scale, rng, municipalities, areas, hubs)
    counts["hospitals"] = len(designations)
    log(f"  拠点 {len(hubs)}・積極的医療機関 {len(designations)}")
    world = _World(scale, rng, hubs, by_hub={})
    for designation in designations:
        world.by_hub.setdefault(designation.hub_id, []).append(designation)
    world.staff, world.coordinator = _users(scale.prefix, centers, hubs)
    for fiscal_year in _fiscal_years(scale):
        _fiscal_year_data(world, fiscal_year, log)
    figures.changed()  # written with bulk_create: no signal told the figures cache
    return counts


def _geography(scale: Scale):
    """二次医療圏, three 市 each, a 在宅医療圏 and a 保健所 per 二次医療圏."""
    p = scale.prefix
    first_pk = (
        SecondaryMedicalArea.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    secondaries = SecondaryMedicalArea.objects.bulk_create(
        [
            SecondaryMedicalArea(code=f"{(first_pk + i) % 10000:04d}", name=f"{p}医療圏{i + 1}")
            for i in range(scale.areas)
        ],
        batch_size=BATCH,
    )
    base = Municipality.objects.count()
    municipalities = Municipality.objects.bulk_create(
        [
            Municipality(
                code=f"{900000 - base - i:06d}",
                name=f"{p}市{i + 1}",
                kind=Municipality.Kind.CITY,
                secondary_area=secondaries[i // 3 % scale.areas],
            )
            for i in range(scale.areas * 3)
        ],
        batch_size=BATCH,
    )
    areas = HomeCareArea.objects.bulk_create(
        [
            HomeCareArea(
                name=f"{p}圏域{i + 1}",
                basis=HomeCareArea.Basis.SECONDARY,
                secondary_area=secondaries[i],
                display_order=i,
            )
            for i in range(scale.areas)
        ],
        batch_size=BATCH,
    )
    HomeCareArea.municipalities.through.objects.bulk_create(
        [
            HomeCareArea.municipalities.through(
                homecarearea_id=areas[i // 3 % scale.areas].pk, municipality_id=m.pk
            )
            for i, m in enumerate(municipalities)
        ],
        batch_size=BATCH,
    )
    centers = HealthCenter.objects.bulk_create(
        [
            HealthCenter(name=f"{p}保健所{i + 1}", operator=HealthCenter.Operator.PREFECTURE)
            for i in range(scale.areas)
        ],
        batch_size=BATCH,
    )
    HealthCenter.municipalities.through.objects.bulk_create(
        [
            HealthCenter.municipalities.through(
                healthcenter_id=centers[i // 3 % scale.areas].pk, municipality_id=m.pk
            )
            for i, m in enumerate(municipalities)
        ],
        batch_size=BATCH,
    )
    return areas, municipalities, centers


def _hubs(scale: Scale, rng: random.Random, areas) -> list:
    p = scale.prefix
    hubs = Hub.objects.bulk_create(
        [
            Hub(
                name=f"{p}拠点{i + 1:05d}",
                operator_type=Hub.OperatorType.MEDICAL_ASSOCIATION,
                operator_name=f"{p}医師会{i + 1}",
                representative_title="会長",
                representative_name=f"代表{i + 1}",
                district_count=1 + i % 3,
                desk_hours_per_week=rng.choice([0, 5, 12, 20, 40]),
                designated_from=datetime.date(scale.first_year, 4, 1),
            )
            for i in range(scale.hubs)
        ],
        batch_size=BATCH,
    )
    Hub.areas.through.objects.bulk_create(
        [
            Hub.areas.through(hub_id=hub.pk, homecarearea_id=areas[i % scale.areas].pk)
            for i, hub in enumerate(hubs)
        ],
        batch_size=BATCH,
    )
    return hubs


def _hospitals(scale: Scale, rng: random.Random, municipalities, areas, hubs) -> list:
    p = scale.prefix
    serial_base = MedicalInstitution.objects.count() + 1
    institutions = []
    for i in range(scale.hospitals):
        first_nine = f"{(i % 47) + 1:02d}1{(serial_base + i) % 1_000_000:06d}"
        institutions.append(
            MedicalInstitution(
                code=first_nine + luhn_check_digit(first_nine),
                name=f"{p}医療機関{serial_base + i:06d}",
                kind=MedicalInstitution.Kind.HOSPITAL
                if i % 4 == 0
                else MedicalInstitution.Kind.CLINIC,
                municipality=municipalities[i % len(municipalities)],
                support_tier=rng.choice(list(MedicalInstitution.SupportTier.values)),
            )
        )
    institutions = MedicalInstitution.objects.bulk_create(institutions, batch_size=BATCH)
    designations = ActiveHospitalDesignation.objects.bulk_create(
        [
            ActiveHospitalDesignation(
                institution=institution,
                area=areas[(i % scale.hubs) % scale.areas],
                hub=hubs[i % scale.hubs],
                start_date=datetime.date(scale.first_year, 4, 1),
            )
            for i, institution in enumerate(institutions)
        ],
        batch_size=BATCH,
    )
    return designations


def _users(p: str, centers, hubs):
    staff, _ = User.objects.get_or_create(
        username=f"{p}-staff", defaults={"role": "prefecture_staff", "full_name": f"{p} 県職員"}
    )
    coordinator, _ = User.objects.get_or_create(
        username=f"{p}-coordinator",
        defaults={"role": "hub_coordinator", "full_name": f"{p} コーディネーター"},
    )
    health_center, _ = User.objects.get_or_create(
        username=f"{p}-hc",
        defaults={"role": "health_center", "full_name": f"{p} 保健所", "health_center": centers[0]},
    )
    for user in (staff, coordinator, health_center):
        user.set_password("national-pass-2026")
        user.save()
    hubs[0].coordinators.create(user=coordinator, name=coordinator.full_name, qualification="a")
    return staff, coordinator


def _fiscal_year_data(world: _World, fiscal_year, log) -> None:
    menus = list(fiscal_year.menus.order_by("display_order"))
    hub_menus = [m for m in menus if m.recipient_type == "hub"][:HUB_MENUS_PER_HUB]
    hospital_menus = [m for m in menus if m.recipient_type == "hospital"][:MENUS_PER_HOSPITAL]
    last = fiscal_year.year == world.scale.first_year + world.scale.years - 1
    applications = _applications(world, fiscal_year, last)
    plans = _plans(world, applications, hub_menus, hospital_menus)
    versions = _application_versions(world, applications)
    decided = [(a, v) for a, v in zip(applications, versions, strict=True) if a.status == "decided"]
    decisions, lines = _decisions(world, fiscal_year, decided, hub_menus, hospital_menus)
    _advances(world, fiscal_year, decisions)
    reports = ResultReport.objects.bulk_create(
        [
            ResultReport(
                application=d.application,
                status="draft" if last else "confirmed",
                consultation_hours_per_week=world.rng.choice([0, 5, 12, 20, 40]),
            )
            for d in decisions
        ],
        batch_size=BATCH,
    )
    activities = _activities(world, fiscal_year, reports)
    _year_records(world, fiscal_year.year)
    if not last:
        _confirmations(world, fiscal_year, decisions, reports)
    log(
        f"  {fiscal_year}: 申請 {len(applications)}・計画行 {len(plans)}・決定行 {len(lines)}"
        f"・活動 {len(activities)}"
    )


def _year_records(world: _World, year: int) -> None:
    """Each hub's plan of the year and its attendance at two coordinator meetings (seed
    002), with a generator of their own so the other steps' data stay as they were; the
    coordinators' qualification (ア〜エ) in the first year."""
    rng = random.Random(f"{world.scale.seed}-{year}")  # noqa: S311 - synthetic test data
    HubYearPlan.objects.bulk_create(
        [
            HubYearPlan(
                hub=hub,
                fiscal_year=year,
                planned_trainings=rng.choice([None, 0, 1, 2]),
                planned_lectures=rng.choice([None, 0, 1]),
                administrators_meeting=rng.choice(["", "planned", "not_planned"]),
                planned_hospital_meetings=rng.choice([None, 0, 3, 4, 8, 12]),
                accompanied_visit="not_planned",
            )
            for hub in world.hubs
        ],
        batch_size=BATCH,
    )
    CoordinatorMeetingAttendance.objects.bulk_create(
        [
            CoordinatorMeetingAttendance(
                hub=hub, kind=kind, held_on=datetime.date(year, month, 16), attendees=1 + i % 3
            )
            for i, hub in enumerate(world.hubs)
            for kind, month in (("briefing", 5), ("exchange", 7))
        ],
        batch_size=BATCH,
    )
    if year == world.scale.first_year:
        letters = [choice.value for choice in HubCoordinator.Qualification]
        HubCoordinator.objects.bulk_create(
            [
                HubCoordinator(hub=hub, name=f"担当{i + 1}", qualification=rng.choice(letters))
                for i, hub in enumerate(world.hubs)
            ],
            batch_size=BATCH,
        )


def _applications(world: _World, fiscal_year, last: bool) -> list:
    """Decided, except in the last year, where every third is somewhere on the way."""
    rng = world.rng
    return Application.objects.bulk_create(
        [
            Application(
                hub=hub,
                fiscal_year=fiscal_year,
                status=rng.choice(["submitted", "under_review", "returned", "decided"])
                if last and i % 3 == 0
                else "decided",
                district_count=hub.district_count,
                district_policy="市町村ごと",
                meeting_body_count=2,
                meeting_members="医師会、訪問看護、地域包括支援センター",
            )
            for i, hub in enumerate(world.hubs)
        ],
        batch_size=BATCH,
    )


def _plans(world: _World, applications, hub_menus, hospital_menus) -> list:
    plans = []
    for application in applications:
        for menu in hub_menus:
            plans.append(
                MenuPlan(
                    application=application,
                    menu=menu,
                    wish=True,
                    expenses={"honoraria": 300_000},
                )
            )
        for designation in world.by_hub.get(application.hub_id, []):
            for menu in hospital_menus:
                plans.append(
                    MenuPlan(
                        application=application,
                        menu=menu,
                        designation=designation,
                        wish=True,
                        trainees=2,
                        half_days=2,
                        expenses={"travel": 100_000},
                    )
                )
    MenuPlan.objects.bulk_create(plans, batch_size=BATCH)
    return plans


def _application_versions(world: _World, applications) -> list:
    versions = [
        ApplicationVersion(
            application=application,
            number=1,
            label="交付申請",
            snapshot={},
            created_by=world.coordinator,
        )
        for application in applications
    ]
    return ApplicationVersion.objects.bulk_create(versions, batch_size=BATCH)


def _decisions(world: _World, fiscal_year, decided, hub_menus, hospital_menus):
    """A decision per decided application: the hub's menus at up to 300,000 yen each, each
    hospital's at up to 100,000 yen (never above the menu's cap)."""
    decisions = Decision.objects.bulk_create(
        [
            Decision(
                application=a,
                number=1,
                version=v,
                notice_number=f"{fiscal_year.year - 2018}医政第{a.pk}号",
                notice_date=datetime.date(fiscal_year.year, 6, 1),
                total_amount=0,
                decided_by=world.staff,
            )
            for a, v in decided
        ],
        batch_size=BATCH,
    )
    lines = []
    for decision, (application, _) in zip(decisions, decided, strict=True):
        decision_lines = _decision_lines(world, decision, application, hub_menus, hospital_menus)
        decision.total_amount = sum(line.decided_amount for line in decision_lines)
        lines.extend(decision_lines)
    DecisionLine.objects.bulk_create(lines, batch_size=BATCH)
    Decision.objects.bulk_update(decisions, ["total_amount"], batch_size=BATCH)
    return decisions, lines


def _decision_lines(world: _World, decision, application, hub_menus, hospital_menus) -> list:
    lines = []
    for menu in hub_menus:
        amount = min(menu.cap_amount or 0, 300_000)
        lines.append(
            DecisionLine(
                decision=decision,
                menu=menu,
                recipient_name=application.hub.name,
                computed_amount=amount,
                decided_amount=amount,
            )
        )
    for designation in world.by_hub.get(application.hub_id, []):
        for menu in hospital_menus:
            amount = min(menu.cap_amount or 0, 100_000)
            lines.append(
                DecisionLine(
                    decision=decision,
                    menu=menu,
                    designation=designation,
                    recipient_name=designation.institution.name,
                    computed_amount=amount,
                    decided_amount=amount,
                )
            )
    return lines


def _advances(world: _World, fiscal_year, decisions) -> None:
    """概算払: half of each decided total, paid in July."""
    AdvancePayment.objects.bulk_create(
        [
            AdvancePayment(
                application=d.application,
                amount=d.total_amount // 2,
                paid_on=datetime.date(fiscal_year.year, 7, 1),
                recorded_by=world.staff,
            )
            for d in decisions
        ],
        batch_size=BATCH,
    )


def _activities(world: _World, fiscal_year, reports) -> list:
    activities = []
    for report in reports:
        for number in range(world.rng.randint(2, 6)):
            activities.append(
                Activity(
                    report=report,
                    kind="meeting",
                    title=f"連携会議{number + 1}",
                    held_on=datetime.date(fiscal_year.year, 5 + number, 10),
                    participants_by_profession={"医師": 3, "看護師": 4, "介護支援専門員": 5},
                )
            )
        activities.append(Activity(report=report, kind="training", title="多職種研修"))
        activities.append(
            Activity(report=report, kind="awareness", title="市民講座", attendance=80)
        )
        activities.append(
            Activity(
                report=report,
                kind="accompanied_visit",
                title="同行訪問",
                trainees=2,
                half_days=3,
            )
        )
    Activity.objects.bulk_create(activities, batch_size=BATCH)
    return activities


def _confirmations(world: _World, fiscal_year, decisions, reports) -> None:
    """A closed year: each report's version, its 額の確定 (90% of the decided total, rounded
    down to 1,000 yen) and a recipient row for the hub and each of its hospitals."""
    report_versions = ResultReportVersion.objects.bulk_create(
        [
            ResultReportVersion(
                report=r, number=1, label="実績報告", snapshot={}, created_by=world.coordinator
            )
            for r in reports
        ],
        batch_size=BATCH,
    )
    confirmations = Confirmation.objects.bulk_create(
        [
            Confirmation(
                application=d.application,
                report_version=rv,
                decision=d,
                number=1,
                notice_number=f"{fiscal_year.year - 2017}医政確第{d.pk}号",
                notice_date=datetime.date(fiscal_year.year + 1, 6, 1),
                total_amount=d.total_amount * 9 // 10 // 1000 * 1000,
                decided_total=d.total_amount,
                advance_total=d.total_amount // 2,
                difference=d.total_amount // 2 - d.total_amount * 9 // 10 // 1000 * 1000,
                snapshot={},
                confirmed_by=world.staff,
            )
            for d, rv in zip(decisions, report_versions, strict=True)
        ],
        batch_size=BATCH,
    )
    recipients = []
    for confirmation in confirmations:
        designation_list = world.by_hub.get(confirmation.application.hub_id, [])
        for designation in [None, *designation_list]:
            amount = 90_000 if designation else 900_000
            recipients.append(
                ConfirmationRecipient(
                    confirmation=confirmation,
                    designation=designation,
                    recipient_name=designation.institution.name
                    if designation
                    else confirmation.application.hub.name,
                    total_cost=amount,
                    other_income=0,
                    net_cost=amount,
                    eligible_expense=amount,
                    base_amount=amount,
                    capped_expense=amount,
                    required_amount=amount,
                    decided_amount=amount,
                    advance_received=0,
                    difference=-amount,
                )
            )
    ConfirmationRecipient.objects.bulk_create(recipients, batch_size=BATCH)
