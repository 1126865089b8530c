"""Designating active hospitals (積極的医療機関) and asking who was active when.

A designation is never deleted: ending one records the end date, who ended it and why."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q, QuerySet

from hospitals.models import ActiveHospitalDesignation
from hospitals.signals import designation_changed
from zaitaku_portal import audit
from zaitaku_portal.wareki import fiscal_year_label, wareki_date


class DesignationError(Exception):
    pass


def designate(institutions, area, hub, start_date, end_date, user) -> list:
    """Designate several institutions for one area at once: all of them, or none."""
    institutions = list(institutions)
    if not institutions:
        raise DesignationError("指定する医療機関を1つ以上選んでください。")
    if end_date and end_date < start_date:
        raise DesignationError("指定終了日は指定開始日以降の日付にしてください。")
    if hub is not None and not hub.areas.filter(pk=area.pk).exists():
        raise DesignationError(f"拠点「{hub}」は在宅医療圏「{area}」を担当していません。")
    with transaction.atomic():
        already = set(
            ActiveHospitalDesignation.objects.select_for_update()
            .filter(area=area, status=ActiveHospitalDesignation.Status.ACTIVE)
            .filter(institution__in=institutions)
            .values_list("institution__name", flat=True)
        )
        if already:
            names = "、".join(sorted(already))
            raise DesignationError(f"{names} は在宅医療圏「{area}」で既に指定中です。")
        created = ActiveHospitalDesignation.objects.bulk_create(
            [
                ActiveHospitalDesignation(
                    institution=institution,
                    area=area,
                    hub=hub,
                    start_date=start_date,
                    end_date=end_date,
                    designated_by=user,
                )
                for institution in institutions
            ]
        )
        for designation in created:
            audit.record(
                user,
                "積極的医療機関の指定",
                designation,
                {
                    "医療機関": designation.institution.name,
                    "在宅医療圏": area.name,
                    "連携する拠点": hub.name if hub else "",
                    "指定期間": f"{wareki_date(start_date)}〜"
                    + (wareki_date(end_date) if end_date else ""),
                },
            )
        _changed(area, hub)
    return created


def end_designation(designation, end_date: datetime.date, reason: str, user):
    if designation.status != ActiveHospitalDesignation.Status.ACTIVE:
        raise DesignationError("この指定は既に終了しています。")
    if end_date < designation.start_date:
        raise DesignationError("指定終了日は指定開始日以降の日付にしてください。")
    if not reason.strip():
        raise DesignationError("終了理由を入力してください。")
    with transaction.atomic():
        designation.status = ActiveHospitalDesignation.Status.ENDED
        designation.end_date = end_date
        designation.end_reason = reason.strip()
        designation.ended_by = user
        designation.save(update_fields=["status", "end_date", "end_reason", "ended_by"])
        audit.record(
            user,
            "積極的医療機関の指定終了",
            designation,
            {"指定終了日": wareki_date(end_date)},
            reason=reason.strip(),
        )
        _changed(designation.area, designation.hub)
    return designation


def _changed(area, hub) -> None:
    """Plan lines are written when a designation begins or ends, never when a page opens:
    the apps that keep them listen (hospitals/signals.py)."""
    designation_changed.send(sender=ActiveHospitalDesignation, area=area, hub=hub)


def fiscal_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)


def active_in_fiscal_year(designations: QuerySet, year: int) -> QuerySet:
    """Designations whose period overlaps the fiscal year (April to March), ended or not."""
    first, last = fiscal_year_bounds(year)
    return designations.filter(start_date__lte=last).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)
    )


def fiscal_year_choices(years) -> list[tuple[int, str]]:
    return [(year, fiscal_year_label(year)) for year in years]
