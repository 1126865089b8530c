"""Writers of the area's records. Each locks the area row, re-checks inside the lock that the
user may still write it (zaitaku_portal.scopes.editable_areas_for), writes and audits."""

from __future__ import annotations

from pathlib import PurePath

from django.db import transaction

from hubs.models import AreaProfile, AreaResource, HomeCareCouncil, ResourceKind
from zaitaku_portal import audit
from zaitaku_portal.attachments import (
    content_problem,
    file_name_problem,
    removed_on_failure,
    stored_name,
)
from zaitaku_portal.models import HomeCareArea
from zaitaku_portal.scopes import editable_areas_for


class AreaError(Exception):
    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


NOT_ALLOWED = "この在宅医療圏の記録を編集する権限がありません（県職員と管轄の保健所のみ）。"


def locked_area(area, user) -> HomeCareArea:
    """Inside a transaction: the area row locked, and the user's right to it re-checked."""
    locked = HomeCareArea.objects.select_for_update().get(pk=area.pk)
    if not editable_areas_for(user).filter(pk=locked.pk).exists():
        raise AreaError(NOT_ALLOWED)
    return locked


def _shown(value) -> str | None:
    if value in (None, ""):
        return None
    if hasattr(value, "all"):
        return "、".join(str(v) for v in value.all())
    return str(value)


def _values(instance, names) -> dict:
    values = {}
    for name in names:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            continue
        display = getattr(instance, f"get_{name}_display", None)
        values[str(field.verbose_name)] = display() if display else _shown(getattr(instance, name))
    return values


def save_area_record(user, area, form, action: str):
    """A ModelForm of an area-owned model (area set here, never from the form)."""
    with transaction.atomic():
        locked = locked_area(area, user)
        instance = form.instance
        if instance.pk and instance.area_id != locked.pk:
            raise AreaError(NOT_ALLOWED)
        names = list(form.fields)
        if instance.pk:
            original = (
                type(instance)
                .objects.select_for_update(of=("self",))
                .order_by()
                .get(pk=instance.pk)
            )
            before = _values(original, names)
        else:
            before = {}
        record = form.save(commit=False)
        record.area = locked
        record.save()
        form.save_m2m()
        after = _values(record, names)
        audit.record(user, action, record, audit.differences(before, after) if before else after)
    return record


def save_progress(user, area, action, form):
    """One fiscal year's progress of a plan action (a second entry for the year replaces)."""
    with transaction.atomic():
        locked_area(area, user)
        if action.area_id != area.pk:
            raise AreaError(NOT_ALLOWED)
        names = ["fiscal_year", "status", "note"]
        instance = form.instance
        before = _values(type(instance).objects.get(pk=instance.pk), names) if instance.pk else {}
        progress = form.save(commit=False)
        progress.action = action
        progress.save()
        after = _values(progress, names)
        audit.record(
            user,
            "医療計画（圏域編）の取組の進捗",
            action,
            audit.differences(before, after) if before else after,
        )
    return progress


# --- figures and resources ------------------------------------------------------------------


def write_profile(user, area, values: dict) -> AreaProfile:
    """Create or replace one place-and-year's figures; `values` holds municipality (or None),
    figure_year, population, ageing_rate, source and counts {kind: n} (missing = not known).
    The caller holds the area lock."""
    profile = (
        AreaProfile.objects.select_for_update(of=("self",))
        .order_by()  # the default order joins the (nullable) municipality
        .filter(area=area, municipality=values["municipality"], figure_year=values["figure_year"])
        .first()
    )
    before = _profile_values(profile) if profile else {}
    if profile is None:
        profile = AreaProfile(
            area=area, municipality=values["municipality"], figure_year=values["figure_year"]
        )
    profile.population = values["population"]
    profile.ageing_rate = values["ageing_rate"]
    profile.source = values.get("source", "")
    profile.updated_by = user
    profile.save()
    profile.resources.all().delete()
    AreaResource.objects.bulk_create(
        AreaResource(profile=profile, kind=kind, count=count)
        for kind, count in values["counts"].items()
        if count is not None
    )
    after = _profile_values(profile)
    changes = (
        audit.differences(before, after)
        if before
        else {label: value for label, value in after.items() if value is not None}
    )
    audit.record(user, "圏域の人口・資源の登録", profile, changes)
    return profile


