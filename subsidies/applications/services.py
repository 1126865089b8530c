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

from subsidies.applications import hospital_counts, hospital_lines, notifications
from subsidies.applications.plan_data import APPLICATION_FIELDS, LINE_FIELDS, diff
from subsidies.applications.reading import (
    DecisionInput,
    current_plan,
    key_of,
    labels_for,
    lines_of,
    menus_of,
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
from zaitaku_portal import audit, figures
from zaitaku_portal.access import role_of
from zaitaku_portal.attachments import removed_on_failure, stored_name
from zaitaku_portal.models import Role
from zaitaku_portal.scopes import applications_for, designations_for

# --- plan lines ----------------------------------------------------------------------------


def ensure_lines(application: Application, lines: list[MenuPlan] | None = None) -> bool:
    """One line per hub menu (the single writer of a hub plan's lines); True when it added
    any. Hospital lines are not laid out here: the hub picks its hospitals (add_hospital,
    issue 18), and under the year's form 4-② as counts there are none at all
    (hospital_counts.py). `lines`: the plan's lines as just read (reading.lines_of): the
    menus without a line are then found among the year's menus as kept, without a query."""
    if application.institution_id:  # a hospital's own: its lines are written at its start
        return False
    if lines is not None:
        have = {line.menu_id for line in lines if line.designation_id is None}
        menus = menus_of(application.fiscal_year_id, references=False).values()
        missing = [m for m in menus if m.recipient_type == RecipientType.HUB and m.pk not in have]
    else:  # the hub menus without a line, in one query (usually none: nothing is written)
        missing = application.fiscal_year.menus.filter(recipient_type=RecipientType.HUB).exclude(
            pk__in=application.lines.filter(designation__isnull=True).values("menu_id")
        )
    if new := [MenuPlan(application=application, menu=m) for m in missing]:
        MenuPlan.objects.bulk_create(new)
    return bool(new)


def _hospital_lines(application: Application, designation) -> list[MenuPlan]:
    """One line per hospital menu of the year for the picked hospital, wish unset."""
    existing = set(
        application.lines.filter(designation=designation).values_list("menu_id", flat=True)
    )
    menus = application.fiscal_year.menus.filter(recipient_type=RecipientType.HOSPITAL)
    return MenuPlan.objects.bulk_create(
        [
            MenuPlan(application=application, menu=menu, designation=designation)
            for menu in menus
            if menu.pk not in existing
        ]
    )


def ensure_lines_for_area(area, hub=None) -> None:
    """After a designation in the area begins or ends: a new hospital is not added (the hub
    picks it); in the editable plans of the hubs that serve the area (and of the
    designation's own hub) the empty lines of a hospital no longer active in the year go."""
    hubs = Q(hub__areas=area) | Q(hub=hub) if hub is not None else Q(hub__areas=area)
    applications = Application.objects.filter(
        hubs, status__in=EDITABLE_STATES, institution__isnull=True
    )
    for application in applications.select_related("hub", "fiscal_year").distinct():
        ensure_lines(application)
        eligible = set(
            hospital_lines.eligible_designations(application).values_list("pk", flat=True)
        )
        gone = [
            line.pk
            for line in application.lines.filter(designation__isnull=False).exclude(
                designation_id__in=eligible
            )
            if hospital_lines.is_empty(line)
        ]
        MenuPlan.objects.filter(pk__in=gone).delete()


# --- the lock ------------------------------------------------------------------------------


def _lock_row(application: Application, reuse: bool = False) -> Application:
    """The application's row only (`of=self`): its hub and fiscal year are read with it but
    not locked, so saves of other hubs' plans of the same year do not wait for each other.
    `reuse` (a plan's save): when the locked row still has the version, status and
    updated_at of the instance the caller read with its hub and year, that instance is the
    row (every writer of the row counts the version under this lock or moves updated_at: the
    plan form's cache key rests on the same) and is returned, instead of a second read of the
    row with its hub and fiscal year. A save validates before it changes the instance."""
    rows = Application.objects.select_for_update(of=("self",)).filter(pk=application.pk)
    if reuse and _read_with_hub_and_year(application):
        now = rows.values_list("version", "status", "updated_at").get()
        if now == (application.version, application.status, application.updated_at):
            return application
    return rows.select_related("hub", "fiscal_year").get()


def _read_with_hub_and_year(application: Application) -> bool:
    return application.updated_at is not None and all(
        Application._meta.get_field(name).is_cached(application) for name in ("hub", "fiscal_year")
    )


def _locked(
    application: Application, expected_version: int | None, actor, reuse: bool = False
) -> Application:
    """The row locked for this transaction, if still in the actor's scope and unchanged.
    The scope is asked after the lock: a coordinator removed from the hub while the page
    was open is refused, whoever commits first."""
    current = _lock_row(application, reuse)
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
    lines: list[MenuPlan] | None = None,
) -> tuple[Application, list[tuple[str, str, str]]]:
    """Save the draft. Any time, incomplete is fine; returns the changes made. `source` is
    one of a few kinds (the audit log's action, so its filter stays short); an imported
    file's name goes into the entry's changes. `lines`: the plan's lines as the caller read
    them (reading.lines_of) after the user was shown `expected_version`; used instead of a
    second read when they are still the plan's lines. The list then holds the saved lines
    (updated in place, or read again under the lock). Its writes are a draft's content
    (figures.drafting): the staff's to-dos, which count states, stay kept."""
    with figures.drafting():
        return _save_plan(application, plan, actor, expected_version, source, file_name, lines)


