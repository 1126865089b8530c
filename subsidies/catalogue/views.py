"""The catalogue page: a fiscal year's rules, state (調整中/確定), requirement items and
menus, for every role; prefecture staff confirm a 調整中 catalogue from it."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from subsidies.catalogue.forms import SettingsRefused, YokoSettingsForm, save_settings
from subsidies.catalogue.models import FiscalYear, RecipientType, SubsidyMenu
from subsidies.catalogue.services import CatalogueError, catalogue_gaps, confirm_catalogue
from zaitaku_portal.access import ALL_ROLES, STAFF_ROLES, can_manage_master_data, require_roles


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


def _sections(fiscal_year):
    """Per recipient type: its menus and its requirement items; an item no menu covers is
    補助対象外 in this catalogue (Osaka FY2024's hospital items ②③⑤⑥)."""
    sections = []
    for recipient_type in RecipientType:
        menus = [m for m in fiscal_year.menus.all() if m.recipient_type == recipient_type]
        covered = {item.pk for menu in menus for item in menu.requirement_items.all()}
        items = [
            i for i in fiscal_year.requirement_items.all() if i.recipient_type == recipient_type
        ]
        sections.append(
            {
                "key": recipient_type.value,
                "label": recipient_type.label,
                "items": items,
                "menus": menus,
                "not_subsidised": [i for i in items if i.pk not in covered],
                "has_promotion": any(m.promotion_items for m in menus),
            }
        )
    return sections


@require_roles(*ALL_ROLES)
def catalogue(request, year: int):
    menus = SubsidyMenu.objects.prefetch_related("requirement_items", "expense_categories")
    fiscal_year = get_object_or_404(
        FiscalYear.objects.select_related("catalogue_confirmed_by").prefetch_related(
            "requirement_items", Prefetch("menus", queryset=menus)
        ),
        year=year,
    )
    can_confirm = can_manage_master_data(request.user)
    return render(
        request,
        "subsidies/catalogue/catalogue.html",
        {
            "fiscal_year": fiscal_year,
            "sections": _sections(fiscal_year),
            "fiscal_years": FiscalYear.objects.order_by("-year"),
            "can_confirm": bool(can_confirm) and not fiscal_year.catalogue_confirmed,
            "can_edit_settings": bool(can_confirm),
            "gaps": catalogue_gaps(fiscal_year) if not fiscal_year.catalogue_confirmed else [],
        },
    )


@require_roles(*STAFF_ROLES)
@require_POST
def catalogue_confirm(request, year: int):
    """調整中 → 確定 (confirm_catalogue re-checks the role and locks the row)."""
    fiscal_year = get_object_or_404(FiscalYear, year=year)
    try:
        confirmed = confirm_catalogue(fiscal_year, request.user)
    except CatalogueError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"{confirmed}の補助メニューを確定しました。交付決定でこの上限額・補助率が使われます。",
        )
    return redirect("subsidies:catalogue", year=year)


@require_roles(*STAFF_ROLES)
def catalogue_settings(request, year: int):
    """要綱の設定: what the year's notices print, its notice number pattern and deadlines.
    GET shows them (read-only once frozen); POST saves through save_settings, which checks
    the role and the freeze again inside the row lock and audits the from/to."""
    fiscal_year = get_object_or_404(FiscalYear, year=year)
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = YokoSettingsForm(data, files, instance=fiscal_year)
    if request.method == "POST" and form.is_valid():
        try:
            changes = save_settings(fiscal_year, form, request.user)
        except SettingsRefused as refused:
            messages.error(request, str(refused))
        else:
            if changes:
                messages.success(
                    request, f"{fiscal_year}の要綱の設定を保存しました（{'・'.join(changes)}）。"
                )
            else:
                messages.info(request, "変更はありませんでした。")
            return redirect("subsidies:catalogue_settings", year=year)
    stored = FiscalYear.objects.get(pk=fiscal_year.pk)  # the form may have altered its instance
    return render(
        request,
        "subsidies/catalogue/settings.html",
        {
            "fiscal_year": stored,
            "form": form,
            "frozen": stored.catalogue_frozen,
            "default_issuer": f"{settings.GOVERNOR_TITLE}　{settings.GOVERNOR_NAME}",
        },
    )
