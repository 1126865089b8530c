"""The budget pages (staff): a fiscal year's budget, its split and what remains per part;
sharing a short part out (配分案: propose, edit, accept)."""

from fractions import Fraction

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from subsidies.budget.calculation import TIER_LABELS, rate_label
from subsidies.budget.forms import UNIT_THOUSAND, BudgetForm, ProposeForm, edits_from
from subsidies.budget.reading import claim_lines, gap_day
from subsidies.budget.services import BudgetRefused, accept, propose, save_budget
from subsidies.catalogue.budget import PART_LABELS, budget_parts
from subsidies.models import AllocationProposal, Budget, FiscalYear
from zaitaku_portal.access import STAFF_ROLES, require_roles
from zaitaku_portal.bounds import whole_number


@require_roles(*STAFF_ROLES)
def budget_latest(request):
    latest = FiscalYear.objects.order_by("-year").first()
    if latest is None:
        messages.info(request, "年度が登録されていません。マスタ管理で年度を登録してください。")
        return redirect("subsidies:review_home")
    return redirect("subsidies:budget", year=latest.year)


def _initial(budget: Budget | None, fiscal_year: FiscalYear) -> dict:
    """The stored figures shown in 千円 when they are whole thousands, else in 円."""
    figures = {
        "total": budget.total if budget else fiscal_year.budget_amount,
        "hub_part": budget.hub_part if budget else None,
        "hospital_part": budget.hospital_part if budget else None,
    }
    thousands = all(v is None or v % 1000 == 0 for v in figures.values())
    shown = {
        name: "" if value is None else f"{value // 1000 if thousands else value:,}"
        for name, value in figures.items()
    }
    return {**shown, "unit": UNIT_THOUSAND if thousands else "yen"}


@require_roles(*STAFF_ROLES)
def budget(request, year: int):
    fiscal_year = get_object_or_404(FiscalYear, year=year)
    stored = Budget.objects.filter(fiscal_year=fiscal_year).first()
    version = stored.version if stored else None
    if request.method == "POST":
        form = BudgetForm(request.POST)
        if form.is_valid():
            try:
                changes = save_budget(
                    fiscal_year,
                    form.cleaned_data["amounts"],
                    form.cleaned_data["version"],
                    request.user,
                )
            except BudgetRefused as refused:
                messages.error(request, str(refused))
            else:
                if changes:
                    messages.success(
                        request, f"{fiscal_year}の予算を保存しました（{'・'.join(changes)}）。"
                    )
                else:
                    messages.info(request, "変更はありませんでした。")
                return redirect("subsidies:budget", year=year)
    else:
        form = BudgetForm(initial={**_initial(stored, fiscal_year), "version": version})
    fiscal_year.refresh_from_db()
    return render(
        request,
        "subsidies/budget/budget.html",
        {
            "fiscal_year": fiscal_year,
            "form": form,
            "parts": budget_parts(fiscal_year),
            "fiscal_years": FiscalYear.objects.order_by("-year"),
            "stored": stored,
        },
    )


@require_roles(*STAFF_ROLES)
def allocation(request, year: int):
    """Per part: what is asked (lines awaiting decision) against what remains; a method
    chosen makes a proposal."""
    fiscal_year = get_object_or_404(FiscalYear, year=year)
    parts = budget_parts(fiscal_year)
    form = ProposeForm(request.POST or None, parts=parts)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = propose(
                fiscal_year,
                form.cleaned_data["part"],
                form.cleaned_data["method"],
                form.cleaned_data["ceiling"],
                request.user,
            )
        except BudgetRefused as refused:
            messages.error(request, str(refused))
        else:
            return redirect("subsidies:allocation_proposal", pk=proposal.pk)
    demand = []
    for part in parts:
        lines = claim_lines(fiscal_year, part.key)
        asked = sum(line.claim.computed for line in lines)
        demand.append(
            {"part": part, "lines": len(lines), "asked": asked, "short": asked - part.remaining}
        )
    proposals = AllocationProposal.objects.filter(fiscal_year=fiscal_year).select_related(
        "created_by"
    )[:20]
    return render(
        request,
        "subsidies/budget/allocation.html",
        {"fiscal_year": fiscal_year, "form": form, "demand": demand, "proposals": proposals},
    )


def _rows(lines: list[dict], posted) -> list[dict]:
    """The lines with what the inputs show: the stored amount, or what was posted."""
    rows = []
    for index, row in enumerate(lines):
        typed = posted.get(f"amount{index}", "") if posted else row["amount"]
        reason = posted.get(f"reason{index}", "") if posted else ""
        rows.append({**row, "typed": typed, "typed_reason": reason})
    return rows


