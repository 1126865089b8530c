"""Who sees which records: one queryset function per kind of record, narrowed by role.

Every view, admin page, export and writer asks this module for its queryset; nothing else
filters by role. The roles themselves and the permissions (may this user do this?) are in
zaitaku_portal/access.py. This is the one module of the core that reads domain models (lazily,
inside the functions), so the core never imports a domain app anywhere else."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from zaitaku_portal.access import STAFF_ROLES, can_view_catalogue, role_of
from zaitaku_portal.models import HealthCenter, HomeCareArea, Role

# --- by role -------------------------------------------------------------------------


def hubs_for(user) -> QuerySet:
    from hubs.models import Hub

    role = role_of(user)
    hubs = Hub.objects.all()
    if role in STAFF_ROLES:
        return hubs
    if role == Role.HUB_COORDINATOR:
        return hubs.filter(coordinators__user=user).distinct()
    if role == Role.HEALTH_CENTER:
        return hubs.filter(areas__in=areas_for(user)).distinct()
    return hubs.none()


def areas_for(user) -> QuerySet:
    role = role_of(user)
    areas = HomeCareArea.objects.all()
    if role in STAFF_ROLES:
        return areas
    if role == Role.HEALTH_CENTER and user.health_center_id:
        return areas.filter(municipalities__health_centers=user.health_center_id).distinct()
    if role == Role.HUB_COORDINATOR:
        return areas.filter(hubs__coordinators__user=user).distinct()
    return areas.none()


def editable_areas_for(user) -> QuerySet:
    """Areas whose own records (figures, plan actions, 懇話会, hub candidates, facility
    groups) this user may write: staff all, a health center its areas, nobody else."""
    role = role_of(user)
    if role in STAFF_ROLES or role == Role.HEALTH_CENTER:
        return areas_for(user)
    return HomeCareArea.objects.none()


def area_records_for(user, model) -> QuerySet:
    """Rows of an area-owned model (with an `area` foreign key) in the user's areas: read by
    every role in scope, a coordinator for its hub's areas."""
    return model.objects.filter(area__in=areas_for(user))


def health_centers_for(user) -> QuerySet:
    role = role_of(user)
    if role in STAFF_ROLES:
        return HealthCenter.objects.all()
    if role == Role.HEALTH_CENTER and user.health_center_id:
        return HealthCenter.objects.filter(pk=user.health_center_id)
    return HealthCenter.objects.none()


def designations_for(user) -> QuerySet:
    from hospitals.models import ActiveHospitalDesignation

    role = role_of(user)
    designations = ActiveHospitalDesignation.objects.all()
    if role in STAFF_ROLES:
        return designations
    if role == Role.HUB_COORDINATOR:
        return designations.filter(hub__in=hubs_for(user))
    if role == Role.HEALTH_CENTER:
        return designations.filter(area__in=areas_for(user))
    if role == Role.HOSPITAL:
        return designations.filter(institution__contacts__user=user)
    return designations.none()


def institutions_for(user) -> QuerySet:
    from hospitals.models import MedicalInstitution

    role = role_of(user)
    institutions = MedicalInstitution.objects.all()
    if role in STAFF_ROLES:
        return institutions
    if role == Role.HUB_COORDINATOR:
        return institutions.filter(designations__hub__in=hubs_for(user)).distinct()
    if role == Role.HEALTH_CENTER and user.health_center_id:
        return institutions.filter(
            Q(municipality__health_centers=user.health_center_id)
            | Q(designations__area__in=areas_for(user))
        ).distinct()
    if role == Role.HOSPITAL:
        return institutions.filter(contacts__user=user).distinct()
    return institutions.none()


def applications_for(user) -> QuerySet:
    """交付申請 in scope: of the hubs in scope, with the own applications of their area's
    hospitals (a coordinator follows them, a health center watches them); a hospital's
    contact only its institution's own applications (issue 18)."""
    from subsidies.models import Application

    applications = Application.objects.select_related("hub", "fiscal_year", "institution")
    if role_of(user) == Role.HOSPITAL:
        return applications.filter(institution__in=institutions_for(user))
    return applications.filter(hub__in=hubs_for(user))


def hospital_lines_for(user) -> QuerySet:
    """Plan lines (MenuPlan) of the hospitals in scope, in whichever application they sit: a
    hospital's contact writes its own lines into its hub's plan in a year the hub applies
    for its hospitals (issue 18, setting (a)), and sees no other line of that plan."""
    from subsidies.models import MenuPlan

    lines = MenuPlan.objects.filter(designation__isnull=False)
    role = role_of(user)
    if role == Role.HOSPITAL:
        return lines.filter(designation__institution__in=institutions_for(user))
    return lines.filter(application__in=applications_for(user))


# --- what anyone may see (the public list of the medical plan) --------------------------


def published_areas() -> QuerySet:
    return HomeCareArea.objects.all()


def published_hubs() -> QuerySet:
    from hubs.models import Hub

    return Hub.objects.all()


def published_designations() -> QuerySet:
    """Only designations in force are published, never ended ones."""
    from hospitals.models import ActiveHospitalDesignation

    return ActiveHospitalDesignation.objects.filter(status=ActiveHospitalDesignation.Status.ACTIVE)


def reports_for(user) -> QuerySet:
    """Results reports of the applications this user may see (404 for anything else)."""
    from subsidies.models import ResultReport

    return ResultReport.objects.filter(application__in=applications_for(user)).select_related(
        "application__hub", "application__fiscal_year"
    )


def confirmations_for(user) -> QuerySet:
    """額の確定 of the applications this user may see."""
    from subsidies.models import Confirmation

    return Confirmation.objects.filter(application__in=applications_for(user))


def decisions_for(user) -> QuerySet:
    """交付決定 of the applications this user may see."""
    from subsidies.models import Decision

    return Decision.objects.filter(application__in=applications_for(user)).select_related(
        "application__hub", "application__fiscal_year", "version"
    )


def catalogue_for(user) -> QuerySet:
    """The catalogue is readable by every role (access.can_view_catalogue); nothing to narrow."""
    from subsidies.models import SubsidyMenu

    return SubsidyMenu.objects.all() if can_view_catalogue(user) else SubsidyMenu.objects.none()
