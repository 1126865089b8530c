"""Pages of the results report's item records: disaster equipment (seed 003 §4 6)(3)) and
the receipts (領収書等) kept with each expense line. Querysets come from
zaitaku_portal.scopes (reports_for), so another hub's report is 404; the writers in
services.py re-check the scope and version inside the report's lock. A receipt is served
only here, through the default storage, and every download is audited by
DownloadAuditMiddleware."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from subsidies.results import services
from subsidies.results.forms import EquipmentForm, ReceiptForm
from subsidies.results.models import ExpenseReceipt
from subsidies.results.reading import expense_label, expenses_of
from subsidies.results.rules import STALE_MESSAGE, ClaimError, StaleVersion, can_edit_report
from subsidies.shared.workflow import GRANTEE_ROLES
from zaitaku_portal.access import ALL_ROLES, require_roles
from zaitaku_portal.bounds import whole_number
from zaitaku_portal.filenames import file_download
from zaitaku_portal.scopes import reports_for


def _report(request, pk: int):
    return get_object_or_404(reports_for(request.user), pk=pk)


def _editable_or_back(request, report):
    allowed, reason = can_edit_report(request.user, report)
    if not allowed:
        messages.error(request, reason)
        return redirect("results:report_detail", pk=report.pk)
    return None


def _add_errors(form, error: ClaimError) -> None:
    form.add_error(None, error.message)
    for problem in error.problems:
        form.add_error(None, problem)


@require_roles(*GRANTEE_ROLES)
def equipment_add(request, pk: int):
    report = _report(request, pk)
    if refused := _editable_or_back(request, report):
        return refused
    form = EquipmentForm(request.POST or None, initial={"version": report.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.add_equipment(
                report, form.data_dict(), request.user, form.cleaned_data["version"]
            )
        except ClaimError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "災害時の備品を登録しました。")
            return redirect("results:report_detail", pk=pk)
    return render(
        request, "subsidies/results/equipment_form.html", {"report": report, "form": form}
    )


def _posted_version(request) -> int:
    version = whole_number(request.POST.get("version", ""))  # the page's 更新番号
    if version is None:
        raise StaleVersion(STALE_MESSAGE)
    return version


@require_roles(*GRANTEE_ROLES)
@require_POST
def equipment_delete(request, pk: int, item_pk: int):
    report = _report(request, pk)
    try:
        services.delete_equipment(report, item_pk, request.user, _posted_version(request))
    except ClaimError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "災害時の備品を削除しました。")
    return redirect("results:report_detail", pk=pk)


@require_roles(*GRANTEE_ROLES)
def receipt_upload(request, pk: int):
    report = _report(request, pk)
    if refused := _editable_or_back(request, report):
        return refused
    hub_name = report.application.hub.name
    lines = [(str(e.pk), expense_label(e, hub_name)) for e in expenses_of(report)]
    posted = request.method == "POST"
    form = ReceiptForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        lines=lines,
        initial={"version": report.version},
    )
    if posted and form.is_valid():
        try:
            services.add_receipt(
                report,
                int(form.cleaned_data["line"]),
                form.cleaned_data["file"],
                request.user,
                form.cleaned_data["version"],
            )
        except ClaimError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "領収書等を登録しました。")
            return redirect("results:report_detail", pk=pk)
    return render(request, "subsidies/results/receipt_form.html", {"report": report, "form": form})


@require_roles(*ALL_ROLES)
def receipt_download(request, pk: int, receipt_pk: int):
    report = _report(request, pk)
    receipt = get_object_or_404(
        ExpenseReceipt.objects.filter(expense__report=report), pk=receipt_pk
    )
    return file_download(receipt.file.open("rb"), receipt.original_name)


@require_roles(*GRANTEE_ROLES)
@require_POST
def receipt_delete(request, pk: int, receipt_pk: int):
    report = _report(request, pk)
    try:
        services.delete_receipt(report, receipt_pk, request.user, _posted_version(request))
    except ClaimError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "領収書等を削除しました。")
    return redirect("results:report_detail", pk=pk)
