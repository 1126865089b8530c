"""Demo data for a finished fiscal year, so the dashboards have a year to compare with: every
demo hub's 令和6年度 goes through the real services, from the plan to the 額の確定.

Each hub applies for two or three of the year's hub menus and one of its active hospitals,
is decided, may receive a 概算払, reports meetings (some fewer than planned, one fewer
than the national four), trainings and lectures, and is confirmed. Hubs without a demo
login get a coordinator account that cannot log in (the history needs someone to have
submitted it). Run after seed_demo; does nothing when the year already has applications.

令和6年度 is the demo's year of setting (b) of issue 18 (令和8年度 is setting (a)): each
active hospital applies for the hospital menus itself, so the hubs' plans hold their own
menus only, and the hospitals with a demo login (seed_demo's HOSPITAL_LOGINS) apply, are
decided with their notice, report and are confirmed (額の確定) as their own grantees."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from hospitals.models import ActiveHospitalDesignation
from hubs.models import Hub, HubCoordinator
from subsidies.applications import services as service
from subsidies.applications.hospital_applications import start_hospital_application
from subsidies.applications.plan_data import line_key
from subsidies.management.commands.seed_demo_approvals import approve_as_kacho
from subsidies.models import (
    Activity,
    ActivityKind,
    Application,
    FiscalYear,
    RecipientType,
)
from subsidies.results import services
from subsidies.results.reading import current_decision, expenses_of
from subsidies.results.rules import ConfirmationInput
from zaitaku_portal.models import Role, User

YEAR = 2024
# per hub, in the order of the hubs: planned meetings, meetings held, trainings, lectures,
# consultation hours a week, share of the decided amount spent (percent), 概算払 or not
SCENARIOS = [
    (4, 5, 2, 1, 25, 96, True),
    (6, 4, 1, 2, 12, 88, False),
    (4, 4, 2, 1, 20, 100, True),
    (5, 5, 3, 2, 30, 92, True),
    (4, 3, 1, 1, 8, 81, False),
    (4, 4, 1, 0, 10, 97, True),
    (4, 4, 2, 1, 6, 85, False),
    (4, 4, 1, 1, 4, 90, False),
]
# hub menus by their place among the year's hub menus with a cap, and what is planned
HUB_LINES = [
    (0, {"honoraria": 600_000, "travel": 300_000, "rent": 160_000}),  # ① 会議の開催
    (3, {"honoraria": 150_000, "supplies": 172_000}),  # ⑤ 普及啓発 (報償費、旅費、需要費等)
    (2, {"honoraria": 200_000, "rent": 132_000}),  # ④ 研修等 (会場費等; every other hub)
]
HOSPITAL_EXPENSES = {"remuneration": 200_000, "travel": 104_000}
MEETINGS = [
    ("多職種連携会議（全体会議）", ["課題の抽出と解決策"]),
    ("管理者会議", ["ACP（人生会議）"]),
    ("事例検討会", ["退院支援", "看取り"]),
    ("多職種連携会議（災害時の対応）", ["災害時の対応"]),
    ("積極的医療機関との連携会議", ["急変時の対応"]),
]


class Command(BaseCommand):
    help = "デモ用に令和6年度（終了した年度）の申請・交付決定・実績報告・額の確定を作成します。"

    def handle(self, *args, **options):
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self.create()

    @transaction.atomic
    def create(self):
        fiscal_year = FiscalYear.objects.filter(year=YEAR).first()
        staff = User.objects.filter(username="ken").first()
        if fiscal_year is None or staff is None:
            raise CommandError("先に seed_demo を実行してください（令和6年度と ken が必要です）。")
        if Application.objects.filter(fiscal_year=fiscal_year).exists():
            self.stdout.write("令和6年度の実績は作成済みです。")
            return
        fiscal_year.hospital_plan_form = "counts"  # setting (b): the hospitals apply
        fiscal_year.save(update_fields=["hospital_plan_form"])
        hub_menus = list(
            fiscal_year.menus.filter(
                recipient_type=RecipientType.HUB, cap_amount__isnull=False
            ).order_by("display_order", "pk")
        )
        hospital_menu = (
            fiscal_year.menus.filter(
                recipient_type=RecipientType.HOSPITAL, cap_amount__isnull=False
            )
            .order_by("display_order", "pk")
            .first()
        )
        hubs = list(Hub.objects.order_by("pk"))
        for number, (hub, scenario) in enumerate(zip(hubs, SCENARIOS, strict=False), start=1):
            coordinator = self.coordinator_of(hub)
            application = self.decided(
                hub, fiscal_year, hub_menus, hospital_menu, coordinator, staff, number, scenario
            )
            self.confirmed(application, coordinator, staff, number, scenario)
        hospitals = 0
        for number, contact in enumerate(self.hospital_contacts(), start=1):
            self.hospital_year(fiscal_year, hospital_menu, contact, staff, number)
            hospitals += 1
        self.backdate(fiscal_year)
        count = min(len(hubs), len(SCENARIOS))
        self.stdout.write(
            self.style.SUCCESS(
                f"令和6年度の実績（{count}拠点と{hospitals}医療機関、額の確定まで）を作成しました。"
            )
        )

    def hospital_contacts(self):
        """The demo's hospital logins, each with the institution it speaks for."""
        from hospitals.models import HospitalContact

        return (
            HospitalContact.objects.filter(user__role=Role.HOSPITAL, user__is_active=True)
            .select_related("institution", "user")
            .order_by("user__username", "pk")
        )

    def hospital_year(self, fiscal_year, hospital_menu, contact, staff, number) -> None:
        """A hospital's own 令和6年度 (setting (b)): its plan for the year's first hospital menu,
        submitted by its contact, decided (決裁 by kacho) with its notice, its results
        reported at 95% of the decided amount and confirmed (額の確定)."""
        if hospital_menu is None:
            return
        user = contact.user
        application = start_hospital_application(contact.institution, fiscal_year, user)
        plan = service.current_plan(application)
        for key, line in plan["lines"].items():
            if key.startswith(f"{hospital_menu.code}@"):
                line.update(
                    wish=True,
                    planned_actions="拠点と連携し、他医療機関への助言と調整を行う",
                    start_year=YEAR,
                    expenses=HOSPITAL_EXPENSES,
                )
        application, _ = service.save_plan(application, plan, user, application.version)

        def step(action, actor, **params):
            current = Application.objects.get(pk=application.pk)
            return service.perform(current, action, actor, current.version, **params)

        step("submit", user)
        step("start_review", staff)
        drafted = step(
            "decide",
            staff,
            decision=service.DecisionInput(
                notice_number=f"6医政第{3200 + number}号",
                notice_date=datetime.date(YEAR, 6, 3),
                amounts={},
            ),
        )
        application = approve_as_kacho(drafted, datetime.date(YEAR, 6, 3))
        decided = {
            line.menu_id: line.decided_amount for line in current_decision(application).lines.all()
        }
        report = services.start_report(application, user)
        report.area_overview = "病院の概況と地域の在宅医療の状況（デモ）"
        report.issues_and_solutions = "急変時の受入れの調整に時間がかかる。拠点と手順を共有した。"
        # the report's items are still the hub's (役割・有用性・課題, one activity at least)
        report.coordinator_role = "退院調整看護師が拠点のコーディネーターと受入れを調整"
        report.usefulness = "拠点を通じて診療所からの相談が早く届くようになった。"
        report.problems = "夜間の受入れ体制の確保。"
        report.save()
        Activity.objects.create(
            report=report,
            kind=ActivityKind.TRAINING,
            title="同行訪問研修",
            held_on=datetime.date(YEAR, 10, 15),
            audience="訪問看護師・病棟看護師",
            attendance=12,
        )
        for expense in expenses_of(report):
            amount = decided.get(expense.menu_id, 0) * 95 // 100
            category = expense.menu.expense_categories.order_by("pk").first()
            expense.expenses = {category.code: amount} if category else {}
            expense.total_cost = amount
            expense.save()

        def report_step(action, actor, **params):
            current = type(report).objects.get(pk=report.pk)
            return services.perform(current, action, actor, current.version, **params)

        report_step("submit", user)
        report_step("start_review", staff)
        report_step(
            "confirm",
            staff,
            confirmation=ConfirmationInput(
                notice_number=f"7医政第{2200 + number}号",
                notice_date=datetime.date(YEAR + 1, 6, 2),
            ),
        )
        approve_as_kacho(type(report).objects.get(pk=report.pk), datetime.date(YEAR + 1, 6, 2))

    def backdate(self, fiscal_year) -> None:
        """The services stamp today; a finished year's pages should show its own dates.
        Only the business dates move: the audit log keeps when the demo was built."""
        from django.utils import timezone

        from subsidies.models import (
            AdvancePayment,
            ApplicationVersion,
            Confirmation,
            Decision,
            ResultReport,
            ResultReportVersion,
        )

        def at(year, month, day):
            return timezone.make_aware(datetime.datetime(year, month, day, 10, 0))

        applications = Application.objects.filter(fiscal_year=fiscal_year)
        applications.update(submitted_at=at(YEAR, 5, 20), created_at=at(YEAR, 4, 15))
        ApplicationVersion.objects.filter(application__in=applications).update(
            created_at=at(YEAR, 5, 20)
        )
        Decision.objects.filter(application__in=applications).update(decided_at=at(YEAR, 6, 3))
        AdvancePayment.objects.filter(application__in=applications).update(
            recorded_at=at(YEAR, 7, 16)
        )
        reports = ResultReport.objects.filter(application__in=applications)
        reports.update(submitted_at=at(YEAR + 1, 4, 21), created_at=at(YEAR + 1, 3, 10))
        ResultReportVersion.objects.filter(report__in=reports).update(
            created_at=at(YEAR + 1, 4, 21)
        )
        Confirmation.objects.filter(application__in=applications).update(
            confirmed_at=at(YEAR + 1, 6, 2)
        )

    def coordinator_of(self, hub) -> User:
        existing = hub.coordinators.exclude(user=None).select_related("user").first()
        if existing is not None:
            return existing.user
        user = User.objects.create(
            username=f"history-{hub.pk}",
            full_name=f"{hub.name} コーディネーター（デモ）",
            role=Role.HUB_COORDINATOR,
            email=f"history-{hub.pk}@example.jp",
        )
        user.set_unusable_password()  # history only: nobody logs in with it
        user.save()
        HubCoordinator.objects.create(
            hub=hub,
            user=user,
            name=user.full_name,
            qualification=HubCoordinator.Qualification.A,
            since=datetime.date(YEAR, 4, 1),
        )
        return user

    def decided(self, hub, fiscal_year, hub_menus, hospital_menu, coordinator, staff, number, s):
        planned, *_ = s
        application = service.start_application(hub, fiscal_year, coordinator)
        plan = service.current_plan(application)
        plan.update(
            district_policy="医師会の地区ごとに区割りし、各区割りに多職種の会議体を置く",
            meeting_body_count=2,
            planned_meetings=planned,
            meeting_members="医師会、歯科医師会、薬剤師会、訪問看護ステーション、地域包括支援センター",
        )
        for index, expenses in HUB_LINES[: 2 + number % 2]:
            if index < len(hub_menus):
                menu = hub_menus[index]
                plan["lines"][line_key(menu.code, None)].update(
                    wish=True,
                    planned_actions=f"{menu.name.lstrip('①②③④⑤⑥⑦ ')}に取り組む",
                    start_year=YEAR,
                    expenses=expenses,
                )
        designation = (  # setting (b): the hospitals apply for their menus themselves
            ActiveHospitalDesignation.objects.filter(hub=hub).order_by("pk").first()
            if hospital_menu and not fiscal_year.hospitals_apply
            else None
        )
        if designation is not None:
            key = line_key(hospital_menu.code, designation.pk)
            if key in plan["lines"]:
                plan["lines"][key].update(
                    wish=True,
                    planned_actions="拠点と連携し、他医療機関への助言と調整を行う",
                    start_year=YEAR,
                    expenses=HOSPITAL_EXPENSES,
                )
        application, _ = service.save_plan(application, plan, coordinator, application.version)

        def step(action, user, **params):
            current = Application.objects.get(pk=application.pk)
            return service.perform(current, action, user, current.version, **params)

        step("submit", coordinator)
        step("start_review", staff)
        drafted = step(
            "decide",
            staff,
            decision=service.DecisionInput(
                notice_number=f"6医政第{3100 + number}号",
                notice_date=datetime.date(YEAR, 6, 3),
                amounts={},  # as computed: cap, rate, rounding
            ),
        )
        return approve_as_kacho(drafted, datetime.date(YEAR, 6, 3))  # 決裁 (issue 15)

    def confirmed(self, application, coordinator, staff, number, s):
        _planned, held, trainings, lectures, hours, spent, advance = s
        decision = current_decision(application)
        if advance:  # the whole decided amount, to the hub and to its hospital
            for designation in {line.designation for line in decision.lines.all()}:
                services.record_advance(
                    application,
                    staff,
                    amount=sum(
                        line.decided_amount
                        for line in decision.lines.all()
                        if line.designation == designation
                    ),
                    designation=designation,
                    paid_on=datetime.date(YEAR, 7, 16),
                    note="概算払（交付決定額の全額）",
                )
        report = services.start_report(application, coordinator)
        report.consultation_hours_per_week = hours
        report.consultation_count = 40 + 13 * hours
        report.area_overview = "人口、医療・介護資源の概況（デモ）"
        report.issues_and_solutions = (
            "夜間・休日の対応と情報共有が課題。輪番と共有シートで対応した。"
        )
        report.coordinator_role = "会議の企画運営、関係機関との調整、相談対応"
        report.usefulness = "退院時の連絡が早くなった。"
        report.problems = "会議の日程調整に時間がかかる。"
        report.save()
        decided = {line.menu_id: line.decided_amount for line in decision.lines.all()}
        for expense in expenses_of(report):
            amount = decided.get(expense.menu_id, 0) * spent // 100
            category = expense.menu.expense_categories.order_by("pk").first()
            expense.expenses = {category.code: amount} if category else {}
            expense.total_cost = amount
            expense.save()
        activities = []
        for n in range(held):
            kind, topics = MEETINGS[n % len(MEETINGS)]
            activities.append(
                Activity(
                    report=report,
                    kind=ActivityKind.MEETING,
                    title=f"第{n + 1}回 {kind}",
                    held_on=datetime.date(YEAR, 6 + n * 2, 18)
                    if n < 4
                    else datetime.date(YEAR + 1, 2, 18),
                    meeting_kind=kind,
                    # 管理者会議: the administrators of the related facilities take part
                    with_administrators=kind == "管理者会議",
                    topics=topics,
                    participants_by_profession={"医師": 3 + n, "看護師": 5, "介護支援専門員": 4},
                    participants_by_affiliation={
                        "病院": 4,
                        "診療所": 3 + n,
                        "居宅介護支援事業所": 5,
                    },
                )
            )
        for n in range(trainings):
            activities.append(
                Activity(
                    report=report,
                    kind=ActivityKind.TRAINING,
                    title=f"多職種研修会（第{n + 1}回）",
                    held_on=datetime.date(YEAR, 9 + n, 10),
                    audience="医療・介護従事者",
                    attendance=30 + 5 * n,
                )
            )
        for n in range(lectures):
            activities.append(
                Activity(
                    report=report,
                    kind=ActivityKind.AWARENESS,
                    title="在宅医療市民講座",
                    held_on=datetime.date(YEAR, 11, 3 + n),
                    audience="住民",
                    attendance=60 + 20 * n,
                )
            )
        Activity.objects.bulk_create(activities)

        def step(action, user, **params):
            current = type(report).objects.get(pk=report.pk)
            return services.perform(current, action, user, current.version, **params)

        step("submit", coordinator)
        step("start_review", staff)
        step(
            "confirm",
            staff,
            confirmation=ConfirmationInput(
                notice_number=f"7医政第{2100 + number}号",
                notice_date=datetime.date(YEAR + 1, 6, 2),
            ),
        )
        approve_as_kacho(type(report).objects.get(pk=report.pk), datetime.date(YEAR + 1, 6, 2))
