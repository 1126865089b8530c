"""No hostile value in any form field or query parameter gives a 500 (issue 12, point 6).

Every page of the role walk (tests/*/url_expectations.py) is opened as each role that may use
it; every form on it is submitted with each of its fields in turn replaced by a hostile value
(digits of other scripts, overflow, huge exponents, 5,000 digits, empty, blank, NUL), the
others as the page filled them. Then every query parameter the views read is tried the same
way. Run on SQLite and on PostgreSQL: there a 32-bit or 16-bit column overflows, and NUL in
a text is refused by the database itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.security.html_forms import Form, forms_of
from tests.url_cases import ANONYMOUS, UrlCase
from tests.zaitaku_portal.test_url_roles import CASES
from zaitaku_portal.models import Role

HOSTILE = (
    "፩",  # Ethiopic digit one: str.isdigit() is True, int() refuses it
    "١٢",  # Arabic-Indic digits: int() reads them as 12
    "1E+5000",
    "9" * 5000,
    str(2**70),
    "40000",  # above a 16-bit column
    str(10**12),  # above a 32-bit column
    "NaN",
    "",
    " ",
    "\x00",
)
SKIPPED_ACTIONS = ("/logout/",)
ROLE_ORDER = (
    Role.HUB_COORDINATOR,
    Role.HEALTH_CENTER,
    Role.HOSPITAL,  # issue 18: its own application's pages (tests/*/url_expectations.py)
    Role.PREFECTURE_STAFF,
    Role.ADMINISTRATOR,
    ANONYMOUS,
)


DOWNLOADS = ("_xlsx", "_pdf", "notice", "_download", "_export", "_json", "_minutes")
RICHER = {"subsidies:application_edit"}  # walked below with a catalogue of every cap unit


def _walked(cases: list[UrlCase]) -> list[tuple[UrlCase, str]]:
    """Each page with every role that gets it (staff stands for the administrator). Files
    (PDF, xlsx, JSON) hold no form, and another scope's copy of a page holds the same forms
    as one's own: both are left to the query-parameter test and the role walk."""
    pairs = []
    for case in cases:
        if case.name.endswith(DOWNLOADS) or "other" in case.label or case.name in RICHER:
            continue
        roles = [role for role in ROLE_ORDER if case.expect.get(role) == 200]
        if Role.PREFECTURE_STAFF in roles and Role.ADMINISTRATOR in roles:
            roles.remove(Role.ADMINISTRATOR)
        pairs += [(case, role) for role in roles]
    return pairs


def _url(case: UrlCase, world) -> str:
    query = case.query(world) if callable(case.query) else case.query
    return reverse(case.name, kwargs=case.kwargs(world)) + query


def _send(client, form: Form, page_url: str, data: dict):
    target = form.action or page_url
    if form.method == "post":
        return client.post(target, data)
    return client.get(target, data)


def _page_forms(client, url: str) -> list[Form] | None:
    response = client.get(url)
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return None
    return [
        form
        for form in forms_of(response.content.decode())
        if not any(form.action.endswith(skip) for skip in SKIPPED_ACTIONS)
    ]


# Values that only reach the database when the rest of the form is valid (a column's
# overflow): each input of a large form gets these in turn. The others go into every field
# at once: a Django form cleans every field, so a parse error anywhere shows even when its
# neighbours are wrong. Small forms (views that read fields one by one) get every value in
# every field in turn.
SAVED_ONLY = ("40000", str(10**12), str(2**70))
LARGE_FORM = 12  # more fields than this: a Django form, not a view reading fields one by one


def _attempts(form: Form):
    """(field or None for all of them, value) pairs to submit for this form."""
    names = [n for n in form.names if n != "csrfmiddlewaretoken"]
    if len(names) <= LARGE_FORM:
        return [(name, value) for name in names for value in HOSTILE]
    return [(None, value) for value in HOSTILE] + [
        (name, value) for name in form.typed for value in SAVED_ONLY
    ]


def _hostile_data(form: Form, name: str | None, value: str) -> dict:
    if name is not None:
        return form.data(name, value)
    data = form.data()
    for field_name in form.names:
        if field_name != "csrfmiddlewaretoken":
            data[field_name] = [value]
    return data


def fuzz_page(client, url: str) -> int:
    """Submit every form of the page with hostile values; returns how many were sent."""
    sent = 0
    forms = _page_forms(client, url)
    index = 0
    while forms is not None and index < len(forms):
        form = forms[index]
        for name, value in _attempts(form):
            response = _send(client, form, url, _hostile_data(form, name, value))
            sent += 1
            where = f"{form.method.upper()} {form.action or url} {name or '(all)'}={value[:20]!r}"
            assert response.status_code != 500, where
            if form.method == "post" and response.status_code == 302:
                forms = _page_forms(client, url)  # a saved form: fresh version numbers
                if forms is None or index >= len(forms):
                    return sent
                form = forms[index]
        index += 1
    return sent


@pytest.fixture
def walk_world(world, settings, tmp_path):
    from tests.factories import FiscalYearFactory, SubsidyMenuFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    SubsidyMenuFactory(fiscal_year=FiscalYearFactory(year=2026))
    return world


@pytest.mark.parametrize(("case", "role"), _walked(CASES), ids=lambda v: str(v))
def test_every_form_of_the_role_walk_survives_hostile_values(client, walk_world, case, role):
    url = _url(case, walk_world)
    if role != ANONYMOUS:
        client.force_login(walk_world.users[role])
    fuzz_page(client, url)


# --- the richer forms: every cap unit, and the staff's decision pages ----------------------


