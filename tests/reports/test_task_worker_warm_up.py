"""Issue 21: `manage.py task_worker` renders one notice from plain data before its first task
(reports/management/commands/task_worker.py), so the batch's first document finds a warm
render child. The child it leaves is the one the next document uses, and that document's
bytes are those of a fresh child; a worker without the fonts still starts."""

from __future__ import annotations

import logging

from reports import pdf_sandbox
from reports.management.commands.task_worker import warm_up
from reports.notices import notice_pdf
from tests.reports.test_notices import decision


def test_the_warm_up_leaves_the_child_the_next_document_uses_and_changes_no_byte():
    pdf_sandbox.close_all()
    fresh = notice_pdf(decision(), "decision-1")  # the first document of a fresh child
    pdf_sandbox.close_all()
    warm_up()
    (warmed,) = pdf_sandbox._idle
    assert warmed.alive() and warmed.renders == 1
    assert notice_pdf(decision(), "decision-1") == fresh
    assert pdf_sandbox._idle == [warmed] and warmed.renders == 2
    pdf_sandbox.close_all()


def test_a_worker_without_the_fonts_logs_the_failed_warm_up_and_starts(settings, tmp_path, caplog):
    pdf_sandbox.close_all()
    settings.PDF_FONT_DIR = tmp_path / "no-fonts"
    with caplog.at_level(logging.WARNING, logger="reports.workers"):
        warm_up()
    assert "試し作成" in caplog.text
    assert pdf_sandbox._idle == []