def _profile_values(profile: AreaProfile) -> dict:
    values = {
        "人口": profile.population,
        "高齢化率": str(profile.ageing_rate),
        "出典": profile.source or None,
    }
    counts = {resource.kind: resource.count for resource in profile.resources.all()}
    for kind in ResourceKind:  # every kind, so a count removed shows as → None
        values[kind.label] = counts.get(kind.value)
    return values


def save_profile(user, area, values: dict) -> AreaProfile:
    with transaction.atomic():
        return write_profile(user, locked_area(area, user), values)


def import_profiles(user, rows: list[tuple[HomeCareArea, dict]]) -> int:
    """All rows of one workbook, or none: every area is locked (in id order) and re-checked
    before the first write."""
    with transaction.atomic():
        locked = {}
        for area in sorted({a for a, _ in rows}, key=lambda a: a.pk):
            locked[area.pk] = locked_area(area, user)
        for area, values in rows:
            write_profile(user, locked[area.pk], values)
    return len(rows)


# --- 在宅医療懇話会 and its minutes ---------------------------------------------------------

MINUTES_TYPES = {
    ".pdf": b"%PDF",
    ".xlsx": b"PK\x03\x04",
    ".docx": b"PK\x03\x04",
    ".png": b"\x89PNG",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
}
MINUTES_MAX_BYTES = 10 * 1024 * 1024


def check_minutes(upload) -> str:
    """The checks of application attachments (type, size, name, first bytes, whole content;
    zaitaku_portal/attachments.py), each refusal naming the file. Returns the plain name."""
    name = PurePath(upload.name).name
    suffix = PurePath(name).suffix.lower()
    if suffix not in MINUTES_TYPES:
        raise AreaError(
            f"議事録「{name}」の形式は受け付けられません（PDF・Word・xlsx・PNG・JPEGのみ）。"
        )
    if upload.size > MINUTES_MAX_BYTES:
        raise AreaError(
            f"議事録「{name}」は{upload.size / 1024 / 1024:.1f}MBです。"
            f"{MINUTES_MAX_BYTES // 1024 // 1024}MB以下にしてください。"
        )
    max_length = HomeCareCouncil._meta.get_field("minutes_name").max_length
    if problem := file_name_problem(name, max_length):
        raise AreaError(f"「議事録」の{problem}")
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(MINUTES_TYPES[suffix]):
        raise AreaError(f"議事録「{name}」の中身が拡張子（{suffix}）と一致しません。")
    if problem := content_problem(upload, suffix, MINUTES_MAX_BYTES):
        raise AreaError(f"議事録「{name}」：{problem}")
    return name


def save_council(user, area, form, upload=None) -> HomeCareCouncil:
    """The meeting, and its minutes when a file comes with it (checked before anything is
    written; a failed save removes the stored file again)."""
    name = check_minutes(upload) if upload is not None else None
    with removed_on_failure() as written, transaction.atomic():
        locked = locked_area(area, user)
        council = form.instance
        if council.pk and council.area_id != locked.pk:
            raise AreaError(NOT_ALLOWED)
        names = ["held_on", "title", "secretariat", "secretariat_other", "agenda"]
        original = type(council).objects.get(pk=council.pk) if council.pk else None
        before = _values(original, names) if original else {}
        old_file = original.minutes.name if original else ""
        old_name = original.minutes_name if original else ""
        council = form.save(commit=False)
        council.area = locked
        council.recorded_by = user
        if name is not None:
            written.save(council.minutes, stored_name(name), upload)
            council.minutes_name = name
            council.minutes_size = upload.size
        council.save()
        after = _values(council, names)
        changes = audit.differences(before, after) if before else after
        if name is not None:
            changes["議事録"] = {"from": old_name or None, "to": name}
            if old_file:
                transaction.on_commit(lambda: council.minutes.storage.delete(old_file))
        audit.record(user, "在宅医療懇話会の登録", council, changes)
    return council
