"""The rules of an application: who may do what, what a plan, a decision and an attachment
must satisfy. Answers only (a Permission, a list of problems, or ApplicationError); the
writers (services.py) and the workflow table ask here before they write.

Who may see an application is the queryset `applications_for` in zaitaku_portal.scopes; the
functions here only narrow it, so another hub's application is 404."""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.db.models import Count, Sum

from subsidies.applications import hospital_lines
from subsidies.applications.amounts import PER_MONTH, PER_PERSON_HALF_DAY
from subsidies.applications.plan_data import APPLICATION_FIELDS, OTHER_ACTIONS
from subsidies.applications.reading import (
    DecisionInput,
    PlanView,
    hub_of_designation,
    key_of,
    label_of,
    labels_for,
    lines_of,
    own_application_designation,
    plan_view,
    start_year_choices,
)
from subsidies.catalogue.budget import budget_problems
from subsidies.models import (
    Application,
    ApplicationAttachment,
    ApplicationComment,
    ApplicationStatus,
    MenuPlan,
)
from subsidies.shared.notice_numbers import (
    notice_number_problems,
    notice_number_taken,
    taken_message,
)
from subsidies.shared.workflow import COORDINATOR, actor_kind, actor_label
from zaitaku_portal.access import STAFF_ROLES, Permission, role_of
from zaitaku_portal.attachments import content_problem, file_name_problem, human_size
from zaitaku_portal.models import Role
from zaitaku_portal.scopes import hubs_for, institutions_for
from zaitaku_portal.wareki import fiscal_year_label

EDITABLE_STATES = frozenset({ApplicationStatus.DRAFT, ApplicationStatus.RETURNED})


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
OUT_OF_SCOPE_MESSAGE = "この申請を操作する権限がありません。"


# --- who may -------------------------------------------------------------------------------


def can_start_application(user, hub) -> Permission:
    if role_of(user) != Role.HUB_COORDINATOR or not hubs_for(user).filter(pk=hub.pk).exists():
        return Permission(False, "申請の作成は、その拠点のコーディネーターが行います。")
    return Permission(True)


def can_start_hospital_application(user, institution, fiscal_year) -> Permission:
    """Setting (b) (issue 18): a hospital's contact starts its institution's own application
    in a year whose hospitals apply themselves, under a 指定中 designation of that year."""
    if (
        role_of(user) != Role.HOSPITAL
        or not institutions_for(user).filter(pk=institution.pk).exists()
    ):
        return Permission(False, "医療機関の申請の作成は、その医療機関の担当者が行います。")
    if not fiscal_year.hospitals_apply:
        return Permission(
            False,
            f"{fiscal_year_label(fiscal_year.year)}は、積極的医療機関のメニューを拠点が"
            "まとめて申請する年度です。医療機関ごとの申請は作成できません。",
        )
    designation = own_application_designation(institution, fiscal_year)
    if designation is None:
        return Permission(
            False,
            f"{institution.name}は{fiscal_year_label(fiscal_year.year)}に指定中の"
            "積極的医療機関ではないため、申請を作成できません。",
        )
    if hub_of_designation(designation) is None:
        return Permission(
            False, f"{designation.area.name}を担当する拠点がないため、申請を作成できません。"
        )
    return Permission(True)


def can_edit_plan(user, application) -> Permission:
    if actor_kind(user, application) != COORDINATOR:
        who = actor_label(COORDINATOR, application)
        return Permission(False, f"事業計画の入力は{who}が行います。")
    if application.status not in EDITABLE_STATES:
        return Permission(
            False,
            f"「{application.get_status_display()}」の申請は編集できません"
            "（下書きまたは差戻し中のみ）。",
        )
    return Permission(True)


def can_comment(user) -> Permission:
    if role_of(user) is None:
        return Permission(False, "ログインしてください。")
    return Permission(True)


def comment_kind_for(user) -> str:
    role = role_of(user)
    if role == Role.HEALTH_CENTER:
        return ApplicationComment.Kind.ADVICE
    if role in STAFF_ROLES:
        return ApplicationComment.Kind.STAFF
    return ApplicationComment.Kind.COORDINATOR


def can_bulk_review(user) -> Permission:
    if role_of(user) in STAFF_ROLES:
        return Permission(True)
    return Permission(False, "一括操作は県職員のみが行えます。")


# --- the plan ------------------------------------------------------------------------------


