from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from subsidies.models import FiscalYear, RecipientType, SubsidyMenu
from zaitaku_portal.access import (
    ALL_ROLES,
    STAFF_ROLES,
    areas_for,
    designations_for,
    hubs_for,
    require_roles,
)


@require_roles(*STAFF_ROLES)
def review_home(request):
    """Prefecture staff's home: where things stand across the prefecture."""
    areas = areas_for(request.user).annotate(
        hub_count=Count("hubs", distinct=True),
        hospital_count=Count(
            "designations", filter=Q(designations__status="active"), distinct=True
        ),
    )
    gaps = [area for area in areas if area.hub_count == 0 or area.hospital_count == 0]
    fiscal_years = FiscalYear.objects.annotate(menu_count=Count("menus"))
    context = {
        "hub_count": hubs_for(request.user).count(),
        "hospital_count": designations_for(request.user).filter(status="active").count(),
        "area_count": len(areas),
        "gaps": gaps,
        "fiscal_years": fiscal_years,
    }
    return render(request, "subsidies/review_home.html", context)


@require_roles(*ALL_ROLES)
def catalogue_latest(request):
    latest = FiscalYear.objects.order_by("-year").first()
    if latest is None:
        raise Http404("年度が登録されていません。")
    return redirect("subsidies:catalogue", year=latest.year)


@require_roles(*ALL_ROLES)
def catalogue(request, year: int):
    menus = SubsidyMenu.objects.prefetch_related("requirement_items", "expense_categories")
    fiscal_year = get_object_or_404(
        FiscalYear.objects.prefetch_related("requirement_items", Prefetch("menus", queryset=menus)),
        year=year,
    )
    sections = []
    for recipient_type in RecipientType:
        sections.append(
            {
                "label": recipient_type.label,
                "items": [
                    item
                    for item in fiscal_year.requirement_items.all()
                    if item.recipient_type == recipient_type
                ],
                "menus": [m for m in fiscal_year.menus.all() if m.recipient_type == recipient_type],
            }
        )
    return render(
        request,
        "subsidies/catalogue.html",
        {
            "fiscal_year": fiscal_year,
            "sections": sections,
            "fiscal_years": FiscalYear.objects.order_by("-year"),
        },
    )
