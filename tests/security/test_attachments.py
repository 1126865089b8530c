"""Attachments and minutes (issue 12, point 13 and the file-name part of point 6).

The whole file is read, not only its first bytes: a PDF that runs something when opened, an
image or PDF with a web page inside, an Office file with macros or a zip bomb are refused.
Each application (and each results report's minutes) holds a bounded number and size of
files; a request larger than any upload is refused before it is read; a name the database
cannot hold is a Japanese error; a save that fails after the file was written leaves no file.
Every hostile file is built here, small, from bytes, Pillow, openpyxl or zipfile."""

import io
import re
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse
from PIL import Image

from hospitals.models import ActiveHospitalDesignation
from subsidies.applications import services as service
from subsidies.applications.forms import AttachmentForm
from subsidies.models import Activity, ApplicationAttachment, RequirementItem
from subsidies.results import services as claims
from subsidies.results.forms import ActivityForm
from tests.subsidies.factories import catalogue
from tests.subsidies.results.factories import worked_case
from zaitaku_portal.models import Role

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


# --- builders -----------------------------------------------------------------------------


def pdf(*objects: bytes, end: bytes = b"%%EOF\n") -> bytes:
    """A small PDF: numbered objects, a trailer naming object 1 as the catalog, the end mark."""
    body = b"%PDF-1.7\n"
    for number, content in enumerate(objects, start=1):
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    return body + b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1) + end


PAGES = b"<< /Type /Pages /Kids [] /Count 0 >>"


def catalog(extra: bytes = b"") -> bytes:
    return b"<< /Type /Catalog /Pages 2 0 R " + extra + b" >>"


def flate_stream(dictionary: bytes, content: bytes) -> bytes:
    packed = zlib.compress(content)
    return b"<< %s /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (
        dictionary,
        len(packed),
        packed,
    )


def real_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<h1>在宅医療連携拠点 計画書</h1><p>第3回 事例検討会</p>").write_pdf()


def png(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "PNG")
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data).to_bytes(4, "big")
    return len(data).to_bytes(4, "big") + kind + data + crc


def jpeg(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "JPEG")
    return buffer.getvalue()


def xlsx() -> bytes:
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "添付の明細"
    workbook.save(buffer)
    return buffer.getvalue()


def with_member(archive: bytes, name: str, data: bytes) -> bytes:
    buffer = io.BytesIO(archive)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as handle:
        handle.writestr(name, data)
    return buffer.getvalue()


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    """The smallest Word document Word opens: content types, the package relation, the body."""
    parts = {
        "[Content_Types].xml": (
            b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            b'2006/content-types"><Override PartName="/word/document.xml" ContentType='
            b'"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main'
            b'+xml"/></Types>'
        ),
        "_rels/.rels": (
            b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            b'Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>minutes</w:t></w:r></w:p>'
            b"</w:body></w:document>"
        ),
    }
    parts.update(extra or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as handle:
        for name, data in parts.items():
            handle.writestr(name, data)
    return buffer.getvalue()


REMOTE_TEMPLATE = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    b'2006/relationships"><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/attachedTemplate" Target="http://example.invalid/'
    b't.dotm" TargetMode="External"/></Relationships>'
)
ZIP_BOMB_MEMBER = b"\0" * (2 * 1024 * 1024)  # 2 MB of zeros packs into about 2 KB


# --- fixtures and helpers -----------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list[Path]:
    return sorted(path for path in Path(media).rglob("*") if path.is_file())


@pytest.fixture
def coordinator(world):
    return world.users[Role.HUB_COORDINATOR]


@pytest.fixture
def application(world, coordinator):
    fiscal_year, _ = catalogue(2026)
    return service.start_application(world.hub_a, fiscal_year, coordinator)


@pytest.fixture
def browser(client, coordinator):
    client.force_login(coordinator)
    return client


