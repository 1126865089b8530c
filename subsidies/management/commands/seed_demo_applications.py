"""Demo applications in several states, so the review queue means something. Run after
seed_demo; safe to run twice (an existing application is left as it is)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from hubs.models import Hub
from subsidies.applications import reading
from subsidies.applications import services as service
from subsidies.management.commands.seed_demo_approvals import approve_as_kacho
from subsidies.models import Application, FiscalYear, RecipientType
from zaitaku_portal.models import User

PLAN_TEXT = {
    "district_policy": "医師会の地区ごとに区割りし、各区割りに多職種の会議体を置く",
    "meeting_body_count": 2,
    "planned_meetings": 4,
    "meeting_members": (
        "医師会、歯科医師会、薬剤師会、訪問看護ステーション、地域包括支援センター、市町村"
    ),
}
# hub username → [(menu order among hub menus, expenses {category code: yen})], final state
SCENARIOS = {
    "hokubu": (
        [(0, {"honoraria": 480_000, "travel": 220_000}), (5, {"honoraria": 300_000})],
        "submitted",
    ),
    "naha": (
        [(0, {"honoraria": 900_000, "travel": 250_000}), (2, {"wages": 1_200_000})],
        "resubmitted",
    ),
    "yaeyama": (
        [(0, {"honoraria": 350_000, "travel": 420_000}), (6, {"supplies": 200_000})],
        "decided",
    ),
}


class Command(BaseCommand):
    help = "デモ用の交付申請（提出済み・再提出済み・交付決定済み・下書き）を作成します。"

    def handle(self, *args, **options):
        # Demo data sends no e-mail (the services would notify on every step).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self.create()

    @transaction.atomic
    def create(self):
        fiscal_year = FiscalYear.objects.filter(year=2026).first()
        staff = User.objects.filter(username="ken").first()
        if fiscal_year is None or staff is None:
            raise CommandError(
                "先に seed_demo を実行してください（令和8年度と県職員 ken が必要です）。"
            )
        if fiscal_year.application_deadline is None:
            fiscal_year.application_deadline = datetime.date(2026, 5, 29)
            fiscal_year.save(update_fields=["application_deadline"])
        hub_menus = list(fiscal_year.menus.filter(recipient_type=RecipientType.HUB))
        created = 0
        for username, (lines, final) in SCENARIOS.items():
            coordinator = User.objects.filter(username=username).first()
            hub = Hub.objects.filter(coordinators__user=coordinator).order_by("pk").first()
            if hub is None or Application.objects.filter(hub=hub, fiscal_year=fiscal_year).exists():
                continue
            application = service.start_application(hub, fiscal_year, coordinator)
            plan = reading.current_plan(application)
            plan.update(PLAN_TEXT)
            for index, expenses in lines:
                plan["lines"][hub_menus[index].code].update(
                    wish=True,
                    planned_actions=f"{hub_menus[index].name}に取り組む",
                    start_year=2026,
                    expenses=expenses,
                )
            if username == "hokubu":
                # A line planned for later (R9〜) and その他取り組み事項 (seed 004), so the
                # plan shows a 0-yen line with its reason and the other actions' start years.
                later = hub_menus[3].code
                plan["lines"][later].update(
                    wish=True, planned_actions="令和9年度から取り組む（デモ）", start_year=2027
                )
                plan.update(
                    other_actions="離島の診療所との合同研修を検討する（デモ）",
                    other_actions_start_year=2027,
                )
            application, _ = service.save_plan(application, plan, coordinator, application.version)
            self._drive(application, final, coordinator, staff)
            created += 1
        # A hub still drafting, so the queue shows an overdue draft.
        other = Hub.objects.exclude(applications__fiscal_year=fiscal_year).order_by("pk").first()
        if other is not None and Application.objects.filter(fiscal_year=fiscal_year).count() < 4:
            Application.objects.get_or_create(
                hub=other,
                fiscal_year=fiscal_year,
                defaults={"district_count": other.district_count},
            )
            created += 1
        self.stdout.write(self.style.SUCCESS(f"デモ用の交付申請を{created}件作成しました。"))

    def _drive(self, application, final, coordinator, staff):
        def step(action, user, **params):
            current = Application.objects.get(pk=application.pk)
            return service.perform(current, action, user, current.version, **params)

        step("submit", coordinator)
        if final == "submitted":
            return
        step("start_review", staff)
        if final == "resubmitted":
            step(
                "return",
                staff,
                reason_code="missing",
                reason="会議体の構成員に職種を記載してください。",
            )
            step("resubmit", coordinator)
            return
        step(
            "decide",
            staff,
            decision=reading.DecisionInput(
                notice_number="8医政第1201号", notice_date=datetime.date(2026, 6, 1), amounts={}
            ),
        )
        approve_as_kacho(Application.objects.get(pk=application.pk), datetime.date(2026, 6, 1))
