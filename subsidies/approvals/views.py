"""The queue of drafts awaiting approval (決裁待ち) and a draft's page, for the prefecture's
staff: an approver (決裁権者) who is not the drafter approves or sends back there; other
staff read. Coordinators and health centres never see the queue (403)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from subsidies.approvals import reading, services
from subsidies.approvals.forms import ApproveForm, SendBackForm
from zaitaku_portal.access import STAFF_ROLES, require_roles


def _year(request) -> int | None:
    """?year=2026, ?year= (all years) or, by default, the current fiscal year."""
    raw = request.GET.get("year")
    if raw is None:
        return reading.year_of_today()
    if raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise Http404("年度の指定が正しくありません。") from None


@require_roles(*STAFF_ROLES)
def queue(request):
    year = _year(request)
    return render(
        request,
        "subsidies/approvals/queue.html",
        {
            **reading.queue(request.user, year),
            "year": year,
            "is_approver": reading.is_approver(request.user),
        },
    )


def _draft(request, pk: int):
    return get_object_or_404(reading.drafts_for(request.user), pk=pk)


@require_roles(*STAFF_ROLES)
def detail(request, pk: int, approve_form=None, send_back_form=None, problems=()):
    draft = _draft(request, pk)
    version = draft.target.version
    return render(
        request,
        "subsidies/approvals/detail.html",
        {
            "draft": draft,
            "view": reading.draft_view(draft),
            "approve": services.check(draft, request.user),
            "send_back": services.check(draft, request.user, send_back=True),
            "approve_form": approve_form or ApproveForm(initial={"version": version}),
            "send_back_form": send_back_form or SendBackForm(initial={"version": version}),
            "problems": problems,
            "is_approver": reading.is_approver(request.user),
        },
        status=400 if problems or (send_back_form and send_back_form.errors) else 200,
    )


@require_roles(*STAFF_ROLES)
@require_POST
def approve(request, pk: int):
    return _act(request, pk, send_back=False)


@require_roles(*STAFF_ROLES)
@require_POST
def send_back(request, pk: int):
    return _act(request, pk, send_back=True)


def _act(request, pk: int, *, send_back: bool):
    draft = _draft(request, pk)
    form = (SendBackForm if send_back else ApproveForm)(request.POST)
    forms = {"send_back_form" if send_back else "approve_form": form}
    if not form.is_valid():
        return detail(request, pk, **forms)
    try:
        services.act(
            draft,
            request.user,
            form.cleaned_data["version"],
            send_back=send_back,
            reason=form.cleaned_data.get("reason", ""),
            base_url=request.build_absolute_uri("/"),
        )
    except services.ERRORS as error:
        return detail(request, pk, problems=[error.message, *error.problems], **forms)
    what = draft.get_kind_display()
    messages.success(
        request, f"{what}を差し戻しました。" if send_back else f"{what}を決裁しました。"
    )
    return redirect("subsidies:approval_detail", pk=pk)
