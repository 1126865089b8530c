from django.shortcuts import get_object_or_404, render

from zaitaku_portal.access import ALL_ROLES, designations_for, institutions_for, require_roles


@require_roles(*ALL_ROLES)
def designation_list(request):
    designations = (
        designations_for(request.user)
        .select_related("institution", "area", "hub")
        .order_by("area__display_order", "status", "institution__name")
    )
    return render(request, "hospitals/designation_list.html", {"designations": designations})


@require_roles(*ALL_ROLES)
def institution_detail(request, pk: int):
    institution = get_object_or_404(
        institutions_for(request.user).select_related("municipality"), pk=pk
    )
    designations = (
        designations_for(request.user)
        .filter(institution=institution)
        .select_related("area", "hub", "designated_by", "ended_by")
    )
    return render(
        request,
        "hospitals/institution_detail.html",
        {"institution": institution, "designations": designations},
    )
