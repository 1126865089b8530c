"""Everything that changes an application: each function owns its transaction, checks the
workflow table and the version the user saw, writes audit entries and sends e-mails."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from subsidies.applications import workflow
from subsidies.applications.amounts import (
    PER_MONTH,
    PER_PERSON_HALF_DAY,
    LineAmount,
    LineInput,
    RecipientTotal,
    line_amounts,
)
from subsidies.applications.plan_data import (
    APPLICATION_FIELDS,
    LINE_FIELDS,
    diff,
    line_key,
    start_year_label,
)
from subsidies.catalogue.services import freeze_catalogue
from subsidies.models import (
    Application,
    ApplicationAttachment,
    ApplicationComment,
    ApplicationStatus,
    ApplicationVersion,
    Decision,
    DecisionLine,
    ExpenseCategory,
    MenuPlan,
    RecipientType,
    ReturnReason,
    SubsidyMenu,
)
from subsidies.results.calculation import CalculationRule
from subsidies.shared.notice_numbers import (
    lock_notice_register,
    notice_number_problems,
    notice_number_taken,
    taken_message,
)
from zaitaku_portal import audit
from zaitaku_portal.attachments import (
    content_problem,
    file_name_problem,
    human_size,
    removed_on_failure,
    stored_name,
)

ATTACHMENT_TYPES = {
    ".pdf": b"%PDF",
    ".xlsx": b"PK\x03\x04",
    ".png": b"\x89PNG",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


class ApplicationError(Exception):
    """Refused, with a Japanese message for the user (and optionally every problem)."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class StaleVersion(ApplicationError):
    """Someone else changed the application since this user loaded it."""


STALE_MESSAGE = (
    "この申請は、画面を開いた後に他の方が更新しました。内容は上書きしていません。"
    "画面を再読み込みして最新の内容を確認してから、もう一度操作してください。"
)


# --- reading -------------------------------------------------------------------------------


def hospital_designations(hub):
    """The active hospitals of the hub's areas: the ones form 4-② asks the hub about."""
    from hospitals.models import ActiveHospitalDesignation

    return (
        ActiveHospitalDesignation.objects.filter(
            Q(hub=hub) | Q(area__in=hub.areas.all()), status="active"
        )
        .select_related("institution", "area")
        .distinct()
        .order_by("area__display_order", "institution__name")
    )


def ensure_lines(application: Application) -> None:
    """One line per hub menu, and per hospital menu for each active hospital of the area."""
    menus = list(application.fiscal_year.menus.all())
    existing = set(application.lines.values_list("menu_id", "designation_id"))
    missing = []
    for menu in menus:
        if menu.recipient_type == RecipientType.HUB and (menu.pk, None) not in existing:
            missing.append(MenuPlan(application=application, menu=menu))
    if application.status in workflow.EDITABLE_STATES:
        for designation in hospital_designations(application.hub):
            for menu in menus:
                if (
                    menu.recipient_type == RecipientType.HOSPITAL
                    and (
                        menu.pk,
                        designation.pk,
                    )
                    not in existing
                ):
                    missing.append(
                        MenuPlan(application=application, menu=menu, designation=designation)
                    )
    MenuPlan.objects.bulk_create(missing)


def ensure_lines_for_area(area, hub=None) -> None:
    """After a designation in the area begins or ends: the lines of the editable applications
    of the hubs that serve the area (and of the designation's own hub)."""
    hubs = Q(hub__areas=area) | Q(hub=hub) if hub is not None else Q(hub__areas=area)
    applications = Application.objects.filter(hubs, status__in=workflow.EDITABLE_STATES)
    for application in applications.select_related("hub", "fiscal_year").distinct():
        ensure_lines(application)


def lines_of(application: Application) -> list[MenuPlan]:
    return list(
        application.lines.select_related("menu", "designation__institution", "designation__area")
        .prefetch_related("menu__expense_categories")
        .order_by(
            # The hub's own lines first on every database (NULLs sort differently).
            F("designation__institution__name").asc(nulls_first=True),
            F("designation_id").asc(nulls_first=True),
            "menu__display_order",
            "menu_id",
        )
    )


def key_of(line: MenuPlan) -> str:
    return line_key(line.menu.code, line.designation_id)


