"""The fiscal year's 要綱 settings page (issue 15): staff edit what the notices print, the
notice number pattern and the deadlines; every change is audited with from/to; bad input
is refused with a Japanese message naming the field and saves nothing; once a decision has
used the catalogue (catalogue_frozen) the settings are refused like the caps."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from subsidies.catalogue.forms import AUDIT_ACTION, SettingsRefused, YokoSettingsForm, save_settings
from subsidies.models import FiscalYear
from tests.factories import FiscalYearFactory, UserFactory
from zaitaku_portal.models import AuditEntry, Role

URL = "subsidies:catalogue_settings"


def _post(**changes):
    data = {
        "subsidy_name": "在宅医療提供体制強化事業費補助金",
        "guideline_name": "沖縄県在宅医療提供体制強化事業費補助金交付要綱",
        "decision_form_number": "様式第2号",
        "confirmation_form_number": "様式第8号",
        "issuer_title": "沖縄県知事",
        "issuer_name": "沖縄 花子",
        "seal_line": "（公印省略）",
        "decision_conditions_text": "",
        "notice_number_pattern": "8医政第{n}号",
        "application_deadline": "2026-05-29",
        "results_deadline": "2027-04-10",
        "withdrawal_days": "15",
        "refund_due_days": "20",
    }
    data.update(changes)
    return data


@pytest.fixture
def staff(db):
    return UserFactory(role=Role.PREFECTURE_STAFF, username="ken", full_name="県 太郎")


@pytest.fixture
def year(db):
    return FiscalYearFactory(year=2026)


@pytest.mark.django_db
def test_the_catalogue_page_links_staff_to_the_settings(client, staff, year):
    client.force_login(staff)
    page = client.get(reverse("subsidies:catalogue", args=[2026])).content.decode()
    assert reverse(URL, args=[2026]) in page
    assert "要綱の設定" in page


@pytest.mark.django_db
def test_a_coordinator_sees_no_link_and_cannot_open_or_post(client, world, year):
    coordinator = world.users[Role.HUB_COORDINATOR]
    client.force_login(coordinator)
    page = client.get(reverse("subsidies:catalogue", args=[2026])).content.decode()
    assert reverse(URL, args=[2026]) not in page
    assert client.get(reverse(URL, args=[2026])).status_code == 403
    assert client.post(reverse(URL, args=[2026]), _post()).status_code == 403
    year.refresh_from_db()
    assert year.subsidy_name == ""
    assert not AuditEntry.objects.filter(action=AUDIT_ACTION).exists()


@pytest.mark.django_db
def test_staff_save_the_settings_and_the_audit_shows_from_and_to(client, staff, year):
    client.force_login(staff)
    response = client.post(reverse(URL, args=[2026]), _post())
    assert response.status_code == 302
    year.refresh_from_db()
    assert year.subsidy_name == "在宅医療提供体制強化事業費補助金"
    assert year.seal_line == "（公印省略）"
    assert year.notice_number_pattern == "8医政第{n}号"
    assert year.results_deadline == datetime.date(2027, 4, 10)
    assert (year.withdrawal_days, year.refund_due_days) == (15, 20)
    entry = AuditEntry.objects.get(action=AUDIT_ACTION)
    assert entry.actor == staff and entry.target_id == str(year.pk)
    assert entry.changes["発行者の氏名"] == {"from": None, "to": "沖縄 花子"}
    assert entry.changes["実績報告の締切"] == {"from": None, "to": "令和9年4月10日"}
    assert entry.changes["交付決定後の取下げ期限（日）"] == {"from": None, "to": "15"}
    assert "返還金の納期限（日）" not in entry.changes  # 20 was the default: unchanged

    # A second change records only what changed, from the stored value.
    client.post(reverse(URL, args=[2026]), _post(issuer_name="琉球 次郎"))
    second = AuditEntry.objects.filter(action=AUDIT_ACTION).order_by("-pk").first()
    assert second.changes == {"発行者の氏名": {"from": "沖縄 花子", "to": "琉球 次郎"}}
    # Saving the same again writes no audit row.
    client.post(reverse(URL, args=[2026]), _post(issuer_name="琉球 次郎"))
    assert AuditEntry.objects.filter(action=AUDIT_ACTION).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"notice_number_pattern": "8医政第号"}, "「通知番号の形式」には連番の位置を {n} で"),
        ({"notice_number_pattern": "8医政/第{n}号"}, "「通知番号の形式」から作る番号"),
        ({"withdrawal_days": "0"}, "「交付決定後の取下げ期限（日）」は1日以上にしてください。"),
        ({"refund_due_days": "366"}, "「返還金の納期限（日）」は365日以内にしてください。"),
        ({"refund_due_days": "二十"}, "「返還金の納期限（日）」は整数（日数）で入力してください。"),
        ({"refund_due_days": ""}, "「返還金の納期限（日）」を入力してください。"),
        ({"results_deadline": "2027-02-30"}, "「実績報告の締切」の日付が正しくありません"),
        (
            {"results_deadline": "2026-05-01"},
            "「実績報告の締切」は「交付申請の締切」より後の日付にしてください。",
        ),
        ({"issuer_name": "沖縄\n花子"}, "「発行者の氏名」: 改行・タブなどの制御文字"),
        (
            {"subsidy_name": "補" * 101},
            "「事業名（補助金の名称）」は100文字以内で入力してください。",
        ),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(client, staff, year, changes, message):
    client.force_login(staff)
    response = client.post(reverse(URL, args=[2026]), _post(**changes))
    assert response.status_code == 200
    assert message in response.content.decode().replace("&quot;", '"')
    year.refresh_from_db()
    assert year.subsidy_name == "" and year.issuer_name == ""
    assert not AuditEntry.objects.filter(action=AUDIT_ACTION).exists()


@pytest.mark.django_db
def test_a_frozen_year_refuses_the_change_and_says_why(client, staff, year):
    FiscalYear.objects.filter(pk=year.pk).update(
        catalogue_frozen_at=timezone.now(), issuer_name="沖縄 花子"
    )
    client.force_login(staff)
    page = client.get(reverse(URL, args=[2026])).content.decode()
    assert "要綱の設定は変更できません" in page and "<fieldset disabled>" in page
    response = client.post(reverse(URL, args=[2026]), _post(issuer_name="琉球 次郎"), follow=True)
    text = response.content.decode()
    assert "交付決定に使われたため、要綱の設定（" in text and "発行者の氏名" in text
    year.refresh_from_db()
    assert year.issuer_name == "沖縄 花子"
    assert not AuditEntry.objects.filter(action=AUDIT_ACTION).exists()


@pytest.mark.django_db
def test_the_writer_checks_the_role_and_the_freeze_itself(staff, year, world):
    """save_settings re-checks inside its row lock (a page opened before the freeze)."""
    form = YokoSettingsForm(_post(), instance=FiscalYear.objects.get(pk=year.pk))
    assert form.is_valid(), form.errors
    with pytest.raises(SettingsRefused, match="県職員のみ"):
        save_settings(year, form, world.users[Role.HUB_COORDINATOR])
    FiscalYear.objects.filter(pk=year.pk).update(catalogue_frozen_at=timezone.now())
    with pytest.raises(SettingsRefused, match="交付決定に使われたため"):
        save_settings(year, form, staff)
    year.refresh_from_db()
    assert year.subsidy_name == ""
