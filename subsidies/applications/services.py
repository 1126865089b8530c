"""Everything that changes an application: each writer owns its transaction, locks the
application's row, re-checks inside the lock that the actor may still see it (and, where
the user saw a version, that it is unchanged), writes audit entries and sends e-mails on
commit. The workflow's steps go through the shared engine (subsidies/shared/workflow.py)
with the table in subsidies/applications/workflow.py."""

from __future__ import annotations

from functools import partial
from pathlib import PurePath

from django.db import transaction
from django.db.models import Q

from subsidies.applications import hospital_counts, notifications
from subsidies.applications.plan_data import APPLICATION_FIELDS, LINE_FIELDS, diff
from subsidies.applications.reading import (
    DecisionInput,
    current_plan,
    hospital_designations,
    key_of,
    labels_for,
    lines_of,
)
from subsidies.applications.rules import (
    EDITABLE_STATES,
    OUT_OF_SCOPE_MESSAGE,
    STALE_MESSAGE,
    ApplicationError,
    StaleVersion,
    can_bulk_review,
    can_comment,
    can_edit_plan,
    can_start_application,
    check_attachment,
    comment_kind_for,
    validate_plan,
    within_attachment_limits,
)
from subsidies.applications.workflow import TABLE, refused_problems
from subsidies.models import (
    Application,
    ApplicationAttachment,
    ApplicationComment,
    ApplicationStatus,
    Decision,
    MenuPlan,
    RecipientType,
    ResultReport,
)
from subsidies.results.services import sync_expense_lines
from subsidies.shared import workflow as engine
from zaitaku_portal import audit
from zaitaku_portal.attachments import removed_on_failure, stored_name
from zaitaku_portal.scopes import applications_for

# --- plan lines ----------------------------------------------------------------------------


def ensure_lines(application: Application) -> None:
    """One line per hub menu, and per hospital menu for each active hospital of the area."""
    menus = list(application.fiscal_year.menus.all())
    existing = set(application.lines.values_list("menu_id", "designation_id"))
    missing = [
        MenuPlan(application=application, menu=menu)
        for menu in menus
        if menu.recipient_type == RecipientType.HUB and (menu.pk, None) not in existing
    ]
    if application.status in EDITABLE_STATES:
        hospital_menus = [m for m in menus if m.recipient_type == RecipientType.HOSPITAL]
        for designation in hospital_designations(application.hub):
            missing += [
                MenuPlan(application=application, menu=menu, designation=designation)
                for menu in hospital_menus
                if (menu.pk, designation.pk) not in existing
            ]
    MenuPlan.objects.bulk_create(missing)


def ensure_lines_for_area(area, hub=None) -> None:
    """After a designation in the area begins or ends: the lines of the editable applications
    of the hubs that serve the area (and of the designation's own hub)."""
    hubs = Q(hub__areas=area) | Q(hub=hub) if hub is not None else Q(hub__areas=area)
    applications = Application.objects.filter(hubs, status__in=EDITABLE_STATES)
    for application in applications.select_related("hub", "fiscal_year").distinct():
        ensure_lines(application)


# --- the lock ------------------------------------------------------------------------------


def _locked(application: Application, expected_version: int | None, actor) -> Application:
    """The row locked for this transaction, if still in the actor's scope and unchanged.
    The scope is asked after the lock: a coordinator removed from the hub while the page
    was open is refused, whoever commits first."""
    current = Application.objects.select_for_update().select_related("hub", "fiscal_year")
    current = current.get(pk=application.pk)
    if not applications_for(actor).filter(pk=application.pk).exists():
        raise ApplicationError(OUT_OF_SCOPE_MESSAGE)
    if expected_version is not None and current.version != int(expected_version):
        raise StaleVersion(STALE_MESSAGE)
    return current


def _after_step(step: engine.Step) -> None:
    """Every step: the lines the new state needs. A decision: the result reports' expense
    lines (a change request's decision may add lines)."""
    ensure_lines(step.obj)
    if isinstance(step.result, Decision):
        for report in ResultReport.objects.filter(application=step.obj):
            sync_expense_lines(report)


FLOW = engine.Workflow(
    table=TABLE,
    lock=_locked,
    error=ApplicationError,
    refused=refused_problems,
    after_save=_after_step,
    notify=notifications.notify,
)


# --- writers -------------------------------------------------------------------------------


@transaction.atomic
def start_application(hub, fiscal_year, actor) -> Application:
    """The hub's application for the year (the one there is, or a new draft with its
    lines). The hub is locked and the actor's right to it asked inside the lock."""
    hub = type(hub).objects.select_for_update().get(pk=hub.pk)
    permission = can_start_application(actor, hub)
    if not permission:
        raise ApplicationError(permission.reason)
    application, created = Application.objects.get_or_create(
        hub=hub,
        fiscal_year=fiscal_year,
        institution=None,
        defaults={"district_count": hub.district_count},
    )
    if created:
        ensure_lines(application)
        audit.record(actor, "申請の作成", application)
    return application


