"""Issue 21: documents are rendered in a warm child process (reports/pdf_sandbox.py) that
keeps the portal's fonts loaded, and a batch is shared by task workers; neither changes a
byte. A notice is the same file whether it is the first document of a fresh child, the
hundredth of a warm one, a part of a batch made by another worker process, or WeasyPrint's
own render in this process without the shared fonts (the PDF before issue 21)."""

from __future__ import annotations

import datetime
import io
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from weasyprint import HTML

from reports import pdf_sandbox
from reports.batches import start_batch
from reports.documents import decision_notice_filename, decision_notice_pdf
from reports.models import BatchJob
from reports.notices import notice_pdf
from reports.pdf import DocumentTimeout, document_html, pdf_identifier, portal_fonts_of
from tests.reports.decided import decided_application
from tests.reports.task_runner import (
    database_url,
    rows,
    start_worker,
    use_database_tasks,
    worker_environment,
)
from tests.reports.test_notices import decision
from zaitaku_portal.models import Role

ENDLESS = "在宅医療の連携" * 600  # ~45 s of table layout (tests/security/test_document_limits.py)


def created_of(notice):
    return timezone.make_aware(
        datetime.datetime.combine(notice.notice_date, datetime.time(9, 0)),
        timezone.get_default_timezone(),
    )


def weasyprint_here(notice, key: str) -> bytes:
    """The PDF as WeasyPrint makes it in this process with a font configuration of its own."""
    html = document_html("reports/pdf/notice.html", {"notice": notice}, created=created_of(notice))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_identifier=pdf_identifier(key), uncompressed_pdf=False
    )


def the_child() -> pdf_sandbox.Renderer:
    (renderer,) = pdf_sandbox._idle
    return renderer


def test_a_warm_child_makes_the_same_bytes_as_a_fresh_one_and_as_weasyprint_alone():
    pdf_sandbox.close_all()
    notice = decision()
    first = notice_pdf(notice, "decision-1")  # a new child: its first document
    child = the_child()
    for index in range(3):  # other documents in between, the fonts stay loaded
        notice_pdf(replace(notice, notice_number=f"8医政第{index}号"), f"other-{index}")
    again = notice_pdf(notice, "decision-1")
    assert the_child() is child and child.renders == 5  # one child made all five
    assert first == again == weasyprint_here(notice, "decision-1")


def test_the_child_of_a_document_over_the_limit_is_replaced_and_its_folder_removed(settings):
    pdf_sandbox.close_all()
    notice = decision()
    before = notice_pdf(notice, "decision-1")
    child = the_child()
    folder = Path(child.folder)
    assert any(folder.rglob("*"))  # WeasyPrint's copies of the two font files
    settings.PORTAL_DOCUMENT_TIMEOUT_SECONDS = 1.5
    html = f"<html><body><table><tr><td>{ENDLESS}</td></tr></table></body></html>"
    from reports.pdf import pdf_from_html

    started = time.monotonic()
    with pytest.raises(DocumentTimeout):
        pdf_from_html(html, document_key="endless")
    assert time.monotonic() - started < 6
    assert pdf_sandbox._idle == []  # the warm child was the one stopped, not kept
    assert not child.process.is_alive()
    assert not folder.exists()
    settings.PORTAL_DOCUMENT_TIMEOUT_SECONDS = 30
    assert notice_pdf(notice, "decision-1") == before  # a new child, the same bytes
    assert the_child() is not child


def test_only_the_portals_own_font_rules_are_kept_for_the_next_document():
    from tests.security.test_document_limits import hostile_html

    notice = decision()
    html = document_html("reports/pdf/notice.html", {"notice": notice}, created=created_of(notice))
    assert portal_fonts_of(html) is not None
    # a third @font-face (another file for a family): that document gets fonts of its own
    assert portal_fonts_of(hostile_html("http://127.0.0.1:9")) is None
    assert portal_fonts_of("<html><body>フォント指定なし</body></html>") is None


def test_closing_the_children_removes_their_folders():
    pdf_sandbox.close_all()
    notice_pdf(decision(), "decision-1")
    child = the_child()
    pdf_sandbox.close_all()
    assert not child.process.is_alive()
    assert not Path(child.folder).exists()


@pytest.mark.django_db(transaction=True)
def test_a_batch_made_by_two_workers_holds_the_bytes_of_single_renders(world, settings, tmp_path):
    """The ZIP's notices come from the warm children of two other worker processes; each is
    byte for byte the notice's single download (and WeasyPrint's render alone). What differs
    legitimately is only the ZIP entry around it (its name and date), not the PDF."""
    use_database_tasks(settings)
    settings.MEDIA_ROOT = tmp_path
    staff = world.users[Role.PREFECTURE_STAFF]
    decisions = [
        decided_application(world.hub_a, staff=staff, number="8医政第1号"),
        decided_application(world.hub_b, staff=staff, amounts=(300_000,), number="8医政第2号"),
    ]
    job = start_batch(BatchJob.Kind.DECISION_NOTICES, {"year": 2026}, "一括", staff)
    url = database_url(tmp_path)
    env = worker_environment(url, tmp_path, PORTAL_BATCH_CHUNK_SIZE="1")
    workers = [start_worker(env, name, "--batch") for name in ("pdf-one", "pdf-two")]
    try:
        for worker in workers:
            assert worker.wait(timeout=120) == 0
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
            worker.communicate(timeout=30)
    ((status, done, result),) = rows(
        url, "SELECT status, done, result FROM reports_batchjob WHERE id = %s", job.pk
    )
    assert (status, done) == ("done", 2)
    with zipfile.ZipFile(io.BytesIO((tmp_path / result).read_bytes())) as archive:
        for made in decisions:
            single = decision_notice_pdf(made)
            assert archive.read(decision_notice_filename(made)) == single
            from reports.documents import decision_notice_for

            alone = weasyprint_here(decision_notice_for(made), f"decision-{made.pk}")
            assert single == alone
