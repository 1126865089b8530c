"""The rules of the results part: who may start, edit or record what, and what a report,
an activity, its minutes, an advance payment or a confirmation must satisfy.

Each guard answers (allowed, reason) and each check returns every problem, each naming its
field, so the page can show them all; the writers (services.py, the workflow's effects)
raise ClaimError with them. Nothing here writes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.db.models import Count, Sum

from subsidies.applications.rules import ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES
from subsidies.models import (
    Activity,
    ActivityKind,
    AdvancePayment,
    Application,
    ExcludedSource,
    ExpenseCategory,
    ResultExpense,
    ResultReport,
)
from subsidies.models import ResultReportStatus as S
from subsidies.results.columns import OTHER_INCOME, TOTAL_COST
from subsidies.results.models import (
    DisasterEquipment,
    EquipmentItem,
    ExpenseReceipt,
    LeaderTraining,
    OutreachTarget,
    TraineeType,
    TrainingRole,
    TrainingSite,
)
from subsidies.results.reading import (
    REPORT_FIELDS,
    current_decision,
    expense_key,
    expense_label,
    expenses_of,
)
from subsidies.results.report_advice import ADVISABLE_STATES
from subsidies.shared.notice_numbers import (
    notice_number_problems,
    notice_number_taken,
    taken_message,
)
from subsidies.shared.workflow import COORDINATOR, STAFF, actor_kind, actor_label
from zaitaku_portal.access import role_of
from zaitaku_portal.attachments import content_problem, file_name_problem, human_size
from zaitaku_portal.bounds import MONTHS_MAX, PEOPLE_MAX, YEN_MAX, max_length_of
from zaitaku_portal.models import Role
from zaitaku_portal.wareki import fiscal_year_label

EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})
STALE_MESSAGE = (
    "この実績報告は、画面を開いた後に他の方が更新しました。内容は上書きしていません。"
    "画面を再読み込みして最新の内容を確認してから、もう一度操作してください。"
)
ADVANCE_STALE_MESSAGE = (
    "この申請の概算払は、画面を開いた後に他の方が更新しました。再読み込みしてください。"
    "今回の入力は登録していません。"
)
OUT_OF_SCOPE_REPORT = "この実績報告を操作する権限がありません。"
OUT_OF_SCOPE_APPLICATION = "この申請を操作する権限がありません。"


class ClaimError(Exception):
    """Refused, with a Japanese message for the user and optionally every problem."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class StaleVersion(ClaimError):
    pass


# --- who may ---------------------------------------------------------------------------


def can_start_report(user, application: Application) -> tuple[bool, str]:
    if actor_kind(user, application) != COORDINATOR:
        return False, f"実績報告の作成は{actor_label(COORDINATOR, application)}が行います。"
    if current_decision(application) is None:
        return False, "交付決定されていない申請には実績報告を作成できません。"
    return True, ""


def can_edit_report(user, report: ResultReport) -> tuple[bool, str]:
    if actor_kind(user, report) != COORDINATOR:
        return False, f"実績報告の入力は{actor_label(COORDINATOR, report)}が行います。"
    if report.status not in EDITABLE_STATES:
        return (
            False,
            f"「{report.get_status_display()}」の実績報告は編集できません（作成中・差戻し中のみ）。",
        )
    return True, ""


def can_advise(user, report: ResultReport) -> tuple[bool, str]:
    """保健所の助言: a health center (its areas' reports only: the scoped queryset) on a
    report handed in and not yet confirmed."""
    if role_of(user) != Role.HEALTH_CENTER:
        return False, "実績報告への助言は保健所が記入します。"
    if report.status not in ADVISABLE_STATES:
        return (
            False,
            f"「{report.get_status_display()}」の実績報告には助言を記入できません"
            "（提出後、額の確定までの間に記入できます）。",
        )
    return True, ""


def can_record_advance(user) -> tuple[bool, str]:
    if actor_kind(user) != STAFF:
        return False, "概算払の登録は県職員が行います。"
    return True, ""


# --- the report --------------------------------------------------------------------------


