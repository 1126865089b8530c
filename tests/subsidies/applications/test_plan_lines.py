"""Plan lines that carry no money this year (issue 14): a later 開始年度, a menu the
institution's register rules out, a menu without its own cap (Osaka ③); and the
その他取り組み事項 with its own start year (issue 22). Amounts worked by hand.

The catalogue (tests/subsidies/factories.catalogue, FY2026 = 令和8年度, rule: cap then
rate, 1,000円未満切捨て per facility):
  hub-meeting   多職種が参加する連携会議の開催   1,060,000円 per recipient, 10/10
  hub-district  資源把握・課題整理・対応策検討    500,000円 per district, 1/2
  hosp-training 同行訪問等研修                 42,000円 per trainee per half day, 10/10
  hosp-nurse    病状変化時の受入態勢確保         4,000,000円 once per facility, 10/10
complete_plan wishes hub-meeting with 報償費 300,000 + 旅費 100,000 = 400,000円."""

import io
from fractions import Fraction

import pytest
from openpyxl import load_workbook

from subsidies.applications import excel, reading
from subsidies.applications import services as service
from subsidies.applications.amounts import LineInput, has_beds, is_enhanced, line_amounts
from subsidies.applications.excel_layout import AMOUNT_HEADER, AMOUNT_NOTE_HEADER, HEADER_ROW
from subsidies.applications.rules import ApplicationError, plan_warnings, submission_problems
from subsidies.models import (
    Application,
    ApplicationStatus,
    Decision,
    MenuPlan,
    SubsidyMenu,
)
from subsidies.results.calculation import CalculationRule
from tests.subsidies.approvals import drive
from tests.subsidies.factories import categories, complete_plan, decision_input, pick

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def _line(key, **kwargs):
    values = dict(
        key=key,
        recipient_key="hub",
        recipient_name="hub",
        menu_code=key,
        menu_name=key,
        cap_amount=1_060_000,
        cap_unit="per_recipient",
        max_units=None,
        rate=Fraction(1),
        wish=True,
        expense_total=0,
        fiscal_year=2026,
        start_year=2026,
    )
    values.update(kwargs)
    return LineInput(**values)


def _fresh(application):
    return Application.objects.get(pk=application.pk)


def _step(application, action, user, **kwargs):
    return service.perform(application, action, user, _fresh(application).version, **kwargs)


def _decided(application, user, **kwargs):
    """Drafted by staff and approved (決裁) on the decision's date."""
    return drive.through_approval(
        application, "decide", user, _fresh(application).version, **kwargs
    )


def _save(application, plan, user):
    application, _ = service.save_plan(application, plan, user, _fresh(application).version)
    return application


def _started(w):
    """Hub A's plan with 甲病院 picked (issue 18, setting (a))."""
    application = service.start_application(w.hub_a, w.fiscal_year, w.coordinator)
    return pick(application, w.designation_a, w.coordinator)


# --- 1. start year -------------------------------------------------------------------------


def test_a_line_starting_next_year_carries_no_money_and_takes_no_part_in_the_rounding():
    # Same facility, 令和8年度 (2026): line "now" R8〜 with 800,500円 of expenses against a
    # 1,060,000円 cap → 800,500 (10/10); line "later" R9〜 with 800,000円 → 0, its expenses
    # neither count nor share the rounding. Facility G = 800,500 → 800,000 (1,000円未満
    # 切捨て), and the 500円 cut comes from "now" (the last line that carries money).
    amounts, totals = line_amounts(
        [
            _line("now", expense_total=800_500),
            _line("later", expense_total=800_000, start_year=2027),
        ],
        CalculationRule(),
    )
    later = amounts["later"]
    assert later.computed_amount == 0
    assert later.planned_later and not later.carries_money
    assert later.held_back == "令和9年度からの実施予定のため、令和8年度の交付対象外（0円）"
    assert later.note == later.held_back
    assert not later.over_cap
    assert amounts["now"].computed_amount == 800_000
    assert totals[0].computed_amount == 800_000
    assert totals[0].expense_total == 800_500  # this year's expenses only


