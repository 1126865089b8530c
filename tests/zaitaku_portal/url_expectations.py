from tests.url_cases import ANONYMOUS, LOGIN, STAFF, UrlCase, everyone, only
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
            Role.HOSPITAL: 302,
        },
    ),
    UrlCase("login", {ANONYMOUS: 200, **dict.fromkeys(Role, 302)}, public=True),
    # Health checks for the balancer and the monitoring (zaitaku_portal/health.py): no login.
    UrlCase("healthz", everyone(200, anonymous=200), public=True),
    UrlCase("readyz", everyone(200, anonymous=200), public=True),
    # Logout is POST-only in Django 5; a GET is refused for everyone.
    UrlCase("logout", {ANONYMOUS: 405, **dict.fromkeys(Role, 405)}, public=True),
    # Two-factor (docs/adr/0010): the code page sends users without a device home; setting it
    # up is for staff only; turning it off is POST-only.
    UrlCase("two_factor_verify", everyone(302)),
    UrlCase("two_factor_setup", only(STAFF)),
    UrlCase("two_factor_disable", only(STAFF, status=405)),
    UrlCase("two_factor_recovery_codes", only(STAFF, status=405)),
    # Every role changes its own password (issue 12).
    UrlCase("password_change", everyone(200)),
    UrlCase("notices", everyone(200)),
    UrlCase("notice_open", everyone(405), kwargs=lambda world: {"pk": 1}),
    UrlCase("notices_read_all", everyone(405)),
    UrlCase("password_change_done", everyone(200)),
]
