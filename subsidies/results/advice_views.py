"""保健所の助言 on results reports (issue 20): the health center's list of its areas'
reports handed in, those still awaiting its advice first, and the page where it writes one.
The report itself is read on results:report_detail (read-only for the health center), which
also shows every advice to the coordinator and the prefecture. Out of scope is 404
(zaitaku_portal.scopes.reports_for); another role than the health center is 403."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from subsidies.results import services
from subsidies.results.forms import AdviceForm
from subsidies.results.reading import advice_of
from subsidies.results.report_advice import ADVISABLE_STATES
from subsidies.results.rules import ClaimError, can_advise
from zaitaku_portal.access import require_roles
from zaitaku_portal.models import Role
from zaitaku_portal.scopes import reports_for
from zaitaku_portal.wareki import fiscal_year_of


@require_roles(Role.HEALTH_CENTER)
def advice_list(request):
    """The reports of the current and the previous fiscal year (a year's report is written
    after the year ends) that the health center may advise on, unadvised first."""
    year = fiscal_year_of(timezone.localdate())
    reports = (
        reports_for(request.user)
        .filter(status__in=ADVISABLE_STATES, application__fiscal_year__year__in=(year - 1, year))
        .annotate(advice_count=Count("advice"), advised_at=Max("advice__created_at"))
        .order_by("advice_count", "submitted_at", "application__hub__name")
    )
    return render(request, "subsidies/results/advice_list.html", {"reports": reports})


@require_roles(Role.HEALTH_CENTER)
def report_advice(request, pk: int):
    report = get_object_or_404(reports_for(request.user), pk=pk)
    allowed, reason = can_advise(request.user, report)
    if not allowed:  # e.g. still 作成中: the page says why, and offers no form
        context = {"report": report, "refused": reason, "advice": advice_of(report)}
        return render(request, "subsidies/results/advice_form.html", context, status=403)
    form = AdviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_advice(report, request.user, form.cleaned_data["body"])
        except ClaimError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{report}に保健所の助言を記入しました。")
            return redirect(reverse("results:report_detail", args=[report.pk]) + "#advice")
    return render(
        request,
        "subsidies/results/advice_form.html",
        {"report": report, "form": form, "advice": advice_of(report)},
    )
