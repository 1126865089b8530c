"""The progress page of a document batch updates itself in an aria-live region (issue 20):
no meta refresh; the page is not reloaded (a marker set in the page survives) while the
figures change."""

import pytest

from reports.models import BatchJob
from tests.browser.test_page_width import _context_as
from zaitaku_portal.models import Role


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_progress_updates_in_place(chromium, live_server, world):
    staff = world.users[Role.PREFECTURE_STAFF]
    job = BatchJob.objects.create(
        kind=BatchJob.Kind.choices[0][0], label="交付決定通知の一括作成", total=4, created_by=staff
    )
    context, page, _ = _context_as(chromium, live_server, world, Role.PREFECTURE_STAFF)
    page.goto(f"{live_server.url}/reports/batches/{job.pk}/")
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    assert page.locator("#batch-live[aria-live=polite]").count() == 1
    page.evaluate("() => { window.notReloaded = true; }")
    BatchJob.objects.filter(pk=job.pk).update(status=BatchJob.Status.RUNNING, done=3)
    page.locator("#batch-progress").filter(has_text="3/4件").wait_for(timeout=10_000)
    assert page.evaluate("() => window.notReloaded") is True
    BatchJob.objects.filter(pk=job.pk).update(status=BatchJob.Status.FAILED, done=3)
    page.locator("#batch-live[data-waiting=no]").wait_for(state="attached", timeout=10_000)
    assert page.evaluate("() => window.notReloaded") is True
    context.close()
