"""Checks every spreadsheet upload goes through before anything opens it.

A workbook is a zip of XML: before openpyxl or our own reader touches it, the container is
checked for what must never be opened (docs/security.md): encryption, macros, external
links, a zip bomb, a wrong type behind a right extension. check_xlsx_upload then bounds
what its sheets may make a reader build (zaitaku_portal/workbook_bounds.py): the rows,
columns and cells the form can hold, before openpyxl builds a single cell."""

from __future__ import annotations

import io
import zipfile
from typing import IO

from zaitaku_portal.workbook_bounds import WorkbookLimits, check_workbook_bounds

MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_COMPRESSION_RATIO = 150
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def _file_bytes_head(stream: IO[bytes], size: int) -> bytes:
    stream.seek(0)
    head = stream.read(min(size, 64 * 1024))
    stream.seek(0)
    return head


def check_xlsx_container(
    stream: IO[bytes],
    file_name: str,
    size: int,
    *,
    max_bytes: int,
    empty_hint: str = "Excelファイルを選んでください。",
    format_hint: str = "Excel形式（.xlsx）のまま選んでください。",
) -> str | None:
    """A Japanese message when the upload is not a plain .xlsx we may open, else None:
    empty, too large, old .xls or encrypted, macro-enabled, not a zip, a zip bomb, external
    links to other workbooks, or not a workbook at all. The checks run in that order, each a
    step that answers with the first problem it finds."""
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    problem = _size_problem(size, max_bytes, empty_hint) or _head_problem(
        stream, size, extension, format_hint
    )
    if problem:
        return problem
    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile:
        return "Excelファイル（.xlsx）として読めません。ファイルが壊れている可能性があります。"
    with archive:
        problem = _archive_problem(archive)
    if problem:
        return problem
    stream.seek(0)
    if extension != "xlsx":
        return f"拡張子が .xlsx ではありません（.{extension or 'なし'}）。"
    return None


def _size_problem(size: int, max_bytes: int, empty_hint: str) -> str | None:
    if size == 0:
        return f"ファイルが空です（0バイト）。{empty_hint}"
    if size > max_bytes:
        return (
            f"ファイルが大きすぎます（{size / 1024 / 1024:,.1f} MB）。"
            f"取り込めるのは{max_bytes // 1024 // 1024} MBまでです。"
        )
    return None


def _head_problem(stream: IO[bytes], size: int, extension: str, format_hint: str) -> str | None:
    """What the first bytes and the extension tell: old .xls or encrypted, macro-enabled, or
    not a zip at all."""
    head = _file_bytes_head(stream, size)
    if head.startswith(OLE_MAGIC):
        stream.seek(0)
        whole = stream.read()
        stream.seek(0)
        if ENCRYPTED_STREAM in whole:
            return (
                "パスワードで保護（暗号化）されたファイルは取り込めません。"
                "Excelでパスワードを解除して .xlsx で保存し直してください。"
            )
        return "旧形式のExcelファイル（.xls）は取り込めません。.xlsx で保存し直してください。"
    if extension in {"xlsm", "xltm", "xlam"}:
        return (
            f"マクロ有効ブック（.{extension}）は安全のため取り込めません。"
            ".xlsx（マクロなし）で保存し直してください。"
        )
    if not head.startswith(ZIP_MAGIC):
        return f"Excelファイル（.xlsx）ではありません。{format_hint}"
    return None


def _archive_problem(archive: zipfile.ZipFile) -> str | None:
    """What the zip's members tell: encryption, a zip bomb, macros, external links, or no
    workbook inside."""
    members = archive.infolist()
    if any(info.flag_bits & 0x1 for info in members):
        return "パスワードで保護（暗号化）されたファイルは取り込めません。"
    problem = _bomb_problem(members)
    if problem:
        return problem
    names = {info.filename for info in members}
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        return (
            "マクロを含むブックは安全のため取り込めません。"
            ".xlsx（マクロなし）で保存し直してください。"
        )
    if "[Content_Types].xml" in names and b"macroEnabled" in archive.read("[Content_Types].xml"):
        return "マクロ有効ブックは安全のため取り込めません。"
    if any(name.startswith("xl/externalLinks/") for name in names):
        return (
            "外部のブックへのリンクを含むファイルは安全のため取り込めません。"
            "Excelの「リンクの編集」でリンクを解除して保存し直してください。"
        )
    if "xl/workbook.xml" not in names:
        return "Excelファイル（.xlsx）ではありません（ブックの本体が見つかりません）。"
    return None


def _bomb_problem(members: list[zipfile.ZipInfo]) -> str | None:
    total = sum(info.file_size for info in members)
    suspicious = [
        info
        for info in members
        if info.file_size > 1024 * 1024
        and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
    ]
    if total > MAX_UNCOMPRESSED_BYTES or suspicious:
        return (
            "展開後のサイズが異常に大きいファイルです（圧縮爆弾の疑い）。取り込めません。"
            f"（展開後 {total / 1024 / 1024:,.0f} MB）"
        )
    return None


def check_xlsx_upload(
    stream: IO[bytes],
    file_name: str,
    size: int,
    *,
    max_bytes: int,
    limits: WorkbookLimits,
    empty_hint: str = "Excelファイルを選んでください。",
    format_hint: str = "Excel形式（.xlsx）のまま選んでください。",
) -> str | None:
    """check_xlsx_container, then (only for a container that may be opened) the bounds of
    every sheet: the one check every reader that opens a workbook with openpyxl calls."""
    problem = check_xlsx_container(
        stream,
        file_name,
        size,
        max_bytes=max_bytes,
        empty_hint=empty_hint,
        format_hint=format_hint,
    )
    return problem or check_workbook_bounds(stream, limits)


# --- a form the portal handed out, coming back --------------------------------------------

FORM_EMPTY_HINT = "ダウンロードした様式に記入したファイルを選んでください。"
FORM_FORMAT_HINT = "ダウンロードした様式に記入して、.xlsx のまま保存してください。"


class FormUploadRefused(ValueError):
    """The upload cannot be opened as the form; the message names the file."""


def open_form_workbook(
    upload, *, max_bytes: int, limits: WorkbookLimits, format_hint: str = FORM_FORMAT_HINT
):
    """The openpyxl workbook of an uploaded form (the plan, the survey) once it has passed
    check_xlsx_upload, or FormUploadRefused with the reason in Japanese."""
    from openpyxl import load_workbook

    name = getattr(upload, "name", "") or ""
    data = upload.read()
    problem = check_xlsx_upload(
        io.BytesIO(data),
        name,
        len(data),
        max_bytes=max_bytes,
        limits=limits,
        empty_hint=FORM_EMPTY_HINT,
        format_hint=format_hint,
    )
    if problem:
        raise FormUploadRefused(f"「{name}」: {problem}")
    if not name.lower().endswith(".xlsx") or not zipfile.is_zipfile(io.BytesIO(data)):
        raise FormUploadRefused(
            f"「{name}」をExcelファイル（.xlsx）として読み込めません。{format_hint}"
        )
    try:
        return load_workbook(io.BytesIO(data), data_only=False)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise FormUploadRefused(
            f"「{name}」は壊れているか、Excelの様式として読み込めません。"
        ) from None
