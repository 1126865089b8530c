"""Opening the application stage: a draft plan per hub that answered, its content the
answer; a hub that already has an application is skipped and named; audited."""

import pytest

from subsidies.applications import services as application_service
from subsidies.applications.reading import lines_of
from subsidies.models import Application, ApplicationStatus
from subsidies.survey.rules import SurveyError
from subsidies.survey.services import open_application_stage
from tests.factories import coordinator_of
from tests.subsidies.survey.conftest import answer
from zaitaku_portal.models import AuditEntry


def test_drafts_from_the_answers_skipping_existing_plans(client, survey_world):
    world = survey_world
    answer(
        world,
        world.hub_a,
        world.coordinator,
        {
            "hub-meeting": {"wish": True, "start_year": 2026, "planned_actions": "推進会議"},
            "hub-district": {"wish": True, "start_year": 2027, "planned_actions": "WG設置"},
            "hosp-nurse": {"hospital_count": 1, "planned_actions": "退院調整看護師"},
        },
        district_policy="市町村ごと",
        meeting_body_count=2,
        other_actions="ACP普及",
        other_actions_start_year=2028,
    )
    coordinator_b = coordinator_of(world.hub_b)
    answer(world, world.hub_b, coordinator_b, {"hub-meeting": {"wish": True}})
    existing = application_service.start_application(world.hub_b, world.fiscal_year, coordinator_b)
    existing_version = existing.version

    client.force_login(world.staff)
    response = client.post("/subsidies/survey/2026/open-applications/", follow=True)
    page = response.content.decode()
    assert "下書きを1件作成しました（甲拠点）" in page
    assert "既に交付申請があるため、上書きせずに見送りました: 乙拠点" in page

    draft = Application.objects.get(hub=world.hub_a, fiscal_year=world.fiscal_year)
    assert draft.status == ApplicationStatus.DRAFT
    assert (draft.district_policy, draft.meeting_body_count) == ("市町村ごと", 2)
    assert (draft.other_actions, draft.other_actions_start_year) == ("ACP普及", 2028)
    lines = {(line.menu.code, line.designation_id): line for line in lines_of(draft)}
    meeting = lines[("hub-meeting", None)]
    assert (meeting.wish, meeting.start_year, meeting.planned_actions) == (True, 2026, "推進会議")
    district = lines[("hub-district", None)]
    assert (district.wish, district.start_year) == (True, 2027)
    # which hospitals: the hub picks them on its plan page (issue 18, setting (a)); the
    # survey's count of hospitals lays none out
    assert not [key for key in lines if key[1] is not None]
    existing.refresh_from_db()
    assert existing.version == existing_version  # untouched
    entry = AuditEntry.objects.get(action="survey.open_applications")
    assert entry.changes["既に申請があるため見送った拠点"]["to"] == "乙拠点"
    assert AuditEntry.objects.filter(action="申請の作成（意向調査から）").count() == 1

    again = open_application_stage(world.fiscal_year, world.staff)
    assert (again.created, again.skipped) == ([], ["乙拠点", "甲拠点"])


def test_only_staff_open_the_application_stage(survey_world):
    with pytest.raises(SurveyError, match="県職員のみ"):
        open_application_stage(survey_world.fiscal_year, survey_world.coordinator)
    assert not Application.objects.exists()
