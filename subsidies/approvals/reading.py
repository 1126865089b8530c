"""What the queue of drafts (決裁待ち) and a draft's page show, read-only: the drafts in the
user's scope, the counts per kind, and a draft's amounts (before and after per menu for a
change decision, the claim for a 額の確定)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce

from subsidies.applications.plan_data import line_key
from subsidies.applications.reading import decision_rows, plan_view
from subsidies.models import (
    ApplicationStatus,
    Approval,
    ApprovalKind,
    ApprovalState,
    FiscalYear,
)
from subsidies.results.claim import claim_for, claim_snapshot
from subsidies.results.reading import current_confirmation
from subsidies.shared.approvals import REFUSALS, REPORT_KINDS, tokyo_today
from zaitaku_portal.access import STAFF_ROLES, role_of
from zaitaku_portal.scopes import applications_for
from zaitaku_portal.wareki import fiscal_year_of


def is_approver(user) -> bool:
    return role_of(user) in STAFF_ROLES and bool(user.is_approver)


def drafts_for(user):
    """Every draft in the user's scope (staff: all hubs), newest first."""
    return Approval.objects.filter(application__in=applications_for(user)).select_related(
        "application__hub", "application__fiscal_year", "report", "drafted_by", "decided_by"
    )


def waiting_drafts(user):
    """The drafts still waiting for approval: pending, and (for an application's draft) the
    application still 決裁待ち — one withdrawn meanwhile (取下げ, or its change request
    withdrawn) lapses its draft, which no approval row can take any more."""
    return (
        drafts_for(user)
        .filter(state=ApprovalState.PENDING)
        .exclude(
            Q(report__isnull=True) & ~Q(application__status=ApplicationStatus.AWAITING_APPROVAL)
        )
    )


def queue(user, year: int | None) -> dict:
    """The queue page: the pending drafts of the year (all years if None), counts per kind,
    and the drafts of this user that were sent back (to draft again)."""
    pending = waiting_drafts(user)
    if year is not None:
        pending = pending.filter(application__fiscal_year__year=year)
    counts = {row["kind"]: row["n"] for row in pending.values("kind").annotate(n=Count("pk"))}
    sent_back = list(sent_back_waiting(drafts_for(user).filter(drafted_by=user))[:50])
    return {
        "pending": list(pending.order_by("drafted_at", "pk")),
        "counts": [(k.label, counts.get(k.value, 0)) for k in ApprovalKind],
        "total": sum(counts.values()),
        "sent_back": sent_back,
        "years": list(FiscalYear.objects.order_by("-year").values_list("year", flat=True)),
    }


def still_sent_back(draft: Approval) -> bool:
    """A sent-back draft waits for its drafter until a newer draft of the same object."""
    return sent_back_waiting(Approval.objects.filter(pk=draft.pk)).exists()


def sent_back_waiting(drafts):
    """The sent-back drafts of `drafts` with no newer draft of the same object (one query)."""
    newer = Approval.objects.annotate(object_key=Coalesce("report_id", 0)).filter(
        application_id=OuterRef("application_id"),
        object_key=OuterRef("object_key"),
        pk__gt=OuterRef("pk"),
    )
    return (
        drafts.filter(state=ApprovalState.SENT_BACK)
        .annotate(object_key=Coalesce("report_id", 0))
        .exclude(Exists(newer))
    )


def year_of_today() -> int:
    """The fiscal year the queue shows by default (today in Asia/Tokyo)."""
    return fiscal_year_of(tokyo_today())


def draft_view(draft: Approval) -> dict:
    """What the approver reads before approving: the draft's amounts and what they change."""
    if draft.kind in REPORT_KINDS:
        return _confirmation_view(draft)
    if draft.kind in REFUSALS:
        return {"refusal": True, "reason": draft.payload.get("reason", "")}
    return _decision_view(draft)


def _decision_view(draft: Approval) -> dict:
    """Per menu line: the computed amount, the drafted amount and reason, and for a change
    decision the amount decided before (before → after)."""
    application = draft.application
    previous = application.current_decision if draft.state == ApprovalState.PENDING else None
    if draft.decision_id:
        previous = draft.decision.supersedes
    before = {}
    if previous is not None:
        for line in previous.lines.select_related("menu"):
            before[line_key(line.menu.code, line.designation_id)] = line.decided_amount
    amounts = draft.payload.get("amounts", {})
    rows = []
    for row in decision_rows(application, plan_view(application)):
        drafted, reason = amounts.get(row["key"], [row["computed"], ""])
        rows.append(
            {
                "label": row["label"],
                "computed": row["computed"],
                "drafted": int(drafted),
                "reason": reason,
                "before": before.get(row["key"]),
                "changed": previous is not None and before.get(row["key"]) != int(drafted),
            }
        )
    return {
        "rows": rows,
        "total": sum(r["drafted"] for r in rows),
        "previous": previous,
        "before_total": previous.total_amount if previous else None,
        "change": draft.kind == ApprovalKind.CHANGE_DECISION,
    }


def _confirmation_view(draft: Approval) -> dict:
    application = draft.application
    snapshot = (
        draft.confirmation.snapshot
        if draft.confirmation_id
        else claim_snapshot(claim_for(application))
    )
    previous = current_confirmation(application) if draft.state == ApprovalState.PENDING else None
    return {
        "snapshot": snapshot,
        "previous": previous,
        "reason": draft.payload.get("reason", ""),
        "correction": draft.kind == ApprovalKind.CORRECTION,
    }
