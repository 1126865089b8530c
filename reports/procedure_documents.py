"""The documents of the 要綱's procedure besides the decision and payment notices (issue 15):
取下げ届, 中止・廃止承認申請書 and its 中止・廃止承認通知書, 変更承認申請書. PDF, BIZ UD Gothic,
和暦, each with the 様式 number the year's 要綱 settings give it (FiscalYear.*_form_number;
"様式第○号" until they do, as the refusal notice). The hub's filings are addressed to the
year's issuer and signed by the operator; the approval is the prefecture's notice with the
shared letterhead (reports.notices.letterhead: addressee, issuer, 公印).

Byte-stable: each is built from its own written-once record (a Withdrawal, a
DiscontinuationRequest, a frozen ApplicationVersion), the PDF's creation date is the
document's own date and its identifier the record's. The views are scoped like the
application's other documents (zaitaku_portal.scopes.applications_for: another hub's: 404)."""

from __future__ import annotations

import datetime
from functools import partial

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from reports.notices import change_lines, letterhead, terms_of
from reports.pdf import render_pdf
from reports.refusal_notice import FORM_NUMBER_PLACEHOLDER
from subsidies.models import ApplicationVersion, DiscontinuationRequest, Withdrawal
from zaitaku_portal.access import ALL_ROLES, require_roles
from zaitaku_portal.filenames import content_disposition, safe_filename
from zaitaku_portal.scopes import applications_for
from zaitaku_portal.wareki import fiscal_year_label, wareki_date

CHANGE_LABEL = "変更承認申請"  # the label a change request's submitted version starts with
_FILING = "reports/pdf/procedure_filing.html"


def _created(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(9, 0)), timezone.get_default_timezone()
    )


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _subsidy(fiscal_year) -> str:
    return f"{fiscal_year_label(fiscal_year.year)}{terms_of(fiscal_year).name}"


def _under(fiscal_year) -> str:
    name = terms_of(fiscal_year).guideline_name
    return f"{name}に基づき、" if name else ""


def _form_number(fiscal_year, field: str) -> str:
    return getattr(fiscal_year, field, "") or FORM_NUMBER_PLACEHOLDER


def filer(application) -> dict[str, str]:
    """A filing's heading: to the year's issuer (沖縄県知事　〇〇　様), from the operator
    (its legal name) and its representative."""
    issuer_title, issuer_name = terms_of(application.fiscal_year).issuer
    grantee = application.recipient  # the hub, or the hospital for its own (issue 18)
    addressee = grantee.addressee
    return {
        "addressee": "　".join(p for p in (issuer_title, issuer_name, "様") if p),
        "requester_name": addressee["addressee_organisation"],
        "representative": "　".join(
            p for p in (addressee["addressee_title"], addressee["addressee_name"]) if p
        ),
    }


def _decided_words(decision) -> str:
    return (
        f"{wareki_date(decision.notice_date)}付け{decision.notice_number}で交付決定の通知のあった"
    )


# --- 取下げ届 --------------------------------------------------------------------------------


def _filed_version(application, before: datetime.datetime):
    """The version in force when something was filed at `before` (the one it withdraws)."""
    return (
        application.versions.filter(created_at__lte=before).order_by("-number").first()
        or application.versions.order_by("number").first()
    )