def validate_report(report: ResultReport, data: dict) -> list[str]:
    """Consistency checks shared by the web form and any upload. Each names the line."""
    errors: list[str] = []
    hours = data.get("consultation_hours_per_week")
    if hours is not None and not 0 <= hours <= 168:
        errors.append(
            f"「{REPORT_FIELDS['consultation_hours_per_week']}」は0〜168で入力してください。"
        )
    categories = dict(ExpenseCategory.objects.values_list("code", "name"))
    hub_name = report.application.hub.name
    lines = {expense_key(e): e for e in expenses_of(report)}
    for key, values in data.get("expenses", {}).items():
        line = lines.get(key)
        if line is None:
            errors.append(f"交付決定にない補助メニューの経費です: {key}")
            continue
        label = expense_label(line, hub_name)
        # a workbook downloaded before the 未実施 column keeps what is saved
        values = {
            "not_carried_out": line.not_carried_out,
            "not_carried_out_reason": line.not_carried_out_reason,
            **values,
        }
        actual, amount_errors = _category_amounts(label, line, values, categories)
        errors += amount_errors
        errors += _line_problems(label, actual, values)
        errors += _bound_problems(label, values)
    return errors


def _category_amounts(label: str, line, values: dict, categories: dict) -> tuple[int, list[str]]:
    """The line's actual expense (the sum of its categories) and what is wrong with them."""
    allowed = {c.code for c in line.menu.expense_categories.all()}
    actual, errors = 0, []
    for code, amount in values.get("expenses", {}).items():
        name = categories.get(code, code)
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            errors.append(f"「{label}」の{name}は0以上の円単位の整数で入力してください。")
            continue
        if amount and allowed and code not in allowed:
            errors.append(f"「{label}」では費目「{name}」は補助対象外です。")
        actual += amount
    return actual, errors


def _line_problems(label: str, actual: int, values: dict) -> list[str]:
    """A, B and the excluded part against the actual expense of the line."""
    errors = []
    total = values.get("total_cost", 0)
    income = values.get("other_income", 0)
    excluded = values.get("excluded_amount", 0)
    source = values.get("excluded_source", "")
    reason = (values.get("excluded_reason") or "").strip()
    if total < actual:
        errors.append(
            f"「{label}」の{TOTAL_COST.field_label}{total:,}円は、"
            f"費目別の実支出額の合計 {actual:,}円以上で入力してください。"
        )
    if income > total:
        errors.append(
            f"「{label}」の{OTHER_INCOME.field_label}{income:,}円が{TOTAL_COST.field_label}"
            f"{total:,}円を超えています。"
        )
    if excluded > actual:
        errors.append(
            f"「{label}」の対象外とする額 {excluded:,}円が実支出額 {actual:,}円を超えています。"
        )
    if source not in ExcludedSource.values:
        errors.append(f"「{label}」の対象外の財源が選択肢にありません。")
    if excluded and not source:
        errors.append(
            f"「{label}」の対象外とする額があります。財源（市町村の在宅医療・介護連携推進事業"
            "または他の補助金）を選択してください。"
        )
    if excluded and not reason:
        errors.append(f"「{label}」の対象外とする理由を入力してください。")
    if source and not excluded:
        errors.append(f"「{label}」の対象外の財源が選ばれていますが、対象外とする額が0円です。")
    return errors + _not_carried_out_problems(label, actual, values)


def _not_carried_out_problems(label: str, actual: int, values: dict) -> list[str]:
    """A decided menu not carried out: its reason, and no money on it (it confirms at 0)."""
    if not values.get("not_carried_out"):
        if (values.get("not_carried_out_reason") or "").strip():
            return [
                f"「{label}」の未実施の理由が入力されていますが、「未実施」が選ばれていません。"
            ]
        return []
    errors = []
    if not (values.get("not_carried_out_reason") or "").strip():
        errors.append(f"「{label}」を未実施とする場合は「未実施の理由」を入力してください。")
    amounts = actual + sum(
        values.get(name, 0) or 0 for name in ("total_cost", "other_income", "excluded_amount")
    )
    if amounts:
        errors.append(
            f"「{label}」は未実施です。実支出額・総事業費・寄附金その他の収入額・対象外とする額は"
            "0円にしてください。"
        )
    return errors


def _bound_problems(label: str, values: dict) -> list[str]:
    """The bounds of the model (zaitaku_portal/bounds.py) for whatever path the data took:
    the web form, the expense workbook or the session between preview and save."""
    problems = []
    amounts = [*values.get("expenses", {}).values()]
    amounts += [values.get(name, 0) for name in ("total_cost", "other_income", "excluded_amount")]
    if any(isinstance(a, int) and a > YEN_MAX for a in amounts):
        problems.append(f"「{label}」の金額が大きすぎます。{YEN_MAX:,}円以下で入力してください。")
    for name, what in (
        ("excluded_reason", "対象外とする理由"),
        ("not_carried_out_reason", "未実施の理由"),
    ):
        reason = values.get(name) or ""
        limit = max_length_of(ResultExpense, name)
        if len(reason) > limit:
            problems.append(
                f"「{label}」の{what}は{limit:,}文字以内で入力してください"
                f"（入力は{len(reason):,}文字）。"
            )
    return problems


