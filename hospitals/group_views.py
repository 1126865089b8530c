"""Pages of 医療提供施設等グループ化の現状: every role reads its areas' groups; staff and the
area's health centers write them."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from hospitals.groups import GroupForm, institutions_of, member_forms, save_group
from hospitals.models import FacilityGroup
from hubs.area.services import AreaError
from zaitaku_portal import query
from zaitaku_portal.access import AREA_ROLES, STAFF_ROLES, require_roles
from zaitaku_portal.models import Role
from zaitaku_portal.query import refuses_bad_query
from zaitaku_portal.scopes import area_records_for, areas_for, editable_areas_for

EDITORS = (*STAFF_ROLES, Role.HEALTH_CENTER)


@require_roles(*AREA_ROLES)
@refuses_bad_query
def facility_groups(request):
    areas = areas_for(request.user).order_by("display_order", "name")
    area_id = query.number(request, "area", "在宅医療圏")
    area = get_object_or_404(areas, pk=area_id) if area_id else None
    groups = area_records_for(request.user, FacilityGroup).select_related("area")
    if area is not None:
        groups = groups.filter(area=area)
    groups = groups.prefetch_related("members__institution").order_by("area__display_order", "name")
    return render(
        request,
        "hospitals/facility_groups.html",
        {
            "areas": areas,
            "area": area,
            "groups": groups,
            "editable_ids": set(editable_areas_for(request.user).values_list("pk", flat=True)),
        },
    )


def _page(request, area, group):
    institutions = institutions_of(area)
    data = request.POST if request.method == "POST" else None
    form = GroupForm(data, instance=group)
    members = member_forms(data, group, institutions)
    if data is not None and form.is_valid() and all(m.is_valid() for m in members):
        try:
            saved = save_group(request.user, area, form, members)
        except AreaError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"グループ「{saved}」を保存しました。")
            return redirect(reverse("hospitals:facility_groups") + f"?area={area.pk}")
    problems = [
        f"{index}行目の構成施設：{error}"
        for index, member in enumerate(members, start=1)
        for errors in member.errors.values()
        for error in errors
    ]
    return render(
        request,
        "hospitals/facility_group_edit.html",
        {"area": area, "form": form, "members": members, "problems": problems, "group": group},
    )


@require_roles(*EDITORS)
def facility_group_new(request, area_pk: int):
    area = get_object_or_404(editable_areas_for(request.user), pk=area_pk)
    return _page(request, area, FacilityGroup(area=area))


@require_roles(*EDITORS)
def facility_group_edit(request, pk: int):
    group = get_object_or_404(area_records_for(request.user, FacilityGroup), pk=pk)
    area = get_object_or_404(editable_areas_for(request.user), pk=group.area_id)
    return _page(request, area, group)
