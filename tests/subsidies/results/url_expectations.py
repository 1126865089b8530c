"""Who gets what from each /results/ URL. The world's coordinator and health center belong to
hub A / area A; hub B's report is 404 for them (scoped querysets), 200 for staff."""

import datetime

from tests.subsidies.approvals import drive
from tests.url_cases import STAFF, UrlCase, everyone, hospital_gets, only
from zaitaku_portal.models import Role

COORDINATOR = (Role.HUB_COORDINATOR,)


def _case(world):
    from tests.subsidies.results.factories import worked_case

    return worked_case(world)


def _hub_b_case(world):
    from subsidies.models import SubsidyMenu
    from subsidies.results import services
    from tests import factories as f
    from tests.subsidies.results.factories import decided_application, menu

    fy = f.FiscalYearFactory(year=2026)
    m = SubsidyMenu.objects.filter(fiscal_year=fy, code="b-meeting").first() or menu(
        fy, "b-meeting", "会議", 1_060_000
    )
    application = decided_application(
        world.hub_b, fy, [(m, None, 500_000, {})], notice="8医政第900号"
    )
    coordinator = f.coordinator_of(world.hub_b, username="coordinator-b")
    return services.start_report(application, coordinator)


def _old_index(world):
    return {"rest": ""}


def report(world):
    return {"pk": _case(world).report.pk}


def report_b(world):
    return {"pk": _hub_b_case(world).pk}


def application_without_report(world):
    from tests import factories as f
    from tests.subsidies.results.factories import decided_application, menu

    fy = f.FiscalYearFactory(year=2026)
    m = menu(fy, "s-meeting", "会議", 1_060_000)
    return {"application_pk": decided_application(world.hub_a, fy, [(m, None, 1, {})]).pk}


def application_of_report(world):
    return {"application_pk": _case(world).application.pk}


def activity(world):
    c = _case(world)
    return {"pk": c.report.pk, "activity_pk": c.report.activities.first().pk}


def submitted(world):
    from subsidies.results import services

    c = _case(world)
    services.perform(c.report, "submit", world.users[Role.HUB_COORDINATOR], c.report.version)
    return {"pk": c.report.pk, "number": 1}


def confirmation(world):
    from subsidies.results import services
    from subsidies.results.reading import current_confirmation
    from subsidies.results.rules import ConfirmationInput

    c = _case(world)
    r = services.perform(c.report, "submit", world.users[Role.HUB_COORDINATOR], c.report.version)
    staff = world.users[Role.PREFECTURE_STAFF]
    r = services.perform(r, "start_review", staff, r.version)
    drive.through_approval(
        r,
        "confirm",
        staff,
        r.version,
        confirmation=ConfirmationInput("9医政第1号", datetime.date(2027, 5, 1)),
    )
    return {"confirmation_pk": current_confirmation(c.application).pk}


# Hub A's report: every role in its scope reads it; a hospital's contact never has a hub's
# report in its scope (issue 18): 404.
ALL_READ = hospital_gets(404, everyone(200))
STAFF_ONLY = only(STAFF)


def _grantee_page(status=200):
    """A page of the grantee's side (GRANTEE_ROLES): the hub's coordinator on its hub's
    report; the hospital's contact reaches the view but not a hub's report (404; 405 first
    for a POST-only page)."""
    return hospital_gets(405 if status == 405 else 404, only(COORDINATOR, status))


