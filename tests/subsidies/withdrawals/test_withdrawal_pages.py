"""The 取下げ through the shared action page, and what the application page shows after."""

import dataclasses
import datetime

from django.urls import reverse

from subsidies.applications.withdrawals import tokyo_today
from subsidies.models import Application, ApplicationStatus, Withdrawal
from tests.factories import coordinator_of
from tests.subsidies.approvals import drive
from tests.subsidies.factories import application_in, decision_input
from zaitaku_portal.wareki import wareki_date

S = ApplicationStatus


def test_coordinator_withdraws_a_submitted_application_from_its_page(apps_world, client):
    w = apps_world
    application = application_in(S.SUBMITTED, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    client.force_login(w.coordinator)
    url = reverse("subsidies:application_action", args=[application.pk, "withdraw"])
    page = client.get(url)
    assert page.status_code == 200 and "取下げの理由" in page.content.decode()
    empty = client.post(url, {"version": application.version, "reason": ""})
    assert "取下げの理由を入力してください。" in empty.content.decode()
    assert Application.objects.get(pk=application.pk).status == S.SUBMITTED
    done = client.post(url, {"version": application.version, "reason": "体制が整わないため"})
    assert done.status_code == 302
    detail = client.get(reverse("subsidies:application_detail", args=[application.pk]))
    html = detail.content.decode()
    assert "交付決定前の取下げ" in html and "体制が整わないため" in html
    assert Withdrawal.objects.get(application=application).filed_by == w.coordinator


def test_closed_window_is_shown_disabled_with_its_last_day(apps_world, client):
    w = apps_world
    w.fiscal_year.withdrawal_days = 14
    w.fiscal_year.save()
    application = application_in(S.UNDER_REVIEW, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    noticed = tokyo_today() - datetime.timedelta(days=15)
    decision = dataclasses.replace(decision_input(application), notice_date=noticed)
    application = drive.decide(application, w.staff, decision=decision)
    client.force_login(w.coordinator)
    html = client.get(reverse("subsidies:application_detail", args=[application.pk])).content
    last = wareki_date(noticed + datetime.timedelta(days=14))
    assert f"交付決定後の取下げ期限（{last}）を過ぎています。" in html.decode()
    assert 'aria-describedby="why-withdraw_decided"' in html.decode()


def test_another_hubs_coordinator_gets_404(apps_world, client):
    w = apps_world
    application = application_in(S.SUBMITTED, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    client.force_login(coordinator_of(w.hub_b, username="otsu"))
    url = reverse("subsidies:application_action", args=[application.pk, "withdraw"])
    assert client.post(url, {"version": application.version, "reason": "x"}).status_code == 404
    assert Application.objects.get(pk=application.pk).status == S.SUBMITTED
