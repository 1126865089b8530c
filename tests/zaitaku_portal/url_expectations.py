from tests.url_cases import ANONYMOUS, LOGIN, UrlCase
from zaitaku_portal.models import Role

CASES = [
    UrlCase(
        "home",
        {
            ANONYMOUS: LOGIN,
            Role.ADMINISTRATOR: 302,
            Role.PREFECTURE_STAFF: 302,
            Role.HUB_COORDINATOR: 302,
            Role.HEALTH_CENTER: 302,
        },
    ),
    UrlCase("login", {ANONYMOUS: 200, **dict.fromkeys(Role, 302)}, public=True),
    # Logout is POST-only in Django 5; a GET is refused for everyone.
    UrlCase("logout", {ANONYMOUS: 405, **dict.fromkeys(Role, 405)}, public=True),
]