def withdrawal_context(withdrawal: Withdrawal) -> dict:
    application = withdrawal.application
    fiscal_year = application.fiscal_year
    decision = withdrawal.lapsed_decision
    version = _filed_version(application, withdrawal.filed_at)
    filed_on = _local_date(version.created_at) if version else withdrawal.withdrawn_on
    subsidy = _subsidy(fiscal_year)
    items = [("取下げの理由", withdrawal.reason)]
    if withdrawal.kind == Withdrawal.Kind.AFTER_DECISION and decision is not None:
        title = "補助金交付申請取下げ届"
        lead = (
            f"{_decided_words(decision)}{subsidy}について、{_under(fiscal_year)}"
            "下記の理由により交付申請を取り下げます。"
        )
        items.insert(
            0, ("交付決定", f"{decision.notice_number}（{wareki_date(decision.notice_date)}）")
        )
        items.insert(1, ("交付決定額", f"{decision.total_amount:,}円"))
    elif withdrawal.kind == Withdrawal.Kind.CHANGE_REQUEST:
        title = "変更承認申請取下げ届"
        lead = (
            f"{wareki_date(filed_on)}付けで変更承認申請した{subsidy}について、"
            f"{_under(fiscal_year)}下記の理由により変更承認申請を取り下げます。"
        )
    else:
        title = "補助金交付申請取下げ届"
        lead = (
            f"{wareki_date(filed_on)}付けで交付申請した{subsidy}について、"
            f"{_under(fiscal_year)}下記の理由により交付申請を取り下げます。"
        )
    return {
        "form_number": _form_number(fiscal_year, "withdrawal_form_number"),
        "title": title,
        "date": withdrawal.withdrawn_on,
        **filer(application),
        "lead": lead,
        "items": items,
    }


def withdrawal_pdf(withdrawal: Withdrawal) -> bytes:
    return render_pdf(
        _FILING,
        {"doc": withdrawal_context(withdrawal)},
        document_key=f"withdrawal-{withdrawal.pk}",
        created=_created(withdrawal.withdrawn_on),
    )


def withdrawal_filename(withdrawal: Withdrawal) -> str:
    hub = withdrawal.application.recipient.name
    return safe_filename(f"取下げ届_{hub}_{withdrawal.withdrawn_on:%Y%m%d}_{withdrawal.pk}.pdf")


# --- 中止・廃止承認申請書 and its 承認通知書 ----------------------------------------------------


def discontinuation_request_context(request: DiscontinuationRequest) -> dict:
    application = request.application
    fiscal_year = application.fiscal_year
    kind = request.get_kind_display()
    decision = request.decision
    return {
        "form_number": _form_number(fiscal_year, "discontinuation_form_number"),
        "title": f"補助事業{kind}承認申請書",
        "date": _local_date(request.filed_at),
        **filer(application),
        "lead": (
            f"{_decided_words(decision)}{_subsidy(fiscal_year)}について、下記のとおり補助事業を"
            f"{kind}したいので、{_under(fiscal_year)}承認されるよう申請します。"
        ),
        "items": [
            ("交付決定", f"{decision.notice_number}（{wareki_date(decision.notice_date)}）"),
            ("交付決定額", f"{decision.total_amount:,}円"),
            (f"{kind}の別", kind),
            (f"{kind}の日", wareki_date(request.effective_from)),
            (f"{kind}の理由", request.reason),
        ],
    }


def discontinuation_request_pdf(request: DiscontinuationRequest) -> bytes:
    day = _local_date(request.filed_at)
    return render_pdf(
        _FILING,
        {"doc": discontinuation_request_context(request)},
        document_key=f"discontinuation-request-{request.pk}",
        created=_created(day),
    )


def discontinuation_approval_context(request: DiscontinuationRequest) -> dict:
    application = request.application
    fiscal_year = application.fiscal_year
    kind = request.get_kind_display()
    decision = request.decision
    return {
        "form_number": _form_number(fiscal_year, "discontinuation_approval_form_number"),
        "title": f"補助事業{kind}承認通知書",
        "notice_number": request.notice_number,
        "notice_date": request.answered_on,
        **letterhead(fiscal_year, application.recipient),
        "lead": (
            f"{wareki_date(_local_date(request.filed_at))}付けで申請のあった"
            f"{_subsidy(fiscal_year)}の補助事業の{kind}については、{_under(fiscal_year)}"
            "下記のとおり承認したので通知します。"
        ),
        "items": [
            ("交付決定", f"{decision.notice_number}（{wareki_date(decision.notice_date)}）"),
            ("交付決定額", f"{decision.total_amount:,}円"),
            (f"{kind}の日", wareki_date(request.effective_from)),
        ],
        "conditions": [
            f"この承認により、上記の交付決定は{kind}の日をもって効力を失います。",
            "既に概算払により補助金の交付を受けている場合は、別途送付する返還命令書兼納入通知書"
            "により返還すること。",
        ],
    }