# --- activities and their minutes --------------------------------------------------------

ACTIVITY_NEEDS = {
    ActivityKind.MEETING: ("held_on", "meeting_kind", "participants"),
    ActivityKind.TRAINING: ("held_on", "attendance"),
    ActivityKind.AWARENESS: ("held_on", "audience", "attendance"),
    ActivityKind.OUTREACH: ("audience", "count"),
    ActivityKind.ACCOMPANIED_VISIT: (
        "designation",
        "trainees",
        "half_days",
        "trainee_type",
        "training_site",
    ),
    ActivityKind.BCP: ("count",),
    ActivityKind.EQUIPMENT: ("amount",),
    ActivityKind.NURSE_PLACEMENT: ("designation", "count", "months"),
    ActivityKind.TWENTY_FOUR_HOUR: ("description",),
    ActivityKind.INFORMATION_SHARING: ("description",),
    ActivityKind.EMERGENCY_BEDS: ("description",),
    ActivityKind.NURSE_CALL_CENTRE: ("description",),
    ActivityKind.ONE_STOP: ("description",),
    ActivityKind.SUPPORT_OTHER_INSTITUTIONS: ("description",),
}
ACTIVITY_FIELD_NAMES = {
    "held_on": "実施日",
    "meeting_kind": "会議の種類",
    "participants": "職種別の参加者数",
    "attendance": "参加者数",
    "audience": "対象・訪問先",
    "count": "件数・人数",
    "designation": "実施した積極的医療機関",
    "trainees": "受講者数",
    "half_days": "半日数",
    "amount": "金額",
    "description": "内容",
    "months": "配置した月数",
    "trainee_type": "同行訪問研修の対象者",
    "training_site": "同行訪問研修の研修先",
}
ACTIVITY_CHOICES = {
    "outreach_target": ("アウトリーチの訪問先", OutreachTarget),
    "leader_training": ("リーダー研修", LeaderTraining),
    "training_role": ("研修への関わり", TrainingRole),
    "trainee_type": ("同行訪問研修の対象者", TraineeType),
    "training_site": ("同行訪問研修の研修先", TrainingSite),
}


def activity_problems(report: ResultReport, data: dict) -> list[str]:
    """What an activity of this kind must state, and whether its date is in the year."""
    kind = data.get("kind")
    if kind not in ActivityKind.values:
        return ["活動の種別を選択してください。"]
    return (
        _missing_activity_fields(ActivityKind(kind), data)
        + _activity_date_problems(report, data.get("held_on"))
        + _participant_problems(data)
        + _activity_hospital_problems(report, data.get("designation"))
        + _activity_choice_problems(ActivityKind(kind), data)
    )


def _activity_choice_problems(kind: ActivityKind, data: dict) -> list[str]:
    """The choices are the model's, and a leader training is a training with its role."""
    problems = [
        f"「{label}」は選択肢から選んでください。"
        for name, (label, choices) in ACTIVITY_CHOICES.items()
        if (data.get(name) or "") not in choices.values
    ]
    if data.get("leader_training") and kind != ActivityKind.TRAINING:
        problems.append("「リーダー研修」は種別「研修」の活動で選んでください。")
    if data.get("leader_training") and not data.get("training_role"):
        problems.append(
            "リーダー研修の「研修への関わり」（受講した／講師・主催として実施した）を選んでください。"
        )
    if data.get("with_administrators") and kind != ActivityKind.MEETING:
        problems.append("「行政担当官・関連施設の管理者が参加」は会議の活動で選んでください。")
    months = data.get("months")
    if months is not None and not 1 <= months <= MONTHS_MAX:
        problems.append(f"「配置した月数」は1〜{MONTHS_MAX}で入力してください。")
    return problems


def _missing_activity_fields(kind: ActivityKind, data: dict) -> list[str]:
    label = kind.label
    problems = []
    if not (data.get("title") or "").strip():
        problems.append(f"{label}の「名称・テーマ」を入力してください。")
    for name in ACTIVITY_NEEDS[kind]:
        if name == "participants":
            if not sum(data.get("participants_by_profession", {}).values()):
                problems.append(
                    f"{label}の「{ACTIVITY_FIELD_NAMES[name]}」を1人以上入力してください。"
                )
        elif not data.get(name):
            problems.append(f"{label}の「{ACTIVITY_FIELD_NAMES[name]}」を入力してください。")
    return problems