CASES = [
    UrlCase("results:index", everyone(200)),
    UrlCase("results:queue", STAFF_ONLY),
    UrlCase("results:queue", only(STAFF, 400), query="?year=abc", label="bad year"),
    # The addresses of before the re-house (/claims/...) redirect, for everyone, to /results/.
    UrlCase("old_claims_address", everyone(301, anonymous=301), kwargs=_old_index, public=True),
    UrlCase("results:report_start", _grantee_page(), kwargs=application_without_report),
    UrlCase("results:advances", STAFF_ONLY, kwargs=application_of_report),
    UrlCase("results:report_detail", ALL_READ, kwargs=report),
    UrlCase(
        "results:report_detail",
        {**ALL_READ, Role.HUB_COORDINATOR: 404, Role.HEALTH_CENTER: 404},
        kwargs=report_b,
        label="other hub",
    ),
    UrlCase("results:report_edit", _grantee_page(), kwargs=report),
    UrlCase(
        "results:report_edit",
        {**_grantee_page(), Role.HUB_COORDINATOR: 404},
        kwargs=report_b,
        label="other hub",
    ),
    UrlCase("results:activity_add", _grantee_page(), kwargs=report),
    UrlCase("results:activity_delete", _grantee_page(405), kwargs=activity),
    UrlCase(
        "results:report_action",
        hospital_gets(404, only((*COORDINATOR, *STAFF))),
        kwargs=lambda w: {**report(w), "action": "submit"},
    ),
    UrlCase("results:version", ALL_READ, kwargs=submitted),
    UrlCase("results:calculation", ALL_READ, kwargs=report),
    UrlCase(
        "results:calculation",
        {**ALL_READ, Role.HUB_COORDINATOR: 404, Role.HEALTH_CENTER: 404},
        kwargs=report_b,
        label="other hub",
    ),
    UrlCase("results:confirm", STAFF_ONLY, kwargs=report),
    UrlCase("results:sheet_xlsx", ALL_READ, kwargs=report),
    UrlCase(
        "results:sheet_xlsx",
        {**ALL_READ, Role.HUB_COORDINATOR: 404, Role.HEALTH_CENTER: 404},
        kwargs=report_b,
        label="other hub",
    ),
    # The notice is served by reports:confirmation_notice; this address redirects there.
    UrlCase("results:notice", hospital_gets(404, everyone(301)), kwargs=confirmation),
    UrlCase("results:prefecture_xlsx", STAFF_ONLY, kwargs=lambda w: {"year": 2026}),
    UrlCase("results:confirmed_json", STAFF_ONLY, kwargs=lambda w: {"year": 2026}),
    # moved to the budget pages: a permanent redirect there, query kept
    UrlCase("results:what_if", only(STAFF, 301), kwargs=lambda w: {"year": 2026}),
    UrlCase("results:what_if", only(STAFF, 404), kwargs=lambda w: {"year": 2031}, label="none"),
]

CASES += [
    UrlCase("results:expenses_xlsx", ALL_READ, kwargs=report),
    UrlCase(
        "results:expenses_xlsx",
        {**ALL_READ, Role.HUB_COORDINATOR: 404, Role.HEALTH_CENTER: 404},
        kwargs=report_b,
        label="other hub",
    ),
    UrlCase("results:expenses_upload", _grantee_page(), kwargs=report),
    UrlCase("results:expenses_apply", _grantee_page(405), kwargs=report),
]


def minutes(world):
    c = _case(world)
    activity = c.report.activities.first()
    _attach_minutes(activity)
    return {"pk": c.report.pk, "activity_pk": activity.pk}


CASES += [UrlCase("results:activity_minutes", ALL_READ, kwargs=minutes)]


# --- the same pages on hub B's objects: outside the coordinator's and health center's scope


def _filled_b(world):
    from tests.subsidies.results.factories import fill_report

    report = fill_report(
        _hub_b_case(world),
        {"b-meeting": {"expenses": {"honorarium": 100_000}, "total_cost": 100_000}},
    )
    activity = report.activities.first()
    _attach_minutes(activity)
    return report


def _confirmed_b(world):
    from subsidies.results import services
    from subsidies.results.rules import ConfirmationInput
    from zaitaku_portal.models import User

    report = _filled_b(world)
    coordinator = User.objects.get(username="coordinator-b")
    report = services.perform(report, "submit", coordinator, report.version)
    staff = world.users[Role.PREFECTURE_STAFF]
    report = services.perform(report, "start_review", staff, report.version)
    drive.through_approval(
        report,
        "confirm",
        staff,
        report.version,
        confirmation=ConfirmationInput("9医政第901号", datetime.date(2027, 5, 1)),
    )
    return report


def application_b_without_report(world):
    from tests import factories as f
    from tests.subsidies.results.factories import decided_application, menu

    fy = f.FiscalYearFactory(year=2026)
    m = menu(fy, "sb-meeting", "会議", 1_060_000)
    return {"application_pk": decided_application(world.hub_b, fy, [(m, None, 1, {})]).pk}


def _b_activity(world):
    report = _filled_b(world)
    return {"pk": report.pk, "activity_pk": report.activities.first().pk}


def _b_version(world):
    report = _confirmed_b(world)
    return {"pk": report.pk, "number": 1}


def _b_notice(world):
    from subsidies.results.reading import current_confirmation

    report = _confirmed_b(world)
    return {"confirmation_pk": current_confirmation(report.application).pk}


OUTSIDE = {**ALL_READ, Role.HUB_COORDINATOR: 404, Role.HEALTH_CENTER: 404}
OUTSIDE_COORDINATOR_PAGE = {**_grantee_page(), Role.HUB_COORDINATOR: 404}

