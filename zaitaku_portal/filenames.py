"""The names of the files a user takes away: every download header and every ZIP entry.

A name is built from what people typed (hub names, notice numbers, attachment names), so it
may hold `/`, `\\`, `..`, quotes, line breaks or a right-to-left override. Such a name must
not climb out of its folder when a ZIP is extracted, split a header, or show `exe.pdf` as
`fdp.exe`. One sanitiser, used by every writer of a file name; the header carries the
UTF-8 name (RFC 5987 `filename*`) and an ASCII fallback for user agents without it
(RFC 6266 puts `filename` first)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

FALLBACK = "download"
MAX_BYTES = 240  # most file systems allow 255 bytes per name; room for "(1)" and the like
_FORBIDDEN = frozenset('\\/:*?"<>|')
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp"})  # control, format (U+202E), separators
_DOTS = re.compile(r"\.{2,}")
_WINDOWS_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])$", re.IGNORECASE)
_NOT_ASCII_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _replace_forbidden(text: str) -> str:
    """Each run of path, quoting or invisible characters becomes one "_"."""
    out, previous_bad = [], False
    for char in text:
        bad = char in _FORBIDDEN or unicodedata.category(char) in _INVISIBLE
        if not (bad and previous_bad):
            out.append("_" if bad else char)
        previous_bad = bad
    return "".join(out)


def _fit(name: str) -> str:
    """At most MAX_BYTES in UTF-8, cut in the stem so the extension survives."""
    if len(name.encode()) <= MAX_BYTES:
        return name
    suffix = PurePosixPath(name).suffix
    suffix = suffix if len(suffix) <= 10 else ""
    stem = name[: len(name) - len(suffix)]
    while len((stem + suffix).encode()) > MAX_BYTES:
        stem = stem[:-1]
    return stem + suffix


def safe_filename(name: str, fallback: str = FALLBACK) -> str:
    """One path component, safe on every file system and in a header; never empty."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = _replace_forbidden(text)
    text = _DOTS.sub(".", text).lstrip(" ._").rstrip(" .")
    if _WINDOWS_RESERVED.match(PurePosixPath(text).stem if text else ""):
        text = "_" + text
    return _fit(text) or fallback


def safe_zip_path(path: str) -> str:
    """A ZIP entry: its folders kept, each component made safe, no way above the root."""
    parts = [part for part in str(path).split("/") if part.strip(" .")]
    return "/".join(safe_filename(part) for part in parts) or FALLBACK


def ascii_filename(name: str) -> str:
    """The fallback for user agents that ignore `filename*`: letters, digits, . _ - only."""
    safe = safe_filename(name)
    suffix = PurePosixPath(safe).suffix
    suffix = suffix if suffix.isascii() else ""
    stem = unicodedata.normalize("NFKC", safe[: len(safe) - len(suffix)])
    ascii_stem = _NOT_ASCII_NAME.sub("_", stem.encode("ascii", "ignore").decode()).strip("._-")
    if not stem.isascii() and not any(char.isalpha() for char in ascii_stem):
        ascii_stem = ""  # 実支出額_甲拠点_令和8年度 would come out as "8": say "download"
    return (ascii_stem or FALLBACK) + suffix


def content_disposition(name: str, disposition: str = "attachment") -> str:
    safe = safe_filename(name)
    return (
        f'{disposition}; filename="{ascii_filename(safe)}"; '
        f"filename*=UTF-8''{quote(safe, safe='')}"
    )


def file_download(file, name: str):
    """A FileResponse of `file` under the safe `name` (FileResponse's own header would keep
    quotes and line breaks of a stored name)."""
    from django.http import FileResponse

    safe = safe_filename(name)
    response = FileResponse(file, as_attachment=True, filename=safe)
    response["Content-Disposition"] = content_disposition(safe)
    return response
