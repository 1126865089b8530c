"""Issue 20: the 400, 403, 404 and 500 pages are in Japanese, carry the portal's header and a
way back, with DEBUG off (production) and in the demo (DEBUG on, PORTAL_DEBUG_PAGES=0).

Each page is reached through the real stack: an address no URL matches, a view raising
Http404 or an uncaught error (a test URL added beside the portal's own), a role refused by
require_roles, a Host header outside ALLOWED_HOSTS."""

import pytest
from django.http import Http404
from django.template import loader
from django.test import Client, override_settings
from django.urls import include, path

from zaitaku_portal.models import Role

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("the fault the user must not see")


def _missing(request):
    raise Http404("No Application matches the given query.")  # Django's own English wording


urlpatterns = [
    path("test-boom/", _boom),
    path("test-missing/", _missing),
    path("", include("zaitaku_portal.urls")),
]
HERE = {"ROOT_URLCONF": __name__}
DEMO = {**HERE, "DEBUG": True, "PORTAL_DEBUG_PAGES": False}
TITLE = "在宅医療連携拠点 補助事業ポータル"
ENGLISH = ("Page not found", "Not Found", "Server Error", "Traceback", "Bad Request", "Forbidden")


def _client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _assert_japanese_page(response, status: int, heading: str) -> str:
    html = response.content.decode()
    assert response.status_code == status
    assert f"<h1>{heading}</h1>" in html
    assert TITLE in html  # the portal's header
    assert "ホームへ戻る" in html and 'href="/"' in html  # the way back
    assert '<html lang="ja">' in html
    for word in ENGLISH:
        assert word not in html, word
    return html


@override_settings(**HERE, DEBUG=False)
def test_404_for_an_unknown_address_and_for_a_view_that_raises_it(world):
    coordinator = world.users[Role.HUB_COORDINATOR]
    for url in ("/no-such-page/", "/test-missing/"):
        html = _assert_japanese_page(_client(coordinator).get(url), 404, "ページが見つかりません")
        assert "No Application matches" not in html  # Django's English message is not shown
        assert "メインメニュー" in html  # a signed-in user keeps the portal's menu
    _assert_japanese_page(_client().get("/no-such-page/"), 404, "ページが見つかりません")


@override_settings(**HERE, DEBUG=False)
def test_403_when_the_role_may_not_open_the_page(world):
    coordinator = world.users[Role.HUB_COORDINATOR]
    response = _client(coordinator).get("/subsidies/review/")  # the prefecture's review queue
    html = _assert_japanese_page(response, 403, "この画面を表示する権限がありません")
    assert f"あなたの役割（{coordinator.get_role_display()}）" in html


@override_settings(**HERE, DEBUG=False)
def test_500_for_an_uncaught_error(world):
    html = _assert_japanese_page(_client().get("/test-boom/"), 500, "システムエラーが発生しました")
    assert "the fault the user must not see" not in html


def test_500_renders_with_an_empty_context():
    """Django renders 500.html with no context at all (no request, no context processors):
    the page must come out whole without them."""
    html = loader.get_template("500.html").render()
    assert "<h1>システムエラーが発生しました</h1>" in html
    assert TITLE in html and 'href="/"' in html
    assert "{%" not in html and "{{" not in html


@override_settings(**HERE, DEBUG=False)
def test_400_for_a_host_outside_allowed_hosts(world):
    response = _client().get("/", HTTP_HOST="portal.example.invalid")
    _assert_japanese_page(response, 400, "要求を受け付けられませんでした")


@override_settings(**DEMO)
def test_the_demo_shows_the_real_pages_not_the_debug_pages(world):
    coordinator = world.users[Role.HUB_COORDINATOR]
    _assert_japanese_page(_client().get("/no-such-page/"), 404, "ページが見つかりません")
    _assert_japanese_page(_client(coordinator).get("/test-missing/"), 404, "ページが見つかりません")
    _assert_japanese_page(_client().get("/test-boom/"), 500, "システムエラーが発生しました")
    response = _client(coordinator).get("/subsidies/review/")
    _assert_japanese_page(response, 403, "この画面を表示する権限がありません")


@override_settings(**DEMO)
def test_the_demo_keeps_pages_views_answer_themselves_and_the_slash_redirect(world):
    staff = world.users[Role.PREFECTURE_STAFF]
    # a view's own 400 page (a bad ?year=) is not replaced by the generic one
    response = _client(staff).get("/reports/dashboard/?year=abc")
    assert response.status_code == 400
    assert "表示の指定が正しくありません" in response.content.decode()
    # CommonMiddleware's APPEND_SLASH still redirects instead of answering 404
    response = _client(staff).get("/reports/dashboard")
    assert response.status_code == 301 and response["Location"] == "/reports/dashboard/"


@override_settings(**HERE, DEBUG=True, PORTAL_DEBUG_PAGES=True)
def test_developers_keep_the_debug_pages_by_default(world):
    assert "Page not found" in _client().get("/no-such-page/").content.decode()
    assert "Traceback" in _client().get("/test-boom/").content.decode()