def attach(client, application, name: str, data: bytes) -> str:
    """Posts the attachment form as the detail page does; the page shown afterwards."""
    response = client.post(
        reverse("subsidies:attachment_upload", args=[application.pk]),
        {"file": SimpleUploadedFile(name, data)},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def assert_refused(page: str, media, application, expected: str) -> None:
    assert expected in page, re.findall(r'<li class="error">(.*?)</li>', page)
    assert not ApplicationAttachment.objects.filter(application=application).exists()
    assert stored_files(media) == []


MEETING = {
    "kind": "meeting",
    "title": "第3回",
    "held_on": "2026-10-01",
    "meeting_kind": "事例検討会",
    "prof0": "2",
}


@pytest.fixture
def case(world):
    return worked_case(world)


def add_minutes(client, case, name: str, data: bytes, **fields) -> str:
    case.report.refresh_from_db()
    response = client.post(
        reverse("results:activity_add", args=[case.report.pk]),
        {
            "version": case.report.version,
            **MEETING,
            **fields,
            "minutes": SimpleUploadedFile(name, data),
        },
    )
    return response.content.decode() if response.status_code == 200 else ""


# --- PDF ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "name"),
    [
        (b"/OpenAction 3 0 R", "OpenAction"),
        (b"/AA 3 0 R", "AA"),
        (b"/Names << /JavaScript 3 0 R >>", "JavaScript"),
        (b"/JS 3 0 R", "JS"),
        (b"/Launch 3 0 R", "Launch"),
        (b"/EmbeddedFile 3 0 R", "EmbeddedFile"),
        (b"/Names << /EmbeddedFiles 3 0 R >>", "EmbeddedFiles"),
        (b"/RichMedia 3 0 R", "RichMedia"),
        (b"/AcroForm << /XFA 3 0 R >>", "XFA"),
        (b"/J#61vaScript 3 0 R", "JavaScript"),  # PDF name escape: #61 is "a"
        (b"/#4Fpen#41ction 3 0 R", "OpenAction"),
        (b"/J#53 3 0 R", "JS"),
    ],
)
def test_pdf_that_runs_something_when_opened_is_refused(browser, application, media, token, name):
    data = pdf(catalog(token), PAGES, b"<< >>")
    page = attach(browser, application, "計画書.pdf", data)
    expected = f"添付書類「計画書.pdf」：PDFに開くと動く仕組み（/{name}）"
    assert_refused(page, media, application, expected)


def test_pdf_open_action_hidden_in_a_compressed_object_stream_is_refused(
    browser, application, media
):
    hidden = b"1 0 << /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>"
    data = pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        PAGES,
        flate_stream(b"/Type /ObjStm /N 1 /First 4", hidden),
    )
    page = attach(browser, application, "計画書.pdf", data)
    assert_refused(page, media, application, "PDFに開くと動く仕組み（/OpenAction）")


def test_pdf_object_stream_in_a_filter_we_cannot_read_is_refused(browser, application, media):
    dictionary = b"<< /Type /ObjStm /N 1 /First 4 /Filter /LZWDecode /Length 4 >>"
    stream = dictionary + b"\nstream\nabcd\nendstream"
    page = attach(browser, application, "計画書.pdf", pdf(catalog(), PAGES, stream))
    assert_refused(page, media, application, "確認できない圧縮形式（/LZWDecode）")


def test_pdf_object_stream_bomb_is_refused(browser, application, media):
    bomb = flate_stream(b"/Type /ObjStm /N 1 /First 4", b" " * (20 * 1024 * 1024))
    assert len(bomb) < 100 * 1024
    page = attach(browser, application, "計画書.pdf", pdf(catalog(), PAGES, bomb))
    assert_refused(page, media, application, "圧縮爆弾の疑い")


def test_html_after_a_pdf_header_is_refused(browser, application, media):
    data = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"
    page = attach(browser, application, "計画書.pdf", data)
    assert_refused(page, media, application, "HTMLの「html」タグ")


def test_pdf_without_its_end_marker_is_refused(browser, application, media):
    page = attach(browser, application, "計画書.pdf", pdf(catalog(), PAGES, end=b""))
    assert_refused(page, media, application, "PDFの終わり（%%EOF）がありません")


def test_encrypted_pdf_is_refused(browser, application, media):
    data = pdf(catalog(), PAGES, end=b"") + b"trailer\n<< /Encrypt 9 0 R >>\n%%EOF\n"
    page = attach(browser, application, "計画書.pdf", data)
    assert_refused(page, media, application, "パスワードで保護（暗号化）されたPDF")


def test_pdf_with_an_unclosed_stream_is_refused(browser, application, media):
    data = pdf(catalog(), PAGES, b"<< /Length 99 >>\nstream\n/OpenAction hidden") + b"\n"
    page = attach(browser, application, "計画書.pdf", data)
    assert_refused(page, media, application, "（stream）が閉じられていません")


def test_real_pdfs_are_accepted(browser, application, media):
    made = real_pdf()
    plain = pdf(catalog(), PAGES)
    attach(browser, application, "計画書.pdf", made)
    attach(browser, application, "別紙.pdf", plain)
    names = list(application.attachments.values_list("original_name", flat=True))
    assert names == ["計画書.pdf", "別紙.pdf"]
    assert sorted(path.read_bytes() for path in stored_files(media)) == sorted([made, plain])


# --- images ---------------------------------------------------------------------------------