def label_of(line: MenuPlan) -> str:
    if line.designation_id:
        return f"{line.designation.institution.name}：{line.menu.name}"
    return line.menu.name


def current_plan(application: Application, lines: list[MenuPlan] | None = None) -> dict:
    lines = lines if lines is not None else lines_of(application)
    plan: dict[str, Any] = {field: getattr(application, field) for field in APPLICATION_FIELDS}
    plan["lines"] = {
        key_of(line): {
            **{field: getattr(line, field) for field in LINE_FIELDS},
            "expenses": {k: int(v) for k, v in line.expenses.items() if int(v)},
        }
        for line in lines
    }
    return plan


def rule_of(fiscal_year) -> CalculationRule:
    return CalculationRule(
        order=fiscal_year.cap_rate_order,
        rounding_unit=fiscal_year.rounding_unit,
        rounding_level=fiscal_year.rounding_level,
    )


def _granted_before(lines: list[MenuPlan], fiscal_year) -> set[tuple[str, int]]:
    """(menu code, institution id) of once-per-facility menus granted in an earlier year,
    for all the given lines in one query."""
    institutions = {
        line.designation.institution_id
        for line in lines
        if line.designation_id and line.menu.cap_unit == SubsidyMenu.CapUnit.ONCE_PER_FACILITY
    }
    if not institutions:
        return set()
    return set(
        DecisionLine.objects.filter(
            menu__cap_unit=SubsidyMenu.CapUnit.ONCE_PER_FACILITY,
            designation__institution_id__in=institutions,
            decided_amount__gt=0,
            decision__application__fiscal_year__year__lt=fiscal_year.year,
            decision__in=Decision.objects.current(),
        ).values_list("menu__code", "designation__institution_id")
    )


def line_inputs(application: Application, lines: list[MenuPlan], plan: dict) -> list[LineInput]:
    inputs = []
    granted = _granted_before(lines, application.fiscal_year)
    for line in lines:
        key = key_of(line)
        data = plan["lines"].get(key, {})
        recipient_key = f"hospital:{line.designation_id}" if line.designation_id else "hub"
        inputs.append(
            LineInput(
                key=key,
                recipient_key=recipient_key,
                recipient_name=(
                    line.designation.institution.name
                    if line.designation_id
                    else application.hub.name
                ),
                menu_code=line.menu.code,
                menu_name=line.menu.name,
                cap_amount=line.menu.cap_amount,
                cap_unit=line.menu.cap_unit,
                max_units=line.menu.max_units,
                rate=line.menu.rate,
                wish=bool(data.get("wish")),
                expense_total=sum(int(v) for v in data.get("expenses", {}).values()),
                other_income=int(data.get("other_income") or 0),
                district_count=int(plan.get("district_count") or 1),
                trainees=data.get("trainees"),
                half_days=data.get("half_days"),
                months=data.get("months"),
                already_granted_before=(
                    line.menu.cap_unit == SubsidyMenu.CapUnit.ONCE_PER_FACILITY
                    and line.designation_id is not None
                    and (line.menu.code, line.designation.institution_id) in granted
                ),
            )
        )
    return inputs


@dataclass
class PlanView:
    """Everything the pages show about a plan: lines grouped by recipient with amounts."""

    application: Application
    lines: list[MenuPlan]
    plan: dict
    amounts: dict[str, LineAmount]
    totals: list[RecipientTotal]

    @property
    def grand_total(self) -> int:
        return sum(t.computed_amount for t in self.totals)

    @property
    def expense_total(self) -> int:
        return sum(t.expense_total for t in self.totals)

    def groups(self) -> list[dict]:
        groups: dict[str, dict] = {}
        totals = {t.recipient_key: t for t in self.totals}
        for line in self.lines:
            rkey = f"hospital:{line.designation_id}" if line.designation_id else "hub"
            group = groups.setdefault(
                rkey,
                {
                    "key": rkey,
                    "name": (
                        line.designation.institution.name
                        if line.designation_id
                        else self.application.hub.name
                    ),
                    "designation": line.designation,
                    "rows": [],
                    "total": totals.get(rkey),
                },
            )
            key = key_of(line)
            group["rows"].append(
                {
                    "key": key,
                    "line": line,
                    "menu": line.menu,
                    "data": self.plan["lines"].get(key, {}),
                    "amount": self.amounts[key],
                    "start_year_label": start_year_label(
                        self.plan["lines"].get(key, {}).get("start_year")
                    ),
                }
            )
        ordered = [groups.pop("hub")] if "hub" in groups else []
        return ordered + list(groups.values())


