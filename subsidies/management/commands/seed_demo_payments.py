"""Demo payments (issue 15): a decided application with a 概算払 paid, a confirmed one with
a 精算払 request waiting for payment, and a refund past its due date. Reads what the other
demo seeds left (run after seed_demo_claims); does nothing twice."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from subsidies.models import Application, PaymentRequest, RefundOrder, RequestKind
from subsidies.payments import services
from subsidies.payments.reading import advance_ceilings, settlement_ceiling
from subsidies.payments.rules import PaymentError
from subsidies.shared.notice_numbers import next_notice_number
from zaitaku_portal.models import User


class Command(BaseCommand):
    help = "交付請求・支払・返還のデモデータを作成します。"

    def handle(self, *args, **options):
        staff = User.objects.filter(username="ken").first()
        if staff is None or PaymentRequest.objects.exists() or RefundOrder.objects.exists():
            self.stdout.write("交付請求・返還のデモは作成済みか、前提のデータがありません。")
            return
        today = timezone.localdate()
        made = []
        for application in Application.objects.filter(decisions__isnull=False).distinct():
            coordinator = self.grantee_of(application)
            if coordinator is None:
                continue
            try:
                made += self.seed_one(application, coordinator, staff, today)
            except PaymentError as error:
                self.stderr.write(f"{application}: {error.message} {' '.join(error.problems)}")
        self.stdout.write(f"交付請求・返還のデモ: {', '.join(made) or 'なし'}")

    def grantee_of(self, application):
        """Who files the requests: the hub's coordinator, or for a hospital's own application
        (issue 18) the hospital's contact."""
        if application.institution_id:
            links = application.institution.contacts.select_related("user")
        else:
            links = application.hub.coordinators.select_related("user")
        return next((link.user for link in links if link.user), None)

    def seed_one(self, application, coordinator, staff, today) -> list[str]:
        made = []
        advances = [c for c in advance_ceilings(application) if c.available]
        if advances:
            ceiling = advances[0]
            request = services.file_request(
                application,
                coordinator,
                kind=RequestKind.ADVANCE,
                designation=ceiling.designation,
                amount=ceiling.available // 2 or ceiling.available,
                requested_on=today - datetime.timedelta(days=30),
            )
            services.record_payment(request, staff, paid_on=today - datetime.timedelta(days=20))
            made.append("概算払（支払済み）")
        settlement = settlement_ceiling(application)
        if settlement and settlement.available:
            services.file_request(
                application, coordinator, kind=RequestKind.SETTLEMENT, amount=settlement.available
            )
            made.append("精算払請求（支払待ち）")
        _cause, _confirmation, due = services.refund_due(application)
        number = next_notice_number(application.fiscal_year) or f"8医政第{9000 + application.pk}号"
        if due > 0:
            days = application.fiscal_year.refund_due_days
            services.issue_refund(
                application,
                staff,
                amount=due,
                notice_number=number,
                notice_date=today - datetime.timedelta(days=days + 7),
            )
            made.append("返還（納期限経過）")
        return made