def test_start_year_in_the_service_the_page_the_decision_and_the_excel(client, apps_world):
    w = apps_world
    application = _started(w)
    plan = complete_plan(application)
    # hub-district wished R9〜 with 800,000円: today 500,000 × 1 区割り × 1/2 = 250,000 would
    # be computed; it must be 0 with the reason.
    plan["lines"]["hub-district"].update(
        wish=True,
        planned_actions="資源マップを作成",
        start_year=2027,
        expenses={"honoraria": 800_000},
    )
    application = _save(application, plan, w.coordinator)
    view = reading.plan_view(application)
    assert view.amounts["hub-district"].computed_amount == 0
    assert view.amounts["hub-meeting"].computed_amount == 400_000
    assert view.grand_total == 400_000
    # saving warns, submitting is not refused
    warnings = plan_warnings(view)
    assert any("資源把握・課題整理・対応策検討" in x and "800,000円" in x for x in warnings)
    assert submission_problems(application) == []

    client.force_login(w.coordinator)
    html = client.get(f"/subsidies/applications/{application.pk}/edit/").content.decode()
    assert "R9〜から実施予定" in html and "data-plan-warnings" in html
    assert "今年度（令和8年度）の交付対象外です。交付見込額は0円です。" in html

    # the Excel plan: the amount column says 0 and the reason
    book = load_workbook(io.BytesIO(excel.export_workbook(application)))
    sheet = book[excel.HUB_SHEET]
    headers = [c.value for c in sheet[HEADER_ROW]]
    amount_col = headers.index(AMOUNT_HEADER) + 1
    note_col = headers.index(AMOUNT_NOTE_HEADER) + 1
    rows = {sheet.cell(r, 2).value: r for r in range(HEADER_ROW + 1, sheet.max_row + 1)}
    later_row = rows["資源把握・課題整理・対応策検討"]
    assert sheet.cell(later_row, amount_col).value == 0
    assert sheet.cell(later_row, amount_col).data_type == "n"
    assert "令和9年度からの実施予定" in sheet.cell(later_row, note_col).value
    assert sheet.cell(rows["多職種が参加する連携会議の開催"], amount_col).value == 400_000

    # the round trip reads the workbook back unchanged (the amount columns are not read)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.name = "plan.xlsx"
    buffer.seek(0)
    result = excel.read_workbook(_fresh(application), buffer)
    assert result.ok, result.errors
    assert result.plan["lines"]["hub-district"]["start_year"] == 2027

    # the decision gives it nothing: no amount row, no decision line
    _step(application, "submit", w.coordinator)
    _step(application, "start_review", w.staff)
    _decided(
        application,
        w.staff,
        decision=decision_input(_fresh(application), **{"hub-district": (250_000, "")}),
    )
    decision = Decision.objects.get(application=application)
    assert decision.total_amount == 400_000
    assert [line.menu.code for line in decision.lines.all()] == ["hub-meeting"]


# --- 2. eligibility from the register -----------------------------------------------------


def test_has_beds_and_enhanced_readings():
    assert has_beds("hospital", None)  # 病院: 20床以上 by definition
    assert not has_beds("clinic", None)  # no bed count in the register: 無床診療所
    assert has_beds("clinic", 19)
    assert not has_beds("hospital", 0)
    assert is_enhanced("enhanced_single") and is_enhanced("enhanced_linked")
    assert not is_enhanced("conventional") and not is_enhanced("none")


def _hospital_plan(application, designation):
    plan = complete_plan(application)
    d = designation.pk
    plan["lines"][f"hosp-nurse@{d}"].update(
        wish=True,
        planned_actions="退院調整看護師を新たに配置",
        start_year=2026,
        expenses={"wages": 3_000_000},
    )
    plan["lines"][f"hosp-training@{d}"].update(
        wish=True,
        planned_actions="同行訪問研修",
        start_year=2026,
        trainees=3,
        half_days=2,
        expenses={"honoraria": 300_000},
    )
    return plan


