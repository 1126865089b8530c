"""Issue 21, second round: what the warm render child and a batch part no longer do for each
document, without changing a byte (reports/pdf_sandbox.py, reports/batches.py).

The child parses the portal's stylesheet once and gives it to each document as a user
stylesheet (the `<style>` element taken out), compresses each stream once where pydyf would
compress it twice, and keeps the inherited objects out of the garbage collector. Every kind
of the portal's documents must still be the file WeasyPrint makes alone from the HTML as it
is (the bytes before this round, tests/reports/test_reprint.py). A batch part reads its
decisions' lines in one query and stores its PDFs without deflating them again."""

from __future__ import annotations

import datetime
import io
import os
import zipfile
import zlib
from dataclasses import replace

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from weasyprint import HTML

from reports import batches, pdf_sandbox
from reports.batches import run_job, start_batch
from reports.documents import decision_notice_filename, decision_notice_pdf
from reports.models import BatchJob, BatchPart
from reports.notices import notice_pdf
from reports.pdf import document_html, font_face_css, portal_fonts_of
from tests.reports.decided import decided_application
from tests.reports.task_runner import use_database_tasks
from tests.reports.test_documents import _confirmed_worked_case
from tests.reports.test_notices import decision
from tests.reports.test_pdf_warm_render import created_of
from zaitaku_portal import figures
from zaitaku_portal.models import Role

SEAL = (  # a 1×1 PNG: the 公印 path of the notice (an image in the document)
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
    "DwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def weasyprint_alone(html: str, identifier: bytes) -> bytes:
    """WeasyPrint in this process from the whole HTML: the <style> an author stylesheet
    parsed for this document, pydyf's own zlib, a font configuration of its own."""
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_identifier=identifier, uncompressed_pdf=False
    )


@pytest.fixture
def captured(monkeypatch):
    """The HTML and identifier of every document sent to the render child."""
    sent = []
    render = pdf_sandbox.render

    def recording(html, **kwargs):
        rendered = render(html, **kwargs)
        sent.append((html, kwargs["identifier"], rendered.pdf))
        return rendered

    monkeypatch.setattr(pdf_sandbox, "render", recording)
    return sent


def test_every_kind_of_document_is_the_file_weasyprint_makes_alone(world, captured):
    from reports.documents import (
        application_pdf,
        confirmation_notice_pdf,
        prefecture_summary_pdf,
        results_pdf,
    )
    from subsidies.models import Confirmation
    from zaitaku_portal import scopes

    case = _confirmed_worked_case(world)
    staff = world.users[Role.PREFECTURE_STAFF]
    application_pdf(case.application.versions.first())
    results_pdf(case.report.versions.get(number=1))
    confirmation_notice_pdf(Confirmation.objects.get())
    prefecture_summary_pdf(
        case.application.fiscal_year, scopes.hubs_for(staff), scopes.designations_for(staff)
    )
    notice_pdf(decision(), "decision-1")
    notice_pdf(replace(decision(), seal_image=SEAL), "decision-2")  # with the 公印 image
    assert len(captured) == 6
    for html, identifier, pdf in captured:
        # the portal's stylesheet went the parsed-once way (else this test proves nothing)
        assert pdf_sandbox._portal_sheet(html, portal_fonts_of(html)) is not None
        assert pdf == weasyprint_alone(html, identifier)


def test_the_stylesheet_is_taken_out_only_when_nothing_could_cascade_otherwise():
    notice = decision()
    html = document_html("reports/pdf/notice.html", {"notice": notice}, created=created_of(notice))
    fonts = font_face_css()
    body, css = pdf_sandbox._portal_sheet(html, fonts)
    assert "<style" not in body
    assert css.startswith(f"\n{fonts}\n@page") and f"<style>{css}</style>" in html
    assert body == html.replace(f"<style>{css}</style>", "", 1)
    rule = "p { color: red }"
    others = {
        "a second <style>": html.replace("</head>", f"<style>{rule}</style></head>"),
        "a <link>": html.replace("</head>", '<link rel="stylesheet" href="x.css"></head>'),
        "<style> with attributes": html.replace("<style>", '<style media="print">'),
        "!important": html.replace("</style>", "p { color: red !important }</style>"),
        "@import": html.replace("</style>", "@import 'x.css';</style>"),
        "url(": html.replace("</style>", "p { background: url(x.png) }</style>"),
        "@media": html.replace("</style>", "@media print { p { color: red } }</style>"),
        "@counter-style": html.replace("</style>", "@counter-style x { system: cyclic }</style>"),
        "an escape": html.replace("</style>", "p { color: \\72 ed }</style>"),
        "a carriage return": html.replace("</style>", "p {\r color: red }</style>"),
        "other fonts": html.replace(fonts, fonts.replace("Bold", "Regular")),
    }
    for name, other in others.items():
        assert pdf_sandbox._portal_sheet(other, fonts) is None, name