def plan_view(application: Application, plan: dict | None = None) -> PlanView:
    lines = lines_of(application)
    plan = plan if plan is not None else current_plan(application, lines)
    amounts, totals = line_amounts(
        line_inputs(application, lines, plan), rule_of(application.fiscal_year)
    )
    return PlanView(application, lines, plan, amounts, totals)


def labels_for(application: Application) -> tuple[dict[str, str], dict[str, str]]:
    lines = lines_of(application)
    return (
        {key_of(line): label_of(line) for line in lines},
        dict(ExpenseCategory.objects.values_list("code", "name")),
    )


def submission_problems(application: Application) -> list[str]:
    """Every reason the plan cannot be submitted yet, each naming the field and the line."""
    view = plan_view(application)
    plan = view.plan
    problems = []
    if not (plan.get("district_policy") or "").strip():
        problems.append("様式4-③「区割りの考え方」が未入力です。")
    if not plan.get("meeting_body_count"):
        problems.append("様式4-③「会議体の数」を1以上で入力してください。")
    if not (plan.get("meeting_members") or "").strip():
        problems.append("様式4-③「会議体の構成員」が未入力です。")
    wished = 0
    for line in view.lines:
        key = key_of(line)
        data = plan["lines"].get(key, {})
        name = label_of(line)
        total = sum(data.get("expenses", {}).values())
        if not data.get("wish"):
            if total:
                problems.append(f"「{name}」は補助の希望が空欄ですが、経費が入力されています。")
            continue
        wished += 1
        if not (data.get("planned_actions") or "").strip():
            problems.append(f"「{name}」の取り組み事項が未入力です。")
        if not data.get("start_year"):
            problems.append(f"「{name}」の開始年度が未選択です。")
        if not total:
            problems.append(f"「{name}」の予定経費が入力されていません。")
        if int(data.get("other_income") or 0) > total:
            problems.append(f"「{name}」の寄付金その他の収入が予定経費を超えています。")
        unit = line.menu.cap_unit
        if unit == PER_PERSON_HALF_DAY and not (data.get("trainees") and data.get("half_days")):
            problems.append(f"「{name}」の受講者数と半日数を入力してください。")
        if unit == PER_MONTH:
            if not data.get("months"):
                problems.append(f"「{name}」の月数を入力してください。")
            elif line.menu.max_units and data["months"] > line.menu.max_units:
                problems.append(
                    f"「{name}」の月数は{line.menu.max_units}か月以内で入力してください。"
                )
    if not wished:
        problems.append("補助を希望するメニューが一つもありません（補助の希望に○）。")
    return problems


# --- writing -------------------------------------------------------------------------------


def _locked(application: Application, expected_version: int | None, actor) -> Application:
    """The row locked for this transaction, if still in the actor's scope and unchanged."""
    from zaitaku_portal.scopes import applications_for

    if not applications_for(actor).filter(pk=application.pk).exists():
        raise ApplicationError("この申請を操作する権限がありません。")
    current = Application.objects.select_for_update().select_related("hub", "fiscal_year")
    current = current.get(pk=application.pk)
    if expected_version is not None and current.version != int(expected_version):
        raise StaleVersion(STALE_MESSAGE)
    return current


@transaction.atomic
def start_application(hub, fiscal_year, actor) -> Application:
    application, created = Application.objects.get_or_create(
        hub=hub, fiscal_year=fiscal_year, defaults={"district_count": hub.district_count}
    )
    if created:
        ensure_lines(application)
        audit.record(actor, "申請の作成", application)
    return application


