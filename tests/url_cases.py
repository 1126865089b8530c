"""How a test states what each role gets from a URL.

Each app lists its URLs in tests/<app>/url_expectations.py as `CASES = [UrlCase(...), ...]`.
tests/zaitaku_portal/test_url_roles.py walks every URL pattern of the project and fails when
one has no case, so a new page cannot be added without deciding who may see it."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zaitaku_portal.models import Role

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, *Role)
LOGIN = "login"  # expected outcome: redirect to the login page


@dataclass(frozen=True)
class UrlCase:
    name: str
    expect: dict[Any, int | str]
    kwargs: Callable[[Any], dict] = field(default=lambda world: {})
    query: str | Callable[[Any], str] = ""
    label: str = ""
    public: bool = False

    def __str__(self) -> str:
        return f"{self.name}{'[' + self.label + ']' if self.label else ''}"


def everyone(status: int | str, anonymous: int | str = LOGIN) -> dict:
    return {ANONYMOUS: anonymous, **{role: status for role in Role}}


def only(roles, status: int | str = 200, others: int | str = 403) -> dict:
    outcome = everyone(others)
    for role in roles:
        outcome[role] = status
    return outcome


STAFF = (Role.PREFECTURE_STAFF, Role.ADMINISTRATOR)


def hospital_gets(status: int | str, expect: dict) -> dict:
    """`expect` with the hospital contact's own outcome (issue 18): 403 on a page that is not
    for its role (areas, hubs, the hubs' survey), 404 on a hub's or another hospital's object
    (its scope is its institution's own applications), 405 on a POST-only grantee page."""
    return {**expect, Role.HOSPITAL: status}
