"""Benchmark: compute every confirmation (額の確定) of one fiscal year at national scale.

2,000 hubs × 7 menus and 12,000 active hospitals × 4 menus (FY2024: 1,970 hubs, 11,309
hospitals), each hub's application decided and reported, one advance payment per hub, and
once-per-facility grants in the previous year for some hospitals, an accompanied-visit
activity per hospital (some fewer, some more than decided). Data is generated with
bulk_create in a scratch SQLite file (never the project's database). Then, in the same run:

  bulk   subsidies.results.claim.load_claims over the year + claim_snapshots (the 精算額調 of each)
  naive  a straightforward per-application ORM loop (lines, menus, expenses, advances and
         the earlier-year check queried per line), building the same inputs

and both must agree on every application's total.

    .venv/bin/python benchmarks/confirmations.py [--hubs 2000] [--naive-sample 0]

--naive-sample N runs the naive loop on N applications only and extrapolates its time and
query count (0 = all applications)."""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

SCRATCH = Path(tempfile.gettempdir()) / "zaitaku_bench_confirmations.sqlite3"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zaitaku_portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")  # development settings (off by default)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Sum  # noqa: E402

from hospitals.models import ActiveHospitalDesignation, MedicalInstitution  # noqa: E402
from hubs.models import Hub  # noqa: E402
from subsidies.applications.plan_data import line_key  # noqa: E402
from subsidies.applications.reading import rule_of  # noqa: E402
from subsidies.models import (  # noqa: E402
    Activity,
    AdvancePayment,
    Application,
    ApplicationVersion,
    Decision,
    DecisionLine,
    FiscalYear,
    ResultExpense,
    ResultReport,
    SubsidyMenu,
)
from subsidies.results import claim as claims  # noqa: E402
from subsidies.results.calculation import FacilityInput, MenuInput, calculate_claim  # noqa: E402
from zaitaku_portal.models import (  # noqa: E402
    HomeCareArea,
    Municipality,
    Role,
    SecondaryMedicalArea,
    User,
)

HUB_MENUS = [
    ("h1", "多職種が参加する連携会議の開催", 1_060_000, "per_recipient", (1, 1)),
    ("h2", "資源把握・課題整理・対応策検討", 600_000, "per_district", (1, 1)),
    ("h3", "関係機関との連携、調整", 1_400_000, "per_recipient", (1, 1)),
    ("h4", "急変時の対応体制や24時間体制の構築", 1_200_000, "per_recipient", (2, 3)),
    ("h5", "ICTシステム導入経費", 550_000, "per_recipient", (1, 2)),
    ("h6", "研修の開催", 518_000, "per_recipient", (1, 1)),
    ("h7", "在宅医療の普及啓発", 472_000, "per_recipient", (1, 1)),
]
HOSPITAL_MENUS = [
    ("p1", "連携体制構築経費", 200_000, "per_recipient", (1, 1)),
    ("p2", "同行訪問等研修", 42_000, "per_person_half_day", (1, 1)),
    ("p3", "BCP策定・BCP策定支援", 518_000, "per_recipient", (1, 2)),
    ("p4", "病状変化時の受入態勢確保", 4_000_000, "once_per_facility", (1, 2)),
]
BATCH = 5_000


