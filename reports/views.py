from django.db.models import Prefetch
from django.shortcuts import render

from zaitaku_portal.access import (
    STAFF_ROLES,
    areas_for,
    designations_for,
    health_centers_for,
    hubs_for,
    require_roles,
)
from zaitaku_portal.models import Role


@require_roles(Role.HEALTH_CENTER, *STAFF_ROLES)
def my_areas(request):
    """A health center's home: its areas, each with its hubs and active hospitals."""
    user = request.user
    areas = areas_for(user).prefetch_related(
        "municipalities",
        Prefetch("hubs", queryset=hubs_for(user), to_attr="scoped_hubs"),
        Prefetch(
            "designations",
            queryset=designations_for(user)
            .filter(status="active")
            .select_related("institution", "hub"),
            to_attr="active_designations",
        ),
    )
    return render(
        request,
        "reports/my_areas.html",
        {"areas": areas, "health_centers": health_centers_for(user)},
    )
