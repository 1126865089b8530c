"""Roles and permissions: who may do what.

A permission answers (allowed, reason) so the page can say why an action is missing. Which
records a user sees is the other half, in zaitaku_portal/scopes.py; together they are the
only places that look at a user's role (docs/adr/0002-roles-and-scoping.md)."""

from __future__ import annotations

from functools import cache, wraps
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import get_script_prefix, get_urlconf, reverse

from zaitaku_portal.models import Role

if TYPE_CHECKING:
    from zaitaku_portal.models import User

STAFF_ROLES = frozenset({Role.PREFECTURE_STAFF, Role.ADMINISTRATOR})


class Permission(NamedTuple):
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def role_of(user) -> Role | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        return Role(user.role)
    except ValueError:
        return None


def is_prefecture_staff(user) -> bool:
    return role_of(user) in STAFF_ROLES


# --- permissions -----------------------------------------------------------------------


def can_manage_master_data(user) -> Permission:
    if role_of(user) in STAFF_ROLES:
        return Permission(True)
    return Permission(False, "マスタデータの編集は県職員のみが行えます。")


def can_manage_users(user) -> Permission:
    """Users, roles and two-factor devices: administrators only (issue 12). A prefecture
    staff member who could edit users could make themselves administrator."""
    if role_of(user) == Role.ADMINISTRATOR:
        return Permission(True)
    return Permission(False, "利用者・役割・二要素認証の管理はシステム管理者のみが行えます。")


def requires_two_factor(user) -> bool:
    """Who may not work without a second factor: whoever manages users, and every prefecture
    staff member when PORTAL_REQUIRE_TWO_FACTOR_FOR_ALL_STAFF is on. The one place to add
    the 決裁 (approval) right when issue 15 brings it."""
    if role_of(user) not in STAFF_ROLES:
        return False
    return bool(can_manage_users(user)) or settings.PORTAL_REQUIRE_TWO_FACTOR_FOR_ALL_STAFF


def can_view_catalogue(user) -> Permission:
    if role_of(user) is not None:
        return Permission(True)
    return Permission(False, "ログインしてください。")


# --- view decorator and navigation -----------------------------------------------------


def require_roles(*roles: Role):
    """Login required, then the role must be one of `roles` (403 otherwise).

    Views declare their roles here; tests/zaitaku_portal/test_url_roles.py checks every URL
    against the expected outcome per role."""

    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            role = role_of(request.user)
            if role is None:
                return redirect_to_login(request.get_full_path())
            if role not in allowed:
                raise PermissionDenied("この画面を表示する権限がありません。")
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = allowed
        return wrapped

    return decorator


ALL_ROLES = tuple(Role)
# Every role but the hospital's contact, whose scope is its institution(s) alone (issue 18):
# the pages of areas and hubs, the coverage and facility groups of areas, and the survey
# the hubs answer, which say nothing to a hospital (403 rather than an empty page).
AREA_ROLES = tuple(role for role in Role if role != Role.HOSPITAL)


def home_url_for(user: User) -> str:
    role = role_of(user)
    if role in STAFF_ROLES:
        return reverse("subsidies:review_home")
    if role == Role.HUB_COORDINATOR:
        return reverse("hubs:my_hubs")
    if role == Role.HEALTH_CENTER:
        return reverse("reports:dashboard")
    if role == Role.HOSPITAL:
        return reverse("subsidies:application_list")
    return reverse("login")


class NavItem(NamedTuple):
    """A menu entry: a link, or (url None) a group of links that opens as a list."""

    label: str
    url: str | None = None
    children: tuple[NavItem, ...] = ()


def navigation_for(user) -> list[NavItem]:
    """The main menu of each role. Staff have eighteen pages: the daily ones stay on the bar,
    the rest are in two groups so the bar fits on one line."""
    role = role_of(user)
    if role is None:
        return []
    return list(_navigation(role, get_script_prefix(), get_urlconf()))


@cache
def _navigation(role: str, script_prefix: str, urlconf) -> tuple[NavItem, ...]:
    """A role's menu, its links reversed once per process for each script prefix and URLconf
    they are reversed under (every page shows it; the links never change otherwise)."""
    if role in STAFF_ROLES:
        return (
            NavItem("審査・状況", reverse("subsidies:review_home")),
            NavItem("県全体の状況", reverse("reports:prefecture")),
            NavItem("交付申請", reverse("subsidies:application_list")),
            NavItem("実績報告・額の確定", reverse("results:index")),
            NavItem("決裁待ち", reverse("subsidies:approval_queue")),
            NavItem(
                "拠点・医療機関",
                children=(
                    NavItem("拠点一覧", reverse("hubs:list")),
                    NavItem("積極的医療機関", reverse("hospitals:list")),
                    NavItem("充足状況", reverse("hospitals:coverage")),
                    NavItem("名簿の取込", reverse("hospitals:registry_imports")),
                    NavItem("候補と指定", reverse("hospitals:candidates")),
                    NavItem("在宅医療圏の状況", reverse("hubs:areas")),
                    NavItem("施設のグループ", reverse("hospitals:facility_groups")),
                ),
            ),
            NavItem(
                "帳票・設定",
                children=(
                    NavItem("帳票の一括作成", reverse("reports:batch_list")),
                    NavItem("補助メニュー", reverse("subsidies:catalogue_latest")),
                    NavItem("予算", reverse("subsidies:budget_latest")),
                    NavItem("意向調査", reverse("subsidies:survey_latest")),
                    NavItem("支払・返還", reverse("subsidies:payments_list")),
                    NavItem("マスタ管理", reverse("admin:index")),
                ),
            ),
        )
    items: list[NavItem] = []
    if role == Role.HOSPITAL:
        # issue 18: its own plan lines, applications, results and notices; the catalogue
        return (
            NavItem("交付申請", reverse("subsidies:application_list")),
            NavItem("実績報告・額の確定", reverse("results:index")),
            NavItem("補助メニュー", reverse("subsidies:catalogue_latest")),
        )
    if role == Role.HUB_COORDINATOR:
        items.append(NavItem("自拠点", reverse("hubs:my_hubs")))
    if role == Role.HEALTH_CENTER:
        items.append(NavItem("進捗ダッシュボード", reverse("reports:dashboard")))
        items.append(NavItem("実績報告への助言", reverse("results:advice_list")))
    items.append(NavItem("意向調査", reverse("subsidies:survey_latest")))
    items.append(NavItem("交付申請", reverse("subsidies:application_list")))
    items.append(NavItem("実績報告・額の確定", reverse("results:index")))
    items.append(NavItem("拠点一覧", reverse("hubs:list")))
    items.append(NavItem("積極的医療機関", reverse("hospitals:list")))
    items.append(NavItem("充足状況", reverse("hospitals:coverage")))
    items.append(NavItem("在宅医療圏", reverse("hubs:areas")))
    items.append(NavItem("補助メニュー", reverse("subsidies:catalogue_latest")))
    return tuple(items)


def current_navigation(items: list[NavItem], path: str) -> tuple[str | None, str | None]:
    """(url of the entry for this page, label of its group): the longest url that starts
    the path, so /hubs/3/ marks 拠点一覧 and opens nothing else."""
    best: tuple[str | None, str | None] = (None, None)
    for item in items:
        for link, group in (
            [(child, item.label) for child in item.children] if item.children else [(item, None)]
        ):
            if path.startswith(link.url) and len(link.url) > len(best[0] or ""):
                best = (link.url, group)
    return best
