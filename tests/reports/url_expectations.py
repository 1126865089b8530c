from tests.url_cases import STAFF, UrlCase, only
from zaitaku_portal.models import Role

CASES = [
    UrlCase("reports:my_areas", only([Role.HEALTH_CENTER, *STAFF])),
]
