"""The what-if on a chosen base (plans, decisions, survey), its order, its impact per menu,
hub and area, its workbook, and adopting its caps into a 調整中 catalogue.

Hand working for every test here (apps_world, tests/subsidies/factories.catalogue): hubs
甲拠点 (甲圏域) and 乙拠点 (乙圏域) each plan the meeting menu (cap 1,060,000, rate 10/10)
with 300,000 + 100,000 = 400,000円 of expenses: 400,000円 each, 800,000円 in all.
Scenario cap 300,000: min(400,000, 300,000) = 300,000 each, 600,000 in all (△200,000)."""

import io
from fractions import Fraction

import openpyxl
import pytest
from django.urls import reverse

from subsidies.budget.services import ADOPT_ACTION, BudgetRefused, adopt_caps
from subsidies.budget.what_if import bases_for, survey_scenario
from subsidies.models import FiscalYear, SubsidyMenu
from subsidies.results.what_if import DECISIONS, MenuChange, _decided_scenario, what_if
from tests.factories import coordinator_of
from tests.subsidies.approvals import drive
from tests.subsidies.factories import application_in, decision_input
from zaitaku_portal.models import AuditEntry
from zaitaku_portal.spreadsheets import YEN_FORMAT

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(apps_world):
    w = apps_world
    w.a = application_in("under_review", w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    w.coordinator_b = coordinator_of(w.hub_b, username="coordinator_b")
    w.b = application_in("under_review", w.hub_b, w.fiscal_year, w.coordinator_b, w.staff)
    w.fiscal_year.budget_amount = 700_000
    w.fiscal_year.save()
    return w


def _rows(rows):
    return [(r.label, r.baseline, r.scenario, r.difference) for r in rows]


def test_plans_base_per_menu_hub_and_area_in_the_input_order(planned):
    w = planned
    meeting, district = w.menus["hub-meeting"], w.menus["hub-district"]
    # typed: the district menu's rate first, then the meeting's cap; neither menu's order
    # in the catalogue decides the order of the changes
    changes = {
        district.pk: MenuChange(rate=Fraction(1, 3)),
        meeting.pk: MenuChange(cap_amount=300_000),
    }
    result = what_if(w.fiscal_year, changes)
    assert [m.name for m, _ in result.changes] == [district.name, meeting.name]
    # menus as the form lists them: hub menus first, then display order
    assert [r.label for r in result.by_menu] == [
        "多職種が参加する連携会議の開催",
        "資源把握・課題整理・対応策検討",
        "同行訪問等研修",
        "システム保守",
        "病状変化時の受入態勢確保",
    ]
    assert _rows(result.by_menu)[0] == (
        "多職種が参加する連携会議の開催",
        800_000,
        600_000,
        -200_000,
    )
    assert _rows(result.by_hub) == [
        ("乙拠点", 400_000, 300_000, -100_000),
        ("甲拠点", 400_000, 300_000, -100_000),
    ]
    assert _rows(result.by_area) == [
        ("乙圏域", 400_000, 300_000, -100_000),
        ("甲圏域", 400_000, 300_000, -100_000),
    ]
    # budget 700,000: now 100,000 short (△100,000), the scenario leaves 100,000
    assert (result.baseline_balance, result.scenario_balance) == (-100_000, 100_000)
    assert result.application_count == 2


def test_decisions_base_keeps_the_cut_of_a_reduced_line(planned):
    w = planned
    # 甲拠点 decided 350,000 of its 400,000 (cut); 乙拠点 stays under review (not a decision)
    drive.decide(
        w.a, w.staff, decision=decision_input(w.a, **{"hub-meeting": (350_000, "予算の範囲内")})
    )
    meeting = w.menus["hub-meeting"]
    result = what_if(w.fiscal_year, {}, DECISIONS)
    assert (result.baseline_total, result.scenario_total) == (350_000, 350_000)
    # cap 300,000: scratch 300,000 × decided 350,000 ÷ computed 400,000 = 262,500 → 262,000
    result = what_if(w.fiscal_year, {meeting.pk: MenuChange(cap_amount=300_000)}, DECISIONS)
    assert _rows(result.by_hub) == [("甲拠点", 350_000, 262_000, -88_000)]
    # cap 500,000 is above the 400,000 of expenses: computed unchanged, decided kept
    result = what_if(w.fiscal_year, {meeting.pk: MenuChange(cap_amount=500_000)}, DECISIONS)
    assert result.scenario_total == 350_000


def test_the_decided_line_rule_by_hand():
    # (decided, computed, scratch, unit)
    assert _decided_scenario(400_000, 400_000, 300_000, 1_000) == 300_000  # not cut: scratch
    assert _decided_scenario(350_000, 400_000, 400_000, 1_000) == 350_000  # same: decided
    assert _decided_scenario(350_000, 400_000, 500_000, 1_000) == 437_000  # 437,500 → 437,000
    assert _decided_scenario(0, 0, 100_000, 1_000) == 100_000  # nothing computed, not cut


def test_a_survey_amount_follows_its_cap_and_the_districts():
    meeting = SubsidyMenu(cap_amount=1_060_000, cap_unit="per_recipient", name="会議")
    # 1,060,000 at cap 1,060,000 → cap 800,000: 1,060,000 × 800,000 ÷ 1,060,000 = 800,000
    assert survey_scenario(1_060_000, meeting, MenuChange(cap_amount=800_000), 3, 1_000) == 800_000
    # × 3 区割り when the scratch copy multiplies by them
    assert survey_scenario(1_060_000, meeting, MenuChange(per_district=True), 3, 1_000) == 3_180_000
    # a rate change does not apply (no expenses were surveyed)
    assert (
        survey_scenario(1_060_000, meeting, MenuChange(rate=Fraction(1, 2)), 3, 1_000) == 1_060_000
    )
    uncapped = SubsidyMenu(cap_amount=None, cap_unit="per_recipient", name="未定")
    assert survey_scenario(500_000, uncapped, MenuChange(cap_amount=1), 1, 1_000) == 500_000


def test_the_survey_base_is_offered_only_with_a_survey(planned):
    assert [b.key for b in bases_for(planned.fiscal_year)] == ["plans", "decisions"]


def test_the_page_shows_hubs_and_areas_and_exports_yen_cells(planned, client):
    w = planned
    client.force_login(w.staff)
    meeting = w.menus["hub-meeting"]
    query = {f"cap{meeting.pk}": "300,000", "base": "plans"}
    page = client.get(reverse("subsidies:what_if", args=[2026]), query).content.decode()
    assert "拠点別" in page and "圏域別" in page and "△200,000円" in page
    assert "この試算の上限額・補助率を補助メニューに反映する" not in page  # year is 確定
    response = client.get(reverse("subsidies:what_if_xlsx", args=[2026]), query)
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["条件", "補助メニュー別", "拠点別", "圏域別"]
    hubs = book["拠点別"]
    assert [c.value for c in hubs[2]] == ["乙拠点", 400_000, 300_000, -100_000]
    assert hubs["B2"].number_format == YEN_FORMAT
    assert [c.value for c in hubs[4]] == ["合計", 800_000, 600_000, -200_000]
    assert book["条件"]["B7"].value == "上限額 1,060,000円→300,000円"
    assert hubs.page_setup.orientation == "landscape"


@pytest.fixture
def draft_year(planned):
    FiscalYear.objects.filter(pk=planned.fiscal_year.pk).update(
        catalogue_status=FiscalYear.CatalogueStatus.DRAFT
    )
    planned.fiscal_year.refresh_from_db()
    return planned


def test_adopting_writes_the_caps_with_before_and_after(draft_year, client):
    w = draft_year
    meeting, district = w.menus["hub-meeting"], w.menus["hub-district"]
    client.force_login(w.staff)
    posted = {
        f"cap{meeting.pk}": "300,000",
        f"rate{meeting.pk}": "10/10",
        f"cap{district.pk}": "500000",
        f"district{district.pk}": "on",
        f"rate{district.pk}": "2/3",
    }
    response = client.post(reverse("subsidies:what_if_adopt", args=[2026]), posted)
    assert response.status_code == 302
    assert response["Location"] == reverse("subsidies:catalogue", args=[2026])
    meeting.refresh_from_db()
    district.refresh_from_db()
    assert meeting.cap_amount == 300_000
    assert (district.rate_numerator, district.rate_denominator) == (2, 3)
    entries = {e.target_id: e for e in AuditEntry.objects.filter(action=ADOPT_ACTION)}
    assert set(entries) == {str(meeting.pk), str(district.pk)}
    assert entries[str(meeting.pk)].changes == {"上限額（円）": {"from": 1_060_000, "to": 300_000}}
    assert entries[str(district.pk)].changes == {
        "補助率（分子）": {"from": 1, "to": 2},
        "補助率（分母）": {"from": 2, "to": 3},
    }


def test_adopting_is_refused_in_japanese_and_changes_nothing(draft_year):
    w = draft_year
    meeting = w.menus["hub-meeting"]
    change = {meeting.pk: MenuChange(cap_amount=300_000)}
    with pytest.raises(BudgetRefused) as refused:
        adopt_caps(w.fiscal_year, change, w.coordinator)
    assert str(refused.value).startswith(
        "試算の上限額を補助メニューに反映できるのは県職員のみです。"
    )
    FiscalYear.objects.filter(pk=w.fiscal_year.pk).update(
        catalogue_status=FiscalYear.CatalogueStatus.CONFIRMED
    )
    with pytest.raises(BudgetRefused) as refused:
        adopt_caps(FiscalYear.objects.get(pk=w.fiscal_year.pk), change, w.staff)
    assert str(refused.value) == (
        "令和8年度の補助メニューは確定しているため、試算の上限額は反映できません"
        "（反映できるのは調整中の年度だけです）。"
    )
    meeting.refresh_from_db()
    assert meeting.cap_amount == 1_060_000
    assert not AuditEntry.objects.filter(action=ADOPT_ACTION).exists()


def test_adopting_a_cap_the_catalogue_refuses_writes_no_menu(draft_year):
    # a 月額 cap needs its 単位数の上限: the システム保守 menu without one is refused, and the
    # valid meeting change typed before it is rolled back with it (all or nothing)
    w = draft_year
    meeting, system = w.menus["hub-meeting"], w.menus["hosp-system"]
    SubsidyMenu.objects.filter(pk=system.pk).update(max_units=None)  # a broken 月額 menu
    changes = {
        meeting.pk: MenuChange(cap_amount=300_000),
        system.pk: MenuChange(cap_amount=20_000),
    }
    with pytest.raises(BudgetRefused) as refused:
        adopt_caps(w.fiscal_year, changes, w.staff)
    assert "「システム保守」: 月額の上限には月数の上限を入力してください。" in str(refused.value)
    meeting.refresh_from_db()
    assert meeting.cap_amount == 1_060_000  # rolled back with the refused one


def test_adopting_is_refused_once_a_decision_froze_the_caps(draft_year):
    import django.utils.timezone as tz

    w = draft_year
    FiscalYear.objects.filter(pk=w.fiscal_year.pk).update(catalogue_frozen_at=tz.now())
    meeting = w.menus["hub-meeting"]
    with pytest.raises(BudgetRefused) as refused:
        adopt_caps(w.fiscal_year, {meeting.pk: MenuChange(cap_amount=300_000)}, w.staff)
    assert str(refused.value) == (
        "令和8年度の補助メニューは交付決定に使われたため、上限額・補助率は変更できません。"
        "変更する場合は新しい年度を作成してください。"
    )
    meeting.refresh_from_db()
    assert meeting.cap_amount == 1_060_000
