from django.core.files.base import ContentFile

from tests.url_cases import STAFF, UrlCase, everyone, only
from zaitaku_portal.models import Role

COORDINATOR = (Role.HUB_COORDINATOR,)


def _application(world, hub=None, submitted=False):
    """An application of hub A (or `hub`) for the fiscal year of the URL test world."""
    from subsidies.models import Application, FiscalYear

    fiscal_year = FiscalYear.objects.get(year=2026)
    application, _ = Application.objects.get_or_create(
        hub=hub or world.hub_a, fiscal_year=fiscal_year
    )
    if submitted and not application.versions.exists():
        application.versions.create(
            number=1,
            label="交付申請",
            snapshot={"plan": {"lines": {}}, "labels": {}, "categories": {}, "total": 0},
        )
        application.status = "submitted"
        application.save()
    return application


def _pk(world, **kwargs):
    return {"pk": _application(world, **kwargs).pk}


def _attachment(world, hub=None):
    application = _application(world, hub=hub)
    attachment = application.attachments.create(
        file=ContentFile(b"%PDF-1.4 test", name="plan.pdf"),
        original_name="plan.pdf",
        size=13,
        uploaded_by=world.users[Role.HUB_COORDINATOR],
    )
    return {"pk": application.pk, "attachment_pk": attachment.pk}


def _proposal(world):
    """An allocation proposal of the URL world's year (staff only; no hub owns it)."""
    from subsidies.models import AllocationProposal, FiscalYear
    from zaitaku_portal.models import Role as R

    proposal = AllocationProposal.objects.create(
        fiscal_year=FiscalYear.objects.get(year=2026),
        part="total",
        method="pro_rata",
        available=0,
        rounding_unit=1000,
        inputs_digest="0" * 64,
        created_by=world.users[R.PREFECTURE_STAFF],
    )
    return {"pk": proposal.pk}


def _other(status=200):
    """Another hub's object: staff see it; the coordinator and health center of A get 404."""
    expect = everyone(status)
    expect[Role.HUB_COORDINATOR] = 404
    expect[Role.HEALTH_CENTER] = 404
    return expect


def _coordinator_only(status=200, other_hub=False):
    expect = only(COORDINATOR, status)
    if other_hub:
        expect[Role.HUB_COORDINATOR] = 404
    return expect