def validate_plan(application: Application, plan: dict) -> list[str]:
    """Shape checks shared by the form and the Excel upload (amounts are yen integers ≥ 0,
    only the menu's own expense categories, start year among the three offered)."""
    errors = []
    labels, categories = labels_for(application)
    allowed = {
        key_of(line): {c.code for c in line.menu.expense_categories.all()}
        for line in application.lines.select_related("menu").prefetch_related(
            "menu__expense_categories"
        )
    }
    years = set(start_year_choices(application.fiscal_year))
    for key, data in plan.get("lines", {}).items():
        if key not in allowed:
            errors.append(f"申請にない行です: {key}")
            continue
        for code, amount in data.get("expenses", {}).items():
            if code not in allowed[key] and amount:
                errors.append(
                    f"「{labels[key]}」では費目「{categories.get(code, code)}」は対象外です。"
                )
            if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
                errors.append(f"「{labels[key]}」の{categories.get(code, code)}は0以上の円です。")
        if data.get("start_year") and data["start_year"] not in years:
            errors.append(f"「{labels[key]}」の開始年度が選択肢にありません。")
    return errors


def start_year_choices(fiscal_year) -> list[int]:
    return [fiscal_year.year, fiscal_year.year + 1, fiscal_year.year + 2]


@transaction.atomic
def save_plan(
    application: Application,
    plan: dict,
    actor,
    expected_version: int,
    source: str = "画面入力",
) -> tuple[Application, list[tuple[str, str, str]]]:
    """Save the draft. Any time, incomplete is fine; returns the changes made."""
    from subsidies.applications.rules import can_edit_plan

    application = _locked(application, expected_version, actor)
    permission = can_edit_plan(actor, application)
    if not permission:
        raise ApplicationError(permission.reason)
    errors = validate_plan(application, plan)
    if errors:
        raise ApplicationError("入力内容に誤りがあります。", errors)
    before = current_plan(application)
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
    application.version += 1
    application.save()
    after = current_plan(application)
    labels, categories = labels_for(application)
    changes = diff(before, after, labels, categories)
    if changes:
        audit.record(
            actor,
            f"事業計画の保存（{source}）",
            application,
            {label: {"from": was, "to": now} for label, was, now in changes},
        )
    return application, changes


def _freeze_version(application: Application, actor, label: str) -> ApplicationVersion:
    view = plan_view(application)
    labels, categories = labels_for(application)
    number = application.versions.count() + 1
    return ApplicationVersion.objects.create(
        application=application,
        number=number,
        label=label,
        created_by=actor,
        snapshot={
            "plan": view.plan,
            "labels": labels,
            "categories": categories,
            "amounts": {k: a.computed_amount for k, a in view.amounts.items()},
            "total": view.grand_total,
        },
    )


@dataclass
class DecisionInput:
    notice_number: str
    notice_date: datetime.date
    amounts: dict[str, tuple[int, str]]  # line key → (decided amount, reason if reduced)


def decision_problems(application: Application, decision: DecisionInput) -> list[str]:
    view = plan_view(application)
    labels = {key_of(line): label_of(line) for line in view.lines}
    number = (decision.notice_number or "").strip()
    problems = notice_number_problems(number)
    if not problems and notice_number_taken(number):
        problems.append(taken_message(number))
    if not decision.notice_date:
        problems.append("通知日を入力してください。")
    for key, amount in view.amounts.items():
        if not view.plan["lines"][key].get("wish"):
            continue
        decided, reason = decision.amounts.get(key, (amount.computed_amount, ""))
        if decided > amount.computed_amount:
            problems.append(
                f"「{labels[key]}」の交付決定額 {decided:,}円は計算額 "
                f"{amount.computed_amount:,}円を超えています（減額のみできます）。"
            )
        elif decided < 0:
            problems.append(f"「{labels[key]}」の交付決定額は0円以上で入力してください。")
        elif decided < amount.computed_amount and not (reason or "").strip():
            problems.append(f"「{labels[key]}」を減額する理由を入力してください。")
    return problems


