"""A short budget shared out through a proposal: made from the lines awaiting decision,
reproducible, accepted with an edited line (its reason required), audited; the decision
page then starts from the accepted amounts and the decision fits the budget.

Hand working: hubs A and B each ask 400,000円 (complete_plan: 300,000 + 100,000, cap
1,060,000, rate 10/10). Budget 700,000円 (unsplit), nothing decided: available 700,000;
pro rata 700,000 ÷ 800,000 = 7/8: 350,000円 each (a multiple of 1,000), sum 700,000."""

import pytest

from subsidies.applications.forms import DecideForm
from subsidies.budget.services import BudgetRefused, accept, propose
from subsidies.models import AllocationProposal, Application, Budget, Decision
from tests.factories import coordinator_of
from tests.subsidies.approvals import drive
from tests.subsidies.factories import application_in
from zaitaku_portal.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def short_year(apps_world):
    w = apps_world
    Budget.objects.create(fiscal_year=w.fiscal_year, total=700_000)
    w.a = application_in("under_review", w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    coordinator_b = coordinator_of(w.hub_b, username="coordinator_b")
    w.b = application_in("under_review", w.hub_b, w.fiscal_year, coordinator_b, w.staff)
    return w


def test_pro_rata_proposal_is_reproducible_and_prefills_the_decision(short_year):
    w = short_year
    proposal = propose(w.fiscal_year, "total", "pro_rata", None, w.staff)
    assert [(r["hub"], r["computed"], r["amount"]) for r in proposal.lines] == [
        ("乙拠点", 400_000, 350_000),  # by hub name (the documented order), then pk
        ("甲拠点", 400_000, 350_000),
    ]
    assert (proposal.rate_numerator, proposal.rate_denominator) == (7, 8)
    assert proposal.lines[0]["basis"] == "400,000円×87.5000%→1,000円未満切捨て"
    again = propose(w.fiscal_year, "total", "pro_rata", None, w.staff)
    assert again.pk == proposal.pk  # same inputs, same proposal
    accepted = accept(proposal, {}, proposal.version, w.staff)
    assert accepted.state == AllocationProposal.State.ACCEPTED
    assert AuditEntry.objects.filter(action="budget.allocation.accept").count() == 1
    a = Application.objects.get(pk=w.a.pk)
    form = DecideForm(obj=a)
    assert form.initial["amount0"] == 350_000
    assert "予算の範囲内で配分（調整率（按分）" in form.initial["reason0"]
    for application in (w.a, w.b):
        application = Application.objects.get(pk=application.pk)
        form = DecideForm(obj=application)
        from tests.subsidies.factories import decision_input

        amounts = {"hub-meeting": (form.initial["amount0"], form.initial["reason0"])}
        drive.decide(application, w.staff, decision=decision_input(application, **amounts))
    assert sum(d.total_amount for d in Decision.objects.all()) == 700_000


def test_an_edited_line_needs_its_reason_and_the_sum_stays_within(short_year):
    w = short_year
    proposal = propose(w.fiscal_year, "total", "pro_rata", None, w.staff)
    with pytest.raises(BudgetRefused) as refused:
        accept(proposal, {0: (300_000, "")}, proposal.version, w.staff)
    assert (
        "「乙拠点：多職種が参加する連携会議の開催」を配分案から変える理由を入力してください。"
        in str(refused.value)
    )
    # 400,000 + 350,000 = 750,000 > 700,000: 50,000円 over
    with pytest.raises(BudgetRefused) as refused:
        accept(proposal, {0: (400_000, "重点地域")}, proposal.version, w.staff)
    assert "配分額の合計 750,000円が配分できる額 700,000円を50,000円超えています。" in str(
        refused.value
    )
    accepted = accept(proposal, {0: (300_000, "事業規模を縮小")}, proposal.version, w.staff)
    assert [r["amount"] for r in accepted.lines] == [300_000, 350_000]
    assert accepted.lines[0]["reason"] == "事業規模を縮小"
    # accepted once: a second accept (stale version) is refused
    with pytest.raises(BudgetRefused):
        accept(accepted, {}, proposal.version, w.staff)


def test_the_pages_propose_and_accept(client, short_year):
    w = short_year
    client.force_login(w.staff)
    page = client.get("/subsidies/budget/2026/allocation/").content.decode()
    assert "800,000" in page and "100,000" in page  # asked, short by 100,000
    response = client.post(
        "/subsidies/budget/2026/allocation/", {"part": "total", "method": "ceiling", "ceiling": ""}
    )
    proposal = AllocationProposal.objects.get()
    assert response.status_code == 302
    # ceiling: (700,000 ÷ 2) = 350,000 < 400,000 → 350,000 each
    assert [r["amount"] for r in proposal.lines] == [350_000, 350_000]
    url = f"/subsidies/budget/allocation/{proposal.pk}/"
    bad = client.post(url, {"version": proposal.version, "amount0": "abc", "amount1": "350000"})
    assert "は0以上の整数で入力してください" in bad.content.decode()
    assert 'value="abc"' in bad.content.decode()  # re-displayed as typed
    client.post(
        url, {"version": proposal.version, "amount0": "350,000", "amount1": "３５０，０００"}
    )
    assert AllocationProposal.objects.get().state == AllocationProposal.State.ACCEPTED