CASES = [
    UrlCase("subsidies:review_home", only(STAFF)),
    UrlCase("subsidies:review_home", only(STAFF), query="?status=submitted", label="filtered"),
    UrlCase("subsidies:bulk_review", only(STAFF)),
    UrlCase("subsidies:catalogue_latest", everyone(302)),  # to the newest year
    UrlCase("subsidies:catalogue", everyone(200), kwargs=lambda w: {"year": 2026}),
    UrlCase("subsidies:catalogue", everyone(404), kwargs=lambda w: {"year": 2031}, label="none"),
    UrlCase("subsidies:catalogue_confirm", only(STAFF, 405), kwargs=lambda w: {"year": 2026}),
    UrlCase("subsidies:catalogue_settings", only(STAFF), kwargs=lambda w: {"year": 2026}),
    UrlCase("subsidies:budget_latest", only(STAFF, 302)),  # to the newest year
    UrlCase("subsidies:budget", only(STAFF), kwargs=lambda w: {"year": 2026}),
    UrlCase("subsidies:budget", only(STAFF, 404), kwargs=lambda w: {"year": 2031}, label="none"),
    UrlCase("subsidies:allocation", only(STAFF), kwargs=lambda w: {"year": 2026}),
    UrlCase(
        "subsidies:allocation", only(STAFF, 404), kwargs=lambda w: {"year": 2031}, label="none"
    ),
    UrlCase("subsidies:allocation_proposal", only(STAFF), kwargs=_proposal),
    UrlCase("subsidies:what_if", only(STAFF), kwargs=lambda w: {"year": 2026}),
    UrlCase("subsidies:what_if", only(STAFF, 404), kwargs=lambda w: {"year": 2031}, label="none"),
    UrlCase(
        "subsidies:what_if",
        only(STAFF),
        kwargs=lambda w: {"year": 2026},
        query="?base=decisions",
        label="decisions",
    ),
    UrlCase("subsidies:what_if_xlsx", only(STAFF), kwargs=lambda w: {"year": 2026}),
    UrlCase(
        "subsidies:what_if_xlsx", only(STAFF, 404), kwargs=lambda w: {"year": 2031}, label="none"
    ),
    UrlCase("subsidies:what_if_adopt", only(STAFF, 405), kwargs=lambda w: {"year": 2026}),
    UrlCase(
        "subsidies:allocation_proposal",
        only(STAFF, 404),
        kwargs=lambda w: {"pk": 0},
        label="missing",
    ),
    UrlCase(
        "subsidies:catalogue_settings",
        only(STAFF, 404),
        kwargs=lambda w: {"year": 2031},
        label="none",
    ),
    UrlCase("subsidies:application_list", everyone(200)),
    UrlCase(
        "subsidies:application_start",
        _coordinator_only(),
        kwargs=lambda w: {"hub_pk": w.hub_a.pk, "year": 2026},
    ),
    UrlCase(
        "subsidies:application_start",
        _coordinator_only(404),
        kwargs=lambda w: {"hub_pk": w.hub_b.pk, "year": 2026},
        label="other hub",
    ),
    UrlCase("subsidies:application_detail", everyone(200), kwargs=_pk),
    UrlCase(
        "subsidies:application_detail",
        _other(),
        kwargs=lambda w: _pk(w, hub=w.hub_b),
        label="other hub",
    ),
    UrlCase("subsidies:application_edit", _coordinator_only(), kwargs=_pk),
    UrlCase(
        "subsidies:application_edit",
        _coordinator_only(other_hub=True),
        kwargs=lambda w: _pk(w, hub=w.hub_b),
        label="other hub",
    ),
    UrlCase(
        "subsidies:application_action",
        only(STAFF, 200),
        kwargs=lambda w: {**_pk(w, submitted=True), "action": "start_review"},
        label="start review",
    ),
    UrlCase(
        "subsidies:application_action",
        only(STAFF, 403),
        kwargs=lambda w: {**_pk(w), "action": "start_review"},
        label="wrong state",
    ),
    UrlCase(
        "subsidies:application_action",
        only(STAFF, 404, others=403) | {Role.HUB_COORDINATOR: 404},
        kwargs=lambda w: {**_pk(w, hub=w.hub_b), "action": "decide"} | {"pk": 0},
        label="missing",
    ),
    UrlCase("subsidies:application_comment", everyone(302), kwargs=_pk),
    UrlCase(
        "subsidies:application_comment",
        _other(302),
        kwargs=lambda w: _pk(w, hub=w.hub_b),
        label="other hub",
    ),
    UrlCase("subsidies:version_diff", everyone(200), kwargs=lambda w: _pk(w, submitted=True)),
    UrlCase("subsidies:version_diff", everyone(404), kwargs=_pk, label="no version"),
    UrlCase("subsidies:attachment_upload", _coordinator_only(302), kwargs=_pk),
    UrlCase("subsidies:attachment_download", everyone(200), kwargs=_attachment),
    UrlCase("subsidies:attachment_delete", _coordinator_only(405), kwargs=_attachment),
    UrlCase("subsidies:excel_download", everyone(200), kwargs=_pk),
    UrlCase(
        "subsidies:excel_download",
        _other(),
        kwargs=lambda w: _pk(w, hub=w.hub_b),
        label="other hub",
    ),
    UrlCase("subsidies:excel_upload", _coordinator_only(), kwargs=_pk),
    UrlCase("subsidies:excel_apply", _coordinator_only(405), kwargs=_pk),
]

CASES += [UrlCase("subsidies:review_export", only(STAFF))]

# IDOR sweep: the same pages reached with another hub's objects.
CASES += [
    UrlCase(
        "subsidies:application_action",
        {**_other(403), Role.HUB_COORDINATOR: 404, Role.HEALTH_CENTER: 403},
        kwargs=lambda w: {**_pk(w, hub=w.hub_b), "action": "start_review"},
        label="other scope",
    ),
    UrlCase(
        "subsidies:attachment_download",
        _other(),
        kwargs=lambda w: _attachment(w, hub=w.hub_b),
        label="other scope",
    ),
    UrlCase(
        "subsidies:attachment_upload",
        _coordinator_only(302, other_hub=True),
        kwargs=lambda w: _pk(w, hub=w.hub_b),
        label="other scope",
    ),
    UrlCase(
        "subsidies:excel_upload",
        _coordinator_only(other_hub=True),
        kwargs=lambda w: _pk(w, hub=w.hub_b),
        label="other scope",
    ),
    UrlCase(
        "subsidies:version_diff",
        _other(),
        kwargs=lambda w: _pk(w, hub=w.hub_b, submitted=True),
        label="other scope",
    ),
]


# 決裁 (issue 15): the queue and a draft's page are staff's (an approver acts, other staff
# read); coordinators and health centres never see them. Staff see every hub's drafts.
def _draft(world, hub=None, **fields):
    from subsidies.models import Approval

    application = _application(world, hub=hub)
    draft = Approval.objects.filter(application=application, report=None).first()
    if draft is None:
        draft = Approval.objects.create(
            kind="decision",
            application=application,
            payload={"notice_number": "", "amounts": {}},
            object_version=application.version,
            fingerprint="-",
            drafted_by=world.users[Role.PREFECTURE_STAFF],
            **fields,
        )
    return {"pk": draft.pk}


