"""Demo data for the budget (issue 19): 令和8年度's budget split into 拠点分 and 医療機関分,
each the part's decided amounts, plus in full what the drafts awaiting 決裁 ask (so the
demo's approval goes through), plus 90% of what the submitted applications ask (to the
千円 below), so the allocation page has a short part to share out once they are under
review. Entered through
the real writer (audited, as staff). Run after seed_demo_applications; does nothing when
the year already has a budget."""

from django.core.management.base import BaseCommand

from subsidies.applications.reading import key_of, plan_view
from subsidies.budget.services import save_budget
from subsidies.catalogue.budget import decided_by_type
from subsidies.models import Application, ApplicationStatus, Budget, FiscalYear
from zaitaku_portal.models import Role, User

YEAR = 2026
SHARE_PERCENT = 90
S = ApplicationStatus
ASKING = {S.SUBMITTED: SHARE_PERCENT, S.RESUBMITTED: SHARE_PERCENT, S.UNDER_REVIEW: SHARE_PERCENT}
ASKING[S.AWAITING_APPROVAL] = 100


def asked_by_type(fiscal_year) -> dict[str, int]:
    """RecipientType → Σ computed × the status's percent, over the applications asking."""
    asked = {"hub": 0, "hospital": 0}
    for application in Application.objects.filter(fiscal_year=fiscal_year, status__in=ASKING):
        view = plan_view(application)
        for line in view.lines:
            amount = view.amounts[key_of(line)]
            if amount.carries_money:
                share = amount.computed_amount * ASKING[application.status] // 100
                asked[line.menu.recipient_type] += share
    return asked


class Command(BaseCommand):
    help = "令和8年度の予算（拠点分・医療機関分）をデモ用に登録します。"

    def handle(self, *args, **options):
        fiscal_year = FiscalYear.objects.filter(year=YEAR).first()
        staff = (
            User.objects.filter(role=Role.PREFECTURE_STAFF, is_active=True).order_by("pk").first()
        )
        if fiscal_year is None or staff is None:
            self.stdout.write("予算: 令和8年度または県職員がないため、登録しませんでした。")
            return
        if (
            fiscal_year.budget_amount is not None
            or Budget.objects.filter(fiscal_year=fiscal_year).exists()
        ):
            self.stdout.write("予算: 令和8年度の予算は登録済みです。")
            return
        decided, asked = decided_by_type(fiscal_year), asked_by_type(fiscal_year)
        parts = {kind: (decided[kind] + asked[kind]) // 1000 * 1000 for kind in asked}
        split = all(parts.values())  # a part with nothing asked: no split (it would be 0円)
        amounts = {
            "total": parts["hub"] + parts["hospital"],
            "hub_part": parts["hub"] if split else None,
            "hospital_part": parts["hospital"] if split else None,
        }
        save_budget(fiscal_year, amounts, None, staff)
        detail = (
            f"（拠点分 {parts['hub']:,}円、医療機関分 {parts['hospital']:,}円）" if split else ""
        )
        self.stdout.write(f"予算: 令和8年度 {amounts['total']:,}円{detail}を登録しました。")