def discontinuation_approval_pdf(request: DiscontinuationRequest) -> bytes:
    if request.state != DiscontinuationRequest.State.APPROVED or not request.notice_number:
        raise ValueError("承認された中止・廃止承認申請ではありません。")
    return render_pdf(
        "reports/pdf/discontinuation_approval.html",
        {"notice": discontinuation_approval_context(request)},
        document_key=f"discontinuation-approval-{request.pk}",
        created=_created(request.answered_on),
    )


def discontinuation_filenames(request: DiscontinuationRequest) -> tuple[str, str]:
    kind, hub = request.get_kind_display(), request.application.recipient.name
    return (
        safe_filename(
            f"{kind}承認申請書_{hub}_{_local_date(request.filed_at):%Y%m%d}_{request.pk}.pdf"
        ),
        safe_filename(f"{kind}承認通知書_{hub}_{request.notice_number}.pdf"),
    )


# --- 変更承認申請書 --------------------------------------------------------------------------


def is_change_request_version(version: ApplicationVersion) -> bool:
    return version.label.startswith(CHANGE_LABEL)


def changed_decision(version: ApplicationVersion):
    """The decision a change request changes: the latest decided before it was filed."""
    return (
        version.application.decisions.filter(decided_at__lt=version.created_at)
        .order_by("-number")
        .first()
    )


def _line_label(menu_name: str, recipient: str | None) -> str:
    return f"{menu_name}（{recipient}）" if recipient else menu_name  # as decision_lines


def requested_amounts(version: ApplicationVersion) -> list[tuple[str, int]]:
    """Per menu what the change request asks (the version's computed amounts, as its
    交付申請書 prints them): only the lines wished for this year; labels as the decision's.
    Read from the frozen version alone, so a later rename changes nothing printed."""
    snapshot = version.snapshot
    year = version.application.fiscal_year.year
    labels = snapshot.get("labels", {})
    amounts = snapshot.get("amounts", {})
    requested = []
    for key, data in snapshot.get("plan", {}).get("lines", {}).items():
        amount = int(amounts.get(key, 0) or 0)
        start = data.get("start_year")
        if not data.get("wish") or (start and int(start) > year):
            amount = 0
        label = labels.get(key, key)
        if "@" in key and "：" in label:  # 甲病院：同行訪問等研修 (reading.label_of)
            institution, menu_name = label.split("：", 1)
            label = _line_label(menu_name, institution)
        requested.append((label, amount))
    return requested


def decided_amounts(decision) -> list[tuple[str, int]]:
    lines = decision.lines.select_related("menu").order_by("pk")
    return [
        (_line_label(line.menu.name, line.recipient_name if line.designation_id else None),
         int(line.decided_amount))
        for line in lines
    ]  # fmt: skip


def change_request_context(version: ApplicationVersion) -> dict:
    application = version.application
    fiscal_year = application.fiscal_year
    decision = changed_decision(version)
    if decision is None:
        raise ValueError("変更する交付決定がありません。")
    changes = change_lines(decided_amounts(decision), requested_amounts(version))
    reason = version.snapshot.get("change_reason", "") or "（記載なし）"
    return {
        "form_number": _form_number(fiscal_year, "change_request_form_number"),
        "title": "変更承認申請書",
        "date": _local_date(version.created_at),
        **filer(application),
        "lead": (
            f"{_decided_words(decision)}{_subsidy(fiscal_year)}について、下記のとおり"
            f"事業の内容を変更したいので、{_under(fiscal_year)}承認されるよう申請します。"
        ),
        "items": [
            (
                "変更する交付決定",
                f"{decision.notice_number}（{wareki_date(decision.notice_date)}）",
            ),
            ("変更の理由", reason),
        ],
        "changes": changes,
        "total_before": sum(line.before for line in changes),
        "total_after": sum(line.after for line in changes),
        "total_difference": sum(line.difference for line in changes),
        "version_label": f"第{version.number}版",
    }