class QueryCounter:
    """Counts every SQL statement (CaptureQueriesContext keeps only the last 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._cm = connection.execute_wrapper(self)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        self._cm.__exit__(*exc)

    def __len__(self):
        return self.count


def generate(hub_count: int) -> None:
    if SCRATCH.exists():
        SCRATCH.unlink()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    staff = User.objects.create(username="bench", role=Role.PREFECTURE_STAFF)
    secondary = SecondaryMedicalArea.objects.create(code="9901", name="ベンチ医療圏")
    town = Municipality.objects.create(
        code="990001", name="ベンチ市", kind=Municipality.Kind.CITY, secondary_area=secondary
    )
    areas = HomeCareArea.objects.bulk_create(
        HomeCareArea(
            name=f"圏域{i}", basis=HomeCareArea.Basis.MUNICIPALITY, secondary_area=secondary
        )
        for i in range(330)
    )
    fy, prior = (
        FiscalYear.objects.create(year=2026, budget_amount=10_000_000_000),
        FiscalYear.objects.create(year=2025),
    )
    menus = {}
    for year in (fy, prior):
        for order, (code, name, cap, unit, (num, den)) in enumerate(HUB_MENUS + HOSPITAL_MENUS):
            menus[(year.year, code)] = SubsidyMenu.objects.create(
                fiscal_year=year,
                recipient_type="hub" if code.startswith("h") else "hospital",
                code=code,
                name=name,
                cap_amount=cap,
                cap_unit=unit,
                rate_numerator=num,
                rate_denominator=den,
                display_order=order,
            )
    hubs = Hub.objects.bulk_create(
        (
            Hub(
                name=f"拠点{i:05d}",
                operator_type=Hub.OperatorType.MEDICAL_ASSOCIATION,
                operator_name=f"医師会{i}",
                designated_from=datetime.date(2024, 4, 1),
            )
            for i in range(hub_count)
        ),
        batch_size=BATCH,
    )
    Hub.areas.through.objects.bulk_create(
        (
            Hub.areas.through(hub=hub, homecarearea=areas[i % len(areas)])
            for i, hub in enumerate(hubs)
        ),
        batch_size=BATCH,
    )
    per_hub = 6
    institutions = MedicalInstitution.objects.bulk_create(
        (
            MedicalInstitution(
                code=f"99{i:08d}", name=f"病院{i:05d}", kind="hospital", municipality=town
            )
            for i in range(hub_count * per_hub)
        ),
        batch_size=BATCH,
    )
    designations = ActiveHospitalDesignation.objects.bulk_create(
        (
            ActiveHospitalDesignation(
                institution=inst,
                area=areas[(i // per_hub) % len(areas)],
                hub=hubs[i // per_hub],
                start_date=datetime.date(2024, 4, 1),
            )
            for i, inst in enumerate(institutions)
        ),
        batch_size=BATCH,
    )

    def decide(year, hub_indexes, hub_codes, hospital_codes):
        applications = Application.objects.bulk_create(
            (
                Application(
                    hub=hubs[i], fiscal_year=year, status="decided", district_count=1 + i % 3
                )
                for i in hub_indexes
            ),
            batch_size=BATCH,
        )
        versions = ApplicationVersion.objects.bulk_create(
            (
                ApplicationVersion(
                    application=a,
                    number=1,
                    label="交付申請",
                    snapshot={
                        "plan": {
                            "district_count": a.district_count,
                            "lines": {
                                line_key("p2", d.pk): {"trainees": 2, "half_days": 3}
                                for d in designations[i * per_hub : (i + 1) * per_hub]
                            },
                        }
                    },
                )
                for i, a in zip(hub_indexes, applications, strict=True)
            ),
            batch_size=BATCH,
        )
        decisions = Decision.objects.bulk_create(
            (
                Decision(
                    application=a,
                    number=1,
                    version=v,
                    notice_number=f"{year.year - 2018}医政第{n + 1}号",
                    notice_date=datetime.date(year.year, 5, 1),
                    total_amount=0,
                    decided_by=staff,
                )
                for n, (a, v) in enumerate(zip(applications, versions, strict=True))
            ),
            batch_size=BATCH,
        )
        lines = []
        for i, decision in zip(hub_indexes, decisions, strict=True):
            for code in hub_codes:
                menu = menus[(year.year, code)]
                amount = menu.cap_amount * (1 + i % 3 if code == "h2" else 1)
                lines.append(
                    DecisionLine(
                        decision=decision,
                        menu=menu,
                        recipient_name=hubs[i].name,
                        computed_amount=amount,
                        decided_amount=amount * 9 // 10,
                    )
                )
            for d in designations[i * per_hub : (i + 1) * per_hub]:
                for code in hospital_codes:
                    menu = menus[(year.year, code)]
                    amount = menu.cap_amount * (6 if code == "p2" else 1) // 2
                    lines.append(
                        DecisionLine(
                            decision=decision,
                            menu=menu,
                            designation=d,
                            recipient_name=d.institution.name,
                            computed_amount=amount,
                            decided_amount=amount,
                        )
                    )
        DecisionLine.objects.bulk_create(lines, batch_size=BATCH)
        return applications, decisions, lines

    # earlier year: a tenth of the hubs had the once-per-facility menu granted to their hospitals
    decide(prior, range(0, hub_count, 10), [], ["p4"])
    applications, _decisions, lines = decide(
        fy, range(hub_count), [c for c, *_ in HUB_MENUS], [c for c, *_ in HOSPITAL_MENUS]
    )
    reports = ResultReport.objects.bulk_create(
        (ResultReport(application=a, status="under_review") for a in applications), batch_size=BATCH
    )
    report_of = {r.application_id: r for r in reports}
    # the accompanied visits done, per hospital: some fewer than the 2人 × 3半日 decided (the
    # cap follows what was done), some more (never more than decided)
    Activity.objects.bulk_create(
        (
            Activity(
                report=report_of[a.pk],
                kind="accompanied_visit",
                title="同行訪問研修",
                designation=d,
                trainees=1 + n % 3,
                half_days=2 + n % 3,
            )
            for i, a in enumerate(applications)
            for n, d in enumerate(designations[i * per_hub : (i + 1) * per_hub])
        ),
        batch_size=BATCH,
    )
    app_of_decision = {a.pk: a for a in applications}
    decision_app = {
        d.pk: d.application_id for d in Decision.objects.filter(application__fiscal_year=fy)
    }
    expenses = []
    for n, line in enumerate(lines):
        app_id = decision_app[line.decision_id]
        actual = line.menu.cap_amount * (3 + n % 5) // 4  # 75% … 175% of a unit's cap
        expenses.append(
            ResultExpense(
                report=report_of[app_id],
                menu=line.menu,
                designation=line.designation,
                expenses={"honorarium": actual},
                actual_expense_total=actual,
                total_cost=actual + 10_000 * (n % 3),
                other_income=5_000 * (n % 4),
                excluded_amount=1_999 * (n % 7 == 0),
            )
        )
    ResultExpense.objects.bulk_create(expenses, batch_size=BATCH)
    AdvancePayment.objects.bulk_create(
        (
            AdvancePayment(
                application=a,
                amount=3_000_000,
                paid_on=datetime.date(2026, 7, 1),
                recorded_by=staff,
            )
            for a in app_of_decision.values()
        ),
        batch_size=BATCH,
    )
    print(
        f"generated in {time.perf_counter() - started:.1f} s: {len(applications):,} applications, "
        f"{len(designations):,} hospitals, {len(lines):,} decided lines, "
        f"{len(expenses):,} reported expenses"
    )


def naive_claim(application: Application) -> int:
    """What a first implementation would write: follow the relations one object at a time."""
    decision = application.decisions.filter(superseded_by__isnull=True).order_by("-number").first()
    fy = application.fiscal_year
    rule = replace(rule_of(fy), other_income_level=fy.other_income_level)
    plan = decision.version.snapshot["plan"]
    recipients: dict = {}
    for line in decision.lines.all():
        recipients.setdefault(line.designation_id, []).append(line)
    total = 0
    for designation_id, lines in recipients.items():
        menus = []
        for line in lines:
            menu = line.menu
            designation = line.designation
            expense = ResultExpense.objects.filter(
                report__application=application, menu=menu, designation=designation
            ).first()
            units = 1
            if menu.cap_unit == "per_district":
                units = plan["district_count"]
            elif menu.cap_unit == "per_person_half_day":
                data = plan["lines"].get(line_key(menu.code, designation_id), {})
                planned = (data.get("trainees") or 0) * (data.get("half_days") or 0)
                done = sum(
                    (a.trainees or 0) * (a.half_days or 0)
                    for a in Activity.objects.filter(
                        report__application=application,
                        kind="accompanied_visit",
                        designation=designation,
                    )
                )
                units = min(planned, done)
            before = (
                menu.cap_unit == "once_per_facility"
                and DecisionLine.objects.filter(
                    menu__code=menu.code,
                    designation__institution=designation.institution,
                    decided_amount__gt=0,
                    decision__superseded_by__isnull=True,
                    decision__application__fiscal_year__year__lt=application.fiscal_year.year,
                ).exists()
            )
            actual = expense.actual_expense if expense else 0
            menus.append(
                MenuInput(
                    menu_code=line_key(menu.code, designation_id),
                    menu_name=menu.name,
                    cap_amount=menu.cap_amount,
                    units=units,
                    rate=menu.rate,
                    actual_expense=actual,
                    excluded_expense=min(expense.excluded_amount, actual) if expense else 0,
                    total_cost=expense.total_cost if expense else 0,
                    other_income=expense.other_income if expense else 0,
                    decided_amount=line.decided_amount,
                    once_per_facility=menu.cap_unit == "once_per_facility",
                    already_granted_before=before,
                )
            )
        advance = (
            AdvancePayment.objects.filter(
                application=application, designation_id=designation_id
            ).aggregate(total=Sum("amount"))["total"]
            or 0
        )
        name = lines[0].recipient_name
        result = calculate_claim(
            FacilityInput(recipient_name=name, menus=tuple(menus), advance_received=advance), rule
        )
        total += result.required_amount
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hubs", type=int, default=2000)
    parser.add_argument("--naive-sample", type=int, default=0)
    parser.add_argument("--skip-generate", action="store_true", help="reuse the scratch DB")
    args = parser.parse_args()
    if not args.skip_generate:
        generate(args.hubs)
    print(f"load average (1 min) at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    year = Application.objects.filter(fiscal_year__year=2026)

    connection.close()
    with QueryCounter() as queries:
        started, cpu_started = time.perf_counter(), time.process_time()
        all_claims = claims.load_claims(year)
        bulk_seconds = time.perf_counter() - started
        bulk_cpu = time.process_time() - cpu_started
        snapshots = claims.claim_snapshots(all_claims.values())
        snapshot_seconds = time.perf_counter() - started - bulk_seconds
    recipients = sum(len(s["recipients"]) for s in snapshots)
    total = sum(c.total_amount for c in all_claims.values())
    print(
        f"bulk : {len(all_claims):,} applications, {recipients:,} recipients, "
        f"{bulk_seconds:.2f} s wall ({bulk_cpu:.2f} s CPU of this process), {len(queries)} SQL "
        f"queries, total G {total:,}円"
    )
    print(f"bulk : + 精算額調 snapshots (JSON of every step) {snapshot_seconds:.2f} s")
    ten = list(year.order_by("pk").values_list("pk", flat=True)[:10])
    with QueryCounter() as small:
        claims.load_claims(Application.objects.filter(pk__in=ten))
    print(f"bulk : 10 applications → {len(small)} SQL queries (does not grow with applications)")

    sample = list(year.select_related("fiscal_year").order_by("pk"))
    if args.naive_sample:
        sample = sample[: args.naive_sample]
    with QueryCounter() as queries:
        started, cpu_started = time.perf_counter(), time.process_time()
        naive = {a.pk: naive_claim(a) for a in sample}
        naive_seconds = time.perf_counter() - started
        naive_cpu = time.process_time() - cpu_started
    mismatches = [pk for pk, amount in naive.items() if all_claims[pk].total_amount != amount]
    scale = len(all_claims) / len(sample)
    label = "" if scale == 1 else f" (sample of {len(sample):,}, ×{scale:.1f} extrapolated)"
    print(
        f"naive: {len(sample):,} applications, {naive_seconds:.2f} s wall ({naive_cpu:.2f} s CPU), "
        f"{len(queries):,} SQL queries"
        f"{label}; full year ≈ {naive_seconds * scale:.1f} s, ≈ {int(len(queries) * scale):,} "
        f"queries"
    )
    print(f"agree: {len(naive) - len(mismatches):,} of {len(naive):,} application totals identical")
    print(
        f"speed-up ≈ {naive_seconds * scale / bulk_seconds:.0f}×; target ≤ 1 s (issue 14): "
        f"{'met' if bulk_seconds <= 1 else 'NOT met'} on wall time, "
        f"{'met' if bulk_cpu <= 1 else 'NOT met'} on CPU time; load average now "
        f"{os.getloadavg()[0]:.1f}"
    )
    if mismatches:
        raise SystemExit(f"bulk and naive disagree on {len(mismatches)} applications")


if __name__ == "__main__":
    main()