def test_eligibility_from_the_institutions_data(apps_world):
    w = apps_world
    SubsidyMenu.objects.filter(code="hosp-nurse").update(requires_beds=True)
    SubsidyMenu.objects.filter(code="hosp-training").update(targets_non_enhanced=True)
    institution = w.designation_a.institution
    institution.kind, institution.bed_count = "clinic", None  # 無床診療所
    institution.support_tier = "enhanced_single"  # 機能強化型（単独型）
    institution.save()
    application = _started(w)
    application = _save(application, _hospital_plan(application, w.designation_a), w.coordinator)
    d = w.designation_a.pk
    view = reading.plan_view(application)
    nurse, training = view.amounts[f"hosp-nurse@{d}"], view.amounts[f"hosp-training@{d}"]
    # both 0 with the reason from the register; the hospital's total is 0
    assert (nurse.computed_amount, training.computed_amount) == (0, 0)
    assert "入院機能（病床）を有する医療機関に限る" in nurse.note
    assert "機能強化型でない医療機関が対象" in training.note
    assert [t.computed_amount for t in view.totals if t.recipient_key != "hub"] == [0]
    # warned, not refused
    warnings = plan_warnings(view)
    assert sum("交付見込額は0円です" in x for x in warnings) == 2
    assert submission_problems(application) == []

    # the register corrected: 19 beds, 従来型 → both carry money again.
    # nurse: min(3,000,000, 4,000,000) = 3,000,000; training: 42,000 × 3人 × 2半日 = 252,000
    # < 300,000 → 252,000. Facility 3,252,000 (already whole thousands).
    institution.bed_count, institution.support_tier = 19, "conventional"
    institution.save()
    view = reading.plan_view(_fresh(application))
    assert view.amounts[f"hosp-nurse@{d}"].computed_amount == 3_000_000
    assert view.amounts[f"hosp-training@{d}"].computed_amount == 252_000
    assert plan_warnings(view) == []


def test_the_plan_page_shows_the_eligibility_reason_on_the_line(client, apps_world):
    w = apps_world
    SubsidyMenu.objects.filter(code="hosp-nurse").update(requires_beds=True)
    institution = w.designation_a.institution
    institution.kind, institution.bed_count = "clinic", 0
    institution.save()
    application = _started(w)
    client.force_login(w.coordinator)
    # the hospital's lines page (the hub's coordinator on its behalf, issue 18)
    page = f"/subsidies/hospital-lines/{application.pk}/{w.designation_a.pk}/"
    html = client.get(page).content.decode()
    # shown before the hub even wishes for it
    assert "入院機能（病床）を有する医療機関に限るメニューのため対象外" in html


# --- 4. a menu without its own cap (Osaka ③) -----------------------------------------------


def _within_menu(w):
    menu = SubsidyMenu.objects.create(
        fiscal_year=w.fiscal_year,
        recipient_type="hub",
        code="hub-within",
        name="急変時対応・24時間体制・情報共有",
        cap_amount=None,
        cap_within_other_menus=True,
        display_order=9,
    )
    menu.expense_categories.set(categories())
    return menu


