"""Drafts (起案) taken through 決裁 with the real workflow, for the tests that need a
decision or a confirmation: staff draft, an approver who is not the drafter approves.

`on` is the approval's date (the notice's date): the tests replay a year's dates, so they
state it through the engine's `approved_on` (subsidies/shared/approvals.py); the pages
always date the approval today."""

from __future__ import annotations

from subsidies.applications import services as application_services
from subsidies.applications.workflow import APPROVE_ROWS
from subsidies.models import Application, ResultReport
from subsidies.results import services as results_services
from subsidies.results.workflow import APPROVE_ROWS as REPORT_APPROVE_ROWS
from subsidies.shared import workflow as engine
from subsidies.shared.approvals import pending_for
from zaitaku_portal.models import Role, User


def approver(username: str = "kacho") -> User:
    """A 決裁権者 (prefecture staff with approval authority), who can log in."""
    from tests.factories import UserFactory

    existing = User.objects.filter(username=username).first()
    return existing or UserFactory(
        username=username, full_name="課長 一郎", role=Role.PREFECTURE_STAFF, is_approver=True
    )


def approve(obj, by: User | None = None, on=None):
    """Approve the open draft of an application or a results report; returns it fresh."""
    by = by or approver()
    if isinstance(obj, ResultReport):
        draft = pending_for(obj, report=True)
        flow, action = results_services.FLOW, REPORT_APPROVE_ROWS[draft.kind]
    else:
        draft = pending_for(obj)
        flow, action = application_services.FLOW, APPROVE_ROWS[draft.kind]
    step = engine.perform(flow, obj, action, by, None, approved_on=on)
    return type(obj).objects.get(pk=step.obj.pk)


def decide(application: Application, staff, version=None, *, decision, by=None) -> Application:
    """交付決定 as before: staff draft it with these amounts and number, an approver approves
    it on the decision's date."""
    version = application.version if version is None else version
    application = application_services.perform(
        application, "decide", staff, version, decision=decision
    )
    return approve(application, by, on=decision.notice_date)


def refuse(application: Application, staff, action="reject", *, reason, by=None, on=None):
    application = application_services.perform(
        application, action, staff, application.version, reason=reason
    )
    return approve(application, by, on=on)


def confirm(
    report: ResultReport,
    staff,
    action="confirm",
    version=None,
    *,
    confirmation,
    reason: str = "",
    by=None,
) -> ResultReport:
    """額の確定 (or its correction) as before: drafted by staff, approved on its date."""
    version = report.version if version is None else version
    report = results_services.perform(
        report, action, staff, version, reason=reason, confirmation=confirmation
    )
    return approve(report, by, on=confirmation.notice_date)


def through_approval(obj, action: str, actor, version, **params):
    """One drafting row (decide / reject / refuse_change / confirm / correct) performed as
    the part's services.perform was called before 決裁, then approved by the 決裁権者 on the
    notice's date the caller gave (or today); returns the object fresh."""
    if isinstance(obj, ResultReport):
        obj = results_services.perform(obj, action, actor, version, **params)
        on = getattr(params.get("confirmation"), "notice_date", None)
    else:
        obj = application_services.perform(obj, action, actor, version, **params)
        on = getattr(params.get("decision"), "notice_date", None)
    return approve(obj, params.get("by"), on=on)
