"""The two real catalogues ship with DOMAIN.md's table of caps (the seeds' text itself is
checked line by line in test_catalogue_seed_text.py), and a catalogue used by a decision is
frozen."""

from fractions import Fraction

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command

from subsidies.catalogue.services import (
    CATALOGUE_DIR,
    CatalogueError,
    copy_fiscal_year,
    freeze_catalogue,
    load_catalogue_file,
)
from subsidies.models import ExpenseCategory, FiscalYear, RequirementItem, SubsidyMenu
from zaitaku_portal.models import AuditEntry, Role

OSAKA = [
    ("hub", "①会議の開催", 1_060_000),
    ("hub", "②地域の資源の把握・関係機関等との調整", 3_536_000),
    ("hub", "③会議の開催・関係機関等との調整", None),
    ("hub", "④在宅医療にかかる研修等", 332_000),
    ("hub", "⑤在宅医療の普及啓発", 322_000),
    ("hospital", "①他医療機関等への調整・支援", 304_000),
    ("hospital", "④他医療機関等への調整・支援、非常用電源の整備", 636_000),
]
OKINAWA = [
    ("hub", "多職種が参加する連携会議の開催", 1_060_000, "per_recipient"),
    (
        "hub",
        "資源（所在地や機能）の把握、連携上の課題の把握、課題の整理をし、対応策の検討",
        600_000,
        "per_recipient",
    ),
    ("hub", "関係機関との連携、調整", 1_400_000, "per_recipient"),
    ("hub", "急変時の対応体制や24時間体制の構築", 1_200_000, "per_recipient"),
    ("hub", "ICTシステム導入経費", 550_000, "per_recipient"),
    ("hub", "研修の開催", 518_000, "per_recipient"),
    ("hub", "在宅医療の普及啓発", 472_000, "per_recipient"),
    (
        "hospital",
        "医療機関間で連携した24時間診療体制の構築：連携体制構築にかかる経費",
        200_000,
        "per_recipient",
    ),
    (
        "hospital",
        "医療機関間で連携した24時間診療体制の構築：連携体制構築にかかるシステム導入費",
        2_500_000,
        "per_recipient",
    ),
    ("hospital", "他医療機関等との調整", 200_000, "per_recipient"),
    ("hospital", "同行訪問等研修", 42_000, "per_person_half_day"),
    ("hospital", "BCP策定・BCP策定支援", 518_000, "per_recipient"),
    ("hospital", "在宅療養者の病状変化時の受け入れ態勢確保", 4_000_000, "once_per_facility"),
]


def load(name):
    return load_catalogue_file(settings.BASE_DIR / CATALOGUE_DIR / f"{name}.json")


@pytest.mark.django_db
def test_osaka_fy2024_catalogue_is_exactly_the_table():
    fiscal_year = load("osaka_fy2024")
    assert str(fiscal_year) == "令和6年度"
    assert fiscal_year.budget_amount == 574_420_000
    assert fiscal_year.catalogue_status == FiscalYear.CatalogueStatus.CONFIRMED
    menus = [
        (m.recipient_type, m.name, m.cap_amount)
        for m in fiscal_year.menus.order_by("display_order")
    ]
    assert menus == OSAKA
    assert all(m.rate == Fraction(1) for m in fiscal_year.menus.all())
    bcp = fiscal_year.menus.get(code="osaka-hospital-4")
    assert [c.name for c in bcp.expense_categories.all()] == ["備品購入費"]
    assert [i.number for i in bcp.requirement_items.all()] == [4]


@pytest.mark.django_db
def test_okinawa_fy2026_catalogue_is_exactly_the_table():
    fiscal_year = load("okinawa_fy2026")
    assert str(fiscal_year) == "令和8年度"
    assert fiscal_year.catalogue_status == FiscalYear.CatalogueStatus.DRAFT
    menus = [
        (m.recipient_type, m.name, m.cap_amount, m.cap_unit)
        for m in fiscal_year.menus.order_by("display_order")
    ]
    assert menus == OKINAWA
    trainee = fiscal_year.menus.get(name="同行訪問等研修")
    assert trainee.cap_label() == "42千円（受講者1人・半日あたり）"
    ict = fiscal_year.menus.get(name="ICTシステム導入経費")
    assert [c.name for c in ict.expense_categories.all()] == [
        "需用費",
        "委託料",
        "使用料及び賃借料",
        "工事請負費",
    ]


