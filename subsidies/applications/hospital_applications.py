"""A hospital's own application (issue 18, setting (b)): in a fiscal year whose hospitals
apply themselves (`FiscalYear.hospitals_apply`), each 指定中 積極的医療機関 is a grantee. Its
application runs through the same workflow, documents and 決裁 as a hub's; only its start
differs, written here: the institution is the grantee, the hub of its area follows, and the
lines are the year's hospital menus for its designation (never the hub's menus)."""

from __future__ import annotations

from django.db import transaction

from hospitals.models import MedicalInstitution
from subsidies.applications.reading import hub_of_designation, own_application_designation
from subsidies.applications.rules import ApplicationError, can_start_hospital_application
from subsidies.models import Application, MenuPlan, RecipientType
from zaitaku_portal import audit


def hospital_menu_lines(application: Application, designation) -> list[MenuPlan]:
    """One line per hospital menu of the year for the designation (the ones missing)."""
    existing = set(application.lines.values_list("menu_id", flat=True))
    menus = application.fiscal_year.menus.filter(recipient_type=RecipientType.HOSPITAL)
    return [
        MenuPlan(application=application, menu=menu, designation=designation)
        for menu in menus.order_by("display_order", "pk")
        if menu.pk not in existing
    ]


@transaction.atomic
def start_hospital_application(institution, fiscal_year, actor) -> Application:
    """The institution's application for the year (the one there is, or a new draft with
    its lines). The institution is locked and the actor's right asked inside the lock, so
    two clicks make one application."""
    institution = MedicalInstitution.objects.select_for_update().get(pk=institution.pk)
    permission = can_start_hospital_application(actor, institution, fiscal_year)
    if not permission:
        raise ApplicationError(permission.reason)
    existing = Application.objects.filter(institution=institution, fiscal_year=fiscal_year)
    if application := existing.first():
        return application
    designation = own_application_designation(institution, fiscal_year)
    application = Application.objects.create(
        hub=hub_of_designation(designation),
        institution=institution,
        fiscal_year=fiscal_year,
        district_count=1,
    )
    MenuPlan.objects.bulk_create(hospital_menu_lines(application, designation))
    audit.record(
        actor,
        "申請の作成",
        application,
        {"申請者": {"from": None, "to": institution.name}},
    )
    return application
