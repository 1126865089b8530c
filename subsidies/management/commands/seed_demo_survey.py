"""Demo data for the intention survey (意向調査, seed 004): 令和8年度's survey open from two
weeks ago to two weeks ahead, and an answer from every hub with a coordinator except 竹富町
(so yaeyama sees the to-do): three hub menus in four wished, in turn from R8〜, R9〜 and R10〜, the
hospital menus wished by as many hospitals as the hub's area has active ones (at most 3).
Entered through the real writers (audited, as staff and as each hub's coordinator). Does
nothing when the year already has a survey."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from hubs.models import Hub
from subsidies.applications.reading import hospital_designations
from subsidies.models import FiscalYear, Survey
from subsidies.survey.reading import answer_data, is_hub_menu, menus_of
from subsidies.survey.services import save_answer, save_period
from zaitaku_portal.models import Role, User

YEAR = 2026
UNANSWERED = "竹富町"
ACTIONS = ("多職種連携会議を年4回開催", "入退院支援の手引きの周知", "住民向け講演会の開催")


def demo_answer(menus, hub, index: int) -> dict:
    data = answer_data(None, menus)
    hospitals = min(hospital_designations(hub).count(), 3)
    for order, menu in enumerate(menus):
        line = data["lines"][menu.code]
        if is_hub_menu(menu):
            if (order + index) % 4 != 3:
                line["wish"] = True
                line["start_year"] = YEAR + (order + index) % 3
                line["planned_actions"] = ACTIONS[(order + index) % len(ACTIONS)]
        elif hospitals and (order + index) % 2 == 0:
            line["hospital_count"] = hospitals
            line["wish"] = True
            line["planned_actions"] = "圏域の積極的医療機関で実施"
    data["district_policy"] = f"{hub.name}の管内を{hub.district_count or 1}区割りで実施"
    data["meeting_body_count"] = hub.district_count or 1
    data["meeting_members"] = "医師会、歯科医師会、薬剤師会、訪問看護、地域包括支援センター"
    return data


class Command(BaseCommand):
    help = "令和8年度の意向調査（受付中）と拠点の回答をデモ用に登録します。"

    def handle(self, *args, **options):
        fiscal_year = FiscalYear.objects.filter(year=YEAR).first()
        staff = (
            User.objects.filter(role=Role.PREFECTURE_STAFF, is_active=True).order_by("pk").first()
        )
        if fiscal_year is None or staff is None:
            self.stdout.write("意向調査: 令和8年度または県職員がないため、登録しませんでした。")
            return
        if Survey.objects.filter(fiscal_year=fiscal_year).exists():
            self.stdout.write("意向調査: 既に登録されています。")
            return
        today = timezone.localdate()
        two_weeks = datetime.timedelta(days=14)
        save_period(fiscal_year, today - two_weeks, today + two_weeks, None, staff)
        menus = menus_of(fiscal_year)
        answered = 0
        hubs = Hub.objects.filter(coordinators__user__isnull=False).distinct().order_by("pk")
        for index, hub in enumerate(hubs.exclude(name=UNANSWERED)):
            coordinator = User.objects.filter(
                coordinator_roles__hub=hub, role=Role.HUB_COORDINATOR, is_active=True
            ).first()
            if coordinator is None:
                continue
            save_answer(fiscal_year, hub, demo_answer(menus, hub, index), None, coordinator)
            answered += 1
        self.stdout.write(
            f"意向調査: 令和8年度の意向調査を受付中にし、{answered}拠点の回答を登録しました。"
        )
