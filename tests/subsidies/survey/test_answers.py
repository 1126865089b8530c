"""Answers on the web: saved and audited, a stale version refused, a closed survey refused,
each role sees what its scope allows; the coordinator's to-do while it has not answered."""

import datetime

import pytest
from django.utils import timezone

from subsidies.models import SurveyAnswer
from subsidies.survey.rules import StaleVersion, SurveyError
from subsidies.survey.services import close_survey, save_answer, save_period
from subsidies.survey.todos import todos
from tests.subsidies.survey.conftest import answer
from zaitaku_portal.models import AuditEntry


def _form(world, version="", **extra):
    menus = world.menus
    data = {
        "version": version,
        f"wish_{menus['hub-meeting'].pk}": "on",
        f"start_{menus['hub-meeting'].pk}": "2027",
        f"actions_{menus['hub-meeting'].pk}": "多職種連携会議を年4回",
        f"count_{menus['hosp-nurse'].pk}": "2",
        "district_policy": "市町村ごとに2区割り",
        "meeting_body_count": "2",
    }
    data.update(extra)
    return data


def test_coordinator_answers_on_the_web(client, survey_world):
    world = survey_world
    client.force_login(world.coordinator)
    url = f"/subsidies/survey/2026/hubs/{world.hub_a.pk}/"
    assert "回答を保存する" in client.get(url).content.decode()
    response = client.post(url, _form(world))
    assert response.status_code == 302
    saved = SurveyAnswer.objects.get(hub=world.hub_a)
    lines = {line.menu.code: line for line in saved.lines.select_related("menu")}
    assert (lines["hub-meeting"].wish, lines["hub-meeting"].start_year) == (True, 2027)
    assert lines["hub-meeting"].planned_actions == "多職種連携会議を年4回"
    assert (lines["hosp-nurse"].hospital_count, lines["hosp-nurse"].wish) == (2, True)
    assert lines["hub-district"].wish is False
    assert (saved.meeting_body_count, saved.version) == (2, 1)
    entry = AuditEntry.objects.get(action="意向調査の回答（画面入力）")
    assert entry.changes["多職種が参加する連携会議の開催／開始年度"] == {
        "from": "（空欄）",
        "to": "R9〜",
    }


def test_a_stale_version_is_refused_and_nothing_saved(client, survey_world):
    world = survey_world
    answer(world, world.hub_a, world.coordinator, {"hub-meeting": {"wish": True}})
    client.force_login(world.coordinator)
    url = f"/subsidies/survey/2026/hubs/{world.hub_a.pk}/"
    response = client.post(url, _form(world, version="0"), follow=True)
    assert "他の方が更新しました" in response.content.decode()
    assert SurveyAnswer.objects.get(hub=world.hub_a).version == 1
    with pytest.raises(StaleVersion):  # the version loaded before the first answer: None
        save_answer(world.fiscal_year, world.hub_a, {"lines": {}}, None, world.coordinator)
    assert SurveyAnswer.objects.get(hub=world.hub_a).version == 1


def test_a_start_year_outside_the_three_is_refused(client, survey_world):
    world = survey_world
    client.force_login(world.coordinator)
    url = f"/subsidies/survey/2026/hubs/{world.hub_a.pk}/"
    menu = world.menus["hub-meeting"]
    response = client.post(url, _form(world, **{f"start_{menu.pk}": "2030"}))
    assert "正しく選択してください" in response.content.decode()
    assert not SurveyAnswer.objects.exists()


def test_a_closed_survey_takes_no_answer(client, survey_world):
    world = survey_world
    close_survey(world.fiscal_year, world.survey.version, world.staff)
    client.force_login(world.coordinator)
    url = f"/subsidies/survey/2026/hubs/{world.hub_a.pk}/"
    response = client.post(url, _form(world), follow=True)
    assert "締切済み" in response.content.decode()
    assert not SurveyAnswer.objects.exists()
    with pytest.raises(SurveyError, match="締切済み"):
        answer(world, world.hub_a, world.coordinator, {})
    assert AuditEntry.objects.filter(action="survey.close").count() == 1


def test_scope_coordinator_health_center_staff(client, survey_world):
    world = survey_world
    answer(world, world.hub_a, world.coordinator, {"hub-meeting": {"wish": True}})
    client.force_login(world.coordinator)
    assert client.get(f"/subsidies/survey/2026/hubs/{world.hub_b.pk}/").status_code == 404
    home = client.get("/subsidies/survey/2026/").content.decode()
    assert "甲拠点" in home and "乙拠点" not in home
    client.force_login(world.health_center)
    page = client.get(f"/subsidies/survey/2026/hubs/{world.hub_a.pk}/").content.decode()
    assert "回答を保存する" not in page and "<td>○</td>" in page
    response = client.post(f"/subsidies/survey/2026/hubs/{world.hub_a.pk}/", _form(world))
    assert SurveyAnswer.objects.get(hub=world.hub_a).version == 1  # nothing written
    assert "担当の拠点コーディネーターのみ" in response.content.decode()
    assert client.get(f"/subsidies/survey/2026/hubs/{world.hub_b.pk}/").status_code == 404
    client.force_login(world.staff)
    home = client.get("/subsidies/survey/2026/").content.decode()
    assert "甲拠点" in home and "乙拠点" in home and "1 / 2 拠点" in home


def test_period_is_audited_and_a_closed_survey_reopens(survey_world):
    world = survey_world
    closed = close_survey(world.fiscal_year, world.survey.version, world.staff)
    today = timezone.localdate()
    reopened = save_period(
        world.fiscal_year, today, today + datetime.timedelta(days=5), closed.version, world.staff
    )
    assert reopened.is_open(today)
    entry = AuditEntry.objects.filter(action="survey.period").latest("pk")
    assert entry.changes["状態"] == {"from": "締切済み", "to": "受付"}
    with pytest.raises(SurveyError, match="県職員のみ"):
        save_period(world.fiscal_year, today, today, reopened.version, world.coordinator)


def test_the_coordinators_todo_while_unanswered(survey_world):
    world = survey_world
    [item] = todos(world.coordinator)
    assert (item.count, item.detail, item.due) == (1, "甲拠点", world.survey.closes_on)
    assert item.url == f"/subsidies/survey/2026/hubs/{world.hub_a.pk}/"
    answer(world, world.hub_a, world.coordinator, {})
    assert todos(world.coordinator) == []
    assert todos(world.staff) == []


def test_staff_open_the_survey_on_its_page(client, apps_world):
    from subsidies.models import Survey

    client.force_login(apps_world.staff)
    url = "/subsidies/survey/2026/period/"
    refused = client.post(url, {"opens_on": "2026-05-10", "closes_on": "2026-05-01"}, follow=True)
    assert "回答の締切日は受付開始日以降の日付にしてください。" in refused.content.decode()
    assert not Survey.objects.exists()
    client.post(url, {"opens_on": "2026-05-01", "closes_on": "2026-05-31"})
    survey = Survey.objects.get()
    assert (str(survey.opens_on), str(survey.closes_on), survey.version) == (
        "2026-05-01",
        "2026-05-31",
        1,
    )
    stale = client.post(url, {"opens_on": "2026-05-01", "closes_on": "2026-06-30"}, follow=True)
    assert "他の方が更新しました" in stale.content.decode()  # no version sent: stale
    client.force_login(apps_world.coordinator)
    assert (
        client.post(url, {"opens_on": "2026-05-01", "closes_on": "2026-06-30"}).status_code == 403
    )
    survey.refresh_from_db()
    assert str(survey.closes_on) == "2026-05-31"
