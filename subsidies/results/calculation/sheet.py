"""The 精算額調 of a claim as plain JSON data: what the page, the xlsx and a frozen
confirmation print (subsidies.results.claim reads the claims; this only shapes their
results). A claim is read by its attributes: ``rule``, ``recipients`` (each with ``key``,
``designation_id``, ``recipient_name``, ``result`` and ``units_text``) and its totals."""

from __future__ import annotations

from fractions import Fraction

from subsidies.results.calculation.explanation import format_yen


def _amount_text(amount: int | Fraction | None) -> str:
    return "—" if amount is None else format_yen(amount)


def _whole_yen(amount: int | Fraction | None) -> int | None:
    """A step's amount as a number cell: whole yen (a fraction of a yen, only before the
    rule rounds down, is cut here; the text column keeps it exact)."""
    return None if amount is None else int(amount)


def _steps(steps) -> list[list]:
    """[symbol, label, amount text, formula, amount in whole yen]."""
    return [
        [symbol, label, format_yen(amount), formula, amount]  # whole yen already
        if type(amount) is int
        else [symbol, label, _amount_text(amount), formula, _whole_yen(amount)]
        for symbol, label, amount, formula in steps
    ]


def _bound(r) -> dict | None:
    """How the facility's C bounds the sum of its menus (C compared per facility)."""
    if r.bound is None:
        return None
    b = r.bound
    return {
        "net_cost": b.net_cost,
        "need": _whole_yen(b.need),
        "bounded": _whole_yen(b.bounded),
        "binds": b.binds,
        "menus_total": _whole_yen(sum(m.required_amount for m in r.menus)),
    }


def breakdown(recipient) -> dict:
    """One recipient's 精算額調 as plain JSON data: what the page, the xlsx and a frozen
    confirmation all print."""
    r = recipient.result
    return {
        "key": recipient.key,
        "designation_id": recipient.designation_id,
        "recipient_name": recipient.recipient_name,
        "columns": {
            "A": r.total_cost,
            "B": r.other_income,
            "C": r.net_cost,
            "D": r.eligible_expense,
            "E": r.base_amount,
            "F": r.capped_expense,
            "G": r.required_amount,
            "H": r.decided_amount,
            "I": r.advance_received,
            "J": r.difference,
        },
        "bound": _bound(r),
        "settlement": r.settlement.label,
        "steps": _steps(r.steps),
        "menus": [
            {
                "code": m.menu_code,
                "name": m.menu_name,
                "units_text": recipient.units_text.get(m.menu_code, ""),
                "units": m.source.units,
                "A": m.total_cost,
                "B": m.other_income,
                "C": m.net_cost,
                "D_actual": m.actual_expense,
                "excluded": m.excluded_expense,
                "excluded_source": m.source.excluded_source,
                "excluded_reason": m.source.excluded_reason,
                "D": m.eligible_expense,
                "E": m.base_amount,
                "F": m.capped_expense,
                "G": _whole_yen(m.amount),
                "G_text": _amount_text(m.amount),
                "H": m.decided_amount,
                "reason": m.reason or "",
                "steps": _steps(m.steps),
            }
            for m in r.menus
        ],
    }


def claim_snapshot(claim) -> dict:
    rule = claim.rule
    return {
        "rule": {
            "order": rule.order.label,
            "rounding_unit": rule.rounding_unit,
            "rounding_level": rule.rounding_level.label,
            "other_income_level": rule.other_income_level.label,
        },
        "recipients": [breakdown(r) for r in claim.recipients],
        "total_amount": claim.total_amount,
        "decided_total": claim.decided_total,
        "advance_total": claim.advance_total,
        "difference": claim.difference,
    }
