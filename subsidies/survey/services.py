"""The survey's writers. Each owns its transaction: the row locked, the actor's right asked
again inside the lock, the optimistic version checked (the one the user loaded; None for
what did not exist yet), the change audited from/to per field.

Opening the application stage writes, for each hub that answered and has no application
of the year, a draft application whose plan is the hub's answer (wishes, start years,
actions, the meeting structure); a hub that already has one is skipped and named."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from hubs.models import Hub
from subsidies.applications.services import ensure_lines
from subsidies.models import (
    Application,
    ApplicationStatus,
    FiscalYear,
    MenuPlan,
    Survey,
    SurveyAnswer,
    SurveyLine,
)
from subsidies.survey.reading import (
    ANSWER_FIELDS,
    answer_data,
    diff,
    is_hub_menu,
    menus_of,
)
from subsidies.survey.rules import (
    STALE_MESSAGE,
    StaleVersion,
    SurveyError,
    can_answer,
    can_manage_survey,
    validate_answer,
)
from zaitaku_portal import audit

PERIOD_STALE = (
    "この意向調査の設定は、画面を開いた後に他の方が更新しました。内容は上書きしていません。"
    "画面を再読み込みしてから、もう一度操作してください。"
)


def _staff(actor) -> None:
    allowed = can_manage_survey(actor)
    if not allowed:
        raise SurveyError(allowed.reason)


def _locked_survey(fiscal_year, version) -> Survey | None:
    FiscalYear.objects.select_for_update().get(pk=fiscal_year.pk)
    survey = Survey.objects.select_for_update().filter(fiscal_year=fiscal_year).first()
    if (survey.version if survey else None) != version:
        raise StaleVersion(PERIOD_STALE)
    return survey


@transaction.atomic
def save_period(fiscal_year, opens_on: datetime.date, closes_on: datetime.date, version, actor):
    """Open the survey for the period (a closed survey saved again is open again)."""
    _staff(actor)
    if closes_on < opens_on:
        raise SurveyError("回答の締切日は受付開始日以降の日付にしてください。")
    survey = _locked_survey(fiscal_year, version)
    before = (survey.opens_on, survey.closes_on, survey.closed_at) if survey else (None,) * 3
    if survey is None:
        survey = Survey(fiscal_year=fiscal_year, opens_on=opens_on, closes_on=closes_on, version=0)
    survey.opens_on, survey.closes_on, survey.closed_at = opens_on, closes_on, None
    if before == (opens_on, closes_on, None):
        return survey
    survey.version += 1
    survey.updated_by = actor
    survey.save()
    changes = {
        "回答の受付開始日": {"from": str(before[0] or ""), "to": str(opens_on)},
        "回答の締切日": {"from": str(before[1] or ""), "to": str(closes_on)},
    }
    if before[2]:
        changes["状態"] = {"from": "締切済み", "to": "受付"}
    audit.record(actor, "survey.period", survey, changes)
    return survey


@transaction.atomic
def close_survey(fiscal_year, version, actor) -> Survey:
    _staff(actor)
    survey = _locked_survey(fiscal_year, version)
    if survey is None or survey.closed_at is not None:
        raise SurveyError("この意向調査は受付中ではありません。")
    survey.closed_at = timezone.now()
    survey.version += 1
    survey.updated_by = actor
    survey.save()
    audit.record(actor, "survey.close", survey, {"状態": {"from": "受付", "to": "締切済み"}})
    return survey


# --- answers -------------------------------------------------------------------------------


@transaction.atomic
def save_answer(
    fiscal_year, hub, data: dict, version, actor, source: str = "画面入力", file_name: str = ""
) -> tuple[SurveyAnswer, list[tuple[str, str, str]]]:
    """Save the hub's answer; returns it with the changes made ([] when none)."""
    hub = Hub.objects.select_for_update().get(pk=hub.pk)
    survey = Survey.objects.filter(fiscal_year=fiscal_year).first()
    allowed = can_answer(actor, survey, hub, timezone.localdate())
    if not allowed:
        raise SurveyError(allowed.reason)
    answer = SurveyAnswer.objects.select_for_update().filter(survey=survey, hub=hub).first()
    if (answer.version if answer else None) != version:
        raise StaleVersion(STALE_MESSAGE)
    menus = menus_of(fiscal_year)
    problems = validate_answer(data, menus, fiscal_year)
    if problems:
        raise SurveyError("入力内容に誤りがあります。", problems)
    before = answer_data(answer, menus)
    changes = diff(before, data, menus)
    if answer is not None and not changes:
        return answer, []
    answer = _write_answer(survey, hub, answer, data, menus, actor)
    audit.record(
        actor,
        f"意向調査の回答（{source}）",
        answer,
        {
            **({"ファイル": file_name} if file_name else {}),
            **{label: {"from": was, "to": now} for label, was, now in changes},
        },
    )
    return answer, changes