def test_html_after_a_png_is_refused(browser, application, media):
    data = png() + b"<html><script>alert(1)</script></html>"
    page = attach(browser, application, "写真.png", data)
    assert_refused(page, media, application, "HTMLの「html」タグ")


def test_html_inside_a_png_text_chunk_is_refused(browser, application, media):
    image = png()
    data = image[:33] + png_chunk(b"tEXt", b"Comment\0<script>alert(1)</script>") + image[33:]
    page = attach(browser, application, "写真.png", data)
    assert_refused(page, media, application, "HTMLの「script」タグ")


def test_anything_after_the_end_of_a_png_is_refused(browser, application, media):
    data = png() + b"PK\x03\x04" + b"\0" * 26  # the start of a zip: a PNG/ZIP polyglot
    page = attach(browser, application, "写真.png", data)
    assert_refused(page, media, application, "PNG画像の終わり（IEND）の後に余分なデータ（30")


def test_a_truncated_png_is_refused(browser, application, media):
    page = attach(browser, application, "写真.png", png()[:-12])
    assert_refused(page, media, application, "PNG画像として読めません（終わり（IEND）がありません")


def test_html_after_a_jpeg_is_refused(browser, application, media):
    data = jpeg() + b"<!DOCTYPE html><p>x</p>"
    page = attach(browser, application, "写真.jpg", data)
    assert_refused(page, media, application, "HTMLの「!doctype html」")


def test_html_inside_a_jpeg_comment_is_refused(browser, application, media):
    image = jpeg()
    comment = b"<iframe src=x>"
    segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
    page = attach(browser, application, "写真.jpeg", image[:2] + segment + image[2:])
    assert_refused(page, media, application, "HTMLの「iframe」タグ")


def test_anything_after_the_end_of_a_jpeg_is_refused(browser, application, media):
    data = jpeg() + b"PK\x03\x04" + b"\1" * 12
    page = attach(browser, application, "写真.jpg", data)
    assert_refused(page, media, application, "JPEG画像の終わり（EOI）の後に余分なデータ（16")


def test_a_truncated_jpeg_is_refused(browser, application, media):
    page = attach(browser, application, "写真.jpg", jpeg()[:-2])
    assert_refused(page, media, application, "JPEG画像として読めません（終わり（EOI）がありません")


def test_real_images_are_accepted_with_a_second_picture_after_a_jpeg(browser, application, media):
    """Phones append a second JPEG (a depth or gain map) after the first one's end."""
    attach(browser, application, "写真.png", png((40, 30)))
    attach(browser, application, "写真.jpg", jpeg((40, 30)) + jpeg((10, 10)))
    attach(browser, application, "余白つき.jpg", jpeg() + b"\0" * 16)
    assert application.attachments.count() == 3
    assert len(stored_files(media)) == 3


# --- spreadsheets and Word ------------------------------------------------------------------


def test_xlsx_with_macros_is_refused(browser, application, media):
    data = with_member(xlsx(), "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    page = attach(browser, application, "明細.xlsx", data)
    assert_refused(page, media, application, "添付書類「明細.xlsx」：マクロを含むブック")


def test_xlsx_zip_bomb_is_refused(browser, application, media):
    data = with_member(xlsx(), "xl/media/image1.bin", ZIP_BOMB_MEMBER)
    assert len(data) < 64 * 1024
    page = attach(browser, application, "明細.xlsx", data)
    assert_refused(page, media, application, "圧縮爆弾の疑い")


def test_xlsx_with_external_links_is_refused(browser, application, media):
    data = with_member(xlsx(), "xl/externalLinks/externalLink1.xml", b"<externalLink/>")
    page = attach(browser, application, "明細.xlsx", data)
    assert_refused(page, media, application, "外部のブックへのリンク")


def test_a_plain_xlsx_is_accepted(browser, application, media):
    attach(browser, application, "明細.xlsx", xlsx())
    assert application.attachments.get().original_name == "明細.xlsx"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (docx({"word/vbaProject.bin": b"macro"}), "マクロを含む文書"),
        (docx({"word/media/image1.bin": ZIP_BOMB_MEMBER}), "圧縮爆弾の疑い"),
        (docx({"word/_rels/settings.xml.rels": REMOTE_TEMPLATE}), "外部のテンプレートや埋め込み"),
        (b"PK\x03\x04 not really a zip", "Wordファイル（.docx）として読めません"),
    ],
)
def test_minutes_in_word_with_macros_a_bomb_or_a_remote_template_are_refused(
    client, coordinator, case, media, data, expected
):
    client.force_login(coordinator)
    page = add_minutes(client, case, "議事録.docx", data)
    assert "「議事録」の「議事録.docx」：" in page
    assert expected in page
    assert not Activity.objects.filter(title="第3回").exists()
    assert stored_files(media) == []


