from tests.url_cases import STAFF, UrlCase, everyone, only
from zaitaku_portal.models import Role

CASES = [
    UrlCase("hubs:list", everyone(200)),
    UrlCase("hubs:my_hubs", only([Role.HUB_COORDINATOR], 302)),
    UrlCase(
        "hubs:detail",
        everyone(200),
        kwargs=lambda w: {"pk": w.hub_a.pk},
        label="own scope",
    ),
    UrlCase(
        "hubs:detail",
        only(STAFF, 200, others=404),
        kwargs=lambda w: {"pk": w.hub_b.pk},
        label="other scope",
    ),
]
