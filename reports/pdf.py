"""PDF rendering with WeasyPrint: the same bytes for the same document on every machine.

The Japanese font (BIZ UD Gothic, OFL, installed by .ci/setup from Debian's
fonts-morisawa-bizud-gothic) is loaded with @font-face from its file, never left to
fontconfig's choice, so a machine with other CJK fonts renders the same glyphs. The creation
date and the PDF identifier come from the document, not the clock (docs/adr/0004).

WeasyPrint runs in a warm child process with a time limit (`PORTAL_DOCUMENT_TIMEOUT_SECONDS`)
and may read only the two font files (`reports/pdf_sandbox.py`): a document over its limit, or
one that cannot be made, raises `DocumentError`, whose message is the reason in Japanese."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
import time
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

FONT_FILES = {
    ("normal", "400"): "BIZUDGothic-Regular.ttf",
    ("normal", "700"): "BIZUDGothic-Bold.ttf",
}
FONT_FAMILY = "PortalGothic"


class DocumentError(Exception):
    """A document that could not be made; the message says why, in Japanese, for the page
    (reports/middleware.py) and the batch job's message."""


class DocumentTimeout(DocumentError):
    def __init__(self, seconds: float):
        super().__init__(
            f"作成が制限時間（{seconds:g}秒）を超えたため中止しました。"
            "極端に長い記載がないかご確認ください。"
        )


# When the caller has a deadline of its own (a batch), a render gets what is left of it.
_deadline: ContextVar[float | None] = ContextVar("document_deadline", default=None)


@contextlib.contextmanager
def deadline(at: float) -> Iterator[None]:
    """Renders inside this block end by `at` (time.monotonic()) at the latest."""
    token = _deadline.set(at)
    try:
        yield
    finally:
        _deadline.reset(token)


def seconds_left(at: float) -> float:
    """What a render started now gets of a deadline at `at` (time.monotonic()): tenths of a
    second, never negative. A batch reads the same figure to decide it has run out, so a
    deadline a few hundredths away is not given to a render as 0 seconds and then missed."""
    return max(0.0, round(at - time.monotonic(), 1))


def time_limit() -> float:
    limit = float(settings.PORTAL_DOCUMENT_TIMEOUT_SECONDS)
    at = _deadline.get()
    return limit if at is None else min(limit, seconds_left(at))


def font_dir() -> Path:
    return Path(getattr(settings, "PDF_FONT_DIR", "/usr/share/fonts/truetype/bizud-gothic"))


def font_files() -> frozenset[Path]:
    """The only files a document may read."""
    return frozenset((font_dir() / name).resolve() for name in FONT_FILES.values())


def font_face_css() -> str:
    directory = font_dir()
    rules = []
    for (style, weight), name in FONT_FILES.items():
        path = directory / name
        if not path.exists():
            raise ImproperlyConfigured(
                f"PDF用の日本語フォント {path} がありません。"
                "`bash .ci/setup` を実行するか fonts-morisawa-bizud-gothic を導入してください。"
            )
        rules.append(
            f"@font-face {{ font-family: {FONT_FAMILY}; font-style: {style}; "
            f"font-weight: {weight}; src: url('{path.as_uri()}'); }}"
        )
    return "\n".join(rules)


def render_pdf(
    template_name: str,
    context: dict,
    *,
    document_key: str,
    created: datetime.datetime,
) -> bytes:
    """Render a template to PDF. `document_key` names the document (e.g. 'decision-12-v1'):
    it becomes the PDF identifier, so two renders of one document are identical bytes."""
    html = document_html(template_name, context, created=created)
    return pdf_from_html(html, document_key=document_key)


def document_html(template_name: str, context: dict, *, created: datetime.datetime) -> str:
    if created.tzinfo is None:
        raise ValueError("created must be timezone-aware")
    return render_to_string(
        template_name,
        {
            **context,
            "font_face_css": font_face_css(),
            "font_family": FONT_FAMILY,
            "pdf_created": created.isoformat(timespec="seconds"),
            "prefecture_name": settings.PREFECTURE_NAME,
        },
    )


def pdf_identifier(document_key: str) -> bytes:
    return hashlib.sha256(document_key.encode()).hexdigest()[:32].encode()


def portal_fonts_of(html: str) -> str | None:
    """The portal's @font-face CSS when it is the document's only font rules (every portal
    template): the render child keeps those fonts loaded for the next document. A document
    with rules of its own gets fonts of its own (reports/pdf_sandbox.py)."""
    fonts = font_face_css()
    if fonts in html and html.count("@font-face") == len(FONT_FILES):
        return fonts
    return None


def pdf_from_html(html: str, *, document_key: str) -> bytes:
    """The PDF of a document's HTML, inside the time limit and reading only the fonts."""
    from reports import pdf_sandbox

    seconds = time_limit()
    try:
        rendered = pdf_sandbox.render(
            html,
            base_url=str(settings.BASE_DIR),
            identifier=pdf_identifier(document_key),
            allowed_files=font_files(),
            seconds=seconds,
            fonts=portal_fonts_of(html),
        )
    except TimeoutError:
        logger.error("書類 %s の作成が制限時間（%g秒）を超えました。", document_key, seconds)
        raise DocumentTimeout(seconds) from None
    except pdf_sandbox.RenderCrashed as error:
        logger.error("書類 %s を作成できませんでした: %s", document_key, error)
        raise DocumentError("作成中にエラーが発生しました。") from error
    for url in rendered.refused:
        logger.warning("書類 %s が読もうとした %s を拒否しました。", document_key, url)
    return rendered.pdf
