import pytest
from django.core.management import call_command

from hospitals.models import ActiveHospitalDesignation, MedicalInstitution
from hubs.models import Hub
from subsidies.models import FiscalYear
from zaitaku_portal.models import HomeCareArea, Municipality, Role, SecondaryMedicalArea, User


@pytest.mark.django_db
def test_seed_demo_builds_okinawa_and_prints_one_login_per_role(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    for role in Role:
        assert role.label in out
    assert "demo-pass-2026" in out
    assert SecondaryMedicalArea.objects.count() == 5
    assert Municipality.objects.count() == 41
    assert HomeCareArea.objects.count() == 7
    assert set(Hub.objects.values_list("name", flat=True)) == {
        "北部地区医師会",
        "中部地区医師会",
        "南部地区医師会",
        "那覇市医師会",
        "浦添市医師会",
        "宮古島市",
        "石垣市",
        "竹富町",
    }
    assert list(FiscalYear.objects.values_list("year", flat=True)) == [2026, 2024]
    assert {u.role for u in User.objects.all()} == set(Role)
    assert User.objects.get(username="ken").check_password("demo-pass-2026")
    # One institution's check digit is deliberately wrong, to show the review badge.
    assert MedicalInstitution.objects.filter(code_check_passed=False).count() == 1
    # 八重山 has hubs but no active hospital: the demo shows a coverage gap.
    assert not ActiveHospitalDesignation.objects.filter(area__name="八重山").exists()


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo")
    counts = (Hub.objects.count(), MedicalInstitution.objects.count(), User.objects.count())
    call_command("seed_demo")
    assert counts == (
        Hub.objects.count(),
        MedicalInstitution.objects.count(),
        User.objects.count(),
    )