def _activity_date_problems(report: ResultReport, held_on) -> list[str]:
    year = report.application.fiscal_year.year
    start, end = datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)
    if held_on and not start <= held_on <= end:
        return [
            f"「実施日」は{fiscal_year_label(year)}（{start:%Y-%m-%d}〜{end:%Y-%m-%d}）の日付を"
            "入力してください。"
        ]
    return []


def _participant_problems(data: dict) -> list[str]:
    by_profession = sum(data.get("participants_by_profession", {}).values())
    by_affiliation = sum(data.get("participants_by_affiliation", {}).values())
    if by_profession and by_affiliation and by_profession != by_affiliation:
        return [
            f"職種別の参加者数の合計（{by_profession}人）と所属別の参加者数の合計"
            f"（{by_affiliation}人）が一致しません。"
        ]
    return []


def _activity_hospital_problems(report: ResultReport, designation) -> list[str]:
    if designation is None:
        return []
    decision = current_decision(report.application)
    hospitals = (
        set(decision.lines.exclude(designation=None).values_list("designation_id", flat=True))
        if decision
        else set()
    )
    if designation.pk not in hospitals:
        return [
            "「実施した積極的医療機関」は、この申請で交付決定された医療機関から選んでください。"
        ]
    return []


MINUTES_TYPES = {
    ".pdf": b"%PDF",
    ".docx": b"PK\x03\x04",
    ".xlsx": b"PK\x03\x04",
    ".png": b"\x89PNG",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
}
MINUTES_MAX_BYTES = 10 * 1024 * 1024


def minutes_problems(upload) -> list[str]:
    """The minutes must be a PDF, Word, Excel or image file whose content matches its name."""
    if upload is None:
        return []
    name = PurePath(upload.name).name
    suffix = PurePath(name).suffix.lower()
    if suffix not in MINUTES_TYPES:
        return [f"「議事録」の「{name}」は受け付けられません（PDF・Word・Excel・PNG・JPEGのみ）。"]
    if upload.size > MINUTES_MAX_BYTES:
        return [f"「議事録」の「{name}」は10MB以下にしてください。"]
    if problem := minutes_name_problem(name):
        return [problem]
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(MINUTES_TYPES[suffix]):
        return [f"「議事録」の「{name}」の中身が拡張子（{suffix}）と一致しません。"]
    if problem := content_problem(upload, suffix, MINUTES_MAX_BYTES):
        return [f"「議事録」の「{name}」：{problem}"]
    return []


def minutes_name_problem(name: str) -> str | None:
    """Shared by the form (a field error) and the service."""
    problem = file_name_problem(name, Activity._meta.get_field("minutes_name").max_length)
    return f"「議事録」の{problem}" if problem else None


def minutes_limit_problems(report: ResultReport, upload) -> list[str]:
    """At most settings.MINUTES_MAX_COUNT minutes of MINUTES_MAX_TOTAL_BYTES in all for one
    results report (call under the report's lock)."""
    if upload is None:
        return []
    held = [activity.minutes for activity in report.activities.exclude(minutes="")]
    total = sum(_stored_size(minutes) for minutes in held)
    if len(held) >= settings.MINUTES_MAX_COUNT:
        return [
            f"議事録は1件の実績報告につき{settings.MINUTES_MAX_COUNT}件までです"
            f"（現在{len(held)}件）。"
        ]
    if total + upload.size > settings.MINUTES_MAX_TOTAL_BYTES:
        return [
            f"議事録の合計は1件の実績報告につき{human_size(settings.MINUTES_MAX_TOTAL_BYTES)}"
            f"までです（現在{human_size(total)}、追加すると{human_size(total + upload.size)}）。"
        ]
    return []


def _stored_size(field_file) -> int:
    try:
        return field_file.size
    except OSError:  # the file is gone from disk: it holds no space
        return 0


# --- disaster equipment and receipts ----------------------------------------------------


