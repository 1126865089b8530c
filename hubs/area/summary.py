"""What an area looks like in a year: the reading used by the area page, the hub page, the
dashboards and the results report (seed 003 §5(1)).

`area_summary(area, year)` picks the latest figures at or before `year` (西暦: the figures
of 2024 serve the report of 令和6年度). Figures are counted every few years, not every
year, so older ones are shown rather than nothing — always with the year they are of."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from hubs.models import AreaProfile, ResourceKind
from hubs.models.area import WELFARE_KINDS
from zaitaku_portal.wareki import era_of


def year_label(year: int) -> str:
    """2024 → 2024年（令和6年）: a figure's year as officials read it (the era of 31 Dec)."""
    era, era_year = era_of(datetime.date(year, 12, 31))
    return f"{year}年（{era.name}{'元' if era_year == 1 else era_year}年）"


@dataclass(frozen=True)
class ResourceCount:
    kind: str
    label: str
    count: int

    @property
    def is_welfare(self) -> bool:
        return self.kind in WELFARE_KINDS


@dataclass(frozen=True)
class PlaceFigures:
    name: str
    municipality_id: int | None
    figure_year: int
    population: int
    ageing_rate: Decimal
    source: str
    resources: list[ResourceCount] = field(default_factory=list)

    @property
    def population_text(self) -> str:
        return f"{self.population:,}人"

    @property
    def medical(self) -> list[ResourceCount]:
        return [r for r in self.resources if not r.is_welfare]

    @property
    def welfare(self) -> list[ResourceCount]:
        return [r for r in self.resources if r.is_welfare]


@dataclass(frozen=True)
class AreaSummary:
    area: object
    year: int | None
    figure_year: int | None
    whole: PlaceFigures | None
    municipalities: list[PlaceFigures]

    @property
    def figure_year_label(self) -> str:
        return year_label(self.figure_year) if self.figure_year else ""

    @property
    def has_figures(self) -> bool:
        return self.whole is not None or bool(self.municipalities)


ORDER = {kind.value: index for index, kind in enumerate(ResourceKind)}


def _figures(profile: AreaProfile) -> PlaceFigures:
    resources = sorted(
        (
            ResourceCount(r.kind, ResourceKind(r.kind).label, r.count)
            for r in profile.resources.all()
        ),
        key=lambda r: ORDER[r.kind],
    )
    return PlaceFigures(
        profile.place_name,
        profile.municipality_id,
        profile.figure_year,
        profile.population,
        profile.ageing_rate,
        profile.source,
        resources,
    )


def area_summary(area, year: int | None = None) -> AreaSummary:
    """The area's figures of the latest year at or before `year` (any year when None), the
    area as a whole and each municipality recorded for that same year. Two queries."""
    profiles = AreaProfile.objects.filter(area=area)
    if year is not None:
        profiles = profiles.filter(figure_year__lte=year)
    figure_year = profiles.order_by("-figure_year").values_list("figure_year", flat=True).first()
    if figure_year is None:
        return AreaSummary(area, year, None, None, [])
    rows = (
        profiles.filter(figure_year=figure_year)
        .select_related("area", "municipality")
        .prefetch_related("resources")
        .order_by("municipality__code")
    )
    whole = None
    municipalities = []
    for profile in rows:
        if profile.municipality_id is None:
            whole = _figures(profile)
        else:
            municipalities.append(_figures(profile))
    return AreaSummary(area, year, figure_year, whole, municipalities)