def test_minutes_pdf_that_runs_javascript_is_refused_and_a_plain_docx_is_accepted(
    client, coordinator, case, media
):
    client.force_login(coordinator)
    hostile = pdf(catalog(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), PAGES)
    page = add_minutes(client, case, "議事録.pdf", hostile)
    assert "「議事録」の「議事録.pdf」：PDFに開くと動く仕組み（/OpenAction）" in page
    assert not Activity.objects.filter(title="第3回").exists()
    assert add_minutes(client, case, "議事録.docx", docx()) == ""
    assert Activity.objects.get(title="第3回").minutes_name == "議事録.docx"
    assert len(stored_files(media)) == 1


# --- limits per application and per report --------------------------------------------------


def test_each_application_holds_a_limited_number_of_attachments(
    browser, application, media, settings
):
    settings.ATTACHMENT_MAX_COUNT = 2
    for name in ("一.png", "二.png"):
        attach(browser, application, name, png())
    page = attach(browser, application, "三.png", png())
    assert "添付書類は1件の申請につき2件までです（現在2件）。" in page
    assert application.attachments.count() == 2
    assert len(stored_files(media)) == 2


def test_each_application_holds_a_limited_total_size(browser, application, media, settings):
    image = png((64, 64))
    settings.ATTACHMENT_MAX_TOTAL_BYTES = 2 * len(image) + 10
    attach(browser, application, "一.png", image)
    attach(browser, application, "二.png", image)
    page = attach(browser, application, "三.png", image)
    assert "添付書類の合計は1件の申請につき" in page
    assert f"（現在{2 * len(image)}バイト、追加すると{3 * len(image)}バイト）" in page
    assert application.attachments.count() == 2
    assert len(stored_files(media)) == 2


def test_the_default_limits_fit_a_real_application():
    assert django_settings.ATTACHMENT_MAX_COUNT == 20
    assert django_settings.ATTACHMENT_MAX_TOTAL_BYTES == 50 * 1024 * 1024
    assert django_settings.MINUTES_MAX_COUNT >= 12  # a meeting a month, each with minutes


def test_each_results_report_holds_a_limited_number_of_minutes(
    client, coordinator, case, media, settings
):
    settings.MINUTES_MAX_COUNT = 1
    client.force_login(coordinator)
    assert add_minutes(client, case, "議事録1.pdf", pdf(catalog(), PAGES)) == ""
    page = add_minutes(client, case, "議事録2.pdf", pdf(catalog(), PAGES), title="第4回")
    assert "議事録は1件の実績報告につき1件までです（現在1件）。" in page
    assert not Activity.objects.filter(title="第4回").exists()
    assert len(stored_files(media)) == 1


def test_each_results_report_holds_a_limited_total_size_of_minutes(
    client, coordinator, case, media, settings
):
    first = pdf(catalog(), PAGES)
    settings.MINUTES_MAX_TOTAL_BYTES = len(first) + 5
    client.force_login(coordinator)
    assert add_minutes(client, case, "議事録1.pdf", first) == ""
    page = add_minutes(client, case, "議事録2.pdf", first, title="第4回")
    assert f"（現在{len(first)}バイト、追加すると{2 * len(first)}バイト）" in page
    assert not Activity.objects.filter(title="第4回").exists()


# --- the size of a request ------------------------------------------------------------------


