from tests.hubs.builders import action_in, agreement_of, candidate_in, council_in
from tests.url_cases import LOGIN, STAFF, UrlCase, everyone, hospital_gets, only
from zaitaku_portal.models import Role

EDITORS = (*STAFF, Role.HEALTH_CENTER)


def _editors_own() -> dict:
    """Staff and the area's health center write; a coordinator only reads (403 here)."""
    return only(EDITORS, 200)


def _editors_other() -> dict:
    """Another area: staff 200, the health center 404 (not its area), coordinator 403."""
    outcome = only(EDITORS, 200)
    outcome[Role.HEALTH_CENTER] = 404
    return outcome


def _program(own: bool) -> dict:
    """Staff and the hub's coordinators write the hub's 推進事業 record; health centers
    read it on the hub page (403 here)."""
    outcome = only((*STAFF, Role.HUB_COORDINATOR), 200)
    if not own:
        outcome[Role.HUB_COORDINATOR] = 404
    return outcome


def _area(own: bool):
    return lambda w: {"pk": (w.area_a if own else w.area_b).pk}


def _pair(name: str, build) -> list[UrlCase]:
    return [
        UrlCase(name, _editors_own(), kwargs=lambda w: {"pk": build(w.area_a).pk}, label="own"),
        UrlCase(
            name,
            _editors_other(),
            kwargs=lambda w: {"pk": build(w.area_b).pk},
            label="other scope",
        ),
    ]


def _area_pair(name: str) -> list[UrlCase]:
    return [
        UrlCase(name, _editors_own(), kwargs=_area(True), label="own"),
        UrlCase(name, _editors_other(), kwargs=_area(False), label="other scope"),
    ]


CASES = [
    # a hospital's contact has no area or hub in its scope: these pages are not for it
    UrlCase("hubs:list", hospital_gets(403, everyone(200))),
    UrlCase("hubs:my_hubs", only([Role.HUB_COORDINATOR], 302)),
    UrlCase(
        "hubs:detail",
        hospital_gets(403, everyone(200)),
        kwargs=lambda w: {"pk": w.hub_a.pk},
        label="own scope",
    ),
    UrlCase(
        "hubs:detail",
        hospital_gets(403, only(STAFF, 200, others=404)),
        kwargs=lambda w: {"pk": w.hub_b.pk},
        label="other scope",
    ),
    UrlCase("hubs:program", _program(True), kwargs=lambda w: {"pk": w.hub_a.pk}, label="own"),
    UrlCase(
        "hubs:program",
        _program(False),
        kwargs=lambda w: {"pk": w.hub_b.pk},
        label="other scope",
    ),
    UrlCase("hubs:year_record", _program(True), kwargs=lambda w: {"pk": w.hub_a.pk}, label="own"),
    UrlCase(
        "hubs:year_record",
        _program(False),
        kwargs=lambda w: {"pk": w.hub_b.pk},
        label="other scope",
    ),
    UrlCase(
        "hubs:agreement_edit",
        _program(True),
        kwargs=lambda w: {"pk": agreement_of(w.hub_a).pk},
        label="own",
    ),
    UrlCase(
        "hubs:agreement_edit",
        _program(False),
        kwargs=lambda w: {"pk": agreement_of(w.hub_b).pk},
        label="other scope",
    ),
    UrlCase("hubs:areas", hospital_gets(403, everyone(200))),
    UrlCase(
        "hubs:area_detail",
        hospital_gets(403, everyone(200)),
        kwargs=_area(True),
        label="own scope",
    ),
    UrlCase(
        "hubs:area_detail",
        hospital_gets(403, only(STAFF, 200, others=404)),
        kwargs=_area(False),
        label="other scope",
    ),
    UrlCase(
        "hubs:area_detail",
        hospital_gets(403, everyone(400, anonymous=LOGIN)),
        kwargs=_area(True),
        query="?year=２０２４年",
        label="malformed year",
    ),
    *_area_pair("hubs:profile_edit"),
    UrlCase("hubs:figures_import", _editors_own()),
    UrlCase("hubs:figures_template", _editors_own()),
    *_area_pair("hubs:action_new"),
    *_pair("hubs:action_edit", action_in),
    *_area_pair("hubs:council_new"),
    *_pair("hubs:council_edit", council_in),
    UrlCase(
        "hubs:council_minutes",
        hospital_gets(403, everyone(200)),
        kwargs=lambda w: {"pk": council_in(w.area_a).pk},
        label="own scope",
    ),
    UrlCase(
        "hubs:council_minutes",
        hospital_gets(403, only(STAFF, 200, others=404)),
        kwargs=lambda w: {"pk": council_in(w.area_b).pk},
        label="other scope",
    ),
    *_area_pair("hubs:candidate_new"),
    *_pair("hubs:candidate_edit", candidate_in),
]
