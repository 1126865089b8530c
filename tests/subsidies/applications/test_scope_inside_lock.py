"""Every writer asks the scope again inside its lock (issue 13): a coordinator removed from
the hub after opening the page is refused, and nothing is written.

The page is opened while the coordinator still serves the hub (the view's own scope check
passes); the removal comes after; the writer is then called with what the page had, as the
POST that follows would. Each test fails when its writer's check inside the lock is taken
out (checked by hand when they were written)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hubs.models import HubCoordinator
from subsidies.applications import reading, rules
from subsidies.applications import services as service
from subsidies.models import (
    Application,
    ApplicationAttachment,
    ApplicationComment,
    ApplicationStatus,
    ApplicationVersion,
)
from tests.security.test_attachments import png
from tests.subsidies.factories import application_in, complete_plan
from zaitaku_portal.models import AuditEntry

REFUSED = "権限がありません"


def opened_then_removed(client, w, application=None):
    """The coordinator opens the page, then is removed from the hub."""
    client.force_login(w.coordinator)
    if application is not None:
        page = reverse("subsidies:application_detail", args=[application.pk])
        assert client.get(page).status_code == 200
    HubCoordinator.objects.filter(hub=w.hub_a, user=w.coordinator).delete()


def written(application) -> tuple:
    """What any writer of an application changes."""
    fresh = Application.objects.get(pk=application.pk)
    return (
        fresh.version,
        fresh.status,
        fresh.district_policy,
        ApplicationVersion.objects.filter(application=application).count(),
        ApplicationComment.objects.filter(application=application).count(),
        ApplicationAttachment.objects.filter(application=application).count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def draft(apps_world):
    w = apps_world
    return application_in(ApplicationStatus.DRAFT, w.hub_a, w.fiscal_year, w.coordinator, w.staff)


def test_save_plan_refuses_a_coordinator_removed_after_opening_the_page(client, apps_world, draft):
    w = apps_world
    plan = complete_plan(draft, district_policy="開いた後に外された")
    opened_then_removed(client, w, draft)
    before = written(draft)
    with pytest.raises(rules.ApplicationError, match=REFUSED):
        service.save_plan(draft, plan, w.coordinator, draft.version)
    assert written(draft) == before


def test_perform_refuses_a_coordinator_removed_after_opening_the_page(client, apps_world, draft):
    w = apps_world
    opened_then_removed(client, w, draft)
    before = written(draft)
    with pytest.raises(rules.ApplicationError, match=REFUSED):
        service.perform(draft, "submit", w.coordinator, draft.version)
    assert written(draft) == before


def test_add_comment_refuses_a_coordinator_removed_after_opening_the_page(
    client, apps_world, draft
):
    w = apps_world
    opened_then_removed(client, w, draft)
    before = written(draft)
    with pytest.raises(rules.ApplicationError, match=REFUSED):
        service.add_comment(draft, w.coordinator, "外された後のコメント")
    assert written(draft) == before


def test_add_attachment_refuses_a_coordinator_removed_after_opening_the_page(
    client, apps_world, draft, settings
):
    w = apps_world
    opened_then_removed(client, w, draft)
    before = written(draft)
    upload = SimpleUploadedFile("計画書.png", png())
    with pytest.raises(rules.ApplicationError, match=REFUSED):
        service.add_attachment(draft, w.coordinator, upload)
    assert written(draft) == before
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_delete_attachment_refuses_a_coordinator_removed_after_opening_the_page(
    client, apps_world, draft
):
    w = apps_world
    attachment = service.add_attachment(
        draft, w.coordinator, SimpleUploadedFile("計画書.png", png())
    )
    opened_then_removed(client, w, draft)
    before = written(draft)
    with pytest.raises(rules.ApplicationError, match=REFUSED):
        service.delete_attachment(attachment, w.coordinator)
    assert written(draft) == before
    assert attachment.file.storage.exists(attachment.file.name)


def test_start_application_refuses_a_coordinator_removed_after_opening_the_page(client, apps_world):
    w = apps_world
    client.force_login(w.coordinator)
    page = reverse("subsidies:application_start", args=[w.hub_a.pk, w.fiscal_year.year])
    assert client.get(page).status_code == 200
    opened_then_removed(client, w)
    audit = AuditEntry.objects.count()
    with pytest.raises(rules.ApplicationError, match="コーディネーター"):
        service.start_application(w.hub_a, w.fiscal_year, w.coordinator)
    assert not Application.objects.filter(hub=w.hub_a).exists()
    assert AuditEntry.objects.count() == audit


def test_bulk_start_review_starts_nothing_for_a_user_who_may_not(apps_world):
    w = apps_world
    submitted = application_in(
        ApplicationStatus.SUBMITTED, w.hub_a, w.fiscal_year, w.coordinator, w.staff
    )
    before = written(submitted)
    queue = Application.objects.filter(pk=submitted.pk)
    assert service.bulk_start_review(queue, w.coordinator) == 0
    assert service.bulk_start_review(queue, w.health_center) == 0
    assert written(submitted) == before
    assert service.bulk_start_review(queue, w.staff) == 1


def test_the_post_after_the_removal_writes_nothing(client, apps_world, draft):
    """The same through the page: the POST that follows the removal is 404, no write."""
    w = apps_world
    opened_then_removed(client, w, draft)
    before = written(draft)
    for path, data in (
        ("action/submit/", {"version": draft.version}),
        ("comment/", {"body": "外された後のコメント"}),
    ):
        page = reverse("subsidies:application_detail", args=[draft.pk]) + path
        assert client.post(page, data).status_code == 404
    assert written(draft) == before
    assert reading.current_plan(draft)["district_policy"] == draft.district_policy