@pytest.mark.django_db
def test_requirement_items_five_for_hubs_six_for_hospitals_and_categories():
    fiscal_year = load("okinawa_fy2026")
    items = RequirementItem.objects.filter(fiscal_year=fiscal_year)
    assert items.filter(recipient_type="hub").count() == 5
    assert items.filter(recipient_type="hospital").count() == 6
    assert ExpenseCategory.objects.count() == 13


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    load("osaka_fy2024")
    load("osaka_fy2024")
    assert FiscalYear.objects.count() == 1
    assert SubsidyMenu.objects.count() == 7


@pytest.mark.django_db
def test_frozen_catalogue_refuses_cap_changes_with_a_japanese_message():
    fiscal_year = load("osaka_fy2024")
    menu = fiscal_year.menus.get(code="osaka-hub-1")
    freeze_catalogue(fiscal_year, None, reason="交付決定")
    menu.refresh_from_db()
    menu.cap_amount = 2_000_000
    with pytest.raises(ValidationError) as error:
        menu.full_clean()
    assert "令和6年度の補助メニューは交付決定に使われたため、上限額（円）は変更できません" in str(
        error.value
    )
    with pytest.raises(ValidationError):
        menu.save()
    menu.refresh_from_db()
    assert menu.cap_amount == 1_060_000
    menu.examples = "説明だけの変更は可能"
    menu.full_clean()
    menu.save()


@pytest.mark.django_db
def test_new_fiscal_year_copies_the_previous_one_unfrozen():
    source = load("osaka_fy2024")
    freeze_catalogue(source, None, reason="交付決定")
    copy = copy_fiscal_year(source, 2025, actor=None)
    assert str(copy) == "令和7年度"
    assert not copy.catalogue_frozen
    assert source.catalogue_confirmed  # Osaka FY2024 ships 確定 ...
    assert copy.catalogue_status == FiscalYear.CatalogueStatus.DRAFT  # ... its copy starts 調整中
    assert copy.catalogue_confirmed_at is None and copy.catalogue_confirmed_by is None
    assert copy.other_income_level == source.other_income_level
    within = copy.menus.get(code="osaka-hub-3")
    assert within.cap_within_other_menus and within.cap_amount is None
    assert copy.menus.get(code="osaka-hub-1").example_lines() == (
        source.menus.get(code="osaka-hub-1").example_lines()
    )
    not_funded = copy.requirement_items.get(recipient_type="hospital", number=6)
    assert not_funded.action_name == "⑥患者急変時の受入（入院機能を有する場合）"
    assert [(m.name, m.cap_amount) for m in copy.menus.order_by("display_order")] == [
        (m.name, m.cap_amount) for m in source.menus.order_by("display_order")
    ]
    copied = copy.menus.get(code="osaka-hospital-4")
    assert copied.requirement_items.get().fiscal_year == copy
    assert [c.name for c in copied.expense_categories.all()] == ["備品購入費"]
    for original in source.menus.all():
        twin = copy.menus.get(code=original.code)
        assert list(twin.expense_categories.all()) == list(original.expense_categories.all())
    copied.cap_amount = 700_000
    copied.full_clean()
    copied.save()
    with pytest.raises(CatalogueError, match="令和7年度は既に登録されています"):
        copy_fiscal_year(source, 2025, actor=None)


@pytest.mark.django_db
def test_staff_cap_change_in_admin_is_audited_and_frozen_years_show_caps_read_only(client):
    from tests.factories import UserFactory

    fiscal_year = load("okinawa_fy2026")
    menu = fiscal_year.menus.get(code="okinawa-hub-ict")
    staff = UserFactory(role=Role.PREFECTURE_STAFF)
    client.force_login(staff)
    url = f"/admin/subsidies/subsidymenu/{menu.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in {"requirement_items", "expense_categories"}
    }
    data.update(
        cap_amount="600000",
        requirement_items=[i.pk for i in menu.requirement_items.all()],
        expense_categories=[c.pk for c in menu.expense_categories.all()],
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    menu.refresh_from_db()
    assert menu.cap_amount == 600_000
    entry = AuditEntry.objects.get(action="上限額・補助率の変更")
    assert entry.actor == staff
    assert entry.changes == {"上限額（円）": {"from": 550_000, "to": 600_000}}

    freeze_catalogue(fiscal_year, staff, reason="交付決定")
    page = client.get(url)
    assert "cap_amount" in page.context["adminform"].readonly_fields
    assert b'name="cap_amount"' not in page.content


@pytest.mark.django_db
def test_load_catalogue_command_reports_and_refuses_unknown_files(capsys):
    call_command("load_catalogue", "osaka_fy2024")
    assert "令和6年度: 7 メニュー" in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="定義ファイルがありません"):
        call_command("load_catalogue", "unknown_fy1999")