@transaction.atomic
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
    application = _locked(application, expected_version, actor)
    permission = workflow.check(application, action, actor)
    if not permission:
        problems = submission_problems(application) if action in ("submit", "resubmit") else []
        raise ApplicationError(permission.reason, problems)
    transition = workflow.TRANSITIONS[action]
    before = application.status
    changes: dict[str, Any] = {
        "状態": {
            "from": ApplicationStatus(before).label,
            "to": ApplicationStatus(transition.target).label,
        }
    }
    detail = ""
    if action in ("submit", "resubmit"):
        from django.utils import timezone

        label = ("変更承認申請" if application.is_change_request else "交付申請") + (
            "（再提出）" if action == "resubmit" else ""
        )
        version = _freeze_version(application, actor, label)
        application.submitted_at = timezone.now()
        changes["版"] = {"from": None, "to": version.number}
    elif action == "return":
        if reason_code not in ReturnReason.values or not reason.strip():
            problems = []
            if reason_code not in ReturnReason.values:
                problems.append("差戻し理由を選択してください。")
            if not reason.strip():
                problems.append("差戻しの内容（拠点への説明）を入力してください。")
            raise ApplicationError("差戻しには理由が必要です。", problems)
        application.return_reason_code = reason_code
        application.return_reason_text = reason.strip()
        detail = f"差戻し理由: {ReturnReason(reason_code).label}\n{reason.strip()}"
        reason = f"{ReturnReason(reason_code).label}: {reason.strip()}"
    elif action in ("reject", "refuse_change"):
        if not reason.strip():
            raise ApplicationError("理由を入力してください。", ["理由を入力してください。"])
        detail = f"理由: {reason.strip()}"
    elif action == "decide":
        if decision is None:
            raise ApplicationError("交付決定の内容がありません。")
        lock_notice_register()  # after the application's row: the order every writer takes
        problems = decision_problems(application, decision)
        if problems:
            raise ApplicationError("交付決定の内容に誤りがあります。", problems)
        record = _decide(application, actor, decision)
        changes["交付決定額"] = {"from": None, "to": record.total_amount}
        changes["通知番号"] = {"from": None, "to": record.notice_number}
        detail = f"通知番号: {record.notice_number}\n交付決定額: {record.total_amount:,}円"
    elif action == "request_change":
        application.is_change_request = True
    application.status = transition.target
    application.version += 1
    application.save()
    ensure_lines(application)
    if action == "decide":
        from subsidies.models import ResultReport
        from subsidies.results.services import sync_expense_lines

        for report in ResultReport.objects.filter(application=application):
            sync_expense_lines(report)  # a change request's decision may add lines
    audit.record(actor, transition.label, application, changes, reason=reason)
    from subsidies.shared.notifications import notify

    transaction.on_commit(partial(notify, action, application, base_url, detail))
    return application


def _decide(application: Application, actor, decision: DecisionInput) -> Decision:
    view = plan_view(application)
    version = application.versions.order_by("-number").first()
    previous = application.current_decision
    record = _create_decision(
        application=application,
        number=(previous.number + 1) if previous else 1,
        version=version,
        supersedes=previous,
        notice_number=decision.notice_number.strip(),
        notice_date=decision.notice_date,
        total_amount=0,
        decided_by=actor,
    )
    total = 0
    for line in view.lines:
        key = key_of(line)
        if not view.plan["lines"][key].get("wish"):
            continue
        computed = view.amounts[key].computed_amount
        decided, reason = decision.amounts.get(key, (computed, ""))
        DecisionLine.objects.create(
            decision=record,
            menu=line.menu,
            designation=line.designation,
            recipient_name=(
                line.designation.institution.name if line.designation_id else application.hub.name
            ),
            computed_amount=computed,
            decided_amount=decided,
            reason=reason.strip() if decided < computed else "",
        )
        if decided != computed:
            audit.record(
                actor,
                "交付決定額の減額",
                application,
                {label_of(line): {"from": computed, "to": decided}},
                reason=reason,
            )
        total += decided
    Decision.objects.filter(pk=record.pk).update(total_amount=total)
    record.total_amount = total
    freeze_catalogue(
        application.fiscal_year, actor, f"{application}の交付決定（{record.notice_number}）"
    )
    return record


def _create_decision(**fields) -> Decision:
    """Insert, turning the unique constraint's refusal into the form's message: a writer
    that did not take the register lock may have inserted the number after our check."""
    try:
        with transaction.atomic():
            return Decision.objects.create(**fields)
    except IntegrityError:
        number = fields["notice_number"]
        if notice_number_taken(number):
            raise ApplicationError(
                "交付決定の内容に誤りがあります。", [taken_message(number)]
            ) from None
        raise


