"""Every URL of the project, as anonymous and as each role (docs/adr/0002)."""

import importlib
import pkgutil
import re

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.factories import FiscalYearFactory, SubsidyMenuFactory
from tests.url_cases import ANONYMOUS, LOGIN, ROLES, UrlCase


def all_cases() -> list[UrlCase]:
    """Every `CASES` of every tests/**/url_expectations.py (apps and their parts)."""
    cases = []
    for module in pkgutil.walk_packages(tests.__path__, "tests."):
        if module.name.endswith(".url_expectations"):
            cases.extend(importlib.import_module(module.name).CASES)
    return cases


def named_patterns(resolver=None, namespace="") -> set[str]:
    """Every named URL pattern outside the admin site, as 'namespace:name'."""
    resolver = resolver or get_resolver()
    names = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= named_patterns(entry, inner)
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                raise AssertionError(f"URL pattern without a name: {entry.pattern}")
            names.add(f"{namespace}{entry.name}")
    return names


CASES = all_cases()
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)


def assert_no_inline_script(html: str, where: str) -> None:
    """The CSP allows scripts only from our static files: no inline <script>, no onclick=.
    And the page's title is text (a title block once swallowed half a page's markup)."""
    assert not INLINE_SCRIPT.search(html), f"inline <script> in {where}"
    assert not INLINE_HANDLER.search(html.replace("<svg", "")), f"inline event handler in {where}"
    title = TITLE.search(html)
    if title is not None:
        assert "<" not in title.group(1) and "\n" not in title.group(1), (where, title.group(1))


def test_every_url_pattern_has_an_expected_outcome_per_role():
    covered = {case.name for case in CASES}
    missing = sorted(named_patterns() - covered)
    assert not missing, f"URL without role expectations in tests/*/url_expectations.py: {missing}"
    for case in CASES:
        assert set(case.expect) == set(ROLES), f"{case} must state every role"


def test_every_non_public_url_requires_login():
    for case in CASES:
        if not case.public:
            assert case.expect[ANONYMOUS] == LOGIN, f"{case} must require login"


@pytest.fixture
def catalogue_world(world):
    SubsidyMenuFactory(fiscal_year=FiscalYearFactory(year=2026))
    return world


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("role", ROLES, ids=str)
def test_url_as_role(client, catalogue_world, case, role):
    query = case.query(catalogue_world) if callable(case.query) else case.query
    url = reverse(case.name, kwargs=case.kwargs(catalogue_world)) + query
    if role != ANONYMOUS:
        client.force_login(catalogue_world.users[role])
    response = client.get(url)
    expected = case.expect[role]
    if expected == LOGIN:
        assert response.status_code == 302, f"{case} as {role}: {response.status_code}"
        assert response.url.startswith(reverse("login")), response.url
    else:
        assert response.status_code == expected, f"{case} as {role}: {response.status_code}"
        if expected == 200 and "text/html" in response.get("Content-Type", ""):
            assert_no_inline_script(response.content.decode(), f"{case} as {role}")


def admin_urls(world):
    """The changelist, add and change page of every model registered in the admin."""
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        yield f"{prefix}_changelist", reverse(f"{prefix}_changelist"), model_admin, "view"
        yield f"{prefix}_add", reverse(f"{prefix}_add"), model_admin, "add"
        instance = model._default_manager.first()
        if instance is not None:
            url = reverse(f"{prefix}_change", args=[instance.pk])
            yield f"{prefix}_change", url, model_admin, "view"


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_admin_is_for_prefecture_staff_only(client, catalogue_world, role):
    from zaitaku_portal.models import AuditEntry, Role

    AuditEntry.objects.create(action="テスト", target_type="x", target_id="1")
    if role != ANONYMOUS:
        client.force_login(catalogue_world.users[role])
    seen = 0
    for name, url, model_admin, kind in admin_urls(catalogue_world):
        response = client.get(url)
        seen += 1
        if role in (Role.PREFECTURE_STAFF, Role.ADMINISTRATOR):
            request = response.wsgi_request
            allowed = (
                model_admin.has_add_permission(request)
                if kind == "add"
                else model_admin.has_view_permission(request)
            )
            assert response.status_code == (200 if allowed else 403), f"{name} as {role}"
        else:
            assert response.status_code == 302, f"{name} as {role}"
            assert response.url.startswith(reverse("admin:login")), f"{name} as {role}"
    assert seen >= 30


def patterns_with_object_ids(resolver=None, namespace="") -> set[str]:
    resolver = resolver or get_resolver()
    names = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= patterns_with_object_ids(entry, inner)
        elif "pk" in str(entry.pattern) or "_pk>" in str(entry.pattern):
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_url_with_an_object_id_is_tried_with_another_scopes_object():
    """IDOR sweep: each such URL has a case where coordinators, health centers and hospital
    contacts reach for an object outside their scope, and get 404 (or 403 when the role may
    not use the page)."""
    from zaitaku_portal.models import Role

    outsiders = (Role.HUB_COORDINATOR, Role.HEALTH_CENTER, Role.HOSPITAL)
    missing = []
    for name in sorted(patterns_with_object_ids()):
        cases = [c for c in CASES if c.name == name]
        if cases and all(c.expect[role] in (403, 405) for c in cases for role in outsiders):
            continue  # a page for prefecture staff only: no outsider gets in at all
        others = [c for c in cases if "other" in c.label]
        if not others or any(
            c.expect[role] not in (403, 404, 405) for c in others for role in outsiders
        ):
            missing.append(name)
    assert not missing, f"no other-scope case (404/403 for non-staff) for: {missing}"
