"""load_claims reads its rows as tuples (benchmarks/confirmations.py: a year's claims within
1 s); what a claim still offers as models is made from them only when read: the decision in
force, without a query (a confirmation is recorded against it), and the application."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from subsidies.models import Application, Decision
from subsidies.results.claim import claim_for, load_claims
from tests.subsidies.results.factories import worked_case

pytestmark = pytest.mark.django_db


def _fields(decision: Decision) -> dict:
    return {f.attname: getattr(decision, f.attname) for f in Decision._meta.concrete_fields}


def test_a_claims_decision_is_the_decision_in_force_made_without_a_query(world):
    case = worked_case(world)
    in_force = Decision.objects.current().get(application=case.application)
    (claim,) = load_claims(Application.objects.filter(pk=case.application.pk)).values()
    with CaptureQueriesContext(connection) as queries:
        decision = claim.decision
        assert claim.decision is decision  # made once
    assert len(queries) == 0
    assert isinstance(decision, Decision)
    assert _fields(decision) == _fields(in_force)
    assert decision == in_force
    assert decision._state.db == "default"
    assert not decision._state.adding
    assert decision.version.snapshot == in_force.version.snapshot


def test_a_claims_application_is_read_when_asked_and_claim_for_keeps_the_callers(world):
    case = worked_case(world)
    (claim,) = load_claims(Application.objects.filter(pk=case.application.pk)).values()
    assert claim.application_id == case.application.pk
    assert claim.hub_name == case.application.hub.name
    assert claim.year == case.application.fiscal_year.year
    with CaptureQueriesContext(connection) as queries:
        assert claim.application == case.application
        assert claim.application.hub.name == case.application.hub.name
    assert len(queries) == 1  # hub and fiscal year with it
    assert claim_for(case.application).application is case.application


def test_an_application_without_a_decision_has_an_empty_claim(world):
    case = worked_case(world)
    undecided = Application.objects.create(
        hub=world.hub_b, fiscal_year=case.application.fiscal_year
    )
    claims = load_claims(Application.objects.filter(fiscal_year=undecided.fiscal_year))
    assert set(claims) == {case.application.pk, undecided.pk}
    assert claims[undecided.pk].decision is None
    assert claims[undecided.pk].recipients == []
    assert claims[undecided.pk].total_amount == 0
    assert claims[case.application.pk].total_amount == 2_202_000  # the worked case's G