CASES += [
    UrlCase("subsidies:approval_queue", only(STAFF)),
    UrlCase("subsidies:approval_queue", only(STAFF), query="?year=", label="all years"),
    UrlCase("subsidies:approval_queue", only(STAFF, 404), query="?year=x", label="bad year"),
    UrlCase("subsidies:approval_detail", only(STAFF), kwargs=_draft),
    UrlCase(
        "subsidies:approval_detail",
        only(STAFF),
        kwargs=lambda w: _draft(w, hub=w.hub_b),
        label="other hub",
    ),
    UrlCase(
        "subsidies:approval_detail", only(STAFF, 404), kwargs=lambda w: {"pk": 0}, label="missing"
    ),
    UrlCase("subsidies:approval_approve", only(STAFF, 405), kwargs=_draft),
    UrlCase("subsidies:approval_send_back", only(STAFF, 405), kwargs=_draft),
    UrlCase(
        "subsidies:approval_approve",
        only(STAFF, 405),
        kwargs=lambda w: _draft(w, hub=w.hub_b),
        label="other hub",
    ),
]

# 取下げ・中止・廃止 (subsidies/applications/withdrawals.py): the shared action page.
CASES += [
    UrlCase(
        "subsidies:application_action",
        only(COORDINATOR, 200),
        kwargs=lambda w: {**_pk(w, submitted=True), "action": "withdraw"},
        label="withdraw",
    ),
    UrlCase(
        "subsidies:application_action",
        {**_other(403), Role.HUB_COORDINATOR: 404, Role.HEALTH_CENTER: 403},
        kwargs=lambda w: {**_pk(w, hub=w.hub_b, submitted=True), "action": "withdraw"},
        label="withdraw other scope",
    ),
]


# 意向調査 (subsidies/survey/): staff set it up and see the demand; a coordinator answers for
# its hubs; a health center reads its areas' hubs.
def _survey(world, hub=None):
    """An open survey of the URL world's year, and the hub's year and id."""
    import datetime

    from subsidies.models import FiscalYear, Survey

    fiscal_year = FiscalYear.objects.get(year=2026)
    today = datetime.date.today()
    Survey.objects.get_or_create(
        fiscal_year=fiscal_year,
        defaults={"opens_on": today, "closes_on": today + datetime.timedelta(days=30)},
    )
    return {"year": 2026, "hub_pk": (hub or world.hub_a).pk}


_YEAR = {"year": 2026}
CASES += [
    UrlCase("subsidies:survey_latest", everyone(302)),
    UrlCase("subsidies:survey", everyone(200), kwargs=lambda w: _YEAR),
    UrlCase("subsidies:survey", everyone(404), kwargs=lambda w: {"year": 2031}, label="none"),
    UrlCase("subsidies:survey_period", only(STAFF, 405), kwargs=lambda w: _YEAR),
    UrlCase("subsidies:survey_close", only(STAFF, 405), kwargs=lambda w: _YEAR),
    UrlCase("subsidies:survey_open_applications", only(STAFF, 405), kwargs=lambda w: _YEAR),
    UrlCase("subsidies:survey_demand", only(STAFF), kwargs=lambda w: _YEAR),
    UrlCase("subsidies:survey_demand_xlsx", only(STAFF), kwargs=lambda w: _YEAR),
    UrlCase("subsidies:survey_answer", everyone(200), kwargs=_survey),
    UrlCase(
        "subsidies:survey_answer",
        _other(),
        kwargs=lambda w: _survey(w, hub=w.hub_b),
        label="other hub",
    ),
    UrlCase("subsidies:survey_excel", everyone(200), kwargs=_survey),
    UrlCase(
        "subsidies:survey_excel",
        _other(),
        kwargs=lambda w: _survey(w, hub=w.hub_b),
        label="other hub",
    ),
    UrlCase("subsidies:survey_upload", _coordinator_only(), kwargs=_survey),
    UrlCase(
        "subsidies:survey_upload",
        _coordinator_only(other_hub=True),
        kwargs=lambda w: _survey(w, hub=w.hub_b),
        label="other hub",
    ),
    UrlCase("subsidies:survey_apply", _coordinator_only(405), kwargs=_survey),
    UrlCase(
        "subsidies:survey_apply",
        _coordinator_only(405),
        kwargs=lambda w: _survey(w, hub=w.hub_b),
        label="other hub",
    ),
]
