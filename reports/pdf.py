"""PDF rendering with WeasyPrint: the same bytes for the same document on every machine.

The Japanese font (BIZ UD Gothic, OFL, installed by .ci/setup from Debian's
fonts-morisawa-bizud-gothic) is loaded with @font-face from its file, never left to
fontconfig's choice, so a machine with other CJK fonts renders the same glyphs. The creation
date and the PDF identifier come from the document, not the clock (docs/adr/0004)."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string

FONT_FILES = {
    ("normal", "400"): "BIZUDGothic-Regular.ttf",
    ("normal", "700"): "BIZUDGothic-Bold.ttf",
}
FONT_FAMILY = "PortalGothic"


def font_dir() -> Path:
    return Path(getattr(settings, "PDF_FONT_DIR", "/usr/share/fonts/truetype/bizud-gothic"))


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
    from weasyprint import HTML

    if created.tzinfo is None:
        raise ValueError("created must be timezone-aware")
    html = render_to_string(
        template_name,
        {
            **context,
            "font_face_css": font_face_css(),
            "font_family": FONT_FAMILY,
            "pdf_created": created.isoformat(timespec="seconds"),
            "prefecture_name": settings.PREFECTURE_NAME,
        },
    )
    identifier = hashlib.sha256(document_key.encode()).hexdigest()[:32].encode()
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_identifier=identifier, uncompressed_pdf=False
    )
