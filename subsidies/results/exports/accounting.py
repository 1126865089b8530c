"""JSON of every confirmed amount of a fiscal year, for the prefecture's accounting system.

Shape (documented in README, "Confirmed amounts JSON"): integer yen only; one entry per
recipient of the current (not superseded) confirmation of each application; a correction
replaces the earlier confirmation and carries `supersedes`."""

from __future__ import annotations

import json

FORMAT = "zaitaku-portal/confirmed-amounts/1"


def confirmed_amounts(confirmations, year: int) -> dict:
    entries = []
    for c in confirmations:
        for r in c.recipients.all():
            entries.append(
                {
                    "notice_number": c.notice_number,
                    "notice_date": c.notice_date.isoformat(),
                    "confirmation_number": c.number,
                    "supersedes": c.supersedes.notice_number if c.supersedes_id else None,
                    "hub": c.application.hub.name,
                    "recipient_type": "hospital" if r.designation_id else "hub",
                    "recipient_name": r.recipient_name,
                    "institution_code": (
                        r.designation.institution.code if r.designation_id else None
                    ),
                    "total_cost": r.total_cost,
                    "other_income": r.other_income,
                    "eligible_expense": r.eligible_expense,
                    "base_amount": r.base_amount,
                    "confirmed_amount": r.required_amount,
                    "decided_amount": r.decided_amount,
                    "advance_received": r.advance_received,
                    "refund": max(r.difference, 0),
                    "additional_payment": max(-r.difference, 0),
                }
            )
    return {
        "format": FORMAT,
        "fiscal_year": year,
        "currency": "JPY",
        "count": len(entries),
        "total_confirmed": sum(e["confirmed_amount"] for e in entries),
        "total_refund": sum(e["refund"] for e in entries),
        "total_additional_payment": sum(e["additional_payment"] for e in entries),
        "entries": entries,
    }


def confirmed_amounts_json(confirmations, year: int) -> bytes:
    return json.dumps(confirmed_amounts(confirmations, year), ensure_ascii=False, indent=2).encode(
        "utf-8"
    )
