"""What the prefecture publishes in its medical plan: the hubs and active hospitals per area.

Public data needs no login, so it is not scoped by role. These two querysets are the only
place the public pages read from (proposed for zaitaku_portal.access as published_*())."""

from hospitals.models import ActiveHospitalDesignation
from hubs.models import Hub
from zaitaku_portal.models import HomeCareArea


def published_areas():
    return HomeCareArea.objects.all()


def published_hubs():
    return Hub.objects.all()


def published_designations():
    return ActiveHospitalDesignation.objects.filter(status=ActiveHospitalDesignation.Status.ACTIVE)
