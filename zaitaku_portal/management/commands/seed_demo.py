"""Demo data: Okinawa's real geography and hubs, fictional institutions and people,
and both real catalogues. Safe to run twice."""

import datetime
import json
import random

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from hospitals.codes import luhn_check_digit
from hospitals.models import ActiveHospitalDesignation, HospitalContact, MedicalInstitution
from hubs.models import Hub, HubCoordinator
from subsidies.catalogue.services import CATALOGUE_DIR, load_catalogue_file
from zaitaku_portal.models import (
    HealthCenter,
    HomeCareArea,
    Municipality,
    Role,
    SecondaryMedicalArea,
    User,
)

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed on purpose, demo only
DEMO_USERS = [
    ("admin", "管理 花子", Role.ADMINISTRATOR, None, []),
    ("ken", "県 太郎", Role.PREFECTURE_STAFF, None, []),
    ("kacho", "課長 一郎", Role.PREFECTURE_STAFF, None, []),  # 決裁権者 (is_approver)
    ("hokubu", "比嘉 美咲", Role.HUB_COORDINATOR, None, ["北部地区医師会"]),
    ("naha", "金城 健", Role.HUB_COORDINATOR, None, ["那覇市医師会"]),
    ("yaeyama", "大浜 さくら", Role.HUB_COORDINATOR, None, ["石垣市", "竹富町"]),
    # the procedure's other steps (seed_demo_procedure): a draft, a change request,
    # a withdrawal, a 中止承認申請
    ("chubu", "仲村 亮", Role.HUB_COORDINATOR, None, ["中部地区医師会"]),
    ("nanbu", "玉城 恵", Role.HUB_COORDINATOR, None, ["南部地区医師会"]),
    ("urasoe", "照屋 誠", Role.HUB_COORDINATOR, None, ["浦添市医師会"]),
    ("miyako", "下地 愛", Role.HUB_COORDINATOR, None, ["宮古島市"]),
    ("hc-chubu", "宮城 修", Role.HEALTH_CENTER, "中部保健所", []),
    ("hc-naha", "新垣 由美", Role.HEALTH_CENTER, "那覇市保健所", []),
]
# 積極的医療機関の担当者 (issue 18): each speaks for the first designated hospital of its area
# (the demo's institutions are fictional). Under 令和6年度 (setting (b), seed_demo_history)
# they are grantees of their own; under 令和8年度 (setting (a)) their hub applies for them.
HOSPITAL_LOGINS = [
    ("chubu-byoin", "比屋根 直子", "中部", "地域連携室 看護師長"),
    ("naha-byoin", "上原 徹", "那覇市", "地域医療連携課 課長"),
]
INSTITUTION_WORDS = ["在宅", "ファミリー", "みどり", "うみかぜ", "ひまわり", "さんご", "ゆいまーる"]


def _head_title(spec) -> str:
    """会長 for an association; 市長/町長/村長 for a municipality (printed 石垣市長)."""
    if spec["operator_type"] == "municipality":
        return f"{spec['operator_name'][-1]}長"
    return "会長"


