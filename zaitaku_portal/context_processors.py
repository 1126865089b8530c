from django.conf import settings
from django.urls import reverse

from zaitaku_portal import unread
from zaitaku_portal.access import STAFF_ROLES, current_navigation, navigation_for, role_of
from zaitaku_portal.todos import todos_for


def portal(request) -> dict:
    user = getattr(request, "user", None)
    navigation = navigation_for(user)
    current_url, current_group = current_navigation(navigation, request.path)
    return {
        "portal_title": settings.PORTAL_TITLE,
        "prefecture_name": settings.PREFECTURE_NAME,
        "navigation": navigation,
        "nav_current": current_url,
        "nav_current_group": current_group,
        # beside the user's name, with logout: it is about the account, not a page of work
        "two_factor_url": reverse("two_factor_setup") if role_of(user) in STAFF_ROLES else None,
        # called only by a page that shows it (templates/_todos.html, on each role's home)
        "home_todos": lambda: todos_for(user) if role_of(user) else [],
        "unread_notices": lambda: unread.count(user) if role_of(user) else 0,
    }
