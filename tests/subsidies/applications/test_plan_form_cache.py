"""The plan form's HTML is kept for an unchanged plan (issue 21;
subsidies/applications/plan_form_page.py form_key): asked again, the page is served from the
cache with the request's own CSRF token, and every kind of write that changes what the form
shows gives a new page. The rest of the suite runs with the cache off (tests/conftest.py);
here it is on, with real commits."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from subsidies.applications import services
from tests import factories as f
from tests.subsidies.applications.test_application_pages import form_data
from zaitaku_portal.models import Role

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("_cache_on")]

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def _cache_on():
    with override_settings(PORTAL_FIGURES_MAX_AGE=60):
        yield


def edit(application) -> str:
    return f"/subsidies/applications/{application.pk}/edit/"


def page(client, application) -> tuple[str, int]:
    """The edit page's HTML with its CSRF tokens blanked, and the queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(edit(application))
    assert response.status_code == 200
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', response.content.decode()), len(queries)


def coordinator_client(world, enforce_csrf_checks=False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.force_login(world.users[Role.HUB_COORDINATOR])
    return client


def test_the_same_plan_is_served_again_without_reading_it(world, draft):
    client = coordinator_client(world)
    first, computed = page(client, draft)
    again, kept = page(client, draft)
    assert again == first  # the same page, byte for byte but the tokens
    assert kept < computed  # the plan's lines, menus and hospitals were not read again
    assert "csrf-token-of-the-request" not in again


def test_a_save_shows_at_once(world, draft):
    client = coordinator_client(world)
    page(client, draft)
    data, _ = form_data(client, draft)
    data.update(meeting_members="医師会・訪問看護（改）", save="1")
    assert client.post(edit(draft), data).status_code == 302
    assert "医師会・訪問看護（改）" in page(client, draft)[0]
    # another writer (the Excel upload, another tab): the version it counts is in the key
    plan = {"meeting_members": "別の画面から保存"}
    current = type(draft).objects.get(pk=draft.pk)
    services.save_plan(
        current, {**_plan_of(current), **plan}, world.users[Role.HUB_COORDINATOR], current.version
    )
    assert "別の画面から保存" in page(client, draft)[0]
    # text that reads like the CSRF mark is the user's, not replaced by a token
    current = type(draft).objects.get(pk=draft.pk)
    services.save_plan(
        current,
        {**_plan_of(current), "meeting_members": "csrf-token-of-the-request"},
        world.users[Role.HUB_COORDINATOR],
        current.version,
    )
    html, _ = page(client, draft)
    assert "\ncsrf-token-of-the-request</textarea>" in html  # the textarea, as typed


def _plan_of(application) -> dict:
    from subsidies.applications.reading import current_plan

    return current_plan(application)


def test_the_years_menus_and_the_hospitals_show_at_once(world, draft):
    client = coordinator_client(world)
    html, _ = page(client, draft)
    menu = draft.fiscal_year.menus.get(code="hub-meeting")
    assert menu.name in html
    menu.name = "連携会議の開催（名称変更）"
    menu.save()  # the catalogue's stamp
    assert "連携会議の開催（名称変更）" in page(client, draft)[0]
    hospital = f.MedicalInstitutionFactory(
        name="丁病院（新規指定）", municipality=world.hospital_a.municipality
    )
    f.DesignationFactory(institution=hospital, area=world.area_a, hub=world.hub_a)  # coverage
    assert "丁病院（新規指定）" in page(client, draft)[0]


def test_another_session_gets_its_own_token(world, draft):
    """The kept HTML holds no one's token: each session's page carries its own, which its
    POST passes the CSRF check with."""
    first = coordinator_client(world, enforce_csrf_checks=True)
    page(first, draft)
    second = Client(enforce_csrf_checks=True)
    second.force_login(f.coordinator_of(world.hub_a, username="coordinator-2"))
    data, html = form_data(second, draft)
    tokens = set(TOKEN.findall(html))
    assert tokens and all(len(token) == 64 for token in tokens)
    data.update(meeting_members="二人目の保存", save="1")
    response = second.post(edit(draft), data)
    assert response.status_code == 302  # not 403: the token is the second session's
    assert "二人目の保存" in page(second, draft)[0]


def test_the_application_pages_log_shows_each_new_entry(world, draft):
    """操作の記録 on the application page is kept until the log has a newer entry."""
    staff = Client()
    staff.force_login(world.users[Role.PREFECTURE_STAFF])
    url = f"/subsidies/applications/{draft.pk}/"
    first = staff.get(url).content.decode()
    count = int(re.search(r"操作の記録 (\d+)件を表示", first).group(1))
    assert count >= 2  # the start and the save
    assert "別の画面からの保存" not in first
    current = type(draft).objects.get(pk=draft.pk)
    services.save_plan(
        current,
        {**_plan_of(current), "meeting_members": "別の画面からの保存"},
        world.users[Role.HUB_COORDINATOR],
        current.version,
    )
    again = staff.get(url).content.decode()
    assert f"操作の記録 {count + 1}件を表示" in again and "別の画面からの保存" in again
    with CaptureQueriesContext(connection) as kept:
        assert staff.get(url).content.decode().count("<tr><td>") == again.count("<tr><td>")
    with override_settings(PORTAL_FIGURES_MAX_AGE=0), CaptureQueriesContext(connection) as read:
        staff.get(url)
    # kept: the newest entry's id instead of the entries with their actors (and the plan
    # form's menus kept too)
    assert len(kept) < len(read)


def _line_keys() -> set[str]:
    from django.core.cache import cache

    return {key for key in cache._cache if ":figures:plan-line:" in key}  # LocMemCache's


def _form_of(html: str) -> str:
    """The plan form and the forms after it (the page's messages left out)."""
    return html[html.index('<form method="post" id="plan-form"') : html.rindex("</form>")]


def _as_rendered_afresh(client, application) -> str:
    with override_settings(PORTAL_FIGURES_MAX_AGE=0):
        return _form_of(page(client, application)[0])


def test_each_line_is_kept_by_what_it_is_made_of(world, draft):
    """After any write the page is the page rendered afresh (the cache off), byte for byte:
    a save of the plan's own fields renders no line again, a line's change renders that line
    alone, and a menu's or the hub's new name the lines that print it."""
    from django.core.cache import cache

    cache.clear()
    client = coordinator_client(world)
    html, _ = page(client, draft)
    first = _line_keys()
    assert len(first) == html.count('<fieldset class="line') >= 2
    data, _ = form_data(client, draft)
    data.update(meeting_members="構成員だけ変更", save="1")
    assert client.post(edit(draft), data).status_code == 302
    html, _ = page(client, draft)
    assert "構成員だけ変更" in html and _line_keys() == first  # every line as it was
    assert _form_of(html) == _as_rendered_afresh(client, draft)

    data, form_html = form_data(client, draft)
    expense = re.search(r'name="(l1-expense_\w+)"', form_html).group(1)
    data.update({expense: "123456", "save": "1"})
    assert client.post(edit(draft), data).status_code == 302
    html, _ = page(client, draft)
    assert 'value="123456"' in html
    assert len(_line_keys() - first) == 1  # that line alone, rendered again
    assert _form_of(html) == _as_rendered_afresh(client, draft)

    data, _ = form_data(client, draft)
    data.update({"l0-planned_actions": "取り組みの文だけ変更", "save": "1"})  # no amount moves
    assert client.post(edit(draft), data).status_code == 302
    html, _ = page(client, draft)
    assert "取り組みの文だけ変更" in html and _form_of(html) == _as_rendered_afresh(client, draft)

    menu = draft.fiscal_year.menus.get(code="hub-meeting")
    menu.name = "連携会議（行ごとの改称）"
    menu.save()
    html, _ = page(client, draft)
    assert "連携会議（行ごとの改称）" in html
    assert _form_of(html) == _as_rendered_afresh(client, draft)
    world.hub_a.name = "甲拠点（改称）"
    world.hub_a.save()
    html, _ = page(client, draft)
    assert _form_of(html) == _as_rendered_afresh(client, draft)


def test_a_form_shown_again_with_errors_renders_its_lines_from_what_was_typed(world, draft):
    client = coordinator_client(world)
    page(client, draft)  # the lines kept
    data, form_html = form_data(client, draft)
    expense = re.search(r'name="(l0-expense_\w+)"', form_html).group(1)
    data.update({expense: "abc", "save": "1"})
    response = client.post(edit(draft), data)
    html = response.content.decode()
    assert response.status_code == 200 and "保存していません" in html
    assert f'name="{expense}" value="abc"' in html  # as typed, not the kept line
