"""Demo data of issue 22's area records: figures and resources, plan actions and progress,
a 在宅医療懇話会 with minutes, hub candidates, a hub's municipal-program agreement, a facility
group, a 内諾 and a designation registered under another program. Every figure is made up
for the demo (出典 says so). Safe to run twice: each part is skipped when present."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction

from hospitals.models import (
    ActiveHospitalDesignation,
    FacilityGroup,
    FacilityGroupMember,
    MedicalInstitution,
)
from hubs.area.services import check_minutes
from hubs.models import (
    ActionProgress,
    AreaProfile,
    AreaResource,
    HomeCareCouncil,
    Hub,
    HubCandidate,
    MunicipalProgramAgreement,
    PlanAction,
    ResourceKind,
)
from zaitaku_portal.attachments import stored_name
from zaitaku_portal.models import HealthCenter, HomeCareArea

SOURCE = "デモ用の架空の数値"
# (population, ageing rate, counts in ResourceKind order): made up, of a plausible size
AREA_FIGURES = {
    "北部": (99_000, "27.1", [12, 70, 3, 1, 9, 40, 1, 45, 8, 38, 9, 10]),
    "中部": (520_000, "22.4", [25, 330, 6, 2, 40, 230, 1, 250, 45, 170, 25, 40]),
    "南部": (300_000, "24.0", [17, 160, 4, 1, 22, 120, 1, 130, 25, 100, 16, 22]),
    "那覇市": (315_000, "24.8", [20, 280, 6, 2, 45, 200, 1, 200, 40, 110, 21, 30]),
    "浦添市": (115_000, "21.9", [5, 80, 1, 1, 12, 60, 0, 60, 12, 35, 6, 9]),
    "宮古": (53_000, "27.8", [4, 40, 1, 0, 4, 20, 0, 25, 4, 20, 4, 5]),
    "八重山": (54_000, "23.6", [3, 38, 0, 0, 3, 20, 0, 24, 3, 18, 4, 4]),
}
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class Command(BaseCommand):
    help = (
        "デモデータ（在宅医療圏の人口・資源、圏域の取組、懇話会、拠点候補、内諾など）を投入します。"
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            self.figures()
            self.plan_actions()
            self.council()
            self.hub_candidates()
            self.program_agreement()
            self.facility_group()
            self.designation_kinds()
        self.stdout.write(
            "在宅医療圏の記録（人口・資源、取組、懇話会、候補、内諾）を投入しました。"
        )

    def figures(self):
        if AreaProfile.objects.exists():
            return
        kinds = list(ResourceKind)
        for area in HomeCareArea.objects.filter(name__in=AREA_FIGURES):
            population, rate, counts = AREA_FIGURES[area.name]
            profile = AreaProfile.objects.create(
                area=area,
                figure_year=2024,
                population=population,
                ageing_rate=Decimal(rate),
                source=SOURCE,
            )
            AreaResource.objects.bulk_create(
                AreaResource(profile=profile, kind=kind, count=count)
                for kind, count in zip(kinds, counts, strict=True)
            )
        yaeyama = HomeCareArea.objects.filter(name="八重山").first()
        for index, municipality in enumerate(
            yaeyama.municipalities.order_by("code") if yaeyama else []
        ):
            profile = AreaProfile.objects.create(
                area=yaeyama,
                municipality=municipality,
                figure_year=2024,
                population=[49_000, 4_300, 1_700][index % 3],
                ageing_rate=Decimal(["22.9", "27.5", "31.2"][index % 3]),
                source=SOURCE,
            )
            AreaResource.objects.create(
                profile=profile, kind=ResourceKind.CLINIC, count=[34, 3, 1][index % 3]
            )

    def plan_actions(self):
        area = HomeCareArea.objects.filter(name="北部").first()
        if area is None or PlanAction.objects.filter(area=area).exists():
            return
        rule = PlanAction.objects.create(
            area=area,
            title="急変時の対応ルールの作成（消防・入院先との情報共有）",
            plan_reference="第8次沖縄県医療計画（北部圏域編）在宅医療 2(1)",
            description="在宅療養支援病院・有床診療所と事前に情報を共有し、消防を含めた連携ルールを作る。",
            display_order=1,
        )
        ActionProgress.objects.create(
            action=rule,
            fiscal_year=2024,
            status=ActionProgress.Status.IN_PROGRESS,
            note="懇話会で素案を協議",
        )
        bcp = PlanAction.objects.create(
            area=area,
            title="在宅人工呼吸器使用者の災害時個別支援計画（BCP）策定の推進",
            plan_reference="同 2(4)",
            display_order=2,
        )
        ActionProgress.objects.create(
            action=bcp, fiscal_year=2024, status=ActionProgress.Status.NOT_STARTED
        )

    def council(self):
        area = HomeCareArea.objects.filter(name="北部").first()
        if area is None or HomeCareCouncil.objects.filter(area=area).exists():
            return
        upload = SimpleUploadedFile("令和6年度第1回北部圏域在宅医療懇話会議事録.pdf", PDF)
        name = check_minutes(upload)
        council = HomeCareCouncil(
            area=area,
            held_on=datetime.date(2024, 7, 18),
            title="令和6年度第1回 北部圏域在宅医療懇話会",
            secretariat=HealthCenter.objects.filter(name="北部保健所").first(),
            agenda=(
                "1 医療計画（圏域編）の取組の進捗\n"
                "2 積極的医療機関と連携の拠点の選定\n"
                "3 急変時の対応ルール"
            ),
            minutes_name=name,
            minutes_size=upload.size,
        )
        council.minutes.save(stored_name(name), upload, save=False)
        council.save()

    def hub_candidates(self):
        area = HomeCareArea.objects.filter(name="北部").first()
        if area is None or HubCandidate.objects.filter(area=area).exists():
            return
        town = area.municipalities.order_by("code").first()
        HubCandidate.objects.bulk_create(
            [
                HubCandidate(
                    area=area,
                    tier=HubCandidate.Tier.MUNICIPAL_DESK,
                    name=f"{town}在宅医療・介護連携相談窓口（架空）",
                    municipality=town,
                    outcome=HubCandidate.Outcome.CONSULTING,
                ),
                HubCandidate(
                    area=area,
                    tier=HubCandidate.Tier.ASSOCIATION,
                    name="北部地区医師会",
                    outcome=HubCandidate.Outcome.SELECTED,
                    hub=Hub.objects.filter(name="北部地区医師会").first(),
                ),
                HubCandidate(
                    area=area,
                    tier=HubCandidate.Tier.MUNICIPALITY,
                    name=f"{town}地域包括支援センター（架空）",
                    municipality=town,
                ),
            ]
        )

    def program_agreement(self):
        hub = Hub.objects.filter(name="那覇市医師会").first()
        if hub is None or hub.program_agreements.exists():
            return
        hub.runs_municipal_program = True
        hub.save(update_fields=["runs_municipal_program"])
        municipality = hub.areas.first().municipalities.first()
        MunicipalProgramAgreement.objects.create(
            hub=hub,
            municipality=municipality,
            agreed_on=datetime.date(2024, 3, 15),
            program_items=["a", "o"],
            note="相談窓口（オ）と資源の把握（ア）は市の推進事業として委託を受けて実施",
        )

    def facility_group(self):
        area = HomeCareArea.objects.filter(name="中部").first()
        if area is None or FacilityGroup.objects.filter(area=area).exists():
            return
        group = FacilityGroup.objects.create(
            area=area,
            name="中部在宅医療グループ（架空）",
            as_of=datetime.date(2023, 2, 1),
            note="夜間・休日の往診を輪番で支援",
        )
        for institution in MedicalInstitution.objects.filter(
            municipality__home_care_areas=area
        ).order_by("name")[:2]:
            FacilityGroupMember.objects.create(
                group=group,
                institution=institution,
                kind=FacilityGroupMember.Kind.HOSPITAL
                if institution.kind == MedicalInstitution.Kind.HOSPITAL
                else FacilityGroupMember.Kind.CLINIC,
            )
        FacilityGroupMember.objects.create(
            group=group,
            name="うみかぜ訪問看護ステーション（架空）",
            kind=FacilityGroupMember.Kind.VISITING_NURSE,
        )

    def designation_kinds(self):
        statuses = ActiveHospitalDesignation.Status
        if ActiveHospitalDesignation.objects.filter(status=statuses.TENTATIVE).exists():
            return
        area = HomeCareArea.objects.filter(name="南部").first()
        held = ActiveHospitalDesignation.objects.filter(area=area).values("institution")
        spare = (
            MedicalInstitution.objects.filter(municipality__home_care_areas=area)
            .exclude(pk__in=held)
            .order_by("name")
            .first()
        )
        if spare is not None:
            ActiveHospitalDesignation.objects.create(
                institution=spare,
                area=area,
                hub=area.hubs.first(),
                status=statuses.TENTATIVE,
                agreed_on=datetime.date(2024, 9, 1),
                start_date=datetime.date(2025, 4, 1),
                note="位置づけについて拠点の内諾を受けている（大阪市の※1に当たる）",
            )
        other = ActiveHospitalDesignation.objects.filter(
            area__name="中部", status=statuses.ACTIVE
        ).first()
        if other is not None:
            other.other_program = ActiveHospitalDesignation.OtherProgram.SEVERE_DISABILITY
            other.note = "重症心身障がい児者医療コーディネート事業として登録（※2）"
            other.save(update_fields=["other_program", "note"])
