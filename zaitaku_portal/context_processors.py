from django.conf import settings

from zaitaku_portal.access import navigation_for


def portal(request) -> dict:
    return {
        "portal_title": settings.PORTAL_TITLE,
        "prefecture_name": settings.PREFECTURE_NAME,
        "navigation": navigation_for(getattr(request, "user", None)),
    }
