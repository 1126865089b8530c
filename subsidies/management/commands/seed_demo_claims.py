"""Demo data for results and confirmations: a results report ready to submit and a 概算払 on
the first FY2026 application that seed_demo has already decided (石垣市, coordinator
yaeyama); if there is none and 北部地区医師会 has no application yet, that one is decided here
first. Run after seed_demo. Idempotent: does nothing when the report exists."""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction

from hubs.models import Hub
from subsidies.applications.plan_data import line_key
from subsidies.models import (
    Activity,
    ActivityKind,
    AdvancePayment,
    Application,
    ApplicationStatus,
    ApplicationVersion,
    Decision,
    DecisionLine,
    FiscalYear,
    MenuPlan,
    RecipientType,
    ResultReport,
)
from subsidies.results import services
from subsidies.results.reading import current_decision, expenses_of
from zaitaku_portal.models import User

HUB_NAME = "北部地区医師会"


class Command(BaseCommand):
    help = "実績報告・額の確定のデモデータ（北部地区医師会の令和8年度）を投入します。"

    @transaction.atomic
    def handle(self, *args, **options):
        hub = Hub.objects.filter(name=HUB_NAME).first()
        fy = FiscalYear.objects.filter(year=2026).first()
        if hub is None or fy is None:
            self.stderr.write("先に seed_demo を実行してください。")
            return
        staff = User.objects.get(username="ken")
        if ResultReport.objects.filter(application__fiscal_year=fy).exists():
            # the demo's one report of the year; a second run must not start another on an
            # application decided later (seed_demo_procedure's)
            self.stdout.write("実績報告は作成済みです。")
            return
        application = (
            Application.objects.filter(
                fiscal_year=fy, decisions__isnull=False, hub__coordinators__isnull=False
            )
            .select_related("hub")
            .order_by("hub__name")
            .first()
        )
        if application is None:
            if Application.objects.filter(hub=hub, fiscal_year=fy).exists():
                self.stderr.write("交付決定された令和8年度の申請がないため、作成しませんでした。")
                return
            application = self.decide(hub, fy, staff)
        hub = application.hub
        coordinator = hub.coordinators.select_related("user").first().user
        if ResultReport.objects.filter(application=application).exists():
            self.stdout.write("実績報告は作成済みです。")
            return
        report = services.start_report(application, coordinator)
        self.fill(report)
        self.fill_report_items(report)
        if not AdvancePayment.objects.filter(application=application).exists():
            decision = current_decision(application)
            hub_total = sum(line.decided_amount for line in decision.lines.filter(designation=None))
            services.record_advance(
                application,
                staff,
                amount=hub_total,
                paid_on=datetime.date(2026, 7, 15),
                note="概算払（交付決定額の全額）",
            )
        self.stdout.write(
            f"{report}を作成しました（{coordinator.username} で提出、"
            "ken で審査・額の確定ができます）。"
        )

    def decide(self, hub, fy, staff):
        from hospitals.models import ActiveHospitalDesignation

        menus = list(fy.menus.filter(cap_amount__isnull=False).order_by("display_order"))
        hub_menus = [m for m in menus if m.recipient_type == RecipientType.HUB][:4]
        hospital_menu = next(
            (
                m
                for m in menus
                if m.recipient_type == RecipientType.HOSPITAL and m.cap_unit == "per_recipient"
            ),
            None,
        )
        designation = ActiveHospitalDesignation.objects.filter(
            area__in=hub.areas.all(), status=ActiveHospitalDesignation.Status.ACTIVE
        ).first()
        application = Application.objects.create(
            hub=hub,
            fiscal_year=fy,
            status=ApplicationStatus.DECIDED,
            district_count=hub.district_count,
            district_policy="北部12市町村を3区割りとする（デモ）",
            meeting_body_count=3,
            meeting_members="医師会・歯科医師会・薬剤師会・訪問看護・地域包括支援センター",
        )
        lines = [(m, None) for m in hub_menus]
        if hospital_menu and designation:
            lines.append((hospital_menu, designation))
        plan = {}
        for menu, d in lines:
            category = menu.expense_categories.first()
            MenuPlan.objects.create(
                application=application,
                menu=menu,
                designation=d,
                wish=True,
                planned_actions="デモの計画",
                start_year=2026,
                expenses={category.code: menu.cap_amount} if category else {},
            )
            plan[line_key(menu.code, d.pk if d else None)] = {"wish": True}
        version = ApplicationVersion.objects.create(
            application=application,
            number=1,
            label="交付申請",
            created_by=staff,
            snapshot={"plan": {"district_count": hub.district_count, "lines": plan}},
        )
        decision = Decision.objects.create(
            application=application,
            number=1,
            version=version,
            notice_number="8医政第9001号",
            notice_date=datetime.date(2026, 5, 15),
            total_amount=0,
            decided_by=staff,
        )
        total = 0
        for menu, d in lines:
            units = hub.district_count if menu.cap_unit == "per_district" else 1
            amount = menu.cap_amount * units * menu.rate_numerator // menu.rate_denominator
            DecisionLine.objects.create(
                decision=decision,
                menu=menu,
                designation=d,
                recipient_name=d.institution.name if d else hub.name,
                computed_amount=amount,
                decided_amount=amount,
            )
            total += amount
        Decision.objects.filter(pk=decision.pk).update(total_amount=total)
        return application

    def fill(self, report):
        report.consultation_count = 214
        report.area_overview = (
            "人口約10万人、高齢化率27%。病院8、診療所40、訪問看護ステーション12（デモ）。"
        )
        report.issues_and_solutions = (
            "離島・へき地の夜間対応が課題。輪番表と情報共有シートを作成した。"
        )
        report.coordinator_role = "会議の企画運営、関係機関との調整、相談対応"
        report.usefulness = "顔の見える関係ができ、退院時の連絡がスムーズになった。"
        report.problems = "移動距離が長く、会議の日程調整に時間がかかる。"
        report.save()
        for n, expense in enumerate(expenses_of(report)):
            categories = list(expense.menu.expense_categories.all())[:2] or []
            cap = expense.menu.cap_amount or 0
            actual = cap * (80 + 10 * (n % 3)) // 100
            if categories:
                expense.expenses = {categories[0].code: actual}
            expense.total_cost = actual
            if n == 0:
                expense.excluded_amount = 120_000
                expense.excluded_source = "municipal"
                expense.excluded_reason = "市の在宅医療・介護連携推進事業で開催した研修会の講師謝金"
            expense.save()
        for month, (title, topics) in enumerate(
            [
                ("第1回 多職種連携会議", ["課題の抽出と解決策"]),
                ("第2回 多職種連携会議（災害時の対応）", ["災害時の対応"]),
                ("第3回 管理者会議", ["ACP（人生会議）"]),
                ("第4回 事例検討会", ["退院支援", "看取り"]),
            ],
            start=6,
        ):
            Activity.objects.create(
                report=report,
                kind=ActivityKind.MEETING,
                title=title,
                held_on=datetime.date(2026, month, 20),
                meeting_kind="多職種連携会議（全体会議）",
                topics=topics,
                participants_by_profession={"医師": 4, "看護師": 6, "介護支援専門員": 5},
                participants_by_affiliation={"病院": 5, "診療所": 4, "居宅介護支援事業所": 6},
            )
        Activity.objects.create(
            report=report,
            kind=ActivityKind.AWARENESS,
            title="在宅医療市民講座",
            held_on=datetime.date(2026, 11, 3),
            audience="住民",
            attendance=85,
        )

    def fill_report_items(self, report):
        """seed 003 §4-§6's items, each at least once: the meeting with administrators, a
        leader training led, §6's emergency beds, the accompanied-visit trainees, the
        disaster equipment and the narrative of §5."""
        from subsidies.results.models import DisasterEquipment, EquipmentItem

        report.operator_history = (
            "昭和50年設立の地区医師会。平成30年から在宅医療の相談窓口を運営（デモ）。"
        )
        report.operator_staff_count = 6
        report.meeting_outcomes = "参加者アンケートで9割が「役に立った」と回答（デモ）。"
        report.resource_optimisation = (
            "不足する訪問歯科を隣接圏域の歯科医師会と調整し確保した（デモ）。"
        )
        report.workforce_development = (
            "地域リーダー研修を受講した看護師が圏域内で研修を2回主催（デモ）。"
        )
        report.save()
        Activity.objects.filter(report=report, title="第3回 管理者会議").update(
            with_administrators=True, meeting_kind="管理者・施設長の会議"
        )
        Activity.objects.create(
            report=report,
            kind=ActivityKind.TRAINING,
            title="地域リーダー研修の伝達研修",
            held_on=datetime.date(2026, 9, 12),
            leader_training="area",
            training_role="led",
            attendance=32,
            result="受講後アンケートで理解度が向上（デモ）",
        )
        Activity.objects.create(
            report=report,
            kind=ActivityKind.EMERGENCY_BEDS,
            title="緊急一時入院ベッドの輪番",
            held_on=datetime.date(2026, 10, 1),
            description="圏域の3病院で緊急一時入院の受入輪番を始めた（デモ）。",
        )
        Activity.objects.create(
            report=report,
            kind=ActivityKind.ACCOMPANIED_VISIT,
            title="同行訪問研修（医師・医学生）",
            held_on=datetime.date(2026, 8, 5),
            trainees=2,
            half_days=2,
            trainee_type="doctors_and_students",
            training_site="active",
        )
        DisasterEquipment.objects.create(
            report=report, item=EquipmentItem.AED, quantity=1, cost=280_000
        )
        DisasterEquipment.objects.create(
            report=report, item=EquipmentItem.SATELLITE_PHONE, quantity=2, cost=150_000
        )
