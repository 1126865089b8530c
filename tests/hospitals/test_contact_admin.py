"""積極的医療機関の担当者 in the admin (issue 18): staff link a login of the hospital role to
an institution; a login of another role is refused with the reason, nothing saved."""

from django.urls import reverse

from hospitals.models import HospitalContact
from tests import factories as f
from zaitaku_portal import scopes
from zaitaku_portal.models import Role


def _post(client, world, user):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    return client.post(
        reverse("admin:hospitals_hospitalcontact_add"),
        {
            "institution": world.hospital_b.pk,
            "user": user.pk,
            "name": "乙野 花子",
            "department": "地域連携室",
        },
    )


def test_staff_link_a_hospital_login_to_its_institution(client, world):
    login = f.UserFactory(username="otsu-byoin", role=Role.HOSPITAL)
    assert not scopes.institutions_for(login).exists()
    response = _post(client, world, login)
    assert response.status_code == 302, response.content.decode()[:3000]
    contact = HospitalContact.objects.get(user=login)
    assert (contact.institution, contact.department) == (world.hospital_b, "地域連携室")
    assert list(scopes.institutions_for(login)) == [world.hospital_b]


def test_a_login_of_another_role_is_refused_with_the_reason(client, world):
    coordinator = world.users[Role.HUB_COORDINATOR]
    response = _post(client, world, coordinator)
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "ログインアカウント「coordinator」の役割が「積極的医療機関の担当者」ではありません" in page
    )
    assert not HospitalContact.objects.filter(user=coordinator).exists()


def test_the_user_admin_offers_the_hospital_role(client, world):
    client.force_login(world.users[Role.ADMINISTRATOR])
    page = client.get(reverse("admin:zaitaku_portal_user_add")).content.decode()
    assert 'value="hospital"' in page and "積極的医療機関の担当者" in page
    page = client.get(
        reverse("admin:hospitals_medicalinstitution_change", args=[world.hospital_a.pk])
    )
    assert page.status_code == 200
    assert "積極的医療機関の担当者" in page.content.decode()