def test_a_document_the_child_renders_as_it_comes_is_still_weasyprints_file(captured):
    notice = decision()
    html = document_html("reports/pdf/notice.html", {"notice": notice}, created=created_of(notice))
    html = html.replace("</head>", "<style>td.yen { font-weight: 700 }</style></head>")
    from reports.pdf import pdf_from_html

    pdf = pdf_from_html(html, document_key="decision-1")
    ((sent, identifier, _pdf),) = captured
    assert pdf_sandbox._portal_sheet(sent, font_face_css()) is None
    assert pdf == weasyprint_alone(sent, identifier)


def test_each_stream_is_compressed_once_to_zlibs_own_bytes():
    deflate = pdf_sandbox._DeflateOnce()
    data = os.urandom(2000) + b"PortalGothic " * 5000
    first = deflate.compressobj(level=9)
    packed = first.compress(data[:7000]) + first.compress(data[7000:]) + first.flush()
    reference = zlib.compressobj(level=9)
    assert packed == reference.compress(data) + reference.flush()
    assert len(deflate.done) == 1
    again = deflate.compressobj(level=9)
    assert again.compress(data) + again.flush() == packed and len(deflate.done) == 1
    other = deflate.compressobj(level=6)  # another level is another result
    assert other.compress(data) + other.flush() == zlib.compress(data, 6)
    deflate.forget()
    assert deflate.done == {}
    assert deflate.compress(b"x") == zlib.compress(b"x")  # the rest is zlib's own
    with pytest.raises(ValueError):
        deflate.compressobj(9).flush(zlib.Z_SYNC_FLUSH)


def test_a_part_reads_its_decisions_in_the_same_queries_whatever_its_size(
    world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    use_database_tasks(settings)  # queued, not run: the parts are made here
    staff = world.users[Role.PREFECTURE_STAFF]
    decided_application(world.hub_a, staff=staff, number="8医政第1号")
    decided_application(world.hub_b, staff=staff, amounts=(300_000, 200_000), number="8医政第2号")
    counts = {}
    for size in (1, 2):
        settings.PORTAL_BATCH_CHUNK_SIZE = size
        job = start_batch(BatchJob.Kind.DECISION_NOTICES, {"year": 2026}, "一括", staff)
        parts: list[int] = []
        batches.plan(job.pk, then=parts.extend)
        with CaptureQueriesContext(connection) as queries:
            outcome = batches.make_part(parts[-1])
        assert outcome.made == size
        counts[size] = len(queries.captured_queries)
    assert counts[1] == counts[2]  # the lines of both decisions in one query


def test_a_batch_stores_its_pdfs_as_they_are_and_deflates_other_files(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PORTAL_BATCH_CHUNK_SIZE = 1
    use_database_tasks(settings)
    staff = world.users[Role.PREFECTURE_STAFF]
    made = [
        decided_application(world.hub_a, staff=staff, number="8医政第1号"),
        decided_application(world.hub_b, staff=staff, amounts=(300_000,), number="8医政第2号"),
    ]
    job = start_batch(BatchJob.Kind.DECISION_NOTICES, {"year": 2026}, "一括", staff)
    job = run_job(job.pk)
    assert job.status == BatchJob.Status.DONE, job.message
    with zipfile.ZipFile(io.BytesIO(job.result.read())) as archive:
        for made_one in made:
            info = archive.getinfo(decision_notice_filename(made_one))
            assert info.compress_type == zipfile.ZIP_STORED
            assert archive.read(info) == decision_notice_pdf(made_one)  # the single download
    assert batches._compression_of(b"%PDF-1.7\n...") == zipfile.ZIP_STORED
    assert batches._compression_of("拠点,額\n".encode("utf-8-sig")) == zipfile.ZIP_DEFLATED


@pytest.mark.django_db(transaction=True)  # real commits: the stamps change on commit
@override_settings(PORTAL_FIGURES_MAX_AGE=60)
def test_batch_progress_and_worker_heartbeats_keep_the_cached_figures(world):
    """A part's two saves and a worker's heartbeat (every 10 s) change no figure: they no
    longer give the dashboards' cache new stamps. A hub's save still does."""
    from reports.workers import beat

    staff = world.users[Role.PREFECTURE_STAFF]
    before = figures.stamps(figures.TOPICS)
    job = BatchJob.objects.create(kind=BatchJob.Kind.DECISION_NOTICES, params={}, created_by=staff)
    part = BatchPart.objects.create(job=job, number=1, items=[[0, "a.pdf"]])
    part.made = 1
    part.save()
    beat("worker-1", datetime.datetime.now(datetime.UTC))
    assert figures.stamps(figures.TOPICS) == before
    world.hub_a.save()
    assert figures.stamps(figures.TOPICS) != before
