"""Each message at its field (issue 20): the budget, the what-if, the 要綱 settings, the
area's figures and the survey's period and answer post bad input and get the page back with
the input marked aria-invalid, described by the element right after it that holds the
message (zaitaku_portal/form_fields.py), the summary at the top, and nothing saved; amounts
and counts typed with commas and 全角数字 are read."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from hubs.models import AreaProfile
from subsidies.models import Budget, FiscalYear, Survey, SurveyAnswer
from subsidies.survey.services import save_period
from zaitaku_portal.models import Role

pytestmark = pytest.mark.django_db


def marked_at_field(page: str, field_id: str, message: str) -> None:
    """The input `field_id` is invalid and points at `<id>_error`, which follows it and says
    `message`; the summary at the top says it too."""
    tag = re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="{field_id}"[^>]*>', page)
    assert tag, f"no input {field_id}"
    assert 'aria-invalid="true"' in tag.group(0), tag.group(0)
    described = re.search(r'aria-describedby="([^"]*)"', tag.group(0))
    assert described and f"{field_id}_error" in described.group(1).split(), tag.group(0)
    after = page[tag.end() :]
    error = re.search(
        rf'<span class="field-error" id="{field_id}_error">(.*?)</span></span>', after
    )
    assert error, f"no message after {field_id}"
    assert message in error.group(1)
    # beside the input: nothing but the closing of a select or textarea between them
    between = after[: error.start()]
    assert re.fullmatch(r"(?s)(?:.*?</(?:select|textarea)>)?", between), between[:200]
    assert page.count(f'id="{field_id}_error"') == 1
    summary = page[: page.index('class="problems"') + 2000] if 'class="problems"' in page else ""
    assert message in summary, "the summary at the top lists it too"


def no_dangling_description(page: str) -> None:
    """Every id an input is described by is on the page."""
    for ids in re.findall(r'aria-describedby="([^"]*)"', page):
        for name in ids.split():
            assert f'id="{name}"' in page, name


# --- the budget (staff) --------------------------------------------------------------------


def test_the_budget_marks_the_amount_in_error_and_reads_full_width(client, apps_world):
    client.force_login(apps_world.staff)
    url = reverse("subsidies:budget", args=[2026])
    page = client.post(url, {"unit": "thousand", "total": "12a"}).content.decode()
    marked_at_field(page, "id_total", "「予算額」は0以上の整数で入力してください（入力: 12a）。")
    no_dangling_description(page)
    page = client.post(
        url, {"unit": "thousand", "total": "", "hub_part": "500,000", "hospital_part": ""}
    ).content.decode()
    marked_at_field(page, "id_hospital_part", "（「医療機関分」が空欄です）")
    assert not Budget.objects.exists()
    # 全角 with a 全角 comma, in 千円: ５７４，４２０千円 = 574,420,000円
    response = client.post(url, {"unit": "thousand", "total": "５７４，４２０"})
    assert response.status_code == 302
    assert FiscalYear.objects.get(year=2026).budget_amount == 574_420_000


def test_the_allocation_page_marks_a_bad_ceiling(client, apps_world):
    from tests.subsidies.factories import application_in

    w = apps_world
    application_in("under_review", w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    w.fiscal_year.budget_amount = 100_000
    w.fiscal_year.save()
    client.force_login(w.staff)
    url = reverse("subsidies:allocation", args=[2026])
    page = client.get(url).content.decode()
    part = re.search(r'<option value="([^"]+)"', page).group(1)
    page = client.post(url, {"part": part, "method": "ceiling", "ceiling": "abc"}).content.decode()
    marked_at_field(page, "id_ceiling", "「上限」は0以上の整数で入力してください（入力: abc）。")
    no_dangling_description(page)


# --- the what-if (staff, GET) --------------------------------------------------------------


def test_the_what_if_marks_the_cap_and_rate_in_error(client, apps_world):
    client.force_login(apps_world.staff)
    meeting = apps_world.menus["hub-meeting"]
    url = reverse("subsidies:what_if", args=[2026])
    page = client.get(
        url, {f"cap{meeting.pk}": "三十万", f"rate{meeting.pk}": "2/1"}
    ).content.decode()
    marked_at_field(page, f"id_cap{meeting.pk}", "上限額」は円単位の0以上の整数で入力してください")
    marked_at_field(page, f"id_rate{meeting.pk}", "補助率」は0より大きく1以下にしてください")
    no_dangling_description(page)
    # "３００，０００円" is 300,000 yen: no error, and the scenario uses it
    page = client.get(url, {f"cap{meeting.pk}": "３００，０００円"}).content.decode()
    assert "field-error" not in page
    assert re.search(r'<ol id="what-if-changes"><li>[^<]*' + re.escape(meeting.name), page)


# --- the 要綱 settings (staff) ---------------------------------------------------------------


def test_the_settings_mark_the_date_and_the_days_in_error(client, apps_world):
    from tests.subsidies.catalogue.test_yoko_settings import _post

    client.force_login(apps_world.staff)
    url = reverse("subsidies:catalogue_settings", args=[2026])
    before = FiscalYear.objects.get(year=2026).issuer_name
    page = client.post(
        url,
        _post(results_deadline="2027-13-40", withdrawal_days="十五", issuer_name="別の名前"),
    ).content.decode()
    marked_at_field(page, "id_results_deadline", "「実績報告の締切」の日付が正しくありません")
    marked_at_field(page, "id_withdrawal_days", "は整数（日数）で入力してください。")
    no_dangling_description(page)
    assert FiscalYear.objects.get(year=2026).issuer_name == before


# --- the area's figures (health center, staff) ---------------------------------------------


def test_the_area_figures_mark_each_count_and_read_full_width(client, world):
    client.force_login(world.users[Role.HEALTH_CENTER])
    url = reverse("hubs:profile_edit", args=[world.area_a.pk])
    values = {"municipality": "", "figure_year": "2024", "population": "たくさん"}
    values |= {"ageing_rate": "27.4", "count_clinic": "-1"}
    page = client.post(url, values).content.decode()
    marked_at_field(page, "id_population", "「人口（人）」は整数で入力してください。")
    marked_at_field(page, "id_count_clinic", "「一般診療所（数）」は0以上で入力してください。")
    no_dangling_description(page)
    assert not AreaProfile.objects.exists()
    # 全角 and commas: ９８，０００ people
    values |= {"population": "９８，０００", "count_clinic": "１２"}
    assert client.post(url, values).status_code == 302
    assert AreaProfile.objects.get(area=world.area_a).population == 98_000


# --- the survey: its period (staff) and a hub's answer (coordinator) -----------------------


def test_the_survey_period_marks_the_closing_day_and_saves_nothing(client, apps_world):
    client.force_login(apps_world.staff)
    url = reverse("subsidies:survey_period", args=[2026])
    response = client.post(url, {"opens_on": "2026-05-10", "closes_on": "2026-05-01"})
    assert response.status_code == 200  # the page again, not a redirect that loses the input
    page = response.content.decode()
    marked_at_field(page, "id_closes_on", "回答の締切日は受付開始日以降の日付にしてください。")
    assert 'value="2026-05-10"' in page  # what was typed is kept
    page = client.post(url, {"opens_on": "", "closes_on": "2026-05-01"}).content.decode()
    marked_at_field(page, "id_opens_on", "「回答の受付開始日」を入力してください。")
    no_dangling_description(page)
    assert not Survey.objects.exists()


def test_the_survey_answer_marks_the_count_and_reads_full_width(client, apps_world):
    w = apps_world
    today = timezone.localdate()
    save_period(
        w.fiscal_year,
        today - datetime.timedelta(days=1),
        today + datetime.timedelta(days=20),
        None,
        w.staff,
    )
    nurse = w.menus["hosp-nurse"]
    client.force_login(w.coordinator)
    url = reverse("subsidies:survey_answer", args=[2026, w.hub_a.pk])
    data = {"version": "", "district_policy": "市町村ごと", f"count_{nurse.pk}": "二"}
    data["meeting_body_count"] = "1000"
    page = client.post(url, data).content.decode()
    marked_at_field(
        page, f"id_count_{nurse.pk}", "補助希望の医療機関数」は整数で入力してください。"
    )
    marked_at_field(page, "id_meeting_body_count", "「会議体の設置数」が大きすぎます。")
    no_dangling_description(page)
    assert not SurveyAnswer.objects.exists()
    data |= {f"count_{nurse.pk}": "２", "meeting_body_count": "３"}
    assert client.post(url, data).status_code == 302
    answer = SurveyAnswer.objects.get(hub=w.hub_a)
    assert answer.meeting_body_count == 3
    assert answer.lines.get(menu=nurse).hospital_count == 2
