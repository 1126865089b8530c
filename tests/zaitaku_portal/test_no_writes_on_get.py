"""No writes on GET (issue 13): opening a page of the role walk changes no row.

Plan lines and results report lines are created by the writers (an application starting, a
change request, a designation beginning or ending, a report starting), never by a page view.
Allowed: the session row (the login machinery's, not the portal's data) and the audit entry
DownloadAuditMiddleware writes for every file a user takes away (that record of the GET is the
point: who downloaded what, docs in zaitaku_portal/middleware.py)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import FiscalYearFactory, SubsidyMenuFactory
from tests.url_cases import ANONYMOUS, ROLES
from tests.zaitaku_portal.test_url_roles import CASES

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
DOWNLOAD_AUDIT = re.compile(r"INSERT INTO \"?zaitaku_portal_auditentry\b.*'download'", re.DOTALL)


def allowed(sql: str) -> bool:
    return "django_session" in sql or bool(DOWNLOAD_AUDIT.search(sql))


def writes_in(queries) -> list[str]:
    return [q["sql"] for q in queries if WRITE.match(q["sql"]) and not allowed(q["sql"])]


@pytest.fixture
def catalogue_world(world):
    SubsidyMenuFactory(fiscal_year=FiscalYearFactory(year=2026))
    return world


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("role", ROLES, ids=str)
def test_get_writes_nothing(client, catalogue_world, case, role):
    query = case.query(catalogue_world) if callable(case.query) else case.query
    url = reverse(case.name, kwargs=case.kwargs(catalogue_world)) + query
    if role != ANONYMOUS:
        client.force_login(catalogue_world.users[role])
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    assert writes_in(captured.captured_queries) == [], f"{case} as {role} wrote on GET"
