"""Pages of setting (a) of issue 18: the hub picks the hospitals it plans for (add, remove
on the plan page), and a hospital's contact enters its own lines of its hub's plan. Thin
views over services.py (writers) and hospital_lines.py (what may be picked)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from hospitals.models import ActiveHospitalDesignation
from subsidies.applications import hospital_counts, hospital_lines, reading
from subsidies.applications import services as service
from subsidies.applications.forms import HospitalLinesForm
from subsidies.applications.rules import EDITABLE_STATES, ApplicationError
from subsidies.models import Application
from zaitaku_portal.access import require_roles
from zaitaku_portal.models import Role
from zaitaku_portal.scopes import applications_for, designations_for, hospital_lines_for


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


# --- the hub's coordinator: pick and remove ------------------------------------------------


@require_roles(Role.HUB_COORDINATOR)
@require_POST
def hospital_add(request, pk: int):
    application = get_object_or_404(applications_for(request.user), pk=pk)
    try:
        designation_pk = int(request.POST.get("designation", ""))
    except ValueError:
        messages.error(request, "追加する医療機関を選択してください。")
        return redirect("subsidies:application_edit", pk=pk)
    designation = ActiveHospitalDesignation.objects.filter(pk=designation_pk).first()
    if designation is None:
        messages.error(request, "追加する医療機関を選択してください。")
        return redirect("subsidies:application_edit", pk=pk)
    try:
        service.add_hospital(application, designation, request.user, _version(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{designation.institution.name}を計画に追加しました。")
    edit = reverse("subsidies:application_edit", args=[pk])
    return redirect(f"{edit}#hospital-{designation.pk}")


@require_roles(Role.HUB_COORDINATOR)
def hospital_remove(request, pk: int, designation_pk: int):
    """POST: off the plan at once when its lines hold nothing; otherwise this page asks."""
    application = get_object_or_404(applications_for(request.user), pk=pk)
    lines = reading.lines_of(application)
    mine = [line for line in lines if line.designation_id == designation_pk]
    if not mine:
        raise Http404("この医療機関は計画にありません。")
    designation = mine[0].designation
    if request.method == "POST":
        try:
            service.remove_hospital(
                application,
                designation,
                request.user,
                _version(request),
                confirmed=request.POST.get("confirm") == "1",
            )
        except service.NeedsConfirmation as error:
            messages.warning(request, error.message)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("subsidies:application_edit", pk=pk)
        else:
            messages.success(request, f"{designation.institution.name}を計画から外しました。")
            return redirect("subsidies:application_edit", pk=pk)
    entered = [line for line in mine if not hospital_lines.is_empty(line)]
    return render(
        request,
        "subsidies/applications/hospital_remove.html",
        {
            "application": application,
            "designation": designation,
            "entered": entered,
        },
    )


# --- the hospital's contact: its own lines -------------------------------------------------


def _joinable(user) -> list[tuple[Application, ActiveHospitalDesignation]]:
    """(hub plan, designation) where the hospital may add itself: an editable plan of its
    hub's area in a year whose form 4-② is lines, active in that year, not yet in it."""
    found = []
    designations = list(designations_for(user).select_related("institution", "area"))
    plans = (
        Application.objects.filter(
            institution__isnull=True,
            status__in=EDITABLE_STATES,
            fiscal_year__hospital_plan_form=hospital_counts.LINES,
        )
        .select_related("hub", "fiscal_year")
        .order_by("-fiscal_year__year", "hub__name")
    )
    for designation in designations:
        area_plans = plans.filter(hub__areas=designation.area) | plans.filter(
            hub=designation.hub_id
        )
        for application in area_plans.distinct():
            if application.lines.filter(designation=designation).exists():
                continue
            if hospital_lines.refusal(application, designation) is None:
                found.append((application, designation))
    return found


