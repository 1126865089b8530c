"""Candidate active hospitals for a municipality, in the order of seed 001 (潮来保健所):
① 在宅療養支援病院 in the municipality; if none, ② 在宅療養支援診療所, 機能強化型 first;
if neither, ③ those of neighbouring municipalities in the same 二次医療圏 (病院, then 診療所)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Value, When

from hospitals.models import MedicalInstitution

Tier = MedicalInstitution.SupportTier
Kind = MedicalInstitution.Kind

TIER_ORDER = Case(
    When(support_tier=Tier.ENHANCED_SINGLE, then=Value(0)),
    When(support_tier=Tier.ENHANCED_LINKED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
GROUPS = {
    1: "① 在宅療養支援病院",
    2: "② 在宅療養支援診療所（機能強化型を優先）",
    3: "③ 二次医療圏内の近隣市町村の在宅療養支援病院・診療所",
}


@dataclass(frozen=True)
class Candidate:
    institution: MedicalInstitution
    group: int

    @property
    def group_label(self) -> str:
        return GROUPS[self.group]


def _supporting(municipalities):
    return (
        MedicalInstitution.objects.filter(municipality__in=municipalities)
        .exclude(support_tier=Tier.NONE)
        .select_related("municipality")
        .annotate(tier_order=TIER_ORDER)
    )


def candidates_for(municipality) -> list[Candidate]:
    local = _supporting([municipality])
    hospitals = list(local.filter(kind=Kind.HOSPITAL).order_by("tier_order", "name"))
    if hospitals:
        return [Candidate(i, 1) for i in hospitals]
    clinics = list(local.filter(kind=Kind.CLINIC).order_by("tier_order", "name"))
    if clinics:
        return [Candidate(i, 2) for i in clinics]
    neighbours = municipality.neighbours.filter(secondary_area=municipality.secondary_area_id)
    nearby = _supporting(neighbours).annotate(
        kind_order=Case(When(kind=Kind.HOSPITAL, then=Value(0)), default=Value(1))
    )
    return [Candidate(i, 3) for i in nearby.order_by("kind_order", "tier_order", "name")]
