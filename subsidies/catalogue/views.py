"""The catalogue page: a fiscal year's requirement items and menus, for every role."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render

from subsidies.catalogue.models import FiscalYear, RecipientType, SubsidyMenu
from zaitaku_portal.access import ALL_ROLES, can_manage_master_data, require_roles


@require_roles(*ALL_ROLES)
def catalogue_latest(request):
    latest = FiscalYear.objects.order_by("-year").first()
    if latest is None:  # a new installation: say so, rather than a menu entry that 404s
        return render(
            request,
            "subsidies/catalogue/empty.html",
            {"can_add": bool(can_manage_master_data(request.user))},
        )
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
        "subsidies/catalogue/catalogue.html",
        {
            "fiscal_year": fiscal_year,
            "sections": sections,
            "fiscal_years": FiscalYear.objects.order_by("-year"),
        },
    )
