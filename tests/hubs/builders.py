"""Plain rows of the area's records for the URL walk and the tests (no services: speed)."""

import datetime

from django.core.files.base import ContentFile

from hubs.models import HomeCareCouncil, HubCandidate, MunicipalProgramAgreement, PlanAction

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def action_in(area) -> PlanAction:
    return PlanAction.objects.get_or_create(area=area, title=f"{area.name}の急変時ルールづくり")[0]


def council_in(area, with_minutes: bool = True) -> HomeCareCouncil:
    council, created = HomeCareCouncil.objects.get_or_create(
        area=area,
        title=f"{area.name}在宅医療懇話会",
        defaults={"held_on": datetime.date(2024, 7, 1), "agenda": "圏域の取組の進捗"},
    )
    if created and with_minutes:
        council.minutes.save("minutes.pdf", ContentFile(MINIMAL_PDF), save=False)
        council.minutes_name = "議事録.pdf"
        council.minutes_size = len(MINIMAL_PDF)
        council.save()
    return council


def candidate_in(area) -> HubCandidate:
    return HubCandidate.objects.get_or_create(
        area=area, name=f"{area.name}医師会", defaults={"tier": HubCandidate.Tier.ASSOCIATION}
    )[0]


def agreement_of(hub) -> MunicipalProgramAgreement:
    municipality = hub.areas.first().municipalities.first()
    return MunicipalProgramAgreement.objects.get_or_create(
        hub=hub, municipality=municipality, defaults={"program_items": ["a", "o"]}
    )[0]