def _write_answer(survey, hub, answer, data: dict, menus, actor) -> SurveyAnswer:
    if answer is None:
        answer = SurveyAnswer(survey=survey, hub=hub, version=0)
    for name in ANSWER_FIELDS:
        setattr(answer, name, data.get(name))
    answer.version += 1
    answer.updated_by = actor
    answer.save()
    stored = {line.menu_id: line for line in answer.lines.all()}
    for menu in menus:
        values = data.get("lines", {}).get(menu.code, {})
        line = stored.get(menu.pk) or SurveyLine(answer=answer, menu=menu)
        own = is_hub_menu(menu)
        line.wish = bool(values.get("wish") if own else values.get("hospital_count"))
        line.planned_actions = values.get("planned_actions") or ""
        line.start_year = values.get("start_year") if own else None
        line.hospital_count = None if own else values.get("hospital_count")
        line.save()
    return answer


# --- the application stage -----------------------------------------------------------------


@dataclass
class StageResult:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


PLAN_FIELDS = (
    "district_policy",
    "meeting_body_count",
    "meeting_members",
    "other_actions",
    "other_actions_start_year",
    "hospital_other_actions",
)


@transaction.atomic
def open_application_stage(fiscal_year, actor) -> StageResult:
    """A draft application per hub that answered, its plan the hub's answer; never over a
    plan that exists (those hubs are listed as skipped)."""
    _staff(actor)
    survey = Survey.objects.select_for_update().filter(fiscal_year=fiscal_year).first()
    if survey is None:
        raise SurveyError("この年度の意向調査がありません。")
    result = StageResult()
    answers = survey.answers.select_related("hub").prefetch_related("lines__menu")
    for answer in answers.order_by("hub__name"):
        hub = Hub.objects.select_for_update().get(pk=answer.hub_id)
        hubs_own = Application.objects.filter(hub=hub, institution__isnull=True)
        if hubs_own.filter(fiscal_year=fiscal_year).exists():
            result.skipped.append(hub.name)
            continue
        _draft_from_answer(fiscal_year, hub, answer, actor)
        result.created.append(hub.name)
    survey.applications_opened_at = timezone.now()
    survey.version += 1
    survey.save(update_fields=["applications_opened_at", "version", "updated_at"])
    audit.record(
        actor,
        "survey.open_applications",
        survey,
        {
            "下書きを作成した拠点": {"from": None, "to": "、".join(result.created) or "なし"},
            "既に申請があるため見送った拠点": {
                "from": None,
                "to": "、".join(result.skipped) or "なし",
            },
        },
    )
    return result


def _draft_from_answer(fiscal_year, hub, answer: SurveyAnswer, actor) -> Application:
    application = Application.objects.create(
        hub=hub,
        fiscal_year=fiscal_year,
        status=ApplicationStatus.DRAFT,
        district_count=hub.district_count,
        **{name: getattr(answer, name) for name in PLAN_FIELDS},
    )
    ensure_lines(application)
    answered = {line.menu_id: line for line in answer.lines.all()}
    lines = list(application.lines.all())
    for line in lines:
        source = answered.get(line.menu_id)
        if source is None:
            continue
        line.planned_actions = source.planned_actions if source.wish else ""
        if line.designation_id is None:  # which hospitals wish a menu is not asked (4-②)
            line.wish, line.start_year = source.wish, source.start_year
    MenuPlan.objects.bulk_update(lines, ["wish", "planned_actions", "start_year"])
    audit.record(actor, "申請の作成（意向調査から）", application, {"元の回答": str(answer)})
    return application
