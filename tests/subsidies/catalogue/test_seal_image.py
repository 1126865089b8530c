"""公印の画像 (issue 15): the 要綱 settings take an optional seal image (PNG or JPEG, the whole
file checked, no SVG), audited, frozen with the catalogue; the notices print it beside the
issuer instead of the seal line, and the seal line as before when there is none. Byte-stable."""

import datetime
import io
import subprocess
import tempfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw

from reports.notices import decision_notice, notice_pdf, terms_of
from subsidies.catalogue.forms import AUDIT_ACTION, SEAL_LABEL
from subsidies.models import FiscalYear
from tests.factories import FiscalYearFactory, UserFactory
from zaitaku_portal.models import AuditEntry, Role

URL = "subsidies:catalogue_settings"
pytestmark = pytest.mark.django_db


def _image(kind="PNG", size=(120, 120)) -> bytes:
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).ellipse([5, 5, size[0] - 5, size[1] - 5], outline="red", width=6)
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()


def _post(**changes):
    data = {
        "issuer_title": "沖縄県知事",
        "issuer_name": "沖縄 花子",
        "seal_line": "（公印省略）",
        "refund_due_days": "20",
    }
    data.update(changes)
    return data


@pytest.fixture
def staff():
    return UserFactory(role=Role.PREFECTURE_STAFF, username="ken", full_name="県 太郎")


@pytest.fixture
def year():
    return FiscalYearFactory(year=2026)


def _upload(client, name, content, **changes):
    upload = SimpleUploadedFile(name, content)
    return client.post(reverse(URL, args=[2026]), {**_post(**changes), "seal_image_file": upload})


def test_staff_upload_a_png_seal_and_the_audit_names_it(client, staff, year):
    client.force_login(staff)
    png = _image()
    response = _upload(client, "公印.png", png)
    assert response.status_code == 302
    year.refresh_from_db()
    assert bytes(year.seal_image) == png and year.seal_image_type == "image/png"
    entry = AuditEntry.objects.get(action=AUDIT_ACTION)
    change = entry.changes[SEAL_LABEL]
    assert change["from"] is None and change["to"].startswith("PNG画像（")
    # the page says the seal is set; uploading the same bytes again changes nothing
    assert "現在: PNG画像" in client.get(reverse(URL, args=[2026])).content.decode()
    _upload(client, "公印.png", png)
    assert AuditEntry.objects.filter(action=AUDIT_ACTION).count() == 1
    # a JPEG replaces it; 削除 removes it (both audited)
    _upload(client, "seal.jpg", _image("JPEG"))
    year.refresh_from_db()
    assert year.seal_image_type == "image/jpeg"
    client.post(reverse(URL, args=[2026]), {**_post(), "seal_image_clear": "on"})
    year.refresh_from_db()
    assert bytes(year.seal_image) == b"" and year.seal_image_type == ""
    last = AuditEntry.objects.filter(action=AUDIT_ACTION).order_by("-pk").first()
    assert (
        last.changes[SEAL_LABEL]["from"].startswith("JPEG画像")
        and last.changes[SEAL_LABEL]["to"] is None
    )


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("seal.svg", SVG, "「公印の画像」はPNGまたはJPEGの画像にしてください（seal.svg）。"),
        ("seal.png", SVG, "「公印の画像」の中身がPNG画像ではありません（seal.png）。"),
        (
            "seal.png",
            _image() + b"appended",
            "「公印の画像」：PNG画像の終わり（IEND）の後に余分なデータ（8バイト）",
        ),
        (
            "seal.png",
            _image() + b"<html><script>",
            "「公印の画像」：ファイルの中にHTMLの「html」タグがあるため受け付けられません",
        ),
        ("seal.jpg", _image("PNG"), "「公印の画像」の中身がJPEG画像ではありません（seal.jpg）。"),
        ("seal.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "「公印の画像」：PNG画像として読めません"),
        ("seal.png", _image(size=(4100, 10)), "「公印の画像」が大きすぎます（4100×10画素）。"),
        (
            "seal.png",
            b"\x89PNG\r\n\x1a\n" + b"\0" * (1024 * 1024),
            "「公印の画像」は1.0MBです。1.0MB以下にしてください。",
        ),
    ],
)
def test_a_bad_seal_names_the_field_and_saves_nothing(client, staff, year, name, content, message):
    client.force_login(staff)
    response = _upload(client, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    year.refresh_from_db()
    assert bytes(year.seal_image) == b"" and year.issuer_name == ""
    assert not AuditEntry.objects.filter(action=AUDIT_ACTION).exists()


def test_a_frozen_year_refuses_a_new_seal(client, staff, year):
    FiscalYear.objects.filter(pk=year.pk).update(
        catalogue_frozen_at=timezone.now(), issuer_title="沖縄県知事", issuer_name="沖縄 花子",
        seal_line="（公印省略）",
    )  # fmt: skip
    client.force_login(staff)
    response = _upload(client, "公印.png", _image())
    assert "要綱の設定（公印の画像）は変更できません" in response.content.decode()
    year.refresh_from_db()
    assert bytes(year.seal_image) == b""
    assert not AuditEntry.objects.filter(action=AUDIT_ACTION).exists()


def _notice(fiscal_year):
    return decision_notice(
        fiscal_year=2026,
        notice_number="8医政第12号",
        notice_date=datetime.date(2026, 6, 1),
        application_date=datetime.date(2026, 5, 1),
        addressee_organisation="石垣市",
        addressee_title="市長",
        addressee_name="八重山 太郎",
        lines=[("多職種が参加する連携会議の開催", 400_000)],
        terms=terms_of(fiscal_year),
    )


def _text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)  # noqa: S607
    return "".join(out.stdout.decode().split())


def _images(pdf: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        out = subprocess.run(  # noqa: S603
            ["pdfimages", "-list", file.name],  # noqa: S607
            capture_output=True, check=True,
        )  # fmt: skip
    return len(out.stdout.decode().splitlines()) - 2  # two header lines


def test_the_notice_prints_the_seal_beside_the_issuer_or_the_seal_line(year):
    year.issuer_title, year.issuer_name, year.seal_line = "沖縄県知事", "沖縄 花子", "（公印省略）"
    year.save()
    without = notice_pdf(_notice(year), "decision-seal-test")
    assert "沖縄県知事沖縄花子（公印省略）" in _text(without)
    assert _images(without) == 0
    year.seal_image, year.seal_image_type = _image(), "image/png"
    year.save()
    year = FiscalYear.objects.get(pk=year.pk)
    with_seal = notice_pdf(_notice(year), "decision-seal-test")
    text = _text(with_seal)
    assert "沖縄県知事沖縄花子" in text and "（公印省略）" not in text
    assert _images(with_seal) == 1  # the seal, 120×120
    assert (
        notice_pdf(_notice(FiscalYear.objects.get(pk=year.pk)), "decision-seal-test") == with_seal
    )
