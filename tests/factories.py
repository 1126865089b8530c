"""Factories for tests: small, explicit objects rather than big fixture files."""

import datetime
import itertools

import factory

from hospitals.codes import luhn_check_digit
from hospitals.models import ActiveHospitalDesignation, MedicalInstitution
from hubs.models import Hub, HubCoordinator
from subsidies.models import FiscalYear, RecipientType, RequirementItem, SubsidyMenu
from zaitaku_portal.models import (
    HealthCenter,
    HomeCareArea,
    Municipality,
    Role,
    SecondaryMedicalArea,
    User,
)

PASSWORD = "test-pass-12345"
_serial = itertools.count(1)


class SecondaryMedicalAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SecondaryMedicalArea
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{4700 + (n % 99) + 1}")
    name = factory.Sequence(lambda n: f"医療圏{n}")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    code = factory.Sequence(lambda n: f"{470000 + n:06d}")
    name = factory.Sequence(lambda n: f"市町村{n}")
    kind = Municipality.Kind.CITY
    secondary_area = factory.SubFactory(SecondaryMedicalAreaFactory)


class HomeCareAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HomeCareArea
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"在宅医療圏{n}")
    basis = HomeCareArea.Basis.MUNICIPALITY
    secondary_area = factory.SubFactory(SecondaryMedicalAreaFactory)

    @factory.post_generation
    def municipalities(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [MunicipalityFactory(secondary_area=self.secondary_area)]
        self.municipalities.set(extracted)


class HealthCenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthCenter
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"保健所{n}")
    operator = HealthCenter.Operator.PREFECTURE

    @factory.post_generation
    def municipalities(self, create, extracted, **kwargs):
        if create and extracted:
            self.municipalities.set(extracted)


class HubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hub
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"拠点{n}")
    operator_type = Hub.OperatorType.MEDICAL_ASSOCIATION
    operator_name = factory.LazyAttribute(lambda o: f"一般社団法人 {o.name}")
    representative_title = "会長"
    representative_name = "代表 太郎"
    district_count = 1
    desk_hours_per_week = 20
    designated_from = datetime.date(2024, 4, 1)

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if not create:
            return
        self.areas.set(extracted if extracted is not None else [HomeCareAreaFactory()])


def valid_institution_code(prefix: str = "47110") -> str:
    first_nine = f"{prefix}{next(_serial) % 10000:04d}"
    return first_nine + luhn_check_digit(first_nine)


class MedicalInstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MedicalInstitution

    code = factory.LazyFunction(valid_institution_code)
    name = factory.Sequence(lambda n: f"医療機関{n}")
    kind = MedicalInstitution.Kind.HOSPITAL
    support_tier = MedicalInstitution.SupportTier.ENHANCED_SINGLE
    municipality = factory.SubFactory(MunicipalityFactory)


class DesignationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActiveHospitalDesignation

    institution = factory.SubFactory(MedicalInstitutionFactory)
    area = factory.SubFactory(HomeCareAreaFactory)
    hub = None
    start_date = datetime.date(2024, 4, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"利用者 {n}")
    role = Role.PREFECTURE_STAFF
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.jp")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()


def hospital_contact_of(*institutions, **kwargs) -> User:
    """A login of the role 積極的医療機関の担当者 speaking for `institutions` (issue 18)."""
    from hospitals.models import HospitalContact

    user = UserFactory(role=Role.HOSPITAL, **kwargs)
    for institution in institutions:
        HospitalContact.objects.create(institution=institution, user=user, name=user.full_name)
    return user


def coordinator_of(*hubs: Hub, **kwargs) -> User:
    user = UserFactory(role=Role.HUB_COORDINATOR, **kwargs)
    for hub in hubs:
        HubCoordinator.objects.create(
            hub=hub, user=user, name=user.full_name, qualification=HubCoordinator.Qualification.A
        )
    return user


class FiscalYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FiscalYear
        django_get_or_create = ("year",)

    year = 2026
    catalogue_status = FiscalYear.CatalogueStatus.CONFIRMED  # 調整中 refuses decisions


class RequirementItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequirementItem

    fiscal_year = factory.SubFactory(FiscalYearFactory)
    recipient_type = RecipientType.HUB
    number = factory.Sequence(lambda n: n % 5 + 1)
    title = "会議の開催"


class SubsidyMenuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubsidyMenu

    fiscal_year = factory.SubFactory(FiscalYearFactory)
    recipient_type = RecipientType.HUB
    code = factory.Sequence(lambda n: f"menu-{n}")
    name = factory.Sequence(lambda n: f"補助メニュー{n}")
    cap_amount = 1_060_000
    cap_unit = SubsidyMenu.CapUnit.PER_RECIPIENT
