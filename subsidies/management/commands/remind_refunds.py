"""Remind the grantee and staff of overdue refunds (run daily, e.g. from cron)."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from subsidies.payments.reminders import send_refund_reminders


class Command(BaseCommand):
    help = "納期限を過ぎた返還金を補助事業者と県職員に通知します（1件につき1日1回）。"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="基準日（YYYY-MM-DD、既定は今日）")

    def handle(self, *args, today=None, **options):
        day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        sent = send_refund_reminders(day)
        self.stdout.write(f"返還金の督促: {len(sent)}件")
