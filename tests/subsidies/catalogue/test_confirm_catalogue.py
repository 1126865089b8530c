"""A fiscal year's catalogue goes 調整中 → 確定 once, by prefecture staff, with who and when
recorded and audited (issue 14). catalogue_refusal is the message a decision gives while 調整中."""

import pytest
from django.conf import settings
from django.urls import reverse

from subsidies.catalogue.services import (
    CATALOGUE_DIR,
    CatalogueError,
    catalogue_refusal,
    confirm_catalogue,
    copy_fiscal_year,
    load_catalogue_file,
)
from subsidies.models import FiscalYear, SubsidyMenu
from tests.factories import UserFactory
from zaitaku_portal.models import AuditEntry, Role

DRAFT = FiscalYear.CatalogueStatus.DRAFT
CONFIRMED = FiscalYear.CatalogueStatus.CONFIRMED


def load(name):
    return load_catalogue_file(settings.BASE_DIR / CATALOGUE_DIR / f"{name}.json")


@pytest.fixture
def staff(db):
    return UserFactory(role=Role.PREFECTURE_STAFF, username="ken", full_name="県 太郎")


@pytest.mark.django_db
def test_staff_confirm_records_who_and_when_and_audits_it(staff):
    okinawa = load("okinawa_fy2026")
    assert okinawa.catalogue_status == DRAFT
    confirmed = confirm_catalogue(okinawa, staff)
    okinawa.refresh_from_db()
    assert okinawa.catalogue_status == CONFIRMED and okinawa.catalogue_confirmed
    assert okinawa.catalogue_confirmed_by == staff
    assert okinawa.catalogue_confirmed_at is not None
    assert confirmed.pk == okinawa.pk
    assert okinawa.catalogue_state_label().startswith("確定（令和")
    assert okinawa.catalogue_state_label().endswith("、県 太郎）")
    entry = AuditEntry.objects.get(action="補助メニューの確定")
    assert entry.actor == staff
    assert entry.target_type == "subsidies.FiscalYear" and entry.target_id == str(okinawa.pk)
    assert entry.changes == {"補助メニューの状態": {"from": "調整中", "to": "確定"}}


@pytest.mark.django_db
def test_confirming_twice_is_refused_and_audits_once(staff):
    okinawa = load("okinawa_fy2026")
    confirm_catalogue(okinawa, staff)
    with pytest.raises(CatalogueError, match="令和8年度の補助メニューは既に確定しています"):
        confirm_catalogue(okinawa, staff)
    assert AuditEntry.objects.filter(action="補助メニューの確定").count() == 1
    osaka = load("osaka_fy2024")  # ships 確定
    with pytest.raises(CatalogueError, match="既に確定しています"):
        confirm_catalogue(osaka, staff)


@pytest.mark.django_db
def test_a_menu_without_a_needed_cap_refuses_confirmation_naming_it(staff):
    okinawa = load("okinawa_fy2026")
    SubsidyMenu.objects.filter(code="okinawa-hub-ict").update(cap_amount=None)
    with pytest.raises(CatalogueError) as error:
        confirm_catalogue(okinawa, staff)
    message = str(error.value)
    assert (
        "上限額が入力されていないメニューがあります：連携の拠点「ICTシステム導入経費」" in message
    )
    okinawa.refresh_from_db()
    assert okinawa.catalogue_status == DRAFT and okinawa.catalogue_confirmed_by is None
    assert not AuditEntry.objects.filter(action="補助メニューの確定").exists()
    # a 月額 cap without its months is a missing cap too
    SubsidyMenu.objects.filter(code="okinawa-hub-ict").update(
        cap_amount=27_000, cap_unit="per_month", max_units=None
    )
    with pytest.raises(CatalogueError, match="ICTシステム導入経費"):
        confirm_catalogue(okinawa, staff)
    SubsidyMenu.objects.filter(code="okinawa-hub-ict").update(max_units=12)
    confirm_catalogue(okinawa, staff)


@pytest.mark.django_db
def test_a_menu_done_within_other_menus_needs_no_cap(staff):
    """Osaka's ③ (【上記①、②で対応】) has no cap of its own and does not stop confirming."""
    osaka = load("osaka_fy2024")
    copy = copy_fiscal_year(osaka, 2025, staff)
    assert copy.catalogue_status == DRAFT
    assert copy.menus.get(code="osaka-hub-3").cap_amount is None
    confirm_catalogue(copy, staff)
    copy.refresh_from_db()
    assert copy.catalogue_confirmed


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.HUB_COORDINATOR, Role.HEALTH_CENTER])
def test_only_prefecture_staff_may_confirm(role):
    okinawa = load("okinawa_fy2026")
    with pytest.raises(CatalogueError, match="補助メニューの確定は県職員のみが行えます"):
        confirm_catalogue(okinawa, UserFactory(role=role))
    with pytest.raises(CatalogueError, match="県職員のみ"):
        confirm_catalogue(okinawa, None)
    okinawa.refresh_from_db()
    assert okinawa.catalogue_status == DRAFT


