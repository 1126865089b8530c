"""The payment list of a fiscal year for the accounting system (docs/payment-export.md):
one row per payment, 支払日 then application then recipient. Every 概算払 (AdvancePayment:
from a request or recorded by staff directly) and every paid 精算払 request."""

from __future__ import annotations

from subsidies.models import AdvancePayment, PaymentRequest, RequestKind, RequestStatus
from subsidies.results.reading import current_decision

HEADER = (
    "支払日",
    "年度",
    "支払区分",
    "申請番号",
    "拠点名",
    "支払先",
    "医療機関コード",
    "交付決定通知番号",
    "請求番号",
    "請求日",
    "支払額（円）",
)


def _decision_number(application, cache: dict) -> str:
    if application.pk not in cache:
        decision = current_decision(application)
        cache[application.pk] = decision.notice_number if decision else ""
    return cache[application.pk]


def payment_rows(applications) -> list[list]:
    """Rows of HEADER (dates as datetime.date, amounts as int) in the documented order."""
    cache: dict = {}
    rows = []
    advances = AdvancePayment.objects.filter(application__in=applications).select_related(
        "application__hub", "application__fiscal_year", "designation__institution"
    )
    requests = {
        r.advance_id: r
        for r in PaymentRequest.objects.filter(application__in=applications, advance__isnull=False)
    }
    for advance in advances:
        request = requests.get(advance.pk)
        rows.append(
            _row(
                advance.paid_on,
                "概算払",
                advance.application,
                advance.designation,
                request,
                advance.amount,
                cache,
            )
        )
    settlements = PaymentRequest.objects.filter(
        application__in=applications, kind=RequestKind.SETTLEMENT, status=RequestStatus.PAID
    ).select_related("application__hub", "application__fiscal_year")
    for request in settlements:
        rows.append(
            _row(
                request.paid_on, "精算払", request.application, None, request, request.amount, cache
            )
        )
    rows.sort(key=lambda r: (r[0], r[3], r[5], r[8] or 0))
    return rows


def _row(paid_on, kind, application, designation, request, amount, cache) -> list:
    institution = designation.institution if designation else None
    return [
        paid_on,
        application.fiscal_year.year,
        kind,
        application.pk,
        application.hub.name,
        institution.name if institution else application.hub.name,
        getattr(institution, "code", "") if institution else "",
        _decision_number(application, cache),
        request.pk if request else None,
        request.requested_on if request else None,
        amount,
    ]


def csv_rows(rows: list[list]) -> list[list]:
    """The CSV's cells: dates as YYYY-MM-DD (西暦, what accounting imports read)."""
    return [
        ["" if v is None else v.isoformat() if hasattr(v, "isoformat") else v for v in row]
        for row in rows
    ]
