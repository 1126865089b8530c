"""Demo of 決裁 (issue 15): the approver 課長 (`kacho`, made by seed_demo) approves what the
other demo seeds draft (`approve_as_kacho`), and one application is left 決裁待ち: a hub of
`yaeyama` without a FY2026 application is submitted, reviewed and its decision drafted by
`ken`, so `kacho` finds it in the queue (/subsidies/approvals/)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import override_settings

from hubs.models import Hub
from subsidies.applications import reading
from subsidies.applications import services as application_services
from subsidies.applications.workflow import APPROVE_ROWS
from subsidies.models import Application, FiscalYear, RecipientType, ResultReport
from subsidies.results import services as results_services
from subsidies.results.workflow import APPROVE_ROWS as REPORT_APPROVE_ROWS
from subsidies.shared import workflow as engine
from subsidies.shared.approvals import pending_for
from zaitaku_portal.models import User

APPROVER = "kacho"


def approve_as_kacho(obj, on: datetime.date):
    """The demo's approval of the open draft of `obj` (an application or a results report),
    dated `on` (the demo replays a year: its notices carry that year's dates)."""
    approver = User.objects.get(username=APPROVER)
    if isinstance(obj, ResultReport):
        flow, rows, draft = (
            results_services.FLOW,
            REPORT_APPROVE_ROWS,
            pending_for(obj, report=True),
        )
    else:
        flow, rows, draft = application_services.FLOW, APPROVE_ROWS, pending_for(obj)
    return engine.perform(flow, obj, rows[draft.kind], approver, None, approved_on=on).obj


class Command(BaseCommand):
    help = "デモ用の決裁待ちの交付申請（起案済み）を作成します。"

    def handle(self, *args, **options):
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self.create()

    @transaction.atomic
    def create(self):
        fiscal_year = FiscalYear.objects.filter(year=2026).first()
        staff = User.objects.filter(username="ken").first()
        coordinator = User.objects.filter(username="yaeyama").first()
        if (
            None in (fiscal_year, staff, coordinator)
            or not User.objects.filter(username=APPROVER).exists()
        ):
            raise CommandError(
                "先に seed_demo を実行してください（令和8年度と ken・yaeyama・kacho）。"
            )
        taken = Application.objects.filter(fiscal_year=fiscal_year).values("hub")
        hub = (
            Hub.objects.filter(coordinators__user=coordinator)
            .exclude(pk__in=taken)
            .order_by("pk")
            .first()
        )
        if hub is None:
            self.stdout.write("決裁待ちのデモ申請は作成済みです。")
            return
        application = application_services.start_application(hub, fiscal_year, coordinator)
        plan = reading.current_plan(application)
        plan.update(
            district_policy="町内を1区割りとする（デモ）",
            meeting_body_count=1,
            meeting_members="医師会、訪問看護ステーション、地域包括支援センター、町",
        )
        menu = fiscal_year.menus.filter(recipient_type=RecipientType.HUB).order_by("pk").first()
        plan["lines"][menu.code].update(
            wish=True,
            planned_actions=f"{menu.name}に取り組む（決裁待ちのデモ）",
            start_year=2026,
            expenses={"honoraria": 300_000, "travel": 180_000},
        )
        application, _ = application_services.save_plan(
            application, plan, coordinator, application.version
        )
        for action, user in (("submit", coordinator), ("start_review", staff)):
            current = Application.objects.get(pk=application.pk)
            application_services.perform(current, action, user, current.version)
        current = Application.objects.get(pk=application.pk)
        application_services.perform(
            current,
            "decide",
            staff,
            current.version,
            decision=reading.DecisionInput("", None, {}),  # numbered when kacho approves
        )
        self.stdout.write(self.style.SUCCESS(f"{hub.name}の交付決定を起案しました（決裁待ち）。"))