@pytest.mark.django_db
def test_catalogue_refusal_says_draft_and_where_it_is_confirmed(staff):
    okinawa = load("okinawa_fy2026")
    message = catalogue_refusal(okinawa)
    assert "令和8年度の補助メニューは上限額が調整中のため、交付決定はできません" in message
    assert "「補助メニュー（令和8年度）」の画面" in message
    assert reverse("subsidies:catalogue", args=[2026]) in message
    confirm_catalogue(okinawa, staff)
    okinawa.refresh_from_db()
    assert catalogue_refusal(okinawa) is None


@pytest.mark.django_db
def test_confirm_button_posts_for_staff_and_is_refused_to_others(client, staff):
    okinawa = load("okinawa_fy2026")
    page_url = reverse("subsidies:catalogue", args=[2026])
    confirm_url = reverse("subsidies:catalogue_confirm", args=[2026])
    coordinator = UserFactory(role=Role.HUB_COORDINATOR)
    client.force_login(coordinator)
    page = client.get(page_url).content.decode()
    assert "調整中" in page and confirm_url not in page  # no button for a coordinator
    assert client.post(confirm_url).status_code == 403
    okinawa.refresh_from_db()
    assert okinawa.catalogue_status == DRAFT

    client.force_login(staff)
    page = client.get(page_url).content.decode()
    assert f'action="{confirm_url}"' in page
    assert "令和8年度の補助メニューを確定する" in page
    assert client.get(confirm_url).status_code == 405  # GET never writes
    response = client.post(confirm_url, follow=True)
    assert response.redirect_chain[-1][0] == page_url
    text = response.content.decode()
    assert "令和8年度の補助メニューを確定しました" in text
    assert "県 太郎" in text and confirm_url not in text
    okinawa.refresh_from_db()
    assert okinawa.catalogue_confirmed_by == staff
    again = client.post(confirm_url, follow=True).content.decode()
    assert "既に確定しています" in again
    assert AuditEntry.objects.filter(action="補助メニューの確定").count() == 1


@pytest.mark.django_db
def test_admin_shows_the_state_read_only_and_confirms_through_the_service(client, staff):
    okinawa = load("okinawa_fy2026")
    load("osaka_fy2024")
    client.force_login(staff)
    listing = client.get("/admin/subsidies/fiscalyear/").content.decode()
    assert "調整中（上限額は確定前の案）" in listing and "確定（令和" in listing
    change = client.get(f"/admin/subsidies/fiscalyear/{okinawa.pk}/change/")
    assert "catalogue_status" in change.context["adminform"].readonly_fields
    assert b'name="catalogue_status"' not in change.content
    response = client.post(
        "/admin/subsidies/fiscalyear/",
        {"action": "confirm_selected_catalogues", "_selected_action": [okinawa.pk]},
        follow=True,
    )
    assert "令和8年度の補助メニューを確定しました" in response.content.decode()
    okinawa.refresh_from_db()
    assert okinawa.catalogue_confirmed_by == staff
    response = client.post(
        "/admin/subsidies/fiscalyear/",
        {"action": "copy_to_next_year", "_selected_action": [okinawa.pk]},
        follow=True,
    )
    assert (
        "令和9年度を令和8年度から作成しました（補助メニューは調整中）" in response.content.decode()
    )
    assert FiscalYear.objects.get(year=2027).catalogue_status == DRAFT


@pytest.mark.django_db
def test_review_home_says_each_years_state(client, staff):
    load("okinawa_fy2026")
    load("osaka_fy2024")
    client.force_login(staff)
    text = client.get(reverse("subsidies:review_home")).content.decode()
    assert "上限額調整中（交付決定不可）" in text
    assert "確定（令和" in text


@pytest.mark.django_db
def test_menu_spreadsheet_round_trip_keeps_the_new_fields(staff):
    """The admin's menu export/import (SubsidyMenuResource) carries 推進事業 items, their
    examples and the eligibility flags; importing the export back changes nothing."""
    from subsidies.admin import SubsidyMenuResource

    load("okinawa_fy2026")
    dataset = SubsidyMenuResource().export(SubsidyMenu.objects.order_by("pk"))
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    for name in ("promotion_items", "promotion_examples", "requires_beds", "targets_non_enhanced"):
        assert name in row
    before = list(
        SubsidyMenu.objects.order_by("pk").values_list(
            "code", "promotion_items", "promotion_examples", "requires_beds", "examples"
        )
    )
    result = SubsidyMenuResource().import_data(dataset, dry_run=False, user=staff)
    assert not result.has_errors() and not result.has_validation_errors()
    after = list(
        SubsidyMenu.objects.order_by("pk").values_list(
            "code", "promotion_items", "promotion_examples", "requires_beds", "examples"
        )
    )
    assert after == before
    assert SubsidyMenu.objects.get(code="okinawa-hub-meeting").promotion_items == ["i"]
