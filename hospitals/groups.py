"""医療提供施設等グループ化の現状 (seed 001): the writer and the forms.

Staff and the area's health centers write (zaitaku_portal.scopes.editable_areas_for); the
area row is locked and the right re-checked inside the lock; members are replaced as a whole
and the change is audited with the member list before and after."""

from __future__ import annotations

from django.db import transaction

from hospitals.models import FacilityGroup, FacilityGroupMember, MedicalInstitution
from hubs.area.forms import JapaneseModelForm
from hubs.area.services import AreaError, locked_area
from zaitaku_portal import audit
from zaitaku_portal.bounds import whole_number

MEMBERS_MAX = 50


class GroupForm(JapaneseModelForm):
    class Meta:
        model = FacilityGroup
        fields = ["name", "as_of", "note"]


class MemberForm(JapaneseModelForm):
    class Meta:
        model = FacilityGroupMember
        fields = ["kind", "institution", "name"]

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions or MedicalInstitution.objects.none()
        self.fields["institution"].empty_label = "（名簿にない施設：右に名称を入力）"
        self.fields["kind"].required = False
        row = (self.prefix or "m0").removeprefix("m")
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"{int(row) + 1}行目の{field.label}"

    def clean(self):
        data = super().clean()
        filled = data.get("institution") or (data.get("name") or "").strip()
        if filled and not data.get("kind"):
            self.add_error("kind", "「種別」を選んでください。")
        return data

    def _post_clean(self):
        if not self.is_blank:  # an empty row is skipped, not checked against the model
            super()._post_clean()

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not data.get("institution") and not (data.get("name") or "").strip()


def member_forms(data, group: FacilityGroup, institutions, extra: int = 3) -> list[MemberForm]:
    existing = list(group.members.select_related("institution")) if group.pk else []
    count = len(existing) + extra
    if data is not None:
        posted = whole_number(data.get("member_count", ""))
        count = min(posted if posted is not None else count, MEMBERS_MAX)
    forms_ = []
    for index in range(count):
        instance = existing[index] if index < len(existing) else FacilityGroupMember()
        forms_.append(
            MemberForm(
                data,
                prefix=f"m{index}",
                instance=instance,
                institutions=institutions,
            )
        )
    return forms_


def institutions_of(area):
    return MedicalInstitution.objects.filter(municipality__home_care_areas=area).order_by(
        "kind", "name"
    )


def _members(group) -> list[str]:
    return [f"{m.get_kind_display()}：{m.display_name}" for m in group.members.all()]


def save_group(user, area, form: GroupForm, members: list[MemberForm]) -> FacilityGroup:
    with transaction.atomic():
        locked = locked_area(area, user)
        group = form.instance
        if group.pk and group.area_id != locked.pk:
            raise AreaError("このグループは別の在宅医療圏のものです。")
        before = {"グループ名": group.name, "構成施設": _members(group)} if group.pk else {}
        allowed = set(institutions_of(locked).values_list("pk", flat=True))
        rows = [m.cleaned_data for m in members if not m.is_blank]
        for row in rows:
            if row.get("institution") and row["institution"].pk not in allowed:
                raise AreaError("在宅医療圏の外の医療機関が選ばれています。")
        group = form.save(commit=False)
        group.area = locked
        group.updated_by = user
        group.save()
        group.members.all().delete()
        FacilityGroupMember.objects.bulk_create(
            FacilityGroupMember(
                group=group,
                kind=row["kind"],
                institution=row.get("institution"),
                name="" if row.get("institution") else row["name"].strip(),
            )
            for row in rows
        )
        after = {"グループ名": group.name, "構成施設": _members(group)}
        audit.record(
            user,
            "医療提供施設等のグループの登録",
            group,
            audit.differences(before, after) if before else after,
        )
    return group