def equipment_problems(data: dict) -> list[str]:
    """One kind of disaster equipment: a listed item (その他 named), quantity 1 or more, cost
    in whole yen within the bounds."""
    problems = []
    item = data.get("item")
    if item not in EquipmentItem.values:
        problems.append("「備品」は選択肢から選んでください。")
    name = (data.get("other_name") or "").strip()
    if item == EquipmentItem.OTHER and not name:
        problems.append("「備品」がその他の場合は「備品名（その他の場合）」を入力してください。")
    if len(name) > max_length_of(DisasterEquipment, "other_name"):
        limit = max_length_of(DisasterEquipment, "other_name")
        problems.append(f"「備品名（その他の場合）」は{limit:,}文字以内で入力してください。")
    quantity = data.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        problems.append("「数量」は1以上の整数で入力してください。")
    elif quantity > PEOPLE_MAX:
        problems.append(f"「数量」は{PEOPLE_MAX:,}以下で入力してください。")
    cost = data.get("cost")
    if isinstance(cost, bool) or not isinstance(cost, int) or cost < 0:
        problems.append("「購入費」は0以上の円単位の整数で入力してください。")
    elif cost > YEN_MAX:
        problems.append(f"「購入費」が大きすぎます。{YEN_MAX:,}円以下で入力してください。")
    return problems


# the same types, size and content checks as an application's attachments (one rule)
RECEIPT_TYPES = ATTACHMENT_TYPES
RECEIPT_MAX_BYTES = ATTACHMENT_MAX_BYTES


def receipt_problems(upload) -> list[str]:
    """Type, size, name, first bytes, then the whole content; each names the file."""
    name = PurePath(upload.name).name
    suffix = PurePath(name).suffix.lower()
    if suffix not in RECEIPT_TYPES:
        return [f"領収書等「{name}」の形式は受け付けられません（PDF・xlsx・PNG・JPEGのみ）。"]
    if upload.size > RECEIPT_MAX_BYTES:
        return [
            f"領収書等「{name}」は{upload.size / 1024 / 1024:.1f}MBです。"
            f"{RECEIPT_MAX_BYTES // 1024 // 1024}MB以下にしてください。"
        ]
    limit = max_length_of(ExpenseReceipt, "original_name")
    if problem := file_name_problem(name, limit):
        return [f"「領収書等」の{problem}"]
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(RECEIPT_TYPES[suffix]):
        return [f"領収書等「{name}」の中身が拡張子（{suffix}）と一致しません。"]
    if problem := content_problem(upload, suffix, RECEIPT_MAX_BYTES):
        return [f"領収書等「{name}」：{problem}"]
    return []


def receipt_limit_problems(report: ResultReport, size: int) -> list[str]:
    """At most RECEIPT_MAX_COUNT receipts of RECEIPT_MAX_TOTAL_BYTES for one report (call
    under the report's lock)."""
    held = ExpenseReceipt.objects.filter(expense__report=report).aggregate(
        count=Count("pk"), total=Sum("size")
    )
    count, total = held["count"], held["total"] or 0
    most = getattr(settings, "RECEIPT_MAX_COUNT", 100)
    most_bytes = getattr(settings, "RECEIPT_MAX_TOTAL_BYTES", 200 * 1024**2)
    if count >= most:
        return [f"領収書等は1件の実績報告につき{most}件までです（現在{count}件）。"]
    if total + size > most_bytes:
        return [
            f"領収書等の合計は1件の実績報告につき{human_size(most_bytes)}までです"
            f"（現在{human_size(total)}、追加すると{human_size(total + size)}）。"
        ]
    return []


# --- advances and the confirmation -------------------------------------------------------


def advance_problems(application: Application, amount, paid_on, designation) -> list[str]:
    """Every reason the advance cannot be recorded, each naming the field."""
    problems = []
    decision = current_decision(application)
    if decision is None:
        problems.append("交付決定されていない申請には概算払を登録できません。")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        problems.append("「支払額」は1円以上の円単位の整数で入力してください。")
    if not paid_on:
        problems.append("「支払日」を入力してください。")
    if decision is None or problems:
        return problems
    lines = decision.lines.filter(designation=designation)
    if not lines.exists():
        return ["「支払先」はこの申請で交付決定された補助事業者から選んでください。"]
    decided = sum(line.decided_amount for line in lines)
    paid = (
        AdvancePayment.objects.filter(application=application, designation=designation).aggregate(
            total=Sum("amount")
        )["total"]
        or 0
    )
    if paid + amount > decided:
        problems.append(
            f"「支払額」の累計 {paid + amount:,}円が交付決定額 {decided:,}円を超えます"
            f"（支払済み {paid:,}円）。"
        )
    return problems


@dataclass
class ConfirmationInput:
    notice_number: str
    notice_date: datetime.date | None


def confirmation_problems(data: ConfirmationInput) -> list[str]:
    number = (data.notice_number or "").strip()
    problems = notice_number_problems(number)
    if not problems and notice_number_taken(number):
        problems.append(taken_message(number))
    if not data.notice_date:
        problems.append("「通知日」を入力してください。")
    return problems