CASES += [
    UrlCase(
        "results:report_start",
        OUTSIDE_COORDINATOR_PAGE,
        kwargs=application_b_without_report,
        label="other hub",
    ),
    UrlCase("results:activity_add", OUTSIDE_COORDINATOR_PAGE, kwargs=report_b, label="other hub"),
    UrlCase(
        "results:expenses_upload", OUTSIDE_COORDINATOR_PAGE, kwargs=report_b, label="other hub"
    ),
    UrlCase(
        "results:report_action",
        {**only((*COORDINATOR, *STAFF)), Role.HUB_COORDINATOR: 404, Role.HOSPITAL: 404},
        kwargs=lambda w: {**report_b(w), "action": "submit"},
        label="other hub",
    ),
    UrlCase("results:activity_minutes", OUTSIDE, kwargs=_b_activity, label="other hub"),
    UrlCase("results:version", OUTSIDE, kwargs=_b_version, label="other hub"),
    UrlCase(
        "results:notice",
        {**everyone(301), Role.HUB_COORDINATOR: 404, Role.HEALTH_CENTER: 404, Role.HOSPITAL: 404},
        kwargs=_b_notice,
        label="other hub",
    ),
]


def _attach_minutes(activity):
    """One fixed file in the (git-ignored) media folder, reused by every run."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = "results/url-cases/minutes.pdf"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(b"%PDF-1.4 test"))
    activity.minutes.name = name
    activity.minutes_name = "議事録.pdf"
    activity.save()


# --- disaster equipment and receipts (issue 22) ----------------------------------------------


def _receipt_of(report):
    """A receipt on the report's first line, its file fixed in the (git-ignored) media folder."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from subsidies.results.models import ExpenseReceipt
    from zaitaku_portal.models import User

    name = "results/url-cases/receipt.pdf"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(b"%PDF-1.4 test"))
    receipt = ExpenseReceipt(
        expense=report.expenses.first(),
        original_name="領収書.pdf",
        size=13,
        uploaded_by=User.objects.filter(role=Role.HUB_COORDINATOR).first(),
    )
    receipt.file.name = name
    receipt.save()
    return receipt


def _equipment_of(report):
    from subsidies.results.models import DisasterEquipment

    return DisasterEquipment.objects.create(report=report, item="aed", quantity=1, cost=300_000)


def receipt(world):
    c = _case(world)
    return {"pk": c.report.pk, "receipt_pk": _receipt_of(c.report).pk}


def _b_receipt(world):
    report = _filled_b(world)
    return {"pk": report.pk, "receipt_pk": _receipt_of(report).pk}


def equipment_item(world):
    c = _case(world)
    return {"pk": c.report.pk, "item_pk": _equipment_of(c.report).pk}


CASES += [
    UrlCase("results:equipment_add", _grantee_page(), kwargs=report),
    UrlCase("results:equipment_add", OUTSIDE_COORDINATOR_PAGE, kwargs=report_b, label="other hub"),
    UrlCase("results:equipment_delete", _grantee_page(405), kwargs=equipment_item),
    UrlCase("results:receipt_upload", _grantee_page(), kwargs=report),
    UrlCase("results:receipt_upload", OUTSIDE_COORDINATOR_PAGE, kwargs=report_b, label="other hub"),
    UrlCase("results:receipt_download", ALL_READ, kwargs=receipt),
    UrlCase("results:receipt_download", OUTSIDE, kwargs=_b_receipt, label="other hub"),
    UrlCase("results:receipt_delete", _grantee_page(405), kwargs=receipt),
]


# --- 保健所の助言 on a results report (issue 20) ------------------------------------------------

HEALTH_CENTER = (Role.HEALTH_CENTER,)


def submitted_report(world):
    return {"pk": submitted(world)["pk"]}


def _submitted_b(world):
    from subsidies.results import services
    from zaitaku_portal.models import User

    report = _filled_b(world)
    coordinator = User.objects.get(username="coordinator-b")
    report = services.perform(report, "submit", coordinator, report.version)
    return {"pk": report.pk}


CASES += [
    UrlCase("results:advice_list", only(HEALTH_CENTER)),
    # handed in: the health center of hub A's area writes; every other role (the hospital
    # included) is refused
    UrlCase("results:report_advice", only(HEALTH_CENTER), kwargs=submitted_report),
    # still 作成中: nothing to advise on yet (the reason on the 403 page)
    UrlCase("results:report_advice", only(HEALTH_CENTER, 403), kwargs=report, label="draft"),
    # hub B's report is in another area: 404 for area A's health center
    UrlCase(
        "results:report_advice",
        only(HEALTH_CENTER, 404),
        kwargs=_submitted_b,
        label="other area",
    ),
]


