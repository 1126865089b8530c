"""Pages of the results report (実績報告), advance payments and 額の確定: thin views over
the part's reading, rules and writers (services). Who may see what: querysets come from
zaitaku_portal.scopes (reports_for, applications_for, confirmations_for), so anything
outside the user's scope is 404; roles per view are declared with require_roles. Every
workflow row's page is one view (report_action), driven by the row."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from subsidies.models import Confirmation, FiscalYear, ResultReportStatus
from subsidies.results import services
from subsidies.results.claim import claim_for, claim_snapshot
from subsidies.results.exports.accounting import confirmed_amounts_json
from subsidies.results.exports.expenses import expense_workbook, read_expense_workbook
from subsidies.results.exports.seisan import application_sheets, prefecture_sheet
from subsidies.results.forms import (
    ActionForm,
    ActivityForm,
    AdvanceForm,
    ExpenseUploadForm,
    ReportForm,
)
from subsidies.results.models import NARRATIVE_FIELDS
from subsidies.results.reading import (
    EXPENSE_FIELDS,
    REPORT_FIELDS,
    advance_total,
    advice_of,
    area_figures,
    confirmed_of_year,
    correction_rows,
    current_confirmation,
    current_decision,
    expenses_of,
    mandatory_warnings,
    meeting_count,
    receipts_of,
    recipients_of,
    report_problems,
)
from subsidies.results.rules import (
    EDITABLE_STATES,
    STALE_MESSAGE,
    ClaimError,
    StaleVersion,
    can_advise,
    can_edit_report,
    can_start_report,
)
from subsidies.results.workflow import TABLE
from subsidies.shared.workflow import COORDINATOR, GRANTEE_ROLES, actor_kind
from zaitaku_portal.access import ALL_ROLES, STAFF_ROLES, require_roles, role_of
from zaitaku_portal.audit import history_of
from zaitaku_portal.bounds import whole_number
from zaitaku_portal.filenames import content_disposition, file_download
from zaitaku_portal.models import Role
from zaitaku_portal.money import Settlement
from zaitaku_portal.scopes import applications_for, confirmations_for, reports_for
from zaitaku_portal.spreadsheets import xlsx_response
from zaitaku_portal.wareki import fiscal_year_label


def _report(request, pk: int):
    return get_object_or_404(reports_for(request.user), pk=pk)


def _add_errors(form, error: ClaimError) -> None:
    form.add_error(None, error.message)
    for problem in error.problems:
        form.add_error(None, problem)


@require_roles(*ALL_ROLES)
def index(request):
    """Decided applications with their report and confirmation, newest year first."""
    current = Confirmation.objects.current()
    applications = (
        applications_for(request.user)
        .filter(decisions__isnull=False)
        .distinct()
        .select_related("result_report")
        .prefetch_related(Prefetch("confirmations", queryset=current, to_attr="current"))
        .order_by("-fiscal_year__year", "hub__name")
    )
    rows = [
        {
            "application": application,
            "report": getattr(application, "result_report", None),
            "confirmation": application.current[0] if application.current else None,
            # the grantee's side: a hub's coordinator, or a hospital's contact for its own
            "is_grantee": actor_kind(request.user, application) == COORDINATOR,
        }
        for application in applications
    ]
    return render(
        request,
        "subsidies/results/index.html",
        {
            "rows": rows,
            "is_coordinator": role_of(request.user) == Role.HUB_COORDINATOR,
            "is_staff": role_of(request.user) in STAFF_ROLES,
            "years": FiscalYear.objects.order_by("-year"),
        },
    )


@require_roles(*GRANTEE_ROLES)
def report_start(request, application_pk: int):
    application = get_object_or_404(applications_for(request.user), pk=application_pk)
    existing = getattr(application, "result_report", None)
    if existing is not None:
        return redirect("results:report_detail", pk=existing.pk)
    allowed, reason = can_start_report(request.user, application)
    if not allowed:
        raise PermissionDenied(reason)
    if request.method == "POST":
        report = services.start_report(application, request.user)
        messages.success(request, f"{report}を作成しました。")
        return redirect("results:report_edit", pk=report.pk)
    return render(request, "subsidies/results/start.html", {"application": application})


@require_roles(*ALL_ROLES)
def report_detail(request, pk: int):
    report = _report(request, pk)
    application = report.application
    confirmations = list(
        application.confirmations.select_related("confirmed_by", "supersedes").order_by("-number")
    )
    current = current_confirmation(application)
    expenses = expenses_of(report)
    receipts: dict[int, list] = {}
    for receipt in receipts_of(report):
        receipts.setdefault(receipt.expense_id, []).append(receipt)
    return render(
        request,
        "subsidies/results/detail.html",
        {
            "report": report,
            "application": application,
            "expenses": [(e, receipts.get(e.pk, [])) for e in expenses],
            "equipment": list(report.equipment.all()),
            "area_figures": area_figures(report),
            # seed 003's meeting duties are the hub's, not a hospital's own report's
            "warnings": [] if application.is_hospital_application else mandatory_warnings(report),
            "narrative": [
                (label, getattr(report, name)) for name, label in NARRATIVE_FIELDS.items()
            ],
            "activities": report.activities.select_related(
                "requirement_item", "designation__institution"
            ),
            "meeting_count": meeting_count(report),
            "actions": TABLE.actions_for(report, request.user),
            "can_edit": can_edit_report(request.user, report)[0],
            "problems": (report_problems(report) if report.status in EDITABLE_STATES else []),
            "versions": report.versions.select_related("created_by").order_by("-number"),
            "confirmations": confirmations,
            "confirmation": current,
            "corrections": correction_rows(current) if current else [],
            "additional_payment": -current.difference if current else 0,
            "settlement": Settlement.of_difference(current.difference) if current else None,
            "history": history_of(report)[:200],
            "is_staff": role_of(request.user) in STAFF_ROLES,
            "advice": advice_of(report),  # 保健所の助言 (subsidies/results/advice_views.py)
            "can_advise": can_advise(request.user, report)[0],
        },
    )


@require_roles(*GRANTEE_ROLES)
def report_edit(request, pk: int):
    report = _report(request, pk)
    allowed, reason = can_edit_report(request.user, report)
    if not allowed:
        messages.error(request, reason)
        return redirect("results:report_detail", pk=pk)
    if request.method == "POST":
        services.sync_expense_lines(report)  # lines missing from before issue 13: at the save
    expenses = expenses_of(report)
    initial = {name: getattr(report, name) for name in REPORT_FIELDS}
    initial["version"] = report.version
    form = ReportForm(request.POST or None, report=report, expenses=expenses, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report, changes = services.save_report(
                report, form.data_dict(), request.user, form.cleaned_data["version"]
            )
        except ClaimError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"実績報告を保存しました（変更 {len(changes)}項目）。")
            return redirect("results:report_detail", pk=pk)
    return render(request, "subsidies/results/edit.html", {"report": report, "form": form})


def _activity_form(request, report):
    from subsidies.models import RequirementItem

    decision = current_decision(report.application)
    from hospitals.models import ActiveHospitalDesignation

    designations = ActiveHospitalDesignation.objects.filter(
        pk__in=decision.lines.exclude(designation=None).values("designation_id") if decision else []
    ).select_related("institution")
    return ActivityForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial={"version": report.version},
        requirement_items=RequirementItem.objects.filter(
            fiscal_year=report.application.fiscal_year
        ),
        designations=designations,
    )


@require_roles(*GRANTEE_ROLES)
def activity_add(request, pk: int):
    report = _report(request, pk)
    allowed, reason = can_edit_report(request.user, report)
    if not allowed:
        messages.error(request, reason)
        return redirect("results:report_detail", pk=pk)
    form = _activity_form(request, report)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_activity(
                report,
                form.data_dict(),
                request.user,
                form.cleaned_data["version"],
                minutes=form.cleaned_data.get("minutes"),
            )
        except ClaimError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "活動実績を登録しました。")
            return redirect("results:report_detail", pk=pk)
    return render(request, "subsidies/results/activity_form.html", {"report": report, "form": form})


@require_roles(*GRANTEE_ROLES)
@require_POST
def activity_delete(request, pk: int, activity_pk: int):
    report = _report(request, pk)
    version = whole_number(request.POST.get("version", ""))  # the page's 更新番号
    try:
        if version is None:
            raise StaleVersion(STALE_MESSAGE)
        services.delete_activity(report, activity_pk, request.user, version)
    except ClaimError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "活動実績を削除しました。")
    return redirect("results:report_detail", pk=pk)


@require_roles(*GRANTEE_ROLES, *STAFF_ROLES)
def report_action(request, pk: int, action: str):
    report = _report(request, pk)
    transition = TABLE.get(action)
    if transition is None:
        raise Http404("この操作はありません。")
    form_class = transition.form or ActionForm
    if form_class.page_url:  # the row's page lives at its own address
        return redirect(form_class.page_url, pk=pk)
    return _action_page(request, report, transition)


def _action_page(request, report, transition):
    """The page of one row of the results table, built from the row: its form (a plain
    confirmation when it has none), the reason field where the row requires one, and on
    POST services.perform with what the form gives; the reason for a refusal otherwise."""
    form_class = transition.form or ActionForm
    data = request.POST if request.method == "POST" else None
    form = form_class(data, obj=report, initial={"version": report.version})
    if transition.reason_required and "reason" in form.fields:  # said on the field, first
        form.fields["reason"].required = True
        form.fields["reason"].error_messages["required"] = (
            f"「{transition.label}」の理由を入力してください。"
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.perform(
                report,
                transition.action,
                request.user,
                form.cleaned_data["version"],
                base_url=request.build_absolute_uri("/"),
                **form.params(),
            )
        except ClaimError as error:
            _add_errors(form, error)
        else:
            success = form.success_message or f"「{transition.label}」を行いました。"
            messages.success(request, success)  # the report page repeats the warnings
            return redirect("results:report_detail", pk=report.pk)
    return render(
        request,
        form.page_template,
        {
            "report": report,
            "transition": transition,
            "action": transition.action,
            "permission": TABLE.check(report, transition.action, request.user),
            "form": form,
            "warnings": mandatory_warnings(report) if transition.action in WARNED_ACTIONS else [],
            **form.page_context(),
        },
    )


# submitting and confirming say what seed 003 §4 1)ア requires of the meetings (never refuse)
WARNED_ACTIONS = frozenset({"submit", "resubmit", "confirm", "correct"})


@require_roles(*ALL_ROLES)
def version_detail(request, pk: int, number: int):
    report = _report(request, pk)
    version = get_object_or_404(report.versions, number=number)
    return render(
        request,
        "subsidies/results/version.html",
        {
            "report": report,
            "version": version,
            "data": version.snapshot["report"],
            "claim": version.snapshot["claim"],
        },
    )


@require_roles(*ALL_ROLES)
def calculation(request, pk: int):
    """The 精算額調 line by line: as confirmed if confirmed, otherwise computed now."""
    report = _report(request, pk)
    application = report.application
    confirmation = current_confirmation(application)
    if confirmation is not None and request.GET.get("live") != "1":
        snapshot, live = confirmation.snapshot, False
    else:
        snapshot, live = claim_snapshot(claim_for(application)), True
    return render(
        request,
        "subsidies/results/calculation.html",
        {
            "report": report,
            "application": application,
            "snapshot": snapshot,
            "live": live,
            "confirmation": confirmation,
            "is_staff": role_of(request.user) in STAFF_ROLES,
        },
    )


@require_roles(*STAFF_ROLES)
def confirm(request, pk: int):
    """額の確定, or its correction once confirmed: the page of that row of the table."""
    report = _report(request, pk)
    action = "correct" if report.status == ResultReportStatus.CONFIRMED else "confirm"
    return _action_page(request, report, TABLE[action])


@require_roles(*STAFF_ROLES)
def advances(request, application_pk: int):
    application = get_object_or_404(applications_for(request.user), pk=application_pk)
    recipients = recipients_of(application)
    form = AdvanceForm(
        request.POST or None,
        recipients=recipients,
        initial={"advance_total": advance_total(application)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_advance(
                application,
                request.user,
                amount=form.cleaned_data["amount"],
                paid_on=form.cleaned_data["paid_on"],
                designation=form.designation(),
                note=form.cleaned_data["note"],
                expected_total=form.cleaned_data["advance_total"],
            )
        except StaleVersion as error:  # the reloaded page shows what was recorded
            messages.error(request, error.message)
            return redirect("results:advances", application_pk=application_pk)
        except ClaimError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "概算払を登録しました。")
            return redirect("results:advances", application_pk=application_pk)
    return render(
        request,
        "subsidies/results/advances.html",
        {
            "application": application,
            "payments": application.advance_payments.select_related(
                "designation__institution", "recorded_by"
            ),
            "form": form,
            "report": getattr(application, "result_report", None),
        },
    )


@require_roles(*ALL_ROLES)
def notice(request, confirmation_pk: int):
    """The notice PDF is a document, served by reports/ (subsidies never imports reports);
    this address, linked before, redirects there once the confirmation is in scope."""
    confirmation = get_object_or_404(confirmations_for(request.user), pk=confirmation_pk)
    return redirect("reports:confirmation_notice", confirmation_pk=confirmation.pk, permanent=True)


@require_roles(*ALL_ROLES)
def sheet_xlsx(request, pk: int):
    report = _report(request, pk)
    application = report.application
    confirmation = current_confirmation(application)
    if confirmation is not None:
        snapshot, title = confirmation.snapshot, confirmation.notice_number
    else:
        snapshot, title = claim_snapshot(claim_for(application)), "試算"
    year = application.fiscal_year.year
    header = f"{application.hub.name}　{fiscal_year_label(year)}　精算額調（{title}）"
    content = application_sheets(snapshot, title, page_header=header)
    return xlsx_response(f"精算額調_{application.hub.name}_{fiscal_year_label(year)}.xlsx", content)


@require_roles(*STAFF_ROLES)
def prefecture_xlsx(request, year: int):
    fiscal_year = get_object_or_404(FiscalYear, year=year)
    content = prefecture_sheet(confirmed_of_year(year), fiscal_year_label(year))
    return xlsx_response(f"精算額調_県全体_{fiscal_year}.xlsx", content)


@require_roles(*STAFF_ROLES)
def confirmed_json(request, year: int):
    get_object_or_404(FiscalYear, year=year)
    content = confirmed_amounts_json(confirmed_of_year(year), year)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition(f"確定額_{fiscal_year_label(year)}.json")
    return response


@require_roles(*STAFF_ROLES)
def what_if(request, year: int):
    """The what-if moved to the budget pages (it reads the survey and the budget, which sit
    above results, and can adopt its caps): this address redirects there, query kept."""
    from django.urls import reverse

    get_object_or_404(FiscalYear, year=year)
    query = request.META.get("QUERY_STRING", "")
    target = reverse("subsidies:what_if", args=[year])
    return redirect(f"{target}?{query}" if query else target, permanent=True)


@require_roles(*ALL_ROLES)
def expenses_xlsx(request, pk: int):
    report = _report(request, pk)
    year = report.application.fiscal_year.year
    return xlsx_response(
        f"実支出額_{report.application.hub.name}_{fiscal_year_label(year)}.xlsx",
        expense_workbook(report),
    )


EXPENSES_SESSION_KEY = "expenses_upload:{pk}"  # the preview waiting for its confirmation


@require_roles(*GRANTEE_ROLES)
def expenses_upload(request, pk: int):
    """Upload the filled expense workbook; saved at once if every cell is valid."""
    report = _report(request, pk)
    allowed, reason = can_edit_report(request.user, report)
    if not allowed:
        messages.error(request, reason)
        return redirect("results:report_detail", pk=pk)
    form = ExpenseUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            version, data = read_expense_workbook(report, form.cleaned_data["file"])
            changes = services.preview_report(report, data, request.user, version)
        except ClaimError as error:
            _add_errors(form, error)
        else:  # nothing saved yet: the coordinator sees the differences and confirms
            request.session[EXPENSES_SESSION_KEY.format(pk=pk)] = {
                "version": version,
                "data": data,
                "name": form.cleaned_data["file"].name,
            }
            return render(
                request,
                "subsidies/results/expenses_preview.html",
                {
                    "report": report,
                    "changes": [
                        (label, _shown(label, c["from"]), _shown(label, c["to"]))
                        for label, c in changes.items()
                    ],
                    "name": form.cleaned_data["file"].name,
                },
            )
    return render(
        request, "subsidies/results/expenses_upload.html", {"report": report, "form": form}
    )


def _shown(label: str, value) -> str:
    """A value of the preview as the report page prints it: yen, a source's name, text."""
    from subsidies.models import ExcludedSource
    from zaitaku_portal.templatetags.ja_format import yen

    if value in (None, ""):
        return "—"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}" if label.endswith("件数") or "時間" in label else yen(value)
    if label.endswith(EXPENSE_FIELDS["excluded_source"]):
        return ExcludedSource(value).label
    return str(value)


@require_roles(*GRANTEE_ROLES)
@require_POST
def expenses_apply(request, pk: int):
    """Save what the preview showed, if nobody has changed the report since the download."""
    report = _report(request, pk)
    pending = request.session.pop(EXPENSES_SESSION_KEY.format(pk=pk), None)
    if pending is None:
        messages.error(request, "取り込む内容がありません。もう一度アップロードしてください。")
        return redirect("results:expenses_upload", pk=pk)
    try:
        report, changes = services.save_report(
            report, pending["data"], request.user, pending["version"], source="Excel取込"
        )
    except ClaimError as error:
        messages.error(request, error.message)
        for problem in error.problems:
            messages.error(request, problem)
        return redirect("results:expenses_upload", pk=pk)
    messages.success(request, f"Excelを取り込みました（変更 {len(changes)}項目）。")
    return redirect("results:report_detail", pk=pk)


@require_roles(*ALL_ROLES)
def activity_minutes(request, pk: int, activity_pk: int):
    report = _report(request, pk)
    activity = get_object_or_404(report.activities.exclude(minutes=""), pk=activity_pk)
    return file_download(activity.minutes.open("rb"), activity.minutes_name)