@transaction.atomic
def save_plan(
    application: Application,
    plan: dict,
    actor,
    expected_version: int,
    source: str = "画面入力",
    file_name: str = "",
) -> tuple[Application, list[tuple[str, str, str]]]:
    """Save the draft. Any time, incomplete is fine; returns the changes made. `source` is
    one of a few kinds (the audit log's action, so its filter stays short); an imported
    file's name goes into the entry's changes."""
    application = _locked(application, expected_version, actor)
    permission = can_edit_plan(actor, application)
    if not permission:
        raise ApplicationError(permission.reason)
    errors = validate_plan(application, plan)
    if errors:
        raise ApplicationError("入力内容に誤りがあります。", errors)
    before = current_plan(application)
    _write_plan(application, plan)
    application.version += 1
    application.save()
    labels, categories = labels_for(application)
    changes = diff(before, current_plan(application), labels, categories)
    if changes:
        audit.record(
            actor,
            f"事業計画の保存（{source}）",
            application,
            {
                **({"ファイル": file_name} if file_name else {}),
                **{label: {"from": was, "to": now} for label, was, now in changes},
            },
        )
    return application, changes


def _write_plan(application: Application, plan: dict) -> None:
    for field in APPLICATION_FIELDS:
        if field in plan:
            setattr(application, field, plan[field])
    lines = {key_of(line): line for line in lines_of(application)}
    for key, data in plan.get("lines", {}).items():
        line = lines[key]
        for field in LINE_FIELDS:
            if field in data:
                setattr(line, field, data[field])
        if "expenses" in data:
            line.expenses = {k: int(v) for k, v in data["expenses"].items() if int(v)}
    MenuPlan.objects.bulk_update(list(lines.values()), [*LINE_FIELDS, "expenses"])
    hospital_counts.write(application, plan)  # form 4-② as counts (a plan without it: kept)


def perform(
    application: Application,
    action: str,
    actor,
    expected_version: int,
    *,
    base_url: str = "http://localhost",
    reason_code: str = "",
    reason: str = "",
    decision: DecisionInput | None = None,
) -> Application:
    """Do one workflow action, or raise ApplicationError/StaleVersion saying why not."""
    step = engine.perform(
        FLOW,
        application,
        action,
        actor,
        expected_version,
        base_url=base_url,
        reason_code=reason_code,
        reason=reason,
        decision=decision,
    )
    return step.obj


def bulk_start_review(applications, actor) -> int:
    """Start review of every application in `applications` (all filtered results)."""
    if not can_bulk_review(actor):
        return 0
    count = 0
    for application in applications.filter(
        status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.RESUBMITTED]
    ):
        try:
            perform(application, "start_review", actor, application.version)
        except ApplicationError:
            continue
        count += 1
    return count


@transaction.atomic
def add_comment(application: Application, actor, body: str) -> ApplicationComment:
    body = (body or "").strip()
    if not body:
        raise ApplicationError("コメントの内容を入力してください。")
    application = _locked(application, None, actor)
    permission = can_comment(actor)
    if not permission:
        raise ApplicationError(permission.reason)
    comment = ApplicationComment.objects.create(
        application=application, kind=comment_kind_for(actor), author=actor, body=body
    )
    audit.record(actor, f"コメント（{comment.get_kind_display()}）", application)
    return comment


def add_attachment(application: Application, actor, upload) -> ApplicationAttachment:
    """The whole file is checked before it is written (zaitaku_portal/attachments.py); the
    application's scope, state, count and total are checked under its lock; a save that
    fails, the commit included, deletes the stored file again."""
    name = PurePath(upload.name).name
    check_attachment(name, upload)
    with removed_on_failure() as written, transaction.atomic():
        locked = _locked(application, None, actor)
        _may_edit(actor, locked)
        within_attachment_limits(locked, upload.size)
        attachment = ApplicationAttachment(
            application=locked, original_name=name, size=upload.size, uploaded_by=actor
        )
        written.save(attachment.file, stored_name(name), upload)
        attachment.save()
        change = {"添付書類": {"from": None, "to": name}}
        audit.record(actor, "添付書類の登録", locked, change)
    return attachment


@transaction.atomic
def delete_attachment(attachment: ApplicationAttachment, actor) -> None:
    """The file goes when the row's deletion commits (a rollback keeps both)."""
    application = _locked(attachment.application, None, actor)
    _may_edit(actor, application)
    name = attachment.original_name
    transaction.on_commit(partial(attachment.file.storage.delete, attachment.file.name))
    attachment.delete()
    audit.record(actor, "添付書類の削除", application, {"添付書類": {"from": name, "to": None}})


def _may_edit(actor, application: Application) -> None:
    permission = can_edit_plan(actor, application)
    if not permission:
        raise ApplicationError(permission.reason)
