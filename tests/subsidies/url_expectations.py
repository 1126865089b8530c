from django.core.files.base import ContentFile

from tests.url_cases import STAFF, UrlCase, everyone, hospital_gets, only
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
    """Another hub's object: staff see it; the coordinator and health center of A get 404,
    and so does the hospital's contact (a hub's application is never in its scope)."""
    expect = everyone(status)
    expect[Role.HUB_COORDINATOR] = 404
    expect[Role.HEALTH_CENTER] = 404
    expect[Role.HOSPITAL] = 404
    return expect


def _hub_object(expect):
    """A hub's application seen by a hospital's contact: 404, whatever the others get."""
    return hospital_gets(404, expect)


def _coordinator_only(status=200, other_hub=False, grantee=False):
    """A page of the coordinator's. `grantee`: a page of the grantee's side (GRANTEE_ROLES,
    issue 18), which the hospital's contact may open on its own application only: on a
    hub's it gets 404 (405 first for a POST-only page); else the hospital gets 403."""
    expect = only(COORDINATOR, status)
    if other_hub:
        expect[Role.HUB_COORDINATOR] = 404
    if grantee:
        expect[Role.HOSPITAL] = 405 if status == 405 else 404
    return expect


def _picked_line(world, other=False):
    """Hub A's plan with a line of 甲病院 (or hub B's with 乙病院's): setting (a)."""
    from subsidies.models import MenuPlan, SubsidyMenu

    application = _application(world, hub=world.hub_b if other else None)
    designation = world.designation_b if other else world.designation_a
    menu, _ = SubsidyMenu.objects.get_or_create(
        fiscal_year=application.fiscal_year,
        code="url-hospital-menu",
        defaults={"name": "病状変化時の受入態勢確保", "recipient_type": "hospital"},
    )
    MenuPlan.objects.get_or_create(application=application, menu=menu, designation=designation)
    return {"pk": application.pk, "designation_pk": designation.pk}


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
    UrlCase("subsidies:application_detail", _hub_object(everyone(200)), kwargs=_pk),
    UrlCase(
        "subsidies:application_detail",
        _other(),
        kwargs=lambda w: _pk(w, hub=w.hub_b),
        label="other hub",
    ),
    UrlCase("subsidies:application_edit", _coordinator_only(grantee=True), kwargs=_pk),
    UrlCase(
        "subsidies:application_edit",
        _coordinator_only(other_hub=True, grantee=True),
        kwargs=lambda w: _pk(w, hub=w.hub_b),
        label="other hub",
    ),
    UrlCase(
        "subsidies:application_action",
        _hub_object(only(STAFF, 200)),
        kwargs=lambda w: {**_pk(w, submitted=True), "action": "start_review"},
        label="start review",
    ),
    UrlCase(
        "subsidies:application_action",
        _hub_object(only(STAFF, 403)),
        kwargs=lambda w: {**_pk(w), "action": "start_review"},
        label="wrong state",
    ),
    UrlCase(
        "subsidies:application_action",
        only(STAFF, 404, others=403) | {Role.HUB_COORDINATOR: 404, Role.HOSPITAL: 404},
        kwargs=lambda w: {**_pk(w, hub=w.hub_b), "action": "decide"} | {"pk": 0},
        label="missing",
    ),
    UrlCase("subsidies:application_comment", _hub_object(everyone(302)), kwargs=_pk),
    UrlCase(
        "subsidies:application_comment",
        _other(302),
        kwargs=lambda w: _pk(w, hub=w.hub_b),
        label="other hub",
    ),
    UrlCase(
        "subsidies:version_diff",
        _hub_object(everyone(200)),
        kwargs=lambda w: _pk(w, submitted=True),
    ),
    UrlCase("subsidies:version_diff", everyone(404), kwargs=_pk, label="no version"),
    UrlCase("subsidies:attachment_upload", _coordinator_only(302, grantee=True), kwargs=_pk),
    UrlCase("subsidies:attachment_download", _hub_object(everyone(200)), kwargs=_attachment),
    UrlCase(
        "subsidies:attachment_delete", _coordinator_only(405, grantee=True), kwargs=_attachment
    ),
    UrlCase("subsidies:excel_download", _hub_object(everyone(200)), kwargs=_pk),
    UrlCase(
        "subsidies:excel_download",
        _other(),
        kwargs=lambda w: _pk(w, hub=w.hub_b),
        label="other hub",
    ),
    UrlCase("subsidies:excel_upload", _coordinator_only(grantee=True), kwargs=_pk),
    UrlCase("subsidies:excel_apply", _coordinator_only(405, grantee=True), kwargs=_pk),
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
        _coordinator_only(302, other_hub=True, grantee=True),
        kwargs=lambda w: _pk(w, hub=w.hub_b),
        label="other scope",
    ),
    UrlCase(
        "subsidies:excel_upload",
        _coordinator_only(other_hub=True, grantee=True),
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
        _hub_object(only(COORDINATOR, 200)),
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


def _hubs(expect):
    """The survey is the hubs': not a page of a hospital's contact (issue 18), 403."""
    return hospital_gets(403, expect)


CASES += [
    UrlCase("subsidies:survey_latest", _hubs(everyone(302))),
    UrlCase("subsidies:survey", _hubs(everyone(200)), kwargs=lambda w: _YEAR),
    UrlCase(
        "subsidies:survey", _hubs(everyone(404)), kwargs=lambda w: {"year": 2031}, label="none"
    ),
    UrlCase("subsidies:survey_period", only(STAFF, 405), kwargs=lambda w: _YEAR),
    UrlCase("subsidies:survey_close", only(STAFF, 405), kwargs=lambda w: _YEAR),
    UrlCase("subsidies:survey_open_applications", only(STAFF, 405), kwargs=lambda w: _YEAR),
    UrlCase("subsidies:survey_demand", only(STAFF), kwargs=lambda w: _YEAR),
    UrlCase("subsidies:survey_demand_xlsx", only(STAFF), kwargs=lambda w: _YEAR),
    UrlCase("subsidies:survey_answer", _hubs(everyone(200)), kwargs=_survey),
    UrlCase(
        "subsidies:survey_answer",
        _hubs(_other()),
        kwargs=lambda w: _survey(w, hub=w.hub_b),
        label="other hub",
    ),
    UrlCase("subsidies:survey_excel", _hubs(everyone(200)), kwargs=_survey),
    UrlCase(
        "subsidies:survey_excel",
        _hubs(_other()),
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
    # issue 18, setting (b): a hospital's contact starts its institution's own application
    # (POST only: 405 on GET); another institution is 404; every other role 403
    UrlCase(
        "subsidies:hospital_application_start",
        only((Role.HOSPITAL,), 405),
        kwargs=lambda w: {"institution_pk": w.hospital_a.pk, "year": 2026},
    ),
    UrlCase(
        "subsidies:hospital_application_start",
        only((Role.HOSPITAL,), 404),
        kwargs=lambda w: {"institution_pk": w.hospital_b.pk, "year": 2026},
        label="other hospital",
    ),
]


# --- a hospital's own application (issue 18, setting (b)) --------------------------------
# Hospital A's application (hub A follows it): its contact acts; hub A's coordinator and
# area A's health center read it and do nothing on it (403 on the grantee's pages). Hospital
# B's (hub B, area B): outside every scope of the world's non-staff users, 404.
HOSPITAL_YEAR = 2027  # 令和9年度, whose hospitals apply themselves (hospital_plan_form counts)


def hospital_application(world, other=False, submitted=False):
    """Hospital A's own application (or hospital B's with `other`) in 令和9年度."""
    from subsidies.models import Application
    from tests.factories import FiscalYearFactory

    fiscal_year = FiscalYearFactory(year=HOSPITAL_YEAR, hospital_plan_form="counts")
    application, _ = Application.objects.get_or_create(
        institution=world.hospital_b if other else world.hospital_a,
        fiscal_year=fiscal_year,
        defaults={"hub": world.hub_b if other else world.hub_a},
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


def _hospital_pk(world, **kwargs):
    return {"pk": hospital_application(world, **kwargs).pk}


def _hospital_attachment(world, other=False):
    application = hospital_application(world, other=other)
    attachment = application.attachments.create(
        file=ContentFile(b"%PDF-1.4 test", name="plan.pdf"),
        original_name="plan.pdf",
        size=13,
        uploaded_by=world.users[Role.HOSPITAL],
    )
    return {"pk": application.pk, "attachment_pk": attachment.pk}


def hospital_own(status=200):
    """Hospital A's application read: every role of the world sees it."""
    return everyone(status)


def hospital_grantee(status=200, follower=403):
    """A page of the grantee's side on hospital A's application: the hospital's contact;
    hub A's coordinator only follows: the object-aware rule refuses it (`follower`: 403, or
    302 back to the application with the reason); the other roles 403 by role."""
    return only((Role.HOSPITAL,), status) | {Role.HUB_COORDINATOR: follower}


def other_hospital(status=200, hospital_page=None):
    """Hospital B's application: staff `status`; the coordinator, health center and
    hospital contact of area A 404 (`hospital_page` for a page not of a role: 403)."""
    expect = everyone(status)
    for role in (Role.HUB_COORDINATOR, Role.HEALTH_CENTER, Role.HOSPITAL):
        expect[role] = 404
    for role, outcome in (hospital_page or {}).items():
        expect[role] = outcome
    return expect


_HOSPITAL_SUBMITTED = {"submitted": True}
CASES += [
    UrlCase(
        "subsidies:application_detail",
        hospital_own(),
        kwargs=_hospital_pk,
        label="hospital own",
    ),
    UrlCase(
        "subsidies:application_detail",
        other_hospital(),
        kwargs=lambda w: _hospital_pk(w, other=True),
        label="other hospital",
    ),
    UrlCase(
        "subsidies:application_edit",
        hospital_grantee(follower=302),
        kwargs=_hospital_pk,
        label="hospital own",
    ),
    UrlCase(
        "subsidies:application_edit",
        other_hospital(403, {Role.HEALTH_CENTER: 403}),
        kwargs=lambda w: _hospital_pk(w, other=True),
        label="other hospital",
    ),
    UrlCase(
        "subsidies:excel_download",
        hospital_own(),
        kwargs=_hospital_pk,
        label="hospital own",
    ),
    UrlCase(
        "subsidies:excel_download",
        other_hospital(),
        kwargs=lambda w: _hospital_pk(w, other=True),
        label="other hospital",
    ),
    UrlCase(
        "subsidies:version_diff",
        hospital_own(),
        kwargs=lambda w: _hospital_pk(w, **_HOSPITAL_SUBMITTED),
        label="hospital own",
    ),
    UrlCase(
        "subsidies:version_diff",
        other_hospital(),
        kwargs=lambda w: _hospital_pk(w, other=True, **_HOSPITAL_SUBMITTED),
        label="other hospital",
    ),
    UrlCase(
        "subsidies:attachment_download",
        hospital_own(),
        kwargs=_hospital_attachment,
        label="hospital own",
    ),
    UrlCase(
        "subsidies:attachment_download",
        other_hospital(),
        kwargs=lambda w: _hospital_attachment(w, other=True),
        label="other hospital",
    ),
    UrlCase(
        "subsidies:attachment_upload",
        hospital_grantee(302, follower=302),
        kwargs=_hospital_pk,
        label="hospital own",
    ),
    UrlCase(
        "subsidies:excel_upload",
        hospital_grantee(follower=302),
        kwargs=_hospital_pk,
        label="hospital own",
    ),
    UrlCase(
        "subsidies:excel_upload",
        other_hospital(403, {Role.HEALTH_CENTER: 403}),
        kwargs=lambda w: _hospital_pk(w, other=True),
        label="other hospital",
    ),
    UrlCase(
        "subsidies:application_comment",
        hospital_own(302),
        kwargs=_hospital_pk,
        label="hospital own",
    ),
    UrlCase(
        "subsidies:application_comment",
        other_hospital(302),
        kwargs=lambda w: _hospital_pk(w, other=True),
        label="other hospital",
    ),
    # the 取下げ of a filed application is the grantee's row: the hospital's contact on its
    # own; hub A's coordinator is refused by the table (403, with the reason)
    UrlCase(
        "subsidies:application_action",
        hospital_grantee(),
        kwargs=lambda w: {**_hospital_pk(w, **_HOSPITAL_SUBMITTED), "action": "withdraw"},
        label="hospital own withdraw",
    ),
    UrlCase(
        "subsidies:application_action",
        only(STAFF, 200),  # staff's row: the contact and the coordinator see why not (403)
        kwargs=lambda w: {**_hospital_pk(w, **_HOSPITAL_SUBMITTED), "action": "start_review"},
        label="hospital own start review",
    ),
    UrlCase(
        "subsidies:application_action",
        other_hospital(200, {Role.HEALTH_CENTER: 403}),
        kwargs=lambda w: {
            **_hospital_pk(w, other=True, **_HOSPITAL_SUBMITTED),
            "action": "start_review",
        },
        label="other hospital",
    ),
    # issue 18, setting (a): the hub picks its hospitals; a hospital enters its own lines
    UrlCase("subsidies:hospital_add", only(COORDINATOR, 405), kwargs=_pk),
    UrlCase(
        "subsidies:hospital_add",
        only(COORDINATOR, 405),
        kwargs=lambda w: _pk(w, hub=w.hub_b),
        label="other hub",
    ),
    UrlCase("subsidies:hospital_remove", only(COORDINATOR), kwargs=_picked_line),
    UrlCase(
        "subsidies:hospital_remove",
        only(COORDINATOR, 404),
        kwargs=lambda w: _picked_line(w, other=True),
        label="other hub",
    ),
    UrlCase("subsidies:hospital_lines", only((Role.HOSPITAL,))),
    UrlCase(
        "subsidies:hospital_lines_edit",
        only((Role.HOSPITAL, Role.HUB_COORDINATOR)),
        kwargs=_picked_line,
    ),
    UrlCase(
        "subsidies:hospital_lines_edit",
        only((Role.HOSPITAL, Role.HUB_COORDINATOR), 404),
        kwargs=lambda w: _picked_line(w, other=True),
        label="other hospital",
    ),
    UrlCase("subsidies:hospital_lines_join", only((Role.HOSPITAL,), 405), kwargs=_picked_line),
    UrlCase(
        "subsidies:hospital_lines_join",
        only((Role.HOSPITAL,), 405),
        kwargs=lambda w: _picked_line(w, other=True),
        label="other hospital",
    ),
]
