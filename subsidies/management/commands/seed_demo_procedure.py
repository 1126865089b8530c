"""Demo of the 要綱's procedure after the decision and before it (issue 15), one hub each,
through the real services, so every step can be tried from a demo login:

- 南部地区医師会 (`nanbu`): decided, then a 変更承認申請 submitted (staff review it, draft the
  変更交付決定, `kacho` approves);
- 浦添市医師会 (`urasoe`): submitted, then withdrawn by the coordinator (取下げ);
- 宮古島市 (`miyako`): decided, then a 中止承認申請 filed (staff approve or refuse it).

Run after seed_demo_claims (which takes the first decided application for its report) and
before seed_demo_budget (which reads the decided amounts). A hub that already has a 令和8年度
application is left as it is, so running it twice changes nothing."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from hubs.models import Hub
from subsidies.applications import reading
from subsidies.applications import services as service
from subsidies.applications.withdrawals import DiscontinuationInput
from subsidies.management.commands.seed_demo_approvals import approve_as_kacho
from subsidies.models import Application, FiscalYear, RecipientType
from zaitaku_portal.models import User

DECIDED_ON = datetime.date(2026, 6, 1)
# hub name → (coordinator, [(menu place among the hub menus, expenses)], final, notice number)
SCENARIOS = {
    "南部地区医師会": (
        "nanbu",
        [(0, {"honoraria": 420_000, "travel": 180_000}), (2, {"honoraria": 250_000})],
        "change_requested",
        "8医政第1202号",
    ),
    "浦添市医師会": ("urasoe", [(0, {"honoraria": 380_000})], "withdrawn", ""),
    "宮古島市": (
        "miyako",
        [(0, {"honoraria": 300_000, "travel": 260_000})],
        "discontinuation_requested",
        "8医政第1203号",
    ),
}


class Command(BaseCommand):
    help = "デモ用の変更承認申請・取下げ・中止承認申請の交付申請を作成します。"

    def handle(self, *args, **options):
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self.create()

    @transaction.atomic
    def create(self):
        fiscal_year = FiscalYear.objects.filter(year=2026).first()
        staff = User.objects.filter(username="ken").first()
        if fiscal_year is None or staff is None:
            raise CommandError("先に seed_demo を実行してください（令和8年度と ken が必要です）。")
        hub_menus = list(fiscal_year.menus.filter(recipient_type=RecipientType.HUB))
        made = []
        for hub_name, (username, lines, final, number) in SCENARIOS.items():
            hub = Hub.objects.filter(name=hub_name).first()
            coordinator = User.objects.filter(username=username).first()
            if hub is None or coordinator is None:
                continue
            if Application.objects.filter(hub=hub, fiscal_year=fiscal_year).exists():
                continue
            application = self.planned(hub, fiscal_year, coordinator, hub_menus, lines)
            self.drive(application, final, number, coordinator, staff)
            made.append(hub.name)
        self.stdout.write(
            f"変更承認申請・取下げ・中止承認申請のデモ: {'、'.join(made) or '作成済み'}"
        )

    def planned(self, hub, fiscal_year, coordinator, hub_menus, lines) -> Application:
        application = service.start_application(hub, fiscal_year, coordinator)
        plan = reading.current_plan(application)
        plan.update(
            district_policy="圏域の市町村ごとに区割りする（デモ）",
            meeting_body_count=1,
            planned_meetings=4,
            meeting_members="医師会、訪問看護ステーション、地域包括支援センター、市町村",
        )
        for index, expenses in lines:
            menu = hub_menus[index]
            plan["lines"][menu.code].update(
                wish=True,
                planned_actions=f"{menu.name}に取り組む（デモ）",
                start_year=2026,
                expenses=expenses,
            )
        application, _ = service.save_plan(application, plan, coordinator, application.version)
        return application

    def drive(self, application, final, number, coordinator, staff):
        def step(action, user, **params):
            current = Application.objects.get(pk=application.pk)
            return service.perform(current, action, user, current.version, **params)

        step("submit", coordinator)
        if final == "withdrawn":
            step("withdraw", coordinator, reason="事業の実施体制が整わないため（デモ）")
            return
        step("start_review", staff)
        step("decide", staff, decision=reading.DecisionInput(number, DECIDED_ON, {}))
        approve_as_kacho(Application.objects.get(pk=application.pk), DECIDED_ON)
        if final == "discontinuation_requested":
            step(
                "request_discontinuation",
                coordinator,
                reason="担当の看護師が退職し、後任が見つからないため（デモ）",
                decision=DiscontinuationInput("suspend", datetime.date(2027, 1, 1)),
            )
            return
        # 変更承認申請: the first menu's honoraria raised, submitted for staff to review.
        step("request_change", coordinator, reason="研修会を1回増やすため（デモ）")
        current = Application.objects.get(pk=application.pk)
        plan = reading.current_plan(current)
        first = plan["lines"][next(iter(k for k, v in plan["lines"].items() if v.get("wish")))]
        first["expenses"] = {**first["expenses"], "honoraria": 520_000}
        first["planned_actions"] += "。研修会を1回増やす（変更）"
        service.save_plan(current, plan, coordinator, current.version)
        step("submit", coordinator)
