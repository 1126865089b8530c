"""Coverage of every 在宅医療圏: its hubs and active hospitals, and where either is missing.

The guideline (seed 001, 第3-2(3)) asks for at least one of each per area. Querysets come
from zaitaku_portal.access, so each role sees its own areas only.

This is the one place the rule lives (issue 13): a hub or a hospital counts for an area on a
day only while its designation runs that day (from its first day to its last, open-ended if
no last day), whatever a status still says. The 充足状況 page, the dashboard and the review
home all take their gaps from coverage_of, in a fixed number of queries.

内諾 (seed 002 ※1: 「積極的医療機関への位置づけについて拠点の内諾を受けている医療機関を含む」):
Osaka City counts a hospital that has agreed to be positioned in its ward's number of active
hospitals, marked ※1. So do we: a 内諾 not past its planned end counts for the area's
number and its coverage, kept apart in `tentative` so every page can show it separately;
`designations` stays 指定中 only (the public list and anything about money read that)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Q

from hospitals.models import ActiveHospitalDesignation
from zaitaku_portal import figures
from zaitaku_portal.scopes import areas_for, designations_for, hubs_for


@dataclass
class AreaCoverage:
    area: object
    hubs: list
    designations: list
    tentative: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.area.name

    @property
    def hub_count(self) -> int:
        return len(self.hubs)

    @property
    def hospital_count(self) -> int:
        """指定中 and 内諾 together, as seed 002 counts them (※1)."""
        return len(self.designations) + len(self.tentative)

    @property
    def tentative_count(self) -> int:
        return len(self.tentative)

    @property
    def lacks_hub(self) -> bool:
        return not self.hubs

    @property
    def lacks_hospital(self) -> bool:
        return self.hospital_count == 0

    @property
    def is_gap(self) -> bool:
        return self.lacks_hub or self.lacks_hospital


def current_hubs(hubs, today):
    return hubs.filter(designated_from__lte=today).filter(
        Q(designated_until__isnull=True) | Q(designated_until__gte=today)
    )


def current_designations(designations, today):
    return designations.filter(
        status=ActiveHospitalDesignation.Status.ACTIVE, start_date__lte=today
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))


def current_tentative(designations, today):
    return designations.filter(status=ActiveHospitalDesignation.Status.TENTATIVE).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )


def coverage_of(areas, hubs, designations, today=None, *, detail=True) -> list[AreaCoverage]:
    """Every area of `areas`, in display order, with the hubs of `hubs` and the designations
    of `designations` that are current on `today`, and the 内諾 apart (five queries,
    whatever the data). `detail=False` (pages that show only counts and gaps: the review
    home, the dashboards, the to-dos): the hubs as (pk, name) and the designations as their
    ids, counted in the database, and kept in the cache until hubs, areas or designations
    change (zaitaku_portal/figures.py; 4 s of the review home at national scale, issue 21)."""
    today = today or datetime.date.today()
    if not detail:
        return figures.remembered(
            "coverage",
            (areas.query, hubs.query, designations.query, today),
            (figures.COVERAGE,),
            lambda: _counts_of(areas, hubs, designations, today),
        )
    hubs_by_area: dict[int, list] = {}
    for hub in current_hubs(hubs, today).prefetch_related("areas").order_by("name"):
        for area in hub.areas.all():
            hubs_by_area.setdefault(area.pk, []).append(hub)
    designations_by_area: dict[int, list] = {}
    tentative_by_area: dict[int, list] = {}
    for by_area, current in (
        (designations_by_area, current_designations(designations, today)),
        (tentative_by_area, current_tentative(designations, today)),
    ):
        for designation in current.select_related(
            "institution", "institution__municipality", "hub"
        ).order_by("institution__name"):
            by_area.setdefault(designation.area_id, []).append(designation)
    return [
        AreaCoverage(
            area,
            hubs_by_area.get(area.pk, []),
            designations_by_area.get(area.pk, []),
            tentative_by_area.get(area.pk, []),
        )
        for area in areas.select_related("secondary_area").order_by("display_order", "name")
    ]


class HubName(NamedTuple):
    """A hub as the counting pages show it."""

    pk: int
    name: str


def _counts_of(areas, hubs, designations, today) -> list[AreaCoverage]:
    """The hubs' areas in one query (no model instances, no list of ids sent back), the
    designations' ids per area in two."""
    hubs_by_area: dict[int, list] = {}
    rows = current_hubs(hubs, today).order_by("name", "pk").values_list("pk", "name", "areas")
    for pk, name, area_id in rows:
        if area_id is not None:
            hubs_by_area.setdefault(area_id, []).append(HubName(pk, name))
    by_kind = []
    for current in (
        current_designations(designations, today),
        current_tentative(designations, today),
    ):
        by_area: dict[int, list] = {}
        for area_id, pk in current.order_by("pk").values_list("area_id", "pk"):
            by_area.setdefault(area_id, []).append(pk)
        by_kind.append(by_area)
    return [
        AreaCoverage(
            area,
            hubs_by_area.get(area.pk, []),
            by_kind[0].get(area.pk, []),
            by_kind[1].get(area.pk, []),
        )
        for area in areas.select_related("secondary_area").order_by("display_order", "name")
    ]


def coverage_for(user, today=None, *, detail=True) -> list[AreaCoverage]:
    return coverage_of(
        areas_for(user), hubs_for(user), designations_for(user), today, detail=detail
    )