class Command(BaseCommand):
    help = (
        "デモデータ（沖縄県の圏域・拠点、架空の医療機関と利用者、2つの補助メニュー）を投入します。"
    )

    def handle(self, *args, **options):
        data = json.loads(
            (settings.BASE_DIR / "fixtures/demo/okinawa.json").read_text(encoding="utf-8")
        )
        with transaction.atomic():
            self.load_geography(data)
            self.load_hubs(data)
            self.create_institutions()
            for name in ("osaka_fy2024", "okinawa_fy2026"):
                load_catalogue_file(settings.BASE_DIR / CATALOGUE_DIR / f"{name}.json")
            self.create_users()
            self.confirm_demo_catalogue()
        call_command("seed_demo_applications", stdout=self.stdout)
        call_command("seed_demo_approvals", stdout=self.stdout)
        call_command("seed_demo_claims", stdout=self.stdout)
        call_command("seed_demo_procedure", stdout=self.stdout)
        call_command("seed_demo_history", stdout=self.stdout)
        call_command("seed_demo_area", stdout=self.stdout)
        call_command("seed_demo_budget", stdout=self.stdout)
        call_command("seed_demo_survey", stdout=self.stdout)
        call_command("seed_demo_payments", stdout=self.stdout)
        call_command("seed_demo_indicators", stdout=self.stdout)
        self.print_logins()  # last, so the logins end the terminal output

    def confirm_demo_catalogue(self):
        """Okinawa's FY2026 file is 調整中 (its caps are a draft); the demo decides in that
        year, so ken confirms it as a prefecture would (Osaka FY2024 loads 確定)."""
        from subsidies.catalogue.services import confirm_catalogue
        from subsidies.models import FiscalYear

        fiscal_year = FiscalYear.objects.get(year=2026)
        if not fiscal_year.subsidy_name and not fiscal_year.catalogue_frozen:
            # The 要綱 settings the notices print (staff edit them on 要綱の設定).
            fiscal_year.subsidy_name = "在宅医療提供体制強化事業費補助金"
            fiscal_year.guideline_name = "沖縄県在宅医療提供体制強化事業費補助金交付要綱（架空）"
            fiscal_year.decision_form_number = "様式第2号"
            fiscal_year.confirmation_form_number = "様式第8号"
            fiscal_year.change_request_form_number = "様式第3号"
            fiscal_year.withdrawal_form_number = "様式第5号"
            fiscal_year.discontinuation_form_number = "様式第6号"
            fiscal_year.discontinuation_approval_form_number = "様式第7号"
            fiscal_year.issuer_name = "沖縄 花子（架空）"
            fiscal_year.seal_line = "（公印省略）"
            fiscal_year.notice_number_pattern = "8医政第{n}号"
            if fiscal_year.results_deadline is None:
                fiscal_year.results_deadline = datetime.date(2027, 4, 10)
            fiscal_year.withdrawal_days = 15
            fiscal_year.save()
        if not fiscal_year.catalogue_confirmed:
            confirm_catalogue(fiscal_year, User.objects.get(username="ken"))
        # The finished year (令和6年度, seed_demo_history) prints the same issuer on its notices.
        past = FiscalYear.objects.filter(year=2024, catalogue_frozen_at__isnull=True).first()
        if past is not None and not past.issuer_name:
            past.issuer_name, past.seal_line = fiscal_year.issuer_name, fiscal_year.seal_line
            past.save(update_fields=["issuer_name", "seal_line"])

    def load_geography(self, data):
        secondary = {}
        for spec in data["secondary_areas"]:
            secondary[spec["code"]], _ = SecondaryMedicalArea.objects.get_or_create(
                code=spec["code"], defaults={"name": spec["name"]}
            )
        by_name = {}
        for code, name, kind, area_code in data["municipalities"]:
            by_name[name], _ = Municipality.objects.get_or_create(
                code=code,
                defaults={"name": name, "kind": kind, "secondary_area": secondary[area_code]},
            )
        for a, b in data["neighbours"]:
            by_name[a].neighbours.add(by_name[b])

        def members(spec):
            if isinstance(spec, str):
                return Municipality.objects.filter(secondary_area__code=spec)
            return [by_name[name] for name in spec]

        for order, spec in enumerate(data["home_care_areas"], start=1):
            area, _ = HomeCareArea.objects.get_or_create(
                name=spec["name"],
                defaults={
                    "basis": spec["basis"],
                    "secondary_area": secondary[spec["secondary_area"]],
                    "display_order": order,
                },
            )
            area.municipalities.set(members(spec["municipalities"]))
        for spec in data["health_centers"]:
            center, _ = HealthCenter.objects.get_or_create(
                name=spec["name"], defaults={"operator": spec["operator"]}
            )
            center.municipalities.set(members(spec["municipalities"]))

    def load_hubs(self, data):
        for index, spec in enumerate(data["hubs"], start=1):
            hub, _ = Hub.objects.get_or_create(
                name=spec["name"],
                defaults={
                    "operator_type": spec["operator_type"],
                    "operator_name": spec["operator_name"],
                    "representative_title": _head_title(spec),  # 会長 / 市長 / 町長
                    "representative_name": f"代表 {index}郎（架空）",
                    "address": spec["address"],
                    "district_count": spec["district_count"],
                    "desk_hours_per_week": spec["desk_hours_per_week"],
                    "designated_from": datetime.date(2024, 4, 1),
                },
            )
            hub.areas.set(HomeCareArea.objects.filter(name__in=spec["areas"]))

    def create_institutions(self):
        if MedicalInstitution.objects.exists():
            return
        rng = random.Random(47)
        tiers = MedicalInstitution.SupportTier
        serial = 1000
        for area in HomeCareArea.objects.prefetch_related("municipalities", "hubs"):
            municipalities = list(area.municipalities.all())
            hub = area.hubs.first()
            count = 0 if area.name == "八重山" else (3 if area.name != "宮古" else 2)
            for number in range(count + 3):
                serial += 7
                municipality = municipalities[number % len(municipalities)]
                is_hospital = number % 3 == 0
                first_nine = f"471{municipality.code[3:5]}{serial:04d}"
                check = luhn_check_digit(first_nine)
                if serial == 1028:
                    check = str((int(check) + 1) % 10)  # one code left for review in the demo
                word = rng.choice(INSTITUTION_WORDS)
                kind = MedicalInstitution.Kind.HOSPITAL if is_hospital else "clinic"
                suffix = "病院" if is_hospital else "クリニック"
                institution = MedicalInstitution.objects.create(
                    code=first_nine + check,
                    name=f"{municipality.name}{word}{suffix}（架空）",
                    kind=kind,
                    address=f"沖縄県{municipality.name}{number + 1}丁目",
                    municipality=municipality,
                    bed_count=rng.choice([60, 99, 120, 199]) if is_hospital else None,
                    support_tier=rng.choice(
                        [tiers.ENHANCED_SINGLE, tiers.ENHANCED_LINKED, tiers.CONVENTIONAL]
                    )
                    if number < count + 2
                    else tiers.NONE,
                    is_backup_hospital=is_hospital and number == 3,
                    support_since=datetime.date(2024, 6, 1),
                    listed_as_of=datetime.date(2026, 10, 1),
                )
                if number < count:
                    ActiveHospitalDesignation.objects.create(
                        institution=institution,
                        area=area,
                        hub=hub,
                        start_date=datetime.date(2024, 4, 1),
                    )

    def create_users(self):
        for username, full_name, role, center, hub_names in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "full_name": full_name,
                    "role": role,
                    "email": f"{username}@example.jp",
                    "health_center": HealthCenter.objects.get(name=center) if center else None,
                    "is_approver": username == "kacho",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            for hub in Hub.objects.filter(name__in=hub_names):
                HubCoordinator.objects.get_or_create(
                    hub=hub,
                    user=user,
                    defaults={
                        "name": full_name,
                        "qualification": HubCoordinator.Qualification.A,
                        "since": datetime.date(2024, 4, 1),
                    },
                )
        for username, full_name, area, department in HOSPITAL_LOGINS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "full_name": full_name,
                    "role": Role.HOSPITAL,
                    "email": f"{username}@example.jp",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            HospitalContact.objects.get_or_create(
                institution=self.hospital_of(area),
                user=user,
                defaults={"name": full_name, "department": department},
            )

    def hospital_of(self, area_name) -> MedicalInstitution:
        """The first designated hospital (病院, not a clinic) of the area."""
        designation = (
            ActiveHospitalDesignation.objects.filter(
                area__name=area_name, institution__kind=MedicalInstitution.Kind.HOSPITAL
            )
            .select_related("institution")
            .order_by("pk")
            .first()
        )
        return designation.institution

    def print_logins(self):
        self.stdout.write("")
        self.stdout.write(f"デモ用ログイン（パスワードはすべて {DEMO_PASSWORD}）:")
        for username, full_name, role, center, hub_names in DEMO_USERS:
            scope = center or "・".join(hub_names) or "県全体"
            self.stdout.write(f"  {username:<10} {role.label}（{scope}） {full_name}")
        for username, full_name, area, _ in HOSPITAL_LOGINS:
            institution = self.hospital_of(area)
            self.stdout.write(
                f"  {username:<10} {Role.HOSPITAL.label}（{institution.name}） {full_name}"
            )
        self.stdout.write(
            "admin は二要素認証が必須です: 初回ログインで認証アプリ（Google Authenticator など）"
            "に設定キーを登録してから使えます。"
        )