def test_a_menu_without_its_own_cap_is_wished_without_expenses_and_submitted(apps_world):
    w = apps_world
    _within_menu(w)
    application = _started(w)
    plan = complete_plan(application)
    plan["lines"]["hub-within"].update(
        wish=True, planned_actions="①②の会議の中で24時間体制を検討", start_year=2026
    )
    application = _save(application, plan, w.coordinator)
    assert submission_problems(application) == []
    _step(application, "submit", w.coordinator)
    assert _fresh(application).status == S.SUBMITTED
    amount = reading.plan_view(_fresh(application)).amounts["hub-within"]
    # no cap of its own: 0, with the calculation's reason
    assert amount.computed_amount == 0 and amount.cap_total is None
    assert amount.note.startswith("独自の基準額なし")
    # the decision has no amount for it: listed with the reason, no decision line
    _step(application, "start_review", w.staff)
    from subsidies.applications.forms import DecideForm

    form = DecideForm(obj=_fresh(application), initial={"version": 1})
    assert [row["key"] for row in form.rows] == ["hub-meeting"]
    assert [row["key"] for row in form.held_back] == ["hub-within"]
    _decided(application, w.staff, decision=decision_input(_fresh(application)))
    decision = Decision.objects.get(application=application)
    assert decision.total_amount == 400_000
    assert decision.lines.count() == 1


def test_expenses_on_a_menu_without_its_own_cap_warn(apps_world):
    w = apps_world
    _within_menu(w)
    application = _started(w)
    plan = complete_plan(application)
    plan["lines"]["hub-within"].update(
        wish=True, planned_actions="ICTの検討", start_year=2026, expenses={"travel": 50_000}
    )
    application = _save(application, plan, w.coordinator)
    warnings = plan_warnings(reading.plan_view(application))
    assert any("独自の基準額がないメニュー" in x and "50,000円" in x for x in warnings)
    assert submission_problems(application) == []


# --- 5. 取り組み例 on the plan form ----------------------------------------------------------


def test_examples_requirement_and_expenses_as_written_fold_on_the_plan_form(client, apps_world):
    w = apps_world
    SubsidyMenu.objects.filter(code="hub-meeting").update(
        examples="会議の開催\n部会でツール等を検討・作成",
        expense_note="会議の開催にかかる経費（報償費、旅費、会場費等）",
    )
    application = _started(w)
    client.force_login(w.coordinator)
    html = client.get(f"/subsidies/applications/{application.pk}/edit/").content.decode()
    start = html.index('data-line="hub-meeting"')
    line = html[start : html.index("</fieldset>", start)]
    assert '<details class="menu-reference">' in line
    assert "<li>部会でツール等を検討・作成</li>" in line
    assert "会議の開催にかかる経費（報償費、旅費、会場費等）" in line


# --- 7. その他取り組み事項 with its start year -------------------------------------------------


def test_other_actions_with_their_start_year_in_form_diff_submission_and_excel(apps_world):
    w = apps_world
    application = _started(w)
    plan = complete_plan(
        application,
        other_actions="在宅医療に関する住民アンケート",
        hospital_other_actions="病院間の当番表づくり",
        hospital_other_actions_start_year=2026,
    )
    application = _save(application, plan, w.coordinator)
    # written without a start year: submission names it
    assert submission_problems(application) == ["「その他取り組み事項の開始年度」が未選択です。"]
    plan["other_actions_start_year"] = 2028
    application, changes = service.save_plan(application, plan, w.coordinator, application.version)
    assert changes == [("その他取り組み事項の開始年度", "（空欄）", "R10〜")]
    assert submission_problems(application) == []
    # a year not offered is refused, nothing saved
    plan["other_actions_start_year"] = 2031
    with pytest.raises(ApplicationError) as refused:
        service.save_plan(application, plan, w.coordinator, application.version)
    assert "「その他取り組み事項の開始年度」が選択肢にありません。" in refused.value.problems
    assert _fresh(application).other_actions_start_year == 2028
    # no money of its own: the total is the meeting line's 400,000
    assert reading.plan_view(_fresh(application)).grand_total == 400_000

    # Excel: written on 4-③ as R10〜, read back; a changed year is read as typed
    book = load_workbook(io.BytesIO(excel.export_workbook(_fresh(application))))
    sheet = book[excel.MEETING_SHEET]
    assert (sheet["A9"].value, sheet["B9"].value) == ("その他取り組み事項の開始年度", "R10〜")
    assert sheet["B10"].value == "病院間の当番表づくり" and sheet["B11"].value == "R8〜"
    sheet["B9"].value = "令和9年度"
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.name = "plan.xlsx"
    buffer.seek(0)
    result = excel.read_workbook(_fresh(application), buffer)
    assert result.ok, result.errors
    assert result.plan["other_actions_start_year"] == 2027
    assert any("R9〜として読み取りました" in note for note in result.notes)