def bulk_start_review(applications, actor) -> int:
    """Start review of every application in `applications` (all filtered results)."""
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
    from subsidies.applications.rules import comment_kind_for

    body = (body or "").strip()
    if not body:
        raise ApplicationError("コメントの内容を入力してください。")
    comment = ApplicationComment.objects.create(
        application=application, kind=comment_kind_for(actor), author=actor, body=body
    )
    audit.record(actor, f"コメント（{comment.get_kind_display()}）", application)
    return comment


def add_attachment(application: Application, actor, upload) -> ApplicationAttachment:
    """The whole file is checked before it is written (zaitaku_portal/attachments.py); the
    application's count and total are checked under its lock; a save that fails, the commit
    included, deletes the stored file again."""
    from pathlib import PurePath

    name = PurePath(upload.name).name
    check_attachment(name, upload)
    with removed_on_failure() as written, transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        _within_attachment_limits(locked, upload.size)
        attachment = ApplicationAttachment(
            application=locked, original_name=name, size=upload.size, uploaded_by=actor
        )
        written.save(attachment.file, stored_name(name), upload)
        attachment.save()
        change = {"添付書類": {"from": None, "to": name}}
        audit.record(actor, "添付書類の登録", application, change)
    return attachment


def attachment_name_problem(name: str) -> str | None:
    """Shared by the form (a field error) and the service."""
    max_length = ApplicationAttachment._meta.get_field("original_name").max_length
    problem = file_name_problem(name, max_length)
    return f"「添付書類」の{problem}" if problem else None


def check_attachment(name: str, upload) -> None:
    """Type, size, name, first bytes, then the whole content; each refusal names the file."""
    from pathlib import PurePath

    suffix = PurePath(name).suffix.lower()
    if suffix not in ATTACHMENT_TYPES:
        raise ApplicationError(
            f"添付書類「{name}」の形式は受け付けられません（PDF・xlsx・PNG・JPEGのみ）。"
        )
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ApplicationError(
            f"添付書類「{name}」は{upload.size / 1024 / 1024:.1f}MBです。"
            f"{ATTACHMENT_MAX_BYTES // 1024 // 1024}MB以下にしてください。"
        )
    if problem := attachment_name_problem(name):
        raise ApplicationError(problem)
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(ATTACHMENT_TYPES[suffix]):
        raise ApplicationError(f"添付書類「{name}」の中身が拡張子（{suffix}）と一致しません。")
    if problem := content_problem(upload, suffix, ATTACHMENT_MAX_BYTES):
        raise ApplicationError(f"添付書類「{name}」：{problem}")


def _within_attachment_limits(application: Application, size: int) -> None:
    """At most settings.ATTACHMENT_MAX_COUNT files of ATTACHMENT_MAX_TOTAL_BYTES in all."""
    from django.conf import settings
    from django.db.models import Count, Sum

    held = application.attachments.aggregate(count=Count("pk"), total=Sum("size"))
    count, total = held["count"], held["total"] or 0
    if count >= settings.ATTACHMENT_MAX_COUNT:
        raise ApplicationError(
            f"添付書類は1件の申請につき{settings.ATTACHMENT_MAX_COUNT}件までです"
            f"（現在{count}件）。不要な添付書類を削除してから追加してください。"
        )
    if total + size > settings.ATTACHMENT_MAX_TOTAL_BYTES:
        raise ApplicationError(
            f"添付書類の合計は1件の申請につき{human_size(settings.ATTACHMENT_MAX_TOTAL_BYTES)}"
            f"までです（現在{human_size(total)}、追加すると{human_size(total + size)}）。"
            "不要な添付書類を削除するか、ファイルを小さくしてから追加してください。"
        )


@transaction.atomic
def delete_attachment(attachment: ApplicationAttachment, actor) -> None:
    """The file goes when the row's deletion commits (a rollback keeps both)."""
    application = attachment.application
    name = attachment.original_name
    transaction.on_commit(partial(attachment.file.storage.delete, attachment.file.name))
    attachment.delete()
    audit.record(actor, "添付書類の削除", application, {"添付書類": {"from": name, "to": None}})
