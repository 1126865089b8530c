from tests.url_cases import STAFF, UrlCase, everyone, hospital_gets, only
from zaitaku_portal.models import Role


def _decision(world, hub):
    from tests.reports.decided import decided_application

    staff = world.users[Role.PREFECTURE_STAFF]
    existing = hub.applications.first()
    if existing:
        return existing.decisions.first()
    return decided_application(hub, staff=staff, year=2025, number=f"7医政第{hub.pk}号")


def _batch(world):
    from reports.models import BatchJob

    job, _ = BatchJob.objects.get_or_create(
        kind=BatchJob.Kind.DECISION_NOTICES,
        label="交付決定通知書",
        defaults={"created_by": world.users[Role.PREFECTURE_STAFF], "status": "done"},
    )
    if not job.result:
        from django.core.files.base import ContentFile

        job.result.save("t.zip", ContentFile(b"PK"), save=True)
    return job


# Hub A's documents: in scope for its coordinator and health center; a hospital's contact
# never has a hub's application in its scope (issue 18): 404.
HUB_A = hospital_gets(404, everyone(200))

CASES = [
    UrlCase("reports:dashboard", only([Role.HEALTH_CENTER, *STAFF])),
    UrlCase(
        "reports:dashboard",
        {**only(STAFF, 200), Role.HEALTH_CENTER: 404},
        query=lambda w: f"?area={w.area_b.pk}",
        label="other area",
    ),
    UrlCase(
        "reports:dashboard_export",
        only([Role.HEALTH_CENTER, *STAFF]),
        kwargs=lambda w: {"table": "hubs"},
    ),
    UrlCase(
        "reports:dashboard_export",
        only([Role.HEALTH_CENTER, *STAFF]),
        kwargs=lambda w: {"table": "all"},
        label="whole dashboard",
    ),
    UrlCase("reports:activities_export", only([Role.HEALTH_CENTER, *STAFF])),
    UrlCase("reports:prefecture", only(STAFF)),
    UrlCase("reports:prefecture_pdf", only(STAFF)),
    UrlCase(
        "reports:decision_notice",
        HUB_A,
        kwargs=lambda w: {"pk": _decision(w, w.hub_a).pk},
        label="own scope",
    ),
    UrlCase(
        "reports:decision_notice",
        only(STAFF, 200, others=404),
        kwargs=lambda w: {"pk": _decision(w, w.hub_b).pk},
        label="other scope",
    ),
    UrlCase(
        "reports:confirmation_notice",
        HUB_A,
        kwargs=lambda w: _results_cases().confirmation(w),
        label="own scope",
    ),
    UrlCase(
        "reports:confirmation_notice",
        only(STAFF, 200, others=404),
        kwargs=lambda w: _results_cases()._b_notice(w),
        label="other scope",
    ),
    UrlCase("reports:batch_list", only(STAFF)),
    UrlCase("reports:batch_detail", only(STAFF), kwargs=lambda w: {"pk": _batch(w).pk}),
    UrlCase("reports:batch_download", only(STAFF), kwargs=lambda w: {"pk": _batch(w).pk}),
]


def _version(world, hub):
    decision = _decision(world, hub)
    return decision.version


CASES += [
    UrlCase(
        "reports:application_pdf",
        HUB_A,
        kwargs=lambda w: {"pk": _version(w, w.hub_a).pk},
        label="own scope",
    ),
    UrlCase(
        "reports:application_pdf",
        only(STAFF, 200, others=404),
        kwargs=lambda w: {"pk": _version(w, w.hub_b).pk},
        label="other scope",
    ),
]


def _results_version(world, hub):
    """A filed results report of `hub`: A's worked case submitted through the service,
    B's frozen straight from the model (only its scope matters)."""
    from subsidies.models import ResultReportVersion
    from subsidies.results import services as claims
    from tests.subsidies.results.url_expectations import _case, _hub_b_case

    if hub == world.hub_a:
        report = _case(world).report
        claims.perform(report, "submit", world.users[Role.HUB_COORDINATOR], report.version)
        return ResultReportVersion.objects.get(report=report, number=1)
    return ResultReportVersion.objects.create(
        report=_hub_b_case(world),
        number=1,
        label="実績報告",
        snapshot={"report": {}, "claim": {}},
        created_by=world.users[Role.PREFECTURE_STAFF],
    )


CASES += [
    UrlCase(
        "reports:results_pdf",
        HUB_A,
        kwargs=lambda w: {"pk": _results_version(w, w.hub_a).pk},
        label="own scope",
    ),
    UrlCase(
        "reports:results_pdf",
        only(STAFF, 200, others=404),
        kwargs=lambda w: {"pk": _results_version(w, w.hub_b).pk},
        label="other scope",
    ),
]


def _results_cases():
    """The results part's confirmed cases (own hub, hub B), shared with its URL walk."""
    from tests.subsidies.results import url_expectations

    return url_expectations