def test_other_actions_on_the_form_page(client, apps_world):
    w = apps_world
    application = _started(w)
    client.force_login(w.coordinator)
    from tests.subsidies.applications.test_application_pages import form_data

    data, html = form_data(client, application)
    assert "積極的医療機関のその他取り組み事項（様式4-②）" in html
    data.update(
        other_actions="住民アンケート",
        other_actions_start_year="2027",
        hospital_other_actions="当番表",
        hospital_other_actions_start_year="2026",
    )
    response = client.post(f"/subsidies/applications/{application.pk}/edit/", data)
    assert response.status_code == 302
    saved = _fresh(application)
    assert (saved.other_actions_start_year, saved.hospital_other_actions_start_year) == (
        2027,
        2026,
    )
    assert saved.hospital_other_actions == "当番表"
    assert MenuPlan.objects.filter(application=application).count() > 0


def test_other_actions_print_with_their_start_year_on_the_plan_pdf(apps_world):
    from reports.documents import application_pdf
    from tests.reports.test_documents import text_of

    w = apps_world
    application = _started(w)
    plan = complete_plan(
        application,
        other_actions="住民アンケート",
        other_actions_start_year=2027,
        hospital_other_actions="病院間の当番表づくり",
        hospital_other_actions_start_year=2026,
    )
    application = _save(application, plan, w.coordinator)
    _step(application, "submit", w.coordinator)
    text = text_of(application_pdf(_fresh(application).versions.get()))
    assert "その他取り組み事項（補助メニュー以外。独自の補助額はありません）" in text
    assert "拠点（令和9年度〜）" in text and "住民アンケート" in text
    # the narrow heading cell wraps in the extracted text: 積極的医療機関（令和8年 … 度〜）
    assert "積極的医療機関（令和8年" in text and "病院間の当番表づくり" in text


def test_once_per_facility_read_per_year_is_not_refused_by_last_years_grant(apps_world):
    from tests.subsidies.factories import catalogue

    w = apps_world
    last_year, _ = catalogue(2025)
    d = w.designation_a.pk
    # 令和7年度: the nurse placement decided for 甲病院 (wages 3,000,000 ≤ 4,000,000 → 3,000,000)
    earlier = pick(
        service.start_application(w.hub_a, last_year, w.coordinator), w.designation_a, w.coordinator
    )
    plan = complete_plan(earlier)
    plan["lines"][f"hosp-nurse@{d}"].update(
        wish=True, planned_actions="看護師配置", start_year=2025, expenses={"wages": 3_000_000}
    )
    earlier = _save(earlier, plan, w.coordinator)
    _step(earlier, "submit", w.coordinator)
    _step(earlier, "start_review", w.staff)
    _decided(earlier, w.staff, decision=decision_input(_fresh(earlier)))
    assert Decision.objects.get(application=earlier).total_amount == 400_000 + 3_000_000

    application = _started(w)
    application = _save(application, _hospital_plan(application, w.designation_a), w.coordinator)
    # read as once ever (the default): refused, 0 with the calculation's reason
    nurse = reading.plan_view(application).amounts[f"hosp-nurse@{d}"]
    assert nurse.computed_amount == 0 and "一施設一回限り" in nurse.note
    # read as once per year: this year's placement is 3,000,000 again
    SubsidyMenu.objects.filter(fiscal_year=w.fiscal_year, code="hosp-nurse").update(
        once_per_facility_scope="per_year"
    )
    nurse = reading.plan_view(_fresh(application)).amounts[f"hosp-nurse@{d}"]
    assert nurse.computed_amount == 3_000_000
