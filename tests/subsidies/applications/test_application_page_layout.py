"""The application page shows the menus wished for and folds the rest (issue 20); the long
sections (versions, history) fold with a summary that says how many; the plan form shows its
totals per recipient and overall."""

import re

import pytest

from subsidies.applications import services as service
from subsidies.models import ApplicationStatus
from tests.subsidies.factories import application_in, catalogue
from zaitaku_portal.models import Role

pytestmark = pytest.mark.django_db


def test_only_wished_menus_in_the_table_the_others_folded(client, world):
    fy, _menus = catalogue()
    coordinator, staff = world.users[Role.HUB_COORDINATOR], world.users[Role.PREFECTURE_STAFF]
    application = application_in(ApplicationStatus.SUBMITTED, world.hub_a, fy, coordinator, staff)
    client.force_login(staff)
    html = client.get(f"/subsidies/applications/{application.pk}/").content.decode()
    # complete_plan wishes the hub's meeting menu only; an unwished menu with nothing entered
    # is not printed at all (issue 18), and no hospital is in the plan until the hub adds it
    assert 'data-line="hub-meeting"' in html
    assert 'data-line="hub-district"' not in html
    assert "資源把握・課題整理・対応策検討" not in html
    assert '<details class="unwished">' not in html
    assert "甲病院" not in html
    # the versions and the history fold, with their counts in the summary
    assert "1件の版（最新 第1版・" in html
    assert re.search(r"<summary>操作の記録 \d+件を表示</summary>", html)


def test_plan_form_shows_totals_per_recipient_and_overall(client, world):
    fy, _menus = catalogue()
    coordinator = world.users[Role.HUB_COORDINATOR]
    application = service.start_application(world.hub_a, fy, coordinator)
    from tests.subsidies.factories import complete_plan

    application, _ = service.save_plan(
        application, complete_plan(application), coordinator, application.version
    )
    client.force_login(coordinator)
    html = client.get(f"/subsidies/applications/{application.pk}/edit/").content.decode()
    # hub: 300,000 + 100,000 = 400,000円 of expenses, cap 1,060,000, rate 1/1 → 400,000円
    assert re.search(r'data-group-expense="hub">400,000円<', html)
    assert "甲拠点 計：予定経費" in html
    assert re.search(r"data-all-expense>400,000円<", html)
    assert "交付見込額（保存時点）<strong>400,000円</strong>" in html
    assert "portal/plan_totals.js" in html