@pytest.fixture
def plan_world(walk_world):
    from subsidies.models import ApplicationStatus
    from tests.factories import coordinator_of
    from tests.subsidies.factories import application_in, catalogue

    w = walk_world
    w.fiscal_year, w.menus = catalogue(2027)  # hub, per district, per person, per month
    coordinator, staff = w.users[Role.HUB_COORDINATOR], w.users[Role.PREFECTURE_STAFF]
    w.draft = application_in(ApplicationStatus.DRAFT, w.hub_a, w.fiscal_year, coordinator, staff)
    w.reviewed = application_in(
        ApplicationStatus.UNDER_REVIEW,
        w.hub_b,
        w.fiscal_year,
        coordinator_of(w.hub_b, username="coordinator-b"),
        staff,
    )
    return w


@pytest.mark.parametrize(
    ("page", "role"),
    [
        ("edit/", Role.HUB_COORDINATOR),
        ("action/decide/", Role.PREFECTURE_STAFF),
        ("action/return/", Role.PREFECTURE_STAFF),
        ("action/reject/", Role.PREFECTURE_STAFF),
    ],
)
def test_the_plan_and_decision_forms_survive_hostile_values(client, plan_world, page, role):
    application = plan_world.draft if role == Role.HUB_COORDINATOR else plan_world.reviewed
    client.force_login(plan_world.users[role])
    # return and reject end with the first valid reason: the form is gone after that
    assert fuzz_page(client, f"/subsidies/applications/{application.pk}/{page}") >= len(HOSTILE)


# --- query parameters ------------------------------------------------------------------------


def _submitted(world):
    from tests.subsidies.url_expectations import _pk

    return _pk(world, submitted=True)


def _report(world):
    from tests.subsidies.results.url_expectations import report

    return report(world)


def _hubs_table(world):
    return {"table": "hubs"}


FILTERS = ("fiscal_year", "area", "health_center", "status", "page")
QUERY_PARAMS = [
    ("reports:dashboard", None, Role.HEALTH_CENTER, ("year", "area")),
    ("reports:dashboard_export", _hubs_table, Role.HEALTH_CENTER, ("year", "area")),
    ("reports:activities_export", None, Role.PREFECTURE_STAFF, ("year", "area")),
    ("reports:prefecture", None, Role.PREFECTURE_STAFF, ("year",)),
    ("reports:prefecture_pdf", None, Role.PREFECTURE_STAFF, ("year",)),
    ("hospitals:history", None, Role.HUB_COORDINATOR, ("year",)),
    ("hospitals:candidates", None, Role.PREFECTURE_STAFF, ("municipality",)),
    ("hubs:list", None, Role.HEALTH_CENTER, ("q", "page")),
    ("subsidies:review_home", None, Role.PREFECTURE_STAFF, FILTERS),
    ("subsidies:review_export", None, Role.PREFECTURE_STAFF, FILTERS),
    ("subsidies:bulk_review", None, Role.PREFECTURE_STAFF, FILTERS),
    ("subsidies:version_diff", _submitted, Role.HUB_COORDINATOR, ("a", "b")),
    ("results:calculation", _report, Role.HUB_COORDINATOR, ("live",)),
    ("results:queue", None, Role.PREFECTURE_STAFF, ("year", "status")),
    ("subsidies:payments_list", None, Role.PREFECTURE_STAFF, ("year", "show")),
    ("subsidies:approval_queue", None, Role.PREFECTURE_STAFF, ("year",)),
    ("two_factor_verify", None, Role.PREFECTURE_STAFF, ("next",)),
]


def _param_id(value) -> str:
    """Stable ids across xdist workers: a function by its name, never its address."""
    return getattr(value, "__name__", None) or str(value)


@pytest.mark.parametrize(("name", "kwargs", "role", "params"), QUERY_PARAMS, ids=_param_id)
def test_every_query_parameter_survives_hostile_values(
    client, walk_world, name, kwargs, role, params
):
    url = reverse(name, kwargs=kwargs(walk_world) if kwargs else {})
    client.force_login(walk_world.users[role])
    for param in params:
        for value in HOSTILE:
            response = client.get(url, {param: value})
            assert response.status_code != 500, f"{url}?{param}={value[:20]!r}"


READS = re.compile(
    r"""request\.GET(?:\.get(?:list)?\(\s*|\[)["'](\w+)["']"""
    r"""|query\.(?:number|text)\(\s*request,\s*["'](\w+)["']"""
)
FORM_FROM_GET = {"fiscal_year", "area", "health_center", "status"}  # QueueFilterForm(request.GET)
CODE = ("hubs", "hospitals", "reports", "subsidies", "zaitaku_portal")


def test_the_list_of_query_parameters_names_every_one_the_views_read():
    """A view that starts reading a new ?parameter= must be added to QUERY_PARAMS."""
    root = Path(__file__).resolve().parents[2]
    read = set()
    for package in CODE:
        for path in (root / package).rglob("*.py"):
            read |= {a or b for a, b in READS.findall(path.read_text(encoding="utf-8"))}
    tried = {param for *_, params in QUERY_PARAMS for param in params}
    assert read, "the scan found no query parameter at all"
    assert read | FORM_FROM_GET <= tried, sorted(read - tried)


@pytest.mark.parametrize(
    "model_name", ["hubs.hub", "subsidies.subsidymenu", "subsidies.fiscalyear"]
)
def test_the_admin_forms_of_numbers_survive_hostile_values(client, walk_world, model_name):
    """The admin reads its bounds from the model fields (validators): no overflow reaches
    the database from there either."""
    from django.apps import apps

    model = apps.get_model(model_name)
    instance = model._default_manager.first()
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[instance.pk])
    client.force_login(walk_world.users[Role.ADMINISTRATOR])
    assert fuzz_page(client, url) > len(HOSTILE)
