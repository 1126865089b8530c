"""Who may do what with the survey, and what an answer must hold. Permissions answer with
a reason (the page says why a button is missing); validation names each field."""

from __future__ import annotations

import datetime

from subsidies.applications.plan_data import start_year_label
from subsidies.survey.reading import (
    ANSWER_FIELDS,
    LINE_FIELDS,
    is_hub_menu,
    start_year_choices,
)
from zaitaku_portal import bounds
from zaitaku_portal.access import Permission, can_manage_master_data, role_of
from zaitaku_portal.models import Role
from zaitaku_portal.scopes import hubs_for

HOSPITAL_COUNT_MAX = 999
MEETING_BODY_MAX = 99
TEXT_LIMITS = {
    "district_policy": bounds.SHORT_TEXT,
    "meeting_members": bounds.SHORT_TEXT,
    "meeting_image": bounds.TEXT,
    "other_actions": bounds.TEXT,
    "hospital_other_actions": bounds.TEXT,
}
STALE_MESSAGE = (
    "この回答は、画面を開いた後に他の方が更新しました。内容は上書きしていません。"
    "画面を再読み込みして最新の内容を確認してから、もう一度保存してください。"
)
OUT_OF_SCOPE_MESSAGE = "この拠点の回答は担当の拠点コーディネーターのみが入力できます。"


class SurveyError(Exception):
    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class StaleVersion(SurveyError):
    pass


def can_manage_survey(user) -> Permission:
    allowed = can_manage_master_data(user)
    if not allowed:
        return Permission(False, "意向調査の設定は県職員のみが行えます。")
    return allowed


def can_answer(user, survey, hub, today: datetime.date) -> Permission:
    if role_of(user) != Role.HUB_COORDINATOR or not hubs_for(user).filter(pk=hub.pk).exists():
        return Permission(False, OUT_OF_SCOPE_MESSAGE)
    if survey is None:
        return Permission(False, "この年度の意向調査はまだ始まっていません。")
    if not survey.is_open(today):
        return Permission(
            False,
            f"意向調査は{survey.state_label(today)}です（受付期間 "
            f"{survey.opens_on:%Y-%m-%d}〜{survey.closes_on:%Y-%m-%d}）。回答は受付期間中に入力してください。",
        )
    return Permission(True)


def _start_year_problem(value, choices: list[int], label: str) -> str | None:
    if value is None or value in choices:
        return None
    names = "・".join(f"「{start_year_label(year)}」" for year in choices)
    return f"{label}は{names}のいずれかを選んでください。"


def _line_problems(menu, line: dict, choices: list[int]) -> list[str]:
    problems = []
    name = menu.name
    if is_hub_menu(menu):
        problem = _start_year_problem(
            line.get("start_year"), choices, f"「{name}」の{LINE_FIELDS['start_year']}"
        )
        if problem:
            problems.append(problem)
        if line.get("start_year") and not line.get("wish"):
            problems.append(
                f"「{name}」は補助の希望が空欄なのに開始年度が入っています。"
                "希望する場合は補助の希望を「○」に、しない場合は開始年度を空欄にしてください。"
            )
    else:
        count = line.get("hospital_count")
        if count is not None and not 0 <= count <= HOSPITAL_COUNT_MAX:
            problems.append(
                f"「{name}」の補助希望の医療機関数は0〜{HOSPITAL_COUNT_MAX}で入力してください。"
            )
    if len(line.get("planned_actions") or "") > bounds.TEXT:
        problems.append(f"「{name}」の取り組み事項は{bounds.TEXT:,}文字以内で入力してください。")
    return problems


def validate_answer(data: dict, menus, fiscal_year) -> list[str]:
    """Every problem of the answer, each naming its field (empty when it may be saved)."""
    choices = start_year_choices(fiscal_year)
    problems = []
    for name, limit in TEXT_LIMITS.items():
        if len(data.get(name) or "") > limit:
            problems.append(f"{ANSWER_FIELDS[name]}は{limit:,}文字以内で入力してください。")
    count = data.get("meeting_body_count")
    if count is not None and not 0 <= count <= MEETING_BODY_MAX:
        problems.append(f"会議体の設置数は0〜{MEETING_BODY_MAX}で入力してください。")
    problem = _start_year_problem(
        data.get("other_actions_start_year"), choices, ANSWER_FIELDS["other_actions_start_year"]
    )
    if problem:
        problems.append(problem)
    lines = data.get("lines", {})
    for menu in menus:
        problems += _line_problems(menu, lines.get(menu.code, {}), choices)
    return problems