def _save_plan(application, plan, actor, expected_version, source, file_name, lines):
    application = _locked(application, expected_version, actor, reuse=True)
    permission = can_edit_plan(actor, application)
    if not permission:
        raise ApplicationError(permission.reason)
    current = _lines_under_lock(application, lines if expected_version is not None else None)
    if lines is not None and current is not lines:
        lines[:] = current
    changes = _save_lines(
        application,
        plan,
        actor,
        current,
        f"事業計画の保存（{source}）",
        {"ファイル": file_name} if file_name else {},
    )
    return application, changes


def _lines_under_lock(application: Application, read: list[MenuPlan] | None) -> list[MenuPlan]:
    """The locked plan's lines. Lines read before the lock are still what the database
    holds when the version the user saw is unchanged (every writer of a line's content
    counts the version under this lock) and they are the same rows (ensure_lines and
    ensure_lines_for_area add and remove empty lines without counting it): one light query
    instead of a second read."""
    if read is not None:
        now = set(application.lines.order_by().values_list("pk", flat=True))  # no ordering joins
        if now == {line.pk for line in read}:
            return read
    return lines_of(application, references=False)


def _save_lines(
    application: Application, plan: dict, actor, lines: list[MenuPlan], action: str, extra: dict
) -> list[tuple[str, str, str]]:
    """The tail of save_plan and save_hospital_lines, on the locked application and its
    lines read once under the lock: validate, write, count the version, diff and audit (an
    entry only when something changed; `extra` goes first in its changes)."""
    errors = validate_plan(application, plan, lines)
    if errors:
        raise ApplicationError("入力内容に誤りがあります。", errors)
    before = current_plan(application, lines)
    _write_plan(application, plan, actor, lines)
    application.version += 1
    application.save()
    labels, categories = labels_for(application, lines)
    changes = diff(before, current_plan(application, lines), labels, categories)
    if changes:
        audit.record(
            actor,
            action,
            application,
            {**extra, **{label: {"from": was, "to": now} for label, was, now in changes}},
        )
    return changes


def _write_plan(application: Application, plan: dict, actor, lines: list[MenuPlan]) -> None:
    """The plan's fields and lines; a line whose content changes records who wrote it
    (`entered_by`: the hospital's contact, or the hub's coordinator on its behalf). The
    given lines (read under the lock) are updated in place and then hold what was stored."""
    for field in APPLICATION_FIELDS:
        if field in plan:
            setattr(application, field, plan[field])
    by_key = {key_of(line): line for line in lines}
    written = []
    for key, data in plan.get("lines", {}).items():
        line = by_key[key]
        before = _line_content(line)
        for field in LINE_FIELDS:
            if field in data:
                setattr(line, field, data[field])
        if "expenses" in data:
            line.expenses = {k: int(v) for k, v in data["expenses"].items() if int(v)}
        if _line_content(line) != before:
            if actor is not None:
                line.entered_by = actor
            written.append(line)
    if written:
        MenuPlan.objects.bulk_update(written, [*LINE_FIELDS, "expenses", "entered_by"])
        # what the database holds now (its types), as a fresh read of the lines would give
        by_pk = {line.pk: line for line in written}
        for values in MenuPlan.objects.filter(pk__in=by_pk).values("pk", *LINE_FIELDS, "expenses"):
            for field, value in values.items():
                setattr(by_pk[values["pk"]], field, value)
    hospital_counts.write(application, plan)  # form 4-② as counts (a plan without it: kept)


def _line_content(line: MenuPlan) -> tuple:
    return (*(getattr(line, field) for field in LINE_FIELDS), sorted(line.expenses.items()))


