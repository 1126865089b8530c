"""Documents (issue 12, points 5 and 15): WeasyPrint reads only the portal's font files, and
every render and batch has a time limit that fails visibly, in Japanese.

The slow document is real: a few thousand characters without a break in a table cell make
WeasyPrint's table layout take 40 s and more on this machine (three 0.8 MB fields never end),
so a limit of a few seconds is always exceeded, and the test ends at the limit."""

import io
import multiprocessing
import subprocess
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reports.batches import run_job
from reports.models import BatchJob
from tests.reports.decided import decided_application
from zaitaku_portal.models import AuditEntry, Role

# About 4,200 characters in one table cell: ~45 s of layout without a limit.
ENDLESS = "在宅医療の連携" * 600
PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
    "DwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def attachments(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "attached.pdf"
    path.write_bytes(pdf)
    return subprocess.run(  # noqa: S603
        ["pdfdetach", "-list", str(path)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout


class Counter(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        Counter.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"p { color: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    Counter.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def hostile_html(server: str) -> str:
    from reports.pdf import FONT_FAMILY, font_dir, font_face_css

    traversal = f"{font_dir().as_uri()}/../../../../../../etc/passwd"
    return f"""<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">
<style>{font_face_css()}
@font-face {{ font-family: Stolen; src: url('{traversal}'); }}
html {{ font-family: {FONT_FAMILY}; }}</style>
<link rel="attachment" href="file:///etc/passwd">
<link rel="stylesheet" href="{server}/steal.css">
<link rel="stylesheet" href="manage.py">
</head><body><p>交付決定通知書</p>
<img src="{server}/pixel.png" alt=""><img src="{PNG}" alt="点">
<a rel="attachment" href="file:///etc/hostname">添付</a>
</body></html>"""


def test_weasyprints_own_fetcher_would_attach_local_files(local_server, tmp_path):
    """What the portal's fetcher stops: without it, /etc/passwd rides along in the PDF and
    the render calls any address it is given."""
    from django.conf import settings
    from weasyprint import HTML

    pdf = HTML(string=hostile_html(local_server), base_url=str(settings.BASE_DIR)).write_pdf()
    assert "passwd" in attachments(pdf, tmp_path)
    assert Counter.hits


def test_a_document_reads_only_the_font_files_and_data_urls(local_server, tmp_path, caplog):
    from reports.pdf import pdf_from_html
    from tests.reports.test_notices import pdf_fonts

    with caplog.at_level("WARNING", logger="reports.pdf"):
        pdf = pdf_from_html(hostile_html(local_server), document_key="hostile")
    assert attachments(pdf, tmp_path).strip() == "0 embedded files"
    assert Counter.hits == []
    refused = "\n".join(r.getMessage() for r in caplog.records)
    for url in ("file:///etc/passwd", "/steal.css", "/pixel.png", "/etc/hostname", "manage.py"):
        assert url in refused, url
    assert "../etc/passwd" in refused or "/etc/passwd" in refused
    assert "data:image/png" not in refused
    assert "PortalGothic" in pdf_fonts(pdf, tmp_path)  # the real font files still load


def test_a_real_notice_renders_the_same_bytes_as_without_the_fetcher():
    """The fence changes nothing in a real document: byte for byte what WeasyPrint's own
    fetcher in this process makes (the auditors' re-print stays identical)."""
    from django.conf import settings
    from weasyprint import HTML

    from reports.notices import notice_pdf
    from reports.pdf import document_html, pdf_identifier
    from tests.reports.test_notices import decision

    notice = decision()
    created = notice_created(notice)
    html = document_html("reports/pdf/notice.html", {"notice": notice}, created=created)
    unfenced = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_identifier=pdf_identifier("decision-1"), uncompressed_pdf=False
    )
    assert notice_pdf(notice, "decision-1") == unfenced


def notice_created(notice):
    import datetime

    from django.utils import timezone

    return timezone.make_aware(
        datetime.datetime.combine(notice.notice_date, datetime.time(9, 0)),
        timezone.get_default_timezone(),
    )


def test_a_render_over_the_limit_is_stopped_at_the_limit(settings):
    from reports.pdf import DocumentTimeout, pdf_from_html

    settings.PORTAL_DOCUMENT_TIMEOUT_SECONDS = 1.5
    html = f"<html><body><table><tr><td>{ENDLESS}</td></tr></table></body></html>"
    started = time.monotonic()
    with pytest.raises(DocumentTimeout) as stopped:
        pdf_from_html(html, document_key="endless")
    assert time.monotonic() - started < 6
    assert "制限時間（1.5秒）を超えた" in str(stopped.value)
    assert multiprocessing.active_children() == []  # the render's process is gone


def endless_version(hub, staff):
    """A decided application whose second filed version holds an endless field (an old row,
    from before the field length limits)."""
    from subsidies.models import ApplicationVersion

    decision = decided_application(hub, staff=staff)
    first = ApplicationVersion.objects.filter(application=decision.application, number=1)
    first.update(snapshot={"plan": {"lines": {}}})  # the dossier compares the plans
    return ApplicationVersion.objects.create(
        application=decision.application,
        number=2,
        label="変更",
        snapshot={"plan": {"district_policy": ENDLESS, "lines": {}}},
        created_by=staff,
    )


def test_a_document_page_over_the_limit_says_so_in_japanese(client, world, settings):
    settings.PORTAL_DOCUMENT_TIMEOUT_SECONDS = 1.5
    staff = world.users[Role.PREFECTURE_STAFF]
    version = endless_version(world.hub_a, staff)
    client.force_login(staff)
    started = time.monotonic()
    response = client.get(f"/reports/versions/{version.pk}/application.pdf")
    assert time.monotonic() - started < 8
    assert response.status_code == 503
    page = response.content.decode()
    assert "書類を作成できませんでした" in page
    assert "制限時間（1.5秒）を超えた" in page
    assert not AuditEntry.objects.filter(action="ダウンロード").exists()


def run_dossier(world, staff):
    job = BatchJob.objects.create(
        kind=BatchJob.Kind.DOSSIER,
        params={"hub": world.hub_a.pk, "year": 2026},
        label="監査用一式",
        created_by=staff,
    )
    return run_job(job.pk)


def test_a_batch_marks_the_slow_document_failed_and_keeps_the_others(
    client, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.PORTAL_DOCUMENT_TIMEOUT_SECONDS = 1.5
    staff = world.users[Role.PREFECTURE_STAFF]
    endless_version(world.hub_a, staff)
    job = run_dossier(world, staff)
    assert job.status == BatchJob.Status.FAILED
    assert "01_交付申請書/第2版_変更.pdf" in job.message
    assert "制限時間（1.5秒）を超えた" in job.message
    assert (job.done, job.total) == (job.total - 1, job.total)
    with zipfile.ZipFile(io.BytesIO(job.result.read())) as archive:
        names = archive.namelist()
    assert "01_交付申請書/第1版_提出.pdf" in names
    assert "01_交付申請書/第2版_変更.pdf" not in names
    assert any(n.startswith("02_交付決定通知書/") for n in names)
    assert "05_監査記録.csv" in names
    client.force_login(staff)
    page = client.get(f"/reports/batches/{job.pk}/").content.decode()
    assert "失敗" in page and "作成できた" in page
    download = client.get(f"/reports/batches/{job.pk}/download/")
    assert download.status_code == 200


def test_a_batch_stops_at_its_own_time_limit(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PORTAL_DOCUMENT_TIMEOUT_SECONDS = 60
    settings.PORTAL_BATCH_TIMEOUT_SECONDS = 2
    staff = world.users[Role.PREFECTURE_STAFF]
    endless_version(world.hub_a, staff)
    started = time.monotonic()
    job = run_dossier(world, staff)
    assert time.monotonic() - started < 10
    assert job.status == BatchJob.Status.FAILED
    assert "一括作成の制限時間（2秒）を超えた" in job.message
    assert job.done < job.total
