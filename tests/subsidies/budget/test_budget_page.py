"""The budget page (staff): amounts typed in 千円 or 円, with commas and 全角数字; the split
adds up or is refused naming the field; saved through a version check; audited from/to;
FiscalYear.budget_amount follows the total; the decision page shows what remains."""

import pytest

from subsidies.budget.forms import BudgetForm
from subsidies.models import Budget, FiscalYear
from tests.subsidies.factories import application_in
from zaitaku_portal.models import AuditEntry

pytestmark = pytest.mark.django_db
PAGE = "/subsidies/budget/2026/"


def _form(**data):
    form = BudgetForm({"unit": "thousand", **data})
    form.is_valid()
    return form


@pytest.mark.parametrize(
    ("data", "total", "hub", "hospital"),
    [
        # seed 000: 574,420千円 = 574,420,000円
        ({"total": "574,420"}, 574_420_000, None, None),
        ({"total": "５７４，４２０"}, 574_420_000, None, None),  # 全角
        ({"unit": "yen", "total": "574,420,000円"}, 574_420_000, None, None),
        ({"unit": "yen", "total": "574,420千円"}, 574_420_000, None, None),  # its own unit
        # the split alone: 500,000千円 + 74,420千円 = 574,420千円
        ({"hub_part": "500,000", "hospital_part": "74,420"}, 574_420_000, 500_000_000, 74_420_000),
        (
            {"total": "574,420", "hub_part": "500,000", "hospital_part": "74,420"},
            574_420_000,
            500_000_000,
            74_420_000,
        ),
    ],
)
def test_amounts_are_read_in_the_chosen_unit(data, total, hub, hospital):
    form = _form(**data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amounts"] == {
        "total": total,
        "hub_part": hub,
        "hospital_part": hospital,
    }


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"total": "12a"}, "total", "「予算額」は0以上の整数で入力してください（入力: 12a）。"),
        ({"total": "-5"}, "total", "「予算額」は0以上の整数で入力してください（入力: -5）。"),
        ({"total": ""}, "total", "「予算額」を入力してください。"),
        (
            {"total": "100", "hub_part": "60"},
            "hospital_part",
            "内訳を入れる場合は「拠点分」と「医療機関分」の両方を入力してください"
            "（「医療機関分」が空欄です）。",
        ),
        # 60千円 + 50千円 = 110,000円, not 100,000円
        (
            {"total": "100", "hub_part": "60", "hospital_part": "50"},
            "total",
            "「予算額」100,000円が内訳の合計 110,000円（拠点分 60,000円＋医療機関分 50,000円）"
            "と一致しません。",
        ),
    ],
)
def test_bad_amounts_are_refused_naming_the_field(data, field, message):
    form = _form(**data)
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_saving_audits_and_keeps_the_year_total(client, apps_world):
    w = apps_world
    client.force_login(w.staff)
    response = client.post(
        PAGE, {"unit": "thousand", "hub_part": "3,000", "hospital_part": "2,000", "version": ""}
    )
    assert response.status_code == 302
    budget = Budget.objects.get(fiscal_year=w.fiscal_year)
    assert (budget.total, budget.hub_part, budget.hospital_part, budget.version) == (
        5_000_000,
        3_000_000,
        2_000_000,
        1,
    )
    assert FiscalYear.objects.get(pk=w.fiscal_year.pk).budget_amount == 5_000_000
    entry = AuditEntry.objects.get(action="budget.save")
    assert entry.changes["予算額"] == {"from": None, "to": 5_000_000}
    assert entry.changes["拠点分"] == {"from": None, "to": 3_000_000}
    page = client.get(PAGE).content.decode()
    assert 'value="3,000"' in page and "拠点分" in page
    # a stale version (someone saved since) is refused and changes nothing
    response = client.post(PAGE, {"unit": "thousand", "total": "9,000", "version": ""}, follow=True)
    assert "他の方が更新しました" in response.content.decode()
    assert Budget.objects.get(pk=budget.pk).total == 5_000_000
    # the current version: the split removed, the total changed
    client.post(PAGE, {"unit": "thousand", "total": "4,000", "version": "1"})
    budget.refresh_from_db()
    assert (budget.total, budget.hub_part, budget.version) == (4_000_000, None, 2)
    assert AuditEntry.objects.filter(action="budget.save").count() == 2


def test_a_bad_post_redisplays_with_the_message_and_saves_nothing(client, apps_world):
    client.force_login(apps_world.staff)
    response = client.post(PAGE, {"unit": "thousand", "total": "abc", "version": ""})
    assert response.status_code == 200
    assert "「予算額」は0以上の整数で入力してください" in response.content.decode()
    assert not Budget.objects.exists()


def test_the_decision_page_shows_what_remains(client, apps_world):
    w = apps_world
    Budget.objects.create(fiscal_year=w.fiscal_year, total=700_000)
    application = application_in("under_review", w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    client.force_login(w.staff)
    page = client.get(f"/subsidies/applications/{application.pk}/action/decide/").content.decode()
    assert "予算の残り" in page and "700,000" in page


def test_staff_todos_say_a_part_is_over_and_a_proposal_waits(apps_world):
    from subsidies.budget.todos import todos
    from tests.subsidies.approvals import drive
    from tests.subsidies.factories import decision_input

    w = apps_world
    application = application_in("under_review", w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    drive.decide(application, w.staff, decision=decision_input(application))  # 400,000円
    assert [t.count for t in todos(w.staff)] == [0, 0]
    # the budget lowered to 300,000円 after the decision: 100,000円 over
    Budget.objects.create(fiscal_year=w.fiscal_year, total=300_000)
    over, waiting = todos(w.staff)
    assert (over.label, over.count, over.detail) == ("予算超過", 1, "予算額 100,000円超過")
    assert waiting.count == 0
    assert todos(w.coordinator) == []
