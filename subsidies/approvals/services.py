"""決裁 from the queue: the draft's row of its part's table (subsidies/applications/workflow.py
or subsidies/results/workflow.py) performed through that part's services, so the locks,
re-checks, audit and e-mails are the engine's."""

from __future__ import annotations

from subsidies.applications import services as application_services
from subsidies.applications import workflow as application_workflow
from subsidies.applications.rules import ApplicationError
from subsidies.models import Approval
from subsidies.results import services as results_services
from subsidies.results import workflow as results_workflow
from subsidies.results.rules import ClaimError
from zaitaku_portal.access import Permission

ERRORS = (ApplicationError, ClaimError)


def row_for(draft: Approval, send_back: bool = False) -> str:
    """The action of the row that approves (or sends back) this draft."""
    if draft.report_id:
        rows = results_workflow.SEND_BACK_ROWS if send_back else results_workflow.APPROVE_ROWS
        return rows[draft.kind]
    if send_back:
        return application_workflow.SEND_BACK_ROW
    return application_workflow.APPROVE_ROWS[draft.kind]


def check(draft: Approval, user, send_back: bool = False) -> Permission:
    """May `user` approve (send back) this draft now, by its part's table?"""
    table = results_workflow.TABLE if draft.report_id else application_workflow.TABLE
    return table.check(draft.target, row_for(draft, send_back), user)


def act(draft: Approval, user, version: int, *, send_back=False, reason="", base_url=""):
    """Approve or send back; raises the part's error (ERRORS) or StaleVersion saying why not."""
    action = row_for(draft, send_back)
    if draft.report_id:
        return results_services.perform(
            draft.report, action, user, version, reason=reason, base_url=base_url
        )
    return application_services.perform(
        draft.application, action, user, version, reason=reason, base_url=base_url
    )
