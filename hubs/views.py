from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render

from hubs import program
from hubs.area.summary import area_summary
from zaitaku_portal import query
from zaitaku_portal.access import AREA_ROLES, require_roles
from zaitaku_portal.models import Role
from zaitaku_portal.query import refuses_bad_query
from zaitaku_portal.scopes import designations_for, hubs_for


def _scoped_hubs(user):
    return hubs_for(user).prefetch_related("areas", "coordinators")


PAGE_SIZE = 50


@require_roles(*AREA_ROLES)
@refuses_bad_query
def hub_list(request):
    """Hubs in scope, searchable by name, 50 to a page (a national data set has 2,000)."""
    hubs = _scoped_hubs(request.user).order_by("name")
    searched = query.text(request, "q", "拠点名・運営主体名", max_length=100)
    if searched:
        hubs = hubs.filter(Q(name__icontains=searched) | Q(operator_name__icontains=searched))
    page = Paginator(hubs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "hubs/hub_list.html",
        {"hubs": page.object_list, "page": page, "q": searched},
    )


@require_roles(Role.HUB_COORDINATOR)
def my_hubs(request):
    """A coordinator's home: their hub, or the list when they coordinate several."""
    hubs = list(_scoped_hubs(request.user))
    if len(hubs) == 1:
        return redirect("hubs:detail", pk=hubs[0].pk)
    return render(request, "hubs/hub_list.html", {"hubs": hubs, "mine": True})


@require_roles(*AREA_ROLES)
def hub_detail(request, pk: int):
    hub = get_object_or_404(_scoped_hubs(request.user), pk=pk)
    designations = (
        designations_for(request.user)
        .filter(hub=hub)
        .select_related("institution", "area")
        .order_by("status", "area__display_order", "institution__name")
    )
    return render(
        request,
        "hubs/hub_detail.html",
        {
            "hub": hub,
            "designations": designations,
            "agreements": hub.program_agreements.select_related("municipality__parent"),
            "excluded_items": program.excluded_items(hub),
            "can_edit_program": program.can_edit_program(request.user, hub),
            "area_summaries": [area_summary(area) for area in hub.areas.all()],
        },
    )
