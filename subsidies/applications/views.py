"""Pages of the application (交付申請): thin views over subsidies.applications.services
(writers), .reading (what the pages show) and .rules (who may)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from subsidies.applications import (
    excel,
    hospital_applications,
    hospital_lines,
    plan_form_page,
    reading,
    workflow,
)
from subsidies.applications import services as service
from subsidies.applications.forms import (
    AttachmentForm,
    CommentForm,
    ConfirmForm,
    ExcelUploadForm,
    PlanForm,
)
from subsidies.applications.plan_data import diff
from subsidies.applications.rules import (
    EDITABLE_STATES,
    ApplicationError,
    StaleVersion,
    can_edit_plan,
    can_start_application,
    can_start_hospital_application,
    plan_warnings,
    submission_problems,
)
from subsidies.models import ApplicationStatus, FiscalYear
from subsidies.shared.workflow import COORDINATOR, GRANTEE_ROLES, actor_kind
from zaitaku_portal import figures, query
from zaitaku_portal.access import (
    ALL_ROLES,
    STAFF_ROLES,
    is_prefecture_staff,
    require_roles,
    role_of,
)
from zaitaku_portal.audit import history_of
from zaitaku_portal.filenames import content_disposition, file_download
from zaitaku_portal.models import Role
from zaitaku_portal.query import refuses_bad_query
from zaitaku_portal.scopes import applications_for, hubs_for, institutions_for

COORDINATOR_AND_STAFF = (*GRANTEE_ROLES, *STAFF_ROLES)


def _application(request, pk: int):
    """The application in the user's scope (404 outside it) with its hub; its fiscal year
    the kept one (reading.fiscal_year), its institution read when asked (a hub's own
    application has none): the join of all three was the widest read of every page."""
    application = get_object_or_404(
        applications_for(request.user).select_related(None).select_related("hub"), pk=pk
    )
    application.fiscal_year = reading.fiscal_year(application.fiscal_year_id)
    return application


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


@require_roles(*ALL_ROLES)
def application_list(request):
    applications = applications_for(request.user).order_by("-fiscal_year__year", "hub__name")
    startable = []
    if role_of(request.user) == Role.HUB_COORDINATOR:
        # the hub's own (its hospitals' own applications are in its list too)
        hubs_own = applications.filter(institution__isnull=True)
        existing = set(hubs_own.values_list("hub_id", "fiscal_year_id"))
        for fiscal_year in FiscalYear.objects.order_by("-year")[:2]:
            for hub in hubs_for(request.user):
                if (hub.pk, fiscal_year.pk) not in existing:
                    startable.append((hub, fiscal_year))
    return render(
        request,
        "subsidies/applications/list.html",
        {
            "applications": applications,
            "startable": startable,
            "startable_hospitals": _startable_hospitals(request.user, applications),
            "hospital_tables": _hospital_tables(request.user, applications),
        },
    )


def _hospital_tables(user, applications) -> list:
    """A hub's coordinator: (hub, fiscal year, rows) of 積極的医療機関の申請状況 for each year
    whose hospitals apply themselves (issue 18, setting (b)); read-only, in its scope."""
    if role_of(user) != Role.HUB_COORDINATOR:
        return []
    years = FiscalYear.objects.filter(hospital_plan_form="counts").order_by("-year")[:2]
    return [
        (hub, fiscal_year, reading.hospitals_own_rows(hub, fiscal_year, applications))
        for fiscal_year in years
        for hub in hubs_for(user).order_by("name")
    ]


def _startable_hospitals(user, applications) -> list:
    """A hospital's contact (issue 18, setting (b)): (institution, fiscal year) of each year
    whose hospitals apply themselves, where the institution may start and has not yet."""
    if role_of(user) != Role.HOSPITAL:
        return []
    existing = set(applications.values_list("institution_id", "fiscal_year_id"))
    years = FiscalYear.objects.filter(hospital_plan_form="counts").order_by("-year")[:2]
    return [
        (institution, fiscal_year)
        for fiscal_year in years
        for institution in institutions_for(user).order_by("name")
        if (institution.pk, fiscal_year.pk) not in existing
        and can_start_hospital_application(user, institution, fiscal_year)
    ]


@require_roles(Role.HOSPITAL)
def hospital_application_start(request, institution_pk: int, year: int):
    """Setting (b): the institution's own application for the year (a POST from the list).
    Another institution is 404 before the method is asked (405)."""
    institution = get_object_or_404(institutions_for(request.user), pk=institution_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    fiscal_year = get_object_or_404(FiscalYear, year=year)
    existing = applications_for(request.user).filter(
        institution=institution, fiscal_year=fiscal_year
    )
    if application := existing.first():
        return redirect("subsidies:application_detail", pk=application.pk)
    try:
        application = hospital_applications.start_hospital_application(
            institution, fiscal_year, request.user
        )
    except ApplicationError as error:
        raise PermissionDenied(error.message) from None
    messages.success(request, f"{application}を作成しました。")
    return redirect("subsidies:application_edit", pk=application.pk)


@require_roles(Role.HUB_COORDINATOR)
def application_start(request, hub_pk: int, year: int):
    hub = get_object_or_404(hubs_for(request.user), pk=hub_pk)
    fiscal_year = get_object_or_404(FiscalYear, year=year)
    permission = can_start_application(request.user, hub)
    if not permission:
        raise PermissionDenied(permission.reason)
    existing = applications_for(request.user).filter(
        hub=hub, fiscal_year=fiscal_year, institution__isnull=True
    )
    existing = existing.first()
    if existing:
        return redirect("subsidies:application_detail", pk=existing.pk)
    if request.method == "POST":
        try:
            application = service.start_application(hub, fiscal_year, request.user)
        except ApplicationError as error:
            raise PermissionDenied(error.message) from None
        messages.success(request, f"{application}を作成しました。")
        return redirect("subsidies:application_edit", pk=application.pk)
    return render(
        request, "subsidies/applications/start.html", {"hub": hub, "fiscal_year": fiscal_year}
    )


def _history_html(application) -> str:
    """操作の記録, the newest 200 entries. The log only grows, so its newest entry names
    the table: rendered once per entry written, not on every visit to a busy application."""
    entries = history_of(application)
    newest = entries.order_by("-pk").values_list("pk", flat=True).first()
    key = (application._meta.label, application.pk, newest, figures.release())
    template, context = "subsidies/applications/_history.html", {"history": entries[:200]}
    html = figures.remembered("history", key, (), lambda: render_to_string(template, context))
    return mark_safe(html)  # noqa: S308 - rendered by the template above


def _detail_context(request, application) -> dict:
    view = reading.plan_view(application)
    decisions = list(application.decisions.prefetch_related("lines__menu").order_by("-number"))
    decision = decisions[0] if decisions else None  # application.current_decision
    return {
        "application": application,
        "view": view,
        "groups": hospital_lines.annotate_groups(view.groups(), view.lines),
        "actions": workflow.actions_for(application, request.user),
        "can_edit": can_edit_plan(request.user, application),
        "can_make_dossier": is_prefecture_staff(request.user),
        "decision": decision,
        # 取下げ after a decision or an approved 中止・廃止: the decision lapsed (issue 15).
        "lapsed": application.status
        in (ApplicationStatus.WITHDRAWN, ApplicationStatus.DISCONTINUED),
        "decisions": decisions,
        "versions": list(application.versions.select_related("created_by").order_by("-number")),
        "comments": application.comments.select_related("author"),
        "attachments": application.attachments.select_related("uploaded_by"),
        "history_html": _history_html(application),
        "comment_form": CommentForm(),
        "attachment_form": AttachmentForm(),
        "upload_form": ExcelUploadForm(initial={"version": application.version}),
        "problems": (
            submission_problems(application, view) if application.status in EDITABLE_STATES else []
        ),
        # the grantee's side of this application (its hub's coordinator, or the hospital's
        # contact for a hospital's own application): the one the problems are for
        "is_coordinator": actor_kind(request.user, application) == COORDINATOR,
        "warnings": plan_warnings(view),
    }


@require_roles(*ALL_ROLES)
def application_detail(request, pk: int):
    application = _application(request, pk)
    return render(
        request, "subsidies/applications/detail.html", _detail_context(request, application)
    )


@require_roles(*GRANTEE_ROLES)
def application_edit(request, pk: int):
    application = _application(request, pk)
    permission = can_edit_plan(request.user, application)
    if not permission:
        messages.error(request, permission.reason)
        return redirect("subsidies:application_detail", pk=pk)
    if request.method != "POST":
        # the same plan renders the same form: kept until the plan, its year's menus or the
        # hospitals change (issue 21; plan_form_page.form_key)
        html = figures.remembered(
            "plan-form",
            plan_form_page.form_key(request, application),
            (figures.CATALOGUE, figures.COVERAGE),
            lambda: plan_form_page.form_html(application),
        )
        return plan_form_page.edit_page(request, application, html)
    # a save reads no menu references; a page shown again (an error) fetches them below
    lines = reading.lines_of(application, references=False)
    if service.ensure_lines(application, lines):  # lines missing from before issue 13
        lines = reading.lines_of(application, references=False)
    plan = reading.current_plan(application, lines)
    # setting (a): the hub's page has the hub's lines; each hospital's on its own page
    form_lines = hospital_lines.form_lines(application, lines)
    form = PlanForm(request.POST, application=application, lines=form_lines, plan=plan)
    if form.is_valid():
        try:
            application, changes = service.save_plan(
                application, form.plan(), request.user, form.cleaned_data["version"], lines=lines
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            for problem in error.problems:
                form.add_error(None, problem)
            # the page shows the plan as it stands (another user's save, when it was stale)
            lines = reading.lines_of(application)
            plan = reading.current_plan(application, lines)
        else:
            messages.success(
                request,
                f"下書きを保存しました（変更 {len(changes)}項目）。"
                if changes
                else "変更はありませんでした。",
            )
            if "submit" in request.POST:
                # the edit page lists the warnings itself; the action page does not
                # `lines` are the saved lines (save_plan): no second read
                for warning in plan_warnings(reading.plan_view(application, lines=lines)):
                    messages.warning(request, f"注意: {warning}")
                action = (
                    "resubmit" if application.status == ApplicationStatus.RETURNED else "submit"
                )
                return redirect("subsidies:application_action", pk=pk, action=action)
            return redirect("subsidies:application_edit", pk=pk)
    # shown again: the menus with their references (never fetched onto the kept menus)
    reading.with_menus(application, lines)
    html = plan_form_page.form_html(application, form, lines, plan)
    return plan_form_page.edit_page(request, application, html)


@require_roles(*COORDINATOR_AND_STAFF)
def application_action(request, pk: int, action: str):
    """The page of every row of the workflow table: the row's form (a confirmation when it
    has none), perform() on POST, the reason for a refusal."""
    application = _application(request, pk)
    transition = workflow.TABLE.get(action)
    if transition is None:
        raise Http404("この操作はありません。")
    permission = workflow.TABLE.check(application, action, request.user)
    form_class = transition.form or ConfirmForm
    data = request.POST if request.method == "POST" else None
    form = form_class(data, obj=application, initial={"version": application.version})
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            service.perform(
                application,
                action,
                request.user,
                form.cleaned_data["version"],
                base_url=_base_url(request),
                **form.params(),
            )
        except StaleVersion as error:
            _say_stale(request, application, transition, error)
            return redirect("subsidies:application_detail", pk=pk)
        except ApplicationError as error:
            form.add_error(None, error.message)
            problems = error.problems
        else:
            messages.success(request, f"「{transition.label}」を行いました。")
            return redirect("subsidies:application_detail", pk=pk)
    elif request.method != "POST" and not permission:
        problems = workflow.refused_problems(application, action, permission)
    status = 200 if permission or request.method == "POST" else 403
    return render(
        request,
        "subsidies/applications/action.html",
        {
            "application": application,
            "transition": transition,
            "permission": permission,
            "form": form,
            "problems": problems,
        },
        status=status,
    )


def _say_stale(request, application, transition, error) -> None:
    """A second click on the same action is not an error: say it is done already."""
    application.refresh_from_db()
    if application.status == transition.target:
        messages.info(
            request,
            f"この申請は既に「{application.get_status_display()}」です"
            "（二重の操作は行っていません）。",
        )
    else:
        messages.error(request, error.message)


@require_roles(*ALL_ROLES)
def application_comment(request, pk: int):
    application = _application(request, pk)
    if request.method == "POST":
        form = CommentForm(request.POST)
        if form.is_valid():
            try:
                service.add_comment(application, request.user, form.cleaned_data["body"])
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, "コメントを登録しました。")
        else:
            for error in form.errors.get("body", ["コメントの内容を入力してください。"]):
                messages.error(request, error)
    return redirect(reverse("subsidies:application_detail", args=[pk]) + "#comments")


@require_roles(*GRANTEE_ROLES)
def attachment_upload(request, pk: int):
    application = _application(request, pk)
    if request.method == "POST":
        permission = can_edit_plan(request.user, application)
        form = AttachmentForm(request.POST, request.FILES)
        if not permission:
            messages.error(request, permission.reason)
        elif not form.is_valid():
            messages.error(request, form.errors["file"][0])
        else:
            try:
                service.add_attachment(application, request.user, form.cleaned_data["file"])
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, "添付書類を登録しました。")
    return redirect(reverse("subsidies:application_detail", args=[pk]) + "#attachments")


@require_roles(*ALL_ROLES)
def attachment_download(request, pk: int, attachment_pk: int):
    application = _application(request, pk)
    attachment = get_object_or_404(application.attachments, pk=attachment_pk)
    return file_download(attachment.file.open("rb"), attachment.original_name)


@require_roles(*GRANTEE_ROLES)
@require_POST
def attachment_delete(request, pk: int, attachment_pk: int):
    application = _application(request, pk)
    attachment = get_object_or_404(application.attachments, pk=attachment_pk)
    permission = can_edit_plan(request.user, application)
    if not permission:
        messages.error(request, permission.reason)
    else:
        try:
            service.delete_attachment(attachment, request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"添付書類「{attachment.original_name}」を削除しました。")
    return redirect(reverse("subsidies:application_detail", args=[pk]) + "#attachments")


VERSION_MAX = 9_999


@require_roles(*ALL_ROLES)
@refuses_bad_query
def version_diff(request, pk: int):
    application = _application(request, pk)
    versions = list(application.versions.order_by("number"))
    if not versions:
        raise Http404("提出された版はまだありません。")
    by_number = {v.number: v for v in versions}
    new_number = query.number(request, "b", "比べる版", maximum=VERSION_MAX)
    new_number = new_number or versions[-1].number
    old_number = query.number(request, "a", "比べる元の版", minimum=0, maximum=VERSION_MAX)
    old_number = max(new_number - 1, 0) if old_number is None else old_number
    new = by_number.get(new_number)
    if new is None or (old_number and old_number not in by_number):
        raise Http404("指定された版はありません。")
    old = by_number.get(old_number)
    # A version frozen before labels were kept (or written by hand) compares by its keys.
    before, after = (old.snapshot if old else {}), new.snapshot
    labels = {**before.get("labels", {}), **after.get("labels", {})}
    categories = {**before.get("categories", {}), **after.get("categories", {})}
    empty = {"lines": {}}
    rows = diff(before.get("plan", empty), after.get("plan", empty), labels, categories)
    return render(
        request,
        "subsidies/applications/diff.html",
        {"application": application, "old": old, "new": new, "rows": rows, "versions": versions},
    )


@require_roles(*ALL_ROLES)
def excel_download(request, pk: int):
    application = _application(request, pk)
    content = excel.export_workbook(application)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"{application.hub.name}_{application.fiscal_year}_交付申請.xlsx"
    response["Content-Disposition"] = content_disposition(filename)
    return response


SESSION_KEY = "excel_upload:{pk}"


@require_roles(*GRANTEE_ROLES)
def excel_upload(request, pk: int):
    application = _application(request, pk)
    permission = can_edit_plan(request.user, application)
    if not permission:
        messages.error(request, permission.reason)
        return redirect("subsidies:application_detail", pk=pk)
    form = ExcelUploadForm(
        request.POST or None, request.FILES or None, initial={"version": application.version}
    )
    context = {"application": application, "form": form}
    if request.method == "POST" and form.is_valid():
        result = excel.read_workbook(application, form.cleaned_data["file"])
        context["result"] = result
        if result.ok:
            labels, categories = reading.labels_for(application)
            context["changes"] = diff(
                reading.current_plan(application), result.plan, labels, categories
            )
            request.session[SESSION_KEY.format(pk=pk)] = {
                "version": application.version,
                "plan": result.plan,
                "name": form.cleaned_data["file"].name,
            }
            return render(request, "subsidies/applications/excel_preview.html", context)
    return render(request, "subsidies/applications/excel_upload.html", context)


@require_roles(*GRANTEE_ROLES)
@require_POST
def excel_apply(request, pk: int):
    application = _application(request, pk)
    pending = request.session.pop(SESSION_KEY.format(pk=pk), None)
    if pending is None:
        messages.error(request, "取り込む内容がありません。もう一度アップロードしてください。")
        return redirect("subsidies:excel_upload", pk=pk)
    try:
        _, changes = service.save_plan(
            application,
            excel.plan_from_json(pending["plan"]),
            request.user,
            pending["version"],
            source="Excel取込",
            file_name=pending["name"],
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        for problem in error.problems:
            messages.error(request, problem)
        return redirect("subsidies:application_detail", pk=pk)
    messages.success(request, f"Excelの内容を取り込みました（変更 {len(changes)}項目）。")
    return redirect("subsidies:application_detail", pk=pk)