def validate_plan(
    application: Application, plan: dict, lines: list[MenuPlan] | None = None
) -> list[str]:
    """Shape checks shared by the form and the Excel upload (amounts are yen integers ≥ 0,
    only the menu's own expense categories, start year among the three offered). `lines`:
    reading.lines_of(application) when the caller has them (the labels are read only for
    a message)."""
    errors = []
    lines = lines if lines is not None else lines_of(application)
    allowed = {key_of(line): {c.code for c in line.menu.expense_categories.all()} for line in lines}
    words: list = []

    def named() -> tuple[dict, dict]:
        if not words:
            words.extend(labels_for(application, lines))
        return words[0], words[1]

    years = set(start_year_choices(application.fiscal_year))
    for key, data in plan.get("lines", {}).items():
        if key not in allowed:
            errors.append(f"申請にない行です: {key}")
            continue
        for code, amount in data.get("expenses", {}).items():
            if code not in allowed[key] and amount:
                labels, categories = named()
                errors.append(
                    f"「{labels[key]}」では費目「{categories.get(code, code)}」は対象外です。"
                )
            if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
                labels, categories = named()
                errors.append(f"「{labels[key]}」の{categories.get(code, code)}は0以上の円です。")
        if data.get("start_year") and data["start_year"] not in years:
            errors.append(f"「{named()[0][key]}」の開始年度が選択肢にありません。")
    for _, year_field in OTHER_ACTIONS:
        if plan.get(year_field) and plan[year_field] not in years:
            errors.append(f"「{APPLICATION_FIELDS[year_field]}」が選択肢にありません。")
    return errors + hospital_lines.plan_problems(application, plan)  # active in the year


def _other_actions_problems(plan: dict) -> list[str]:
    """その他取り組み事項 (seed 004): written, it says from which year."""
    return [
        f"「{APPLICATION_FIELDS[year_field]}」が未選択です。"
        for text_field, year_field in OTHER_ACTIONS
        if (plan.get(text_field) or "").strip() and not plan.get(year_field)
    ]


def _form_4_3_problems(plan: dict) -> list[str]:
    """様式4-③: the districts and the meeting bodies."""
    problems = []
    if not (plan.get("district_policy") or "").strip():
        problems.append("様式4-③「区割りの考え方」が未入力です。")
    if not plan.get("meeting_body_count"):
        problems.append("様式4-③「会議体の数」を1以上で入力してください。")
    if not (plan.get("meeting_members") or "").strip():
        problems.append("様式4-③「会議体の構成員」が未入力です。")
    return problems


def _units_problems(name: str, menu, data: dict) -> list[str]:
    """The units the menu's cap is counted in (受講者数×半日数, 月数)."""
    unit = menu.cap_unit
    if unit == PER_PERSON_HALF_DAY and not (data.get("trainees") and data.get("half_days")):
        return [f"「{name}」の受講者数と半日数を入力してください。"]
    if unit == PER_MONTH:
        if not data.get("months"):
            return [f"「{name}」の月数を入力してください。"]
        if menu.max_units and data["months"] > menu.max_units:
            return [f"「{name}」の月数は{menu.max_units}か月以内で入力してください。"]
    return []


def _wished_line_problems(name: str, menu, data: dict, total: int, amount) -> list[str]:
    """A line the hub asks a subsidy for: what it must say. A line without money this year
    (a menu without its own cap, a later start year, not eligible) needs its actions and
    start year but no expenses or units: plan_warnings says what its expenses become."""
    problems = []
    if not (data.get("planned_actions") or "").strip():
        problems.append(f"「{name}」の取り組み事項が未入力です。")
    if not data.get("start_year"):
        problems.append(f"「{name}」の開始年度が未選択です。")
    if int(data.get("other_income") or 0) > total:
        problems.append(f"「{name}」の寄付金その他の収入が予定経費を超えています。")
    if menu.cap_amount is None or amount.held_back:
        return problems
    if not total:
        problems.append(f"「{name}」の予定経費が入力されていません。")
    return problems + _units_problems(name, menu, data)


def _line_problems(line: MenuPlan, plan: dict, amount) -> list[str]:
    data = plan["lines"].get(key_of(line), {})
    name = label_of(line)
    total = sum(data.get("expenses", {}).values())
    if not data.get("wish"):
        if total:
            return [f"「{name}」は補助の希望が空欄ですが、経費が入力されています。"]
        return []
    return _wished_line_problems(name, line.menu, data, total, amount)


def _is_wished(line: MenuPlan, plan: dict) -> bool:
    return bool(plan["lines"].get(key_of(line), {}).get("wish"))