@require_roles(Role.HOSPITAL)
def hospital_lines_list(request):
    lines = hospital_lines_for(request.user).filter(application__institution__isnull=True)
    plans = {}
    for line in lines.select_related(
        "application__hub", "application__fiscal_year", "designation__institution"
    ).order_by("-application__fiscal_year__year", "application__hub__name"):
        plans.setdefault((line.application_id, line.designation_id), line)
    return render(
        request,
        "subsidies/applications/hospital_lines.html",
        {"plans": list(plans.values()), "joinable": _joinable(request.user)},
    )


def _own_designation(request, application, designation_pk: int):
    designation = get_object_or_404(designations_for(request.user), pk=designation_pk)
    if not hospital_lines_for(request.user).filter(
        application=application, designation=designation
    ):
        raise Http404("この計画にこの医療機関の行はありません。")
    return designation


@require_roles(Role.HOSPITAL)
@require_POST
def hospital_lines_join(request, pk: int, designation_pk: int):
    designation = get_object_or_404(designations_for(request.user), pk=designation_pk)
    joinable = {(a.pk, d.pk) for a, d in _joinable(request.user)}
    if (pk, designation.pk) not in joinable:
        raise Http404("この計画には参加できません。")
    application = get_object_or_404(Application, pk=pk)
    try:
        service.add_hospital(application, designation, request.user, _version(request))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("subsidies:hospital_lines")
    messages.success(request, f"{application.hub.name}の計画に参加しました。")
    return redirect("subsidies:hospital_lines_edit", pk=pk, designation_pk=designation.pk)


@require_roles(Role.HOSPITAL, Role.HUB_COORDINATOR)
def hospital_lines_edit(request, pk: int, designation_pk: int):
    """One hospital's lines of a hub's plan: its contact, or the hub's coordinator on its
    behalf (the hub's plan page links here for each picked hospital)."""
    line = (  # a hub's plan only: a hospital's own application has its plan page
        hospital_lines_for(request.user)
        .filter(application_id=pk, application__institution__isnull=True)
        .first()
    )
    if line is None:
        raise Http404("この計画は表示できません。")
    application = Application.objects.select_related("hub", "fiscal_year").get(pk=pk)
    designation = _own_designation(request, application, designation_pk)
    lines = [x for x in reading.lines_of(application) if x.designation_id == designation.pk]
    plan = reading.current_plan(application, lines)
    editable = application.status in EDITABLE_STATES
    form = HospitalLinesForm(
        request.POST if request.method == "POST" and editable else None,
        application=application,
        lines=lines,
        plan=plan,
    )
    if request.method == "POST" and not editable:
        messages.error(
            request,
            f"「{application.get_status_display()}」の計画は編集できません（下書きまたは差戻し中のみ）。",
        )
    elif request.method == "POST" and form.is_valid():
        try:
            _, changes = service.save_hospital_lines(
                application,
                designation,
                form.plan(),
                request.user,
                form.cleaned_data["version"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            for problem in error.problems:
                form.add_error(None, problem)
        else:
            messages.success(
                request,
                f"保存しました（変更 {len(changes)}項目）。"
                if changes
                else "変更はありませんでした。",
            )
            return redirect("subsidies:hospital_lines_edit", pk=pk, designation_pk=designation.pk)
    view = reading.plan_view(application)
    rows = []
    for group in view.groups():
        if group.get("designation") and group["designation"].pk == designation.pk:
            for row in group["rows"]:
                prefix = form.line_fields[row["key"]]["prefix"]
                row["f"] = {
                    name.removeprefix(prefix): form[name]
                    for name in form.line_fields[row["key"]]["fields"]
                }
                row["expense_fields"] = form.expense_bound_fields(row["key"])
                row["label_prefix"] = f"{reading.label_of(row['line'])}："
                rows.append(row)
            total = group["total"]
            break
    else:
        total = None
    return render(
        request,
        "subsidies/applications/hospital_lines_edit.html",
        {
            "application": application,
            "designation": designation,
            "form": form,
            "rows": rows,
            "total": total,
            "editable": editable,
            "entered_by": hospital_lines.entered_by_labels(lines).get(designation.pk, ""),
            "back_url": reverse("subsidies:hospital_lines")
            if request.user.role == Role.HOSPITAL
            else reverse("subsidies:application_edit", args=[pk]),
        },
    )