def test_a_request_larger_than_the_limit_is_refused_before_it_is_read(
    browser, application, media, settings
):
    settings.REQUEST_BODY_MAX_BYTES = 4096
    response = browser.post(
        reverse("subsidies:attachment_upload", args=[application.pk]),
        {"file": SimpleUploadedFile("計画書.pdf", pdf(catalog(), PAGES, b"(" + b"x" * 8000))},
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "送信されたデータが大きすぎます" in page
    assert "一度に送れるのは4.0KBまでです" in page
    assert not application.attachments.exists()
    assert stored_files(media) == []


def test_the_request_limit_fits_the_largest_upload_and_matches_the_nginx_example():
    from hospitals.registry.reader import MAX_FILE_BYTES

    limit = django_settings.REQUEST_BODY_MAX_BYTES
    assert MAX_FILE_BYTES < limit <= MAX_FILE_BYTES + 10 * 1024 * 1024
    example = (ROOT / "docs" / "nginx.conf.example").read_text()
    size = re.search(r"^\s*client_max_body_size\s+(\d+)m;", example, re.M)
    assert size and int(size.group(1)) * 1024 * 1024 == limit
    assert "nginx.conf.example" in (ROOT / "docs" / "operations.md").read_text()
    middleware = "zaitaku_portal.request_limits.RequestBodyLimitMiddleware"
    assert middleware in django_settings.MIDDLEWARE


# --- file names and failed saves ------------------------------------------------------------


def test_a_201_character_name_is_a_japanese_error_and_leaves_no_file(browser, application, media):
    """On PostgreSQL this was a 500 (value too long) with the file already on disk."""
    name = "あ" * 197 + ".pdf"
    assert len(name) == 201
    page = attach(browser, application, name, pdf(catalog(), PAGES))
    assert_refused(page, media, application, "「添付書類」のファイル名が長すぎます（201文字）")


def test_a_200_character_name_is_kept_whole_for_display(browser, application, media):
    name = "計" * 196 + ".pdf"
    attach(browser, application, name, pdf(catalog(), PAGES))
    attachment = application.attachments.get()
    assert attachment.original_name == name
    assert len(stored_files(media)) == 1
    assert len(stored_files(media)[0].name.encode()) < 255  # any file system can hold it


@pytest.mark.parametrize("name", ["計画\x07書.pdf", "計画\\書.pdf", "計\u202e書.pdf", "計\n.pdf"])
def test_control_characters_and_path_separators_in_a_name_are_form_errors(name):
    form = AttachmentForm(files={"file": SimpleUploadedFile(name, pdf(catalog(), PAGES))})
    assert not form.is_valid()
    assert "「添付書類」のファイル名に使えない文字" in form.errors["file"][0]


def test_a_201_character_minutes_name_is_a_form_error(client, coordinator, case, media):
    client.force_login(coordinator)
    page = add_minutes(client, case, "い" * 196 + ".docx", docx())
    assert "「議事録」のファイル名が長すぎます（201文字）" in page
    assert not Activity.objects.filter(title="第3回").exists()
    assert stored_files(media) == []


def activity_form(case, files=None) -> ActivityForm:
    return ActivityForm(
        {"version": case.report.version, **MEETING},
        files,
        requirement_items=RequirementItem.objects.none(),
        designations=ActiveHospitalDesignation.objects.none(),
    )


def test_the_minutes_form_refuses_a_path_separator(case):
    upload = SimpleUploadedFile("議事\\録.pdf", pdf(catalog(), PAGES))
    form = activity_form(case, {"minutes": upload})
    assert not form.is_valid()
    assert "「議事録」のファイル名に使えない文字" in form.errors["minutes"][0]


def _vanishing(monkeypatch, user):
    """`user`'s account is removed while the upload is on its way: after every check has passed
    (the writer re-checks scope inside its lock), the row is deleted with raw SQL inside the
    writer's own transaction, so the rows that name the user fail the foreign-key check when
    the transaction commits."""
    from django.db import connection

    from zaitaku_portal import audit

    record = audit.record

    def record_then_vanish(*args, **kwargs):
        entry = record(*args, **kwargs)
        with connection.cursor() as cursor:
            table = type(user)._meta.db_table  # the model's own table name, not input
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [user.pk])  # noqa: S608
        return entry

    monkeypatch.setattr(audit, "record", record_then_vanish)
    return user


@pytest.mark.django_db(transaction=True)
def test_an_attachment_save_that_fails_at_commit_leaves_no_file(world, media, monkeypatch):
    fiscal_year, _ = catalogue(2026)
    coordinator = world.users[Role.HUB_COORDINATOR]
    application = service.start_application(world.hub_a, fiscal_year, coordinator)
    upload = SimpleUploadedFile("計画書.pdf", pdf(catalog(), PAGES))
    with pytest.raises(IntegrityError):
        service.add_attachment(application, _vanishing(monkeypatch, coordinator), upload)
    assert not ApplicationAttachment.objects.exists()
    assert stored_files(media) == []


@pytest.mark.django_db(transaction=True)
def test_a_minutes_save_that_fails_at_commit_leaves_no_file(world, media, monkeypatch):
    case = worked_case(world)
    form = activity_form(case)
    assert form.is_valid(), form.errors
    data = form.data_dict()
    upload = SimpleUploadedFile("議事録.docx", docx())
    coordinator = world.users[Role.HUB_COORDINATOR]
    with pytest.raises(IntegrityError):
        claims.add_activity(
            case.report,
            data,
            _vanishing(monkeypatch, coordinator),
            case.report.version,
            minutes=upload,
        )
    assert not Activity.objects.filter(title="第3回").exists()
    assert stored_files(media) == []