def submission_problems(application: Application, view: PlanView | None = None) -> list[str]:
    """Every reason the plan cannot be submitted yet, each naming the field and the line
    (`view`: the plan_view of the application, when the caller has it)."""
    view = view or plan_view(application)
    # a hospital's own application (issue 18) has no form 4-③: the hub's meetings
    form_4_3 = [] if application.is_hospital_application else _form_4_3_problems(view.plan)
    problems = form_4_3 + _other_actions_problems(view.plan)
    for line in view.lines:
        problems += _line_problems(line, view.plan, view.amounts[key_of(line)])
    if not any(_is_wished(line, view.plan) for line in view.lines):
        problems.append("補助を希望するメニューが一つもありません（補助の希望に○）。")
    return problems


def plan_warnings(view: PlanView) -> list[str]:
    """What saving and submitting allow but the hub should know (warnings, never refusals):
    a wished line that carries no money this year, and expenses that will not count.

    Eligibility from the register (beds, 機能強化型) warns rather than refuses: the register
    may be corrected before the decision, and the amount is computed again then; until then
    the line's amount is 0 and the decision cannot give it money."""
    warnings = []
    for line in view.lines:
        amount = view.amounts[key_of(line)]
        if not amount.wish:
            continue
        name = label_of(line)
        if amount.planned_later:
            warnings.append(
                f"「{name}」: {amount.held_back}。"
                + (
                    f"入力された予定経費 {amount.expense_total:,}円 は"
                    "今年度の交付見込額に含めません。"
                    if amount.expense_total
                    else ""
                )
            )
        elif amount.held_back:
            warnings.append(f"「{name}」: {amount.held_back}。交付見込額は0円です。")
        elif line.menu.cap_amount is None and amount.expense_total:
            warnings.append(
                f"「{name}」は独自の基準額がないメニューです（他のメニューの中で実施）。"
                f"この行の予定経費 {amount.expense_total:,}円 には補助がありません。"
                "経費は実施するメニューの行に入力してください。"
            )
    return warnings


def submission_permission(application: Application) -> Permission:
    """The guard of submit and resubmit: a complete plan."""
    problems = submission_problems(application)
    if problems:
        return Permission(
            False, f"入力に不備があります（{len(problems)}件）: " + " / ".join(problems)
        )
    return Permission(True)


# --- the decision --------------------------------------------------------------------------


def _notice_problems(decision: DecisionInput) -> list[str]:
    number = (decision.notice_number or "").strip()
    problems = notice_number_problems(number)
    if not problems and notice_number_taken(number):
        problems.append(taken_message(number))
    if not decision.notice_date:
        problems.append("通知日を入力してください。")
    return problems


def _amount_problems(view: PlanView, decision: DecisionInput) -> list[str]:
    """Each wished line's decided amount: the computed amount or less, a reduction with its
    reason."""
    labels = {key_of(line): label_of(line) for line in view.lines}
    problems = []
    for key, amount in view.amounts.items():
        if not amount.carries_money:
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


def _budget_problems(application: Application, view: PlanView, decision: DecisionInput):
    """The decision within what remains of the year's budget part (catalogue/budget.py)."""
    by_type: dict[str, int] = {}
    for line in view.lines:
        amount = view.amounts[key_of(line)]
        if amount.carries_money:
            decided = decision.amounts.get(key_of(line), (amount.computed_amount, ""))[0]
            kind = line.menu.recipient_type
            by_type[kind] = by_type.get(kind, 0) + max(decided, 0)
    return budget_problems(application.fiscal_year, application.pk, by_type)


def decision_problems(application: Application, decision: DecisionInput) -> list[str]:
    view = plan_view(application)
    problems = _notice_problems(decision) + _amount_problems(view, decision)
    return problems or _budget_problems(application, view, decision)


# --- attachments ---------------------------------------------------------------------------

ATTACHMENT_TYPES = {
    ".pdf": b"%PDF",
    ".xlsx": b"PK\x03\x04",
    ".png": b"\x89PNG",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def attachment_name_problem(name: str) -> str | None:
    """Shared by the form (a field error) and the service."""
    max_length = ApplicationAttachment._meta.get_field("original_name").max_length
    problem = file_name_problem(name, max_length)
    return f"「添付書類」の{problem}" if problem else None


def check_attachment(name: str, upload) -> None:
    """Type, size, name, first bytes, then the whole content; each refusal names the file."""
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


def within_attachment_limits(application: Application, size: int) -> None:
    """At most settings.ATTACHMENT_MAX_COUNT files of ATTACHMENT_MAX_TOTAL_BYTES in all."""
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