def change_request_pdf(version: ApplicationVersion) -> bytes:
    return render_pdf(
        _FILING,
        {"doc": change_request_context(version)},
        document_key=f"change-request-{version.application_id}-v{version.number}",
        created=timezone.localtime(version.created_at),
    )


def change_request_filename(version: ApplicationVersion) -> str:
    hub = version.application.recipient.name
    return safe_filename(f"変更承認申請書_{hub}_第{version.number}版.pdf")


# --- the dossier (reports.documents.DOSSIER_DOCUMENTS) --------------------------------------


def change_request_items(application, versions) -> list[tuple[str, object]]:
    """変更承認申請書 beside the version it files (01_交付申請書/第n版_…)."""
    from reports.documents import dated

    return [
        (
            f"01_交付申請書/第{v.number}版_変更承認申請書.pdf",
            dated(partial(change_request_pdf, v), v.created_at),
        )
        for v in versions
        if is_change_request_version(v) and changed_decision(v) is not None
    ]


def procedure_items(application, versions) -> list[tuple[str, object]]:
    """取下げ届 and 中止・廃止承認申請書 / 承認通知書, in the order filed and answered."""
    from reports.documents import dated

    folder = "11_取下げ・中止・廃止"
    entries = [
        (w.filed_at, f"{folder}/{withdrawal_filename(w)}", partial(withdrawal_pdf, w))
        for w in application.withdrawals.all()
    ]
    for d in application.discontinuations.select_related("decision"):
        request_name, approval_name = discontinuation_filenames(d)
        entries.append(
            (d.filed_at, f"{folder}/{request_name}", partial(discontinuation_request_pdf, d))
        )
        if d.state == DiscontinuationRequest.State.APPROVED and d.notice_number:
            # answered_on is a date (taken as 09:00): an answer given the day the request was
            # filed after 09:00 sorted before the request and the 取下げ filed before it (the
            # dossier's order depended on the hour); it is never earlier than its request
            answered = max(_created(d.answered_on), d.filed_at)
            entries.append(
                (answered, f"{folder}/{approval_name}", partial(discontinuation_approval_pdf, d))
            )
    # by time; at the same moment in the order written above (request before its answer)
    order = {entry[1]: index for index, entry in enumerate(entries)}
    entries.sort(key=lambda e: (e[0], order[e[1]]))
    return [(name, dated(maker, when)) for when, name, maker in entries]


# --- the views ---------------------------------------------------------------------------------


def _pdf_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(name)
    return response


def _scoped(model, user):
    return model.objects.select_related("application__hub", "application__fiscal_year").filter(
        application__in=applications_for(user)
    )


@require_roles(*ALL_ROLES)
def withdrawal_document(request, pk: int):
    """取下げ届 of a withdrawal in the user's scope (another hub's: 404)."""
    withdrawal = get_object_or_404(_scoped(Withdrawal, request.user), pk=pk)
    return _pdf_response(withdrawal_pdf(withdrawal), withdrawal_filename(withdrawal))


@require_roles(*ALL_ROLES)
def discontinuation_request_document(request, pk: int):
    record = get_object_or_404(_scoped(DiscontinuationRequest, request.user), pk=pk)
    return _pdf_response(discontinuation_request_pdf(record), discontinuation_filenames(record)[0])


@require_roles(*ALL_ROLES)
def discontinuation_approval_document(request, pk: int):
    """The 承認通知書, once approved and numbered (before: 404)."""
    record = get_object_or_404(_scoped(DiscontinuationRequest, request.user), pk=pk)
    if record.state != DiscontinuationRequest.State.APPROVED or not record.notice_number:
        raise Http404("中止・廃止承認通知書はありません。")
    return _pdf_response(discontinuation_approval_pdf(record), discontinuation_filenames(record)[1])


@require_roles(*ALL_ROLES)
def change_request_document(request, pk: int):
    """変更承認申請書 of a filed change request version (another kind of version: 404)."""
    version = get_object_or_404(_scoped(ApplicationVersion, request.user), pk=pk)
    if not is_change_request_version(version) or changed_decision(version) is None:
        raise Http404("変更承認申請書はありません。")
    return _pdf_response(change_request_pdf(version), change_request_filename(version))
