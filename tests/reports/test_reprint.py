"""A re-printed notice is the same file, byte for byte (ADR 0005's promise; issue 16).

A decision notice stored in the database is rendered again and compared with the PDF
committed in tests/reports/fixtures/decision_notice_reprint.pdf, made by this same code with
the locked PDF stack (requirements.lock: WeasyPrint, pydyf, fontTools…; docs/adr/0015) and
Debian's BIZ UD Gothic and HarfBuzz. A difference means a dependency, the font or a
template changed what an auditor would get.

After a deliberate change (a new template, an upgrade of the PDF stack in the lock file),
rewrite the fixture and commit it with the change, saying why in the commit message:

    PORTAL_REWRITE_REPRINT_FIXTURE=1 .venv/bin/python -m pytest -p no:cacheprovider \\
        tests/reports/test_reprint.py

The run that rewrites it is skipped (never passes silently); the next run compares."""

import datetime
import os
import re
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from reports.documents import decision_notice_for
from reports.notices import notice_pdf
from subsidies.models import ApplicationVersion
from tests.reports.decided import decided_application
from zaitaku_portal.models import Role

FIXTURE = Path(__file__).parent / "fixtures" / "decision_notice_reprint.pdf"


def producer(pdf: bytes) -> str:
    """The PDF's Producer (the WeasyPrint version that made it), from poppler's pdfinfo."""
    info = subprocess.run(
        ["pdfinfo", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=False,
    ).stdout.decode(errors="replace")
    found = re.search(r"^Producer:\s*(.+)$", info, re.MULTILINE)
    return found.group(1).strip() if found else "?"


def test_a_stored_notice_reprints_to_the_committed_bytes(world, settings):
    # Everything the notice shows is fixed here, not taken from the environment or the clock.
    settings.PREFECTURE_NAME = "沖縄県"
    settings.GOVERNOR_TITLE = "沖縄県知事"
    settings.GOVERNOR_NAME = "（知事氏名）"
    hub = world.hub_a
    hub.operator_name = "一般社団法人 甲地区医師会"
    hub.representative_title = "会長"
    hub.representative_name = "代表 太郎"
    hub.save()
    decision = decided_application(
        hub, staff=world.users[Role.PREFECTURE_STAFF], number="8医政第1234号"
    )
    filed = timezone.make_aware(datetime.datetime(2026, 4, 20, 10, 30))
    ApplicationVersion.objects.filter(pk=decision.version_id).update(created_at=filed)
    decision.refresh_from_db()
    notice = decision_notice_for(decision)
    assert (notice.notice_number, notice.total) == ("8医政第1234号", 1_578_000)

    # decision_notice_pdf's own call, with a fixed key: the PDF identifier is its hash.
    pdf = notice_pdf(notice, "decision-1")
    if os.environ.get("PORTAL_REWRITE_REPRINT_FIXTURE") == "1":
        FIXTURE.write_bytes(pdf)
        pytest.skip(f"rewrote {FIXTURE.name} ({len(pdf)} bytes, {producer(pdf)}): commit it")
    assert FIXTURE.exists(), "the fixture is missing: see this module's docstring"
    committed = FIXTURE.read_bytes()
    assert pdf == committed, (
        f"the re-printed notice differs from the committed one ({len(pdf)} against "
        f"{len(committed)} bytes; producer {producer(pdf)!r} against {producer(committed)!r})"
    )