def _refusal(world, hub):
    """An approved 不交付決定 of `hub`'s application (its notice is a PDF)."""
    import datetime

    from subsidies.models import Approval
    from tests.subsidies.url_expectations import _application

    application = _application(world, hub=hub)
    draft, _ = Approval.objects.get_or_create(
        application=application,
        kind="refusal",
        defaults={
            "state": "approved",
            "payload": {"reason": "補助対象外の経費のみのため"},
            "object_version": application.version,
            "fingerprint": "-",
            "drafted_by": world.users[Role.PREFECTURE_STAFF],
            "decided_by": world.users[Role.ADMINISTRATOR],
            "notice_number": f"8医政第{900 + hub.pk}号",
            "notice_date": datetime.date(2026, 6, 1),
        },
    )
    return {"pk": draft.pk}


CASES += [
    UrlCase("reports:refusal_notice", HUB_A, kwargs=lambda w: _refusal(w, w.hub_a)),
    UrlCase(
        "reports:refusal_notice",
        only(STAFF, 200, others=404),
        kwargs=lambda w: _refusal(w, w.hub_b),
        label="other scope",
    ),
    UrlCase(
        "reports:refusal_notice",
        only(STAFF, 404, others=404),
        kwargs=lambda w: {"pk": 0},
        label="missing",
    ),
]


def _procedure(world, hub):
    """A decided application of `hub` with a filed change request version, a 取下げ of that
    change and an approved 中止 (its notice numbered): the records the procedure's documents
    (reports/procedure_documents.py) are made from, written straight from the models."""
    import datetime

    from subsidies.models import (
        ApplicationVersion,
        Decision,
        DiscontinuationRequest,
        Withdrawal,
    )
    from tests.reports.decided import decided_application

    staff = world.users[Role.PREFECTURE_STAFF]
    decision = Decision.objects.filter(application__hub=hub).order_by("pk").first()
    if decision is None:
        decision = decided_application(hub, staff=staff, year=2024, number=f"6医政第{hub.pk}号")
    application = decision.application
    version = application.versions.filter(label="変更承認申請").first()
    if version is None:
        version = ApplicationVersion.objects.create(
            application=application,
            number=application.versions.count() + 1,
            label="変更承認申請",
            snapshot={"plan": {"lines": {}}, "amounts": {}, "change_reason": "回数の変更"},
            created_by=staff,
        )
    withdrawal = Withdrawal.objects.filter(application=application).first()
    if withdrawal is None:
        withdrawal = Withdrawal.objects.create(
            application=application,
            kind=Withdrawal.Kind.CHANGE_REQUEST,
            reason="見合わせ",
            withdrawn_on=datetime.date(2026, 7, 1),
            filed_by=staff,
        )
    stopped = DiscontinuationRequest.objects.filter(application=application).first()
    if stopped is None:
        stopped = DiscontinuationRequest.objects.create(
            application=application,
            kind="suspend",
            reason="医師の退職",
            effective_from=datetime.date(2026, 10, 1),
            state="approved",
            decision=decision,
            filed_by=staff,
            answered_by=staff,
            answered_on=datetime.date(2026, 9, 1),
            notice_number=f"8医政第{800 + hub.pk}号",
        )
    return {"version": version.pk, "withdrawal": withdrawal.pk, "stopped": stopped.pk}


_PROCEDURE_URLS = (
    ("reports:withdrawal_pdf", "withdrawal"),
    ("reports:discontinuation_request_pdf", "stopped"),
    ("reports:discontinuation_approval_pdf", "stopped"),
    ("reports:change_request_pdf", "version"),
)
for _name, _key in _PROCEDURE_URLS:
    CASES += [
        UrlCase(
            _name,
            HUB_A,
            kwargs=lambda w, key=_key: {"pk": _procedure(w, w.hub_a)[key]},
            label="own scope",
        ),
        UrlCase(
            _name,
            only(STAFF, 200, others=404),
            kwargs=lambda w, key=_key: {"pk": _procedure(w, w.hub_b)[key]},
            label="other scope",
        ),
        UrlCase(_name, only(STAFF, 404, others=404), kwargs=lambda w: {"pk": 0}, label="missing"),
    ]


# --- a hospital's own application (issue 18): its decision notice and its application PDF
# are the hospital's; hub A's coordinator and area A's health center read them too; hospital
# B's are 404 for every non-staff role of area A.


def _hospital_decision(world, other=False):
    from tests.subsidies.results.url_expectations import hospital_decided

    return hospital_decided(world, other=other).decisions.first()


OTHER_HOSPITAL = only(STAFF, 200, others=404)

CASES += [
    UrlCase(
        "reports:decision_notice",
        everyone(200),
        kwargs=lambda w: {"pk": _hospital_decision(w).pk},
        label="hospital own",
    ),
    UrlCase(
        "reports:decision_notice",
        OTHER_HOSPITAL,
        kwargs=lambda w: {"pk": _hospital_decision(w, other=True).pk},
        label="other hospital",
    ),
    UrlCase(
        "reports:application_pdf",
        everyone(200),
        kwargs=lambda w: {"pk": _hospital_decision(w).version.pk},
        label="hospital own",
    ),
    UrlCase(
        "reports:application_pdf",
        OTHER_HOSPITAL,
        kwargs=lambda w: {"pk": _hospital_decision(w, other=True).version.pk},
        label="other hospital",
    ),
]
