"""Daily cron: remind coordinators of the application and results deadlines (once per stage)."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from subsidies.applications.reminders import send_application_reminders, send_results_reminders


class Command(BaseCommand):
    help = (
        "交付申請と実績報告の締切の前（既定7日前から）と締切後に、未提出の拠点のコーディネーターへ"
        "通知メールを送ります。同じ段階の通知は一度だけ送ります。毎日1回 cron で実行してください。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="基準日（YYYY-MM-DD）。既定は今日")
        parser.add_argument("--days-before", type=int, default=7, help="締切の何日前から通知するか")
        parser.add_argument(
            "--base-url",
            default=settings.PORTAL_BASE_URL,
            help="メール内のリンクの先頭（既定: 環境変数 PORTAL_BASE_URL）",
        )

    def handle(self, *args, **options):
        try:
            today = (
                datetime.date.fromisoformat(options["date"])
                if options["date"]
                else timezone.localdate()
            )
        except ValueError as error:
            raise CommandError(
                f"--date は YYYY-MM-DD で指定してください: {options['date']}"
            ) from error
        sent = send_application_reminders(today, options["base_url"], options["days_before"])
        sent += send_results_reminders(today, options["base_url"], options["days_before"])
        for item in sent:
            label = "締切前" if item.stage == "before" else "締切超過"
            self.stdout.write(
                f"{item.hub}（{item.fiscal_year}・{label}）: {', '.join(item.recipients)}"
            )
        self.stdout.write(self.style.SUCCESS(f"{len(sent)}件の通知を送りました。"))