# --- the hospitals of a hub's plan (issue 18, setting (a)) --------------------------------


class NeedsConfirmation(ApplicationError):
    """Removing a hospital whose lines hold something: asked once more before it goes."""


def _locked_for_lines(application: Application, expected_version, actor, designation):
    """The plan locked; the actor is the hub's coordinator who may edit it, or the contact of
    the designation's own hospital (its own lines only, while the plan is editable)."""
    current = _lock_row(application)
    if role_of(actor) == Role.HOSPITAL:
        mine = designations_for(actor).filter(pk=getattr(designation, "pk", None)).exists()
        if not mine or current.is_hospital_application:
            raise ApplicationError(OUT_OF_SCOPE_MESSAGE)
        if current.status not in EDITABLE_STATES:
            raise ApplicationError(
                f"「{current.get_status_display()}」の申請は編集できません"
                "（下書きまたは差戻し中のみ）。"
            )
    else:
        if not applications_for(actor).filter(pk=current.pk).exists():
            raise ApplicationError(OUT_OF_SCOPE_MESSAGE)
        permission = can_edit_plan(actor, current)
        if not permission:
            raise ApplicationError(permission.reason)
    if expected_version is not None and current.version != int(expected_version):
        raise StaleVersion(STALE_MESSAGE)
    return current


@transaction.atomic
def add_hospital(application: Application, designation, actor, expected_version: int):
    """The hub picks a hospital it plans for (or the hospital adds itself to its hub's
    plan): one line per hospital menu of the year, the wish unset."""
    application = _locked_for_lines(application, expected_version, actor, designation)
    reason = hospital_lines.refusal(application, designation)
    if reason:
        raise ApplicationError(reason)
    if application.lines.filter(designation=designation).exists():
        raise ApplicationError(f"{designation.institution.name}は既にこの計画にあります。")
    created = _hospital_lines(application, designation)
    MenuPlan.objects.filter(pk__in=[line.pk for line in created]).update(entered_by=actor)
    application.version += 1
    application.save()
    audit.record(
        actor,
        "医療機関の追加",
        application,
        {"積極的医療機関": {"from": None, "to": designation.institution.name}},
    )
    return application


@transaction.atomic
def remove_hospital(
    application: Application, designation, actor, expected_version: int, confirmed=False
):
    """The hub takes a hospital off its plan: at once when its lines hold nothing, after a
    confirmation when they do (what they held goes into the audit entry)."""
    if role_of(actor) == Role.HOSPITAL:
        raise ApplicationError("医療機関を計画から外すのは拠点のコーディネーターです。")
    application = _locked_for_lines(application, expected_version, actor, designation)
    every = lines_of(application)
    lines = [line for line in every if line.designation_id == designation.pk]
    name = designation.institution.name
    if not lines:
        raise ApplicationError(f"{name}はこの計画にありません。")
    entered = [line for line in lines if not hospital_lines.is_empty(line)]
    if entered and not confirmed:
        raise NeedsConfirmation(
            f"{name}の行には入力があります（{len(entered)}件）。外すと入力した内容も消えます。"
        )
    before = current_plan(application, every)
    labels, categories = labels_for(application, every)
    MenuPlan.objects.filter(pk__in=[line.pk for line in lines]).delete()
    application.version += 1
    application.save()
    kept = [line for line in every if line.designation_id != designation.pk]
    after = current_plan(application, kept)
    changes = diff(before, after, labels, categories)
    audit.record(
        actor,
        "医療機関を外す",
        application,
        {
            "積極的医療機関": {"from": name, "to": None},
            **{label: {"from": was, "to": now} for label, was, now in changes},
        },
    )
    return application


@transaction.atomic
def save_hospital_lines(
    application: Application, designation, plan: dict, actor, expected_version: int
) -> tuple[Application, list[tuple[str, str, str]]]:
    """A hospital's own lines of its hub's plan (its contact, or the hub's coordinator):
    the same validation, calculation and audit as save_plan, limited to these lines; a
    stale version is refused, never overwritten."""
    application = _locked_for_lines(application, expected_version, actor, designation)
    lines = lines_of(application, references=False)
    own = {key_of(line) for line in lines if line.designation_id == designation.pk}
    if not own or set(plan.get("lines", {})) - own or set(plan) - {"lines"}:
        raise ApplicationError(OUT_OF_SCOPE_MESSAGE)
    changes = _save_lines(application, plan, actor, lines, "事業計画の保存（医療機関の入力）", {})
    return application, changes


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