@require_roles(*STAFF_ROLES)
def allocation_proposal(request, pk: int):
    proposal = get_object_or_404(AllocationProposal.objects.select_related("fiscal_year"), pk=pk)
    problems = []
    if request.method == "POST":
        edits, problems = edits_from(request.POST, proposal.lines)
        version = whole_number(request.POST.get("version", ""))  # the page's 更新番号
        if version is None:
            problems = [
                *problems,
                "画面が古くなっています。開き直してからもう一度採用してください。",
            ]
        if not problems:
            try:
                accept(proposal, edits, version, request.user)
            except BudgetRefused as refused:
                problems = [str(refused)]
            else:
                messages.success(
                    request, "配分案を採用しました。交付決定の画面の初期値になります。"
                )
                return redirect("subsidies:allocation_proposal", pk=pk)
    rate = (
        Fraction(proposal.rate_numerator, proposal.rate_denominator)
        if proposal.rate_denominator
        else None
    )
    return render(
        request,
        "subsidies/budget/proposal.html",
        {
            "proposal": proposal,
            "fiscal_year": proposal.fiscal_year,
            "part_label": PART_LABELS.get(proposal.part, proposal.part),
            "rate": rate_label(rate) if rate is not None else None,
            "total": sum(row["amount"] for row in proposal.lines),
            "unallocated": proposal.available - sum(row["amount"] for row in proposal.lines),
            "asked": sum(row["computed"] for row in proposal.lines),
            "problems": problems,
            "rows": _rows(proposal.lines, request.POST if problems else None),
            "editable": proposal.state == AllocationProposal.State.PROPOSED,
            "tier_labels": sorted(TIER_LABELS.items()),
            "gap_day": gap_day(proposal.fiscal_year),
        },
    )


# --- the what-if (試算) ------------------------------------------------------------------


def _what_if(request, year: int, data):
    """The fiscal year, form, bases offered, result and changes of the scenario in `data`
    (GET or POST), as attributes."""
    from types import SimpleNamespace

    from subsidies.budget.what_if import base_named, bases_for
    from subsidies.results.what_if import menus_in_order, what_if
    from subsidies.results.what_if_forms import WhatIfForm

    fiscal_year = get_object_or_404(FiscalYear, year=year)
    # bound only when the scenario's table was sent (a link with just ?base= shows the
    # current caps, not blank fields)
    typed = any(name.startswith(("cap", "district", "rate")) for name in data or {})
    form = WhatIfForm(data if typed else None, menus=menus_in_order(fiscal_year))
    changes = form.changes() if form.is_bound and form.is_valid() else {}
    base = base_named(fiscal_year, (data or {}).get("base"))
    result = what_if(fiscal_year, changes, base)
    return SimpleNamespace(
        fiscal_year=fiscal_year,
        form=form,
        bases=bases_for(fiscal_year),
        result=result,
        changes=changes,
    )


@require_roles(*STAFF_ROLES)
def what_if_page(request, year: int):
    """Change caps, the per-district multiplier or rates in a scratch copy (GET: nothing is
    written) and compare with the budget; adopt them into a 調整中 catalogue (POST, below)."""
    scenario = _what_if(request, year, request.GET)
    fiscal_year = scenario.fiscal_year
    return render(
        request,
        "subsidies/budget/what_if.html",
        {
            "fiscal_year": fiscal_year,
            "form": scenario.form,
            "bases": scenario.bases,
            "result": scenario.result,
            "scenario": [(k, v) for k, v in request.GET.lists() for v in v],
            "adoptable": not fiscal_year.catalogue_confirmed and not fiscal_year.catalogue_frozen,
        },
    )


@require_roles(*STAFF_ROLES)
def what_if_xlsx(request, year: int):
    from subsidies.budget.exports import what_if_workbook
    from zaitaku_portal.spreadsheets import xlsx_response
    from zaitaku_portal.wareki import fiscal_year_label

    scenario = _what_if(request, year, request.GET)
    label = fiscal_year_label(scenario.fiscal_year.year)
    return xlsx_response(f"上限額の試算_{label}.xlsx", what_if_workbook(scenario.result, label))


@require_roles(*STAFF_ROLES)
def what_if_adopt(request, year: int):
    """POST only: the scenario posted (the what-if's own fields) becomes the catalogue's."""
    from urllib.parse import urlencode

    from django.http import HttpResponseNotAllowed

    from subsidies.budget.services import adopt_caps

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    scenario = _what_if(request, year, request.POST)
    fiscal_year, form = scenario.fiscal_year, scenario.form
    query = urlencode(
        [(k, v) for k, values in request.POST.lists() for v in values if k != "csrfmiddlewaretoken"]
    )
    back = redirect(f"{reverse('subsidies:what_if', args=[year])}?{query}")
    if not form.is_valid():
        messages.error(
            request,
            "試算の入力に誤りがあるため反映できません。"
            + " ".join(str(e) for errors in form.errors.values() for e in errors),
        )
        return back
    try:
        changed = adopt_caps(fiscal_year, scenario.changes, request.user)
    except BudgetRefused as refused:
        messages.error(request, str(refused))
        return back
    if not changed:
        messages.info(request, "試算は現在の設定と同じため、変更はありませんでした。")
        return back
    messages.success(
        request,
        f"試算の上限額・補助率を{fiscal_year}の補助メニューに反映しました（{'・'.join(changed)}）。",
    )
    return redirect("subsidies:catalogue", year=year)