# --- a hospital's own decided application (issue 18, setting (b)) ----------------------------
# Hospital A's (hub A follows it): its contact starts and writes the report; hub A's
# coordinator and area A's health center read. Hospital B's: 404 for all of area A.


def hospital_decided(world, other=False):
    """Hospital A's (or B's) own application of 令和9年度, decided for one hospital menu."""
    from subsidies.models import Application, RecipientType
    from tests import factories as f
    from tests.subsidies.results.factories import decided_application, menu
    from tests.subsidies.url_expectations import HOSPITAL_YEAR

    institution = world.hospital_b if other else world.hospital_a
    existing = Application.objects.filter(institution=institution).first()
    if existing:
        return existing
    fy = f.FiscalYearFactory(year=HOSPITAL_YEAR, hospital_plan_form="counts")
    m = fy.menus.filter(code="h-nurse").first() or menu(
        fy, "h-nurse", "看護師の配置", 4_000_000, recipient=RecipientType.HOSPITAL
    )
    designation = world.designation_b if other else world.designation_a
    application = decided_application(
        world.hub_b if other else world.hub_a,
        fy,
        [(m, designation, 1_000_000, {})],
        notice=f"9医政第{700 + institution.pk}号",
    )
    application.institution = institution
    application.save(update_fields=["institution"])
    return application


def hospital_report(world, other=False):
    """The results report of that application: hospital A's started by its contact (the
    object-aware rule lets it), hospital B's written straight from the model."""
    from subsidies.models import ResultReport
    from subsidies.results import services

    application = hospital_decided(world, other=other)
    if other:
        report, _ = ResultReport.objects.get_or_create(application=application)
        services.sync_expense_lines(report)
        return report
    return services.start_report(application, world.users[Role.HOSPITAL])


def _hospital_report_pk(world, other=False):
    return {"pk": hospital_report(world, other=other).pk}


def _other_hospital_report(world):
    return _hospital_report_pk(world, other=True)


def _hospital_application_pk(world, other=False):
    return {"application_pk": hospital_decided(world, other=other).pk}


HOSPITAL_OWN_READ = everyone(200)
OTHER_HOSPITAL = {
    **everyone(200),
    Role.HUB_COORDINATOR: 404,
    Role.HEALTH_CENTER: 404,
    Role.HOSPITAL: 404,
}
# the grantee's page of hospital A's report: its contact; hub A's coordinator follows and is
# refused by the object-aware rule; the other roles 403 by role
HOSPITAL_GRANTEE = {**only((Role.HOSPITAL,)), Role.HUB_COORDINATOR: 403}

CASES += [
    UrlCase(
        "results:report_start",
        HOSPITAL_GRANTEE,
        kwargs=_hospital_application_pk,
        label="hospital own",
    ),
    UrlCase(
        "results:report_start",
        {**OTHER_HOSPITAL, **only(STAFF, 403, others=404), Role.HEALTH_CENTER: 403},
        kwargs=lambda w: _hospital_application_pk(w, other=True),
        label="other hospital",
    ),
    UrlCase(
        "results:report_detail",
        HOSPITAL_OWN_READ,
        kwargs=_hospital_report_pk,
        label="hospital own",
    ),
    UrlCase(
        "results:report_detail",
        OTHER_HOSPITAL,
        kwargs=_other_hospital_report,
        label="other hospital",
    ),
    UrlCase(
        "results:report_edit",
        {**HOSPITAL_GRANTEE, Role.HUB_COORDINATOR: 302},  # back to the report, with why not
        kwargs=_hospital_report_pk,
        label="hospital own",
    ),
    UrlCase(
        "results:report_edit",
        {**OTHER_HOSPITAL, **only(STAFF, 403, others=404), Role.HEALTH_CENTER: 403},
        kwargs=_other_hospital_report,
        label="other hospital",
    ),
    UrlCase(
        "results:calculation",
        HOSPITAL_OWN_READ,
        kwargs=_hospital_report_pk,
        label="hospital own",
    ),
    UrlCase(
        "results:calculation",
        OTHER_HOSPITAL,
        kwargs=_other_hospital_report,
        label="other hospital",
    ),
    UrlCase(
        "results:sheet_xlsx",
        HOSPITAL_OWN_READ,
        kwargs=_hospital_report_pk,
        label="hospital own",
    ),
    UrlCase(
        "results:sheet_xlsx",
        OTHER_HOSPITAL,
        kwargs=_other_hospital_report,
        label="other hospital",
    ),
]
