"""What an attachment or minutes file must be before it is stored, beyond its first bytes.

The services sniff the first bytes against the extension; this module reads the whole file
(docs/security.md, issue 12): a PDF that runs something when it opens (JavaScript, an open
action, a launch, an embedded file, XFA), a PDF or image with a web page inside it (a
polyglot a browser could be made to render), an image with anything after its end, an Office
file with macros, a remote template or a zip bomb. Each check answers a Japanese reason, or
None. It also says which file names the database and any file system can hold, and removes a
stored file again when the save it belonged to fails."""

from __future__ import annotations

import io
import re
import secrets
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import PurePath
from typing import IO

from zaitaku_portal.uploads import (
    MAX_COMPRESSION_RATIO,
    MAX_UNCOMPRESSED_BYTES,
    check_xlsx_container,
)

# A web page hidden in a file: the tags a browser needs to run or frame something. At least
# five bytes each, so compressed image or font data matches by chance about once in 10^4
# files of 10 MB.
MARKUP = re.compile(rb"<(!doctype\s+html|html|script|iframe|body|svg)[\s>/]", re.IGNORECASE)

# PDF names that make a reader do something by itself, or carry another file.
PDF_ACTIVE_NAMES = frozenset(
    {
        "JavaScript",
        "JS",
        "OpenAction",
        "AA",
        "Launch",
        "EmbeddedFile",
        "EmbeddedFiles",
        "RichMedia",
        "XFA",
    }
)
# Long enough never to appear by chance inside compressed image data: looked for everywhere.
# The short ones (/JS, /AA, /XFA) only where dictionaries are: outside streams and inside
# object streams.
PDF_LONG_ACTIVE_NAMES = frozenset(name for name in PDF_ACTIVE_NAMES if len(name) >= 6)
PDF_OBJECT_STREAMS_MAX_BYTES = 16 * 1024 * 1024  # real object streams are a few hundred KB
PDF_END_WINDOW = 1024  # readers look for %%EOF in the last 1024 bytes

_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]+)")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"(?<![a-z])stream(?:\r\n|\n|\r)")
_PDF_DIRECT_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Word relations that fetch or embed something from elsewhere when the document opens.
_DOCX_REMOTE = re.compile(
    rb'Type="[^"]*/(attachedTemplate|oleObject|subDocument|frame)"[^>]*TargetMode="External"'
    rb'|TargetMode="External"[^>]*Type="[^"]*/(attachedTemplate|oleObject|subDocument|frame)"'
)


class Refused(Exception):
    """The file is refused; the message says why, in Japanese."""


# --- names ----------------------------------------------------------------------------------


def file_name_problem(name: str, max_length: int) -> str | None:
    """Why the database could not hold this name, or why it is not a plain file name."""
    if len(name) > max_length:
        return (
            f"ファイル名が長すぎます（{len(name)}文字）。"
            f"{max_length}文字以内の名前に変えてから選んでください。"
        )
    if "/" in name or "\\" in name or any(unicodedata.category(c)[0] == "C" for c in name):
        return (
            "ファイル名に使えない文字（制御文字や「/」「\\」）が含まれています。"
            "名前を変えてから選んでください。"
        )
    return None


def stored_name(original: str) -> str:
    """The name on disk: random, with the original's extension. The original stays in the
    row for display and download; any length or script of it fits every file system."""
    return secrets.token_hex(16) + PurePath(original).suffix.lower()


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size}バイト"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f}KB"
    return f"{size / 1024 / 1024:.1f}MB"


# --- content --------------------------------------------------------------------------------


def content_problem(upload: IO[bytes], suffix: str, max_bytes: int) -> str | None:
    """Why the whole content of this upload may not be stored, or None. `suffix` is the
    lower-case extension the caller accepted after sniffing the first bytes."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        _markup(data)
        _CHECKS[suffix](data, max_bytes)
    except Refused as refused:
        return str(refused)
    return None


def _markup(data: bytes) -> None:
    match = MARKUP.search(data)
    if match:
        tag = re.sub(rb"\s+", b" ", match.group(1)).decode("ascii").lower()
        raise Refused(
            f"ファイルの中にHTMLの「{tag}」タグがあるため受け付けられません"
            "（文書や画像に見せかけたWebページの疑い）。"
        )


# --- PDF ------------------------------------------------------------------------------------


def pdf(data: bytes, _max_bytes: int = 0) -> None:
    if b"%%EOF" not in data[-PDF_END_WINDOW:]:
        raise Refused(
            "PDFの終わり（%%EOF）がありません。ファイルが途中で切れているか、PDFではありません。"
        )
    outside, streams = _pdf_parts(data)
    if "Encrypt" in _pdf_names(outside):
        raise Refused(
            "パスワードで保護（暗号化）されたPDFは中身を確認できないため受け付けられません。"
            "保護を解除して保存し直してください。"
        )
    _no_active_names(data, PDF_LONG_ACTIVE_NAMES)
    _no_active_names(outside, PDF_ACTIVE_NAMES)
    _no_active_names(_object_streams(streams), PDF_ACTIVE_NAMES)


def _pdf_names(chunk: bytes) -> list[str]:
    """Every name in the bytes, with its #xx escapes decoded (/J#61vaScript is /JavaScript)."""
    return [
        _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")
        for raw in _PDF_NAME.findall(chunk)
    ]


def _no_active_names(chunk: bytes, watched: frozenset[str]) -> None:
    for name in _pdf_names(chunk):
        if name in watched:
            raise Refused(
                f"PDFに開くと動く仕組み（/{name}）が含まれているため受け付けられません。"
                "JavaScript・自動実行・埋め込みファイルのないPDFとして保存し直してください"
                "（印刷の「PDFに保存」など）。"
            )


def _pdf_parts(data: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """The bytes outside every stream, and each stream as (its dictionary, its raw bytes)."""
    outside, streams, position = [], [], 0
    for dictionary, start, end in _pdf_streams(data):
        outside.append(data[position:start])
        streams.append((dictionary, data[start:end]))
        position = end
    outside.append(data[position:])
    return b"\n".join(outside), streams


def _pdf_streams(data: bytes) -> Iterator[tuple[bytes, int, int]]:
    position = 0
    while match := _PDF_STREAM.search(data, position):
        start = match.end()
        dictionary = data[max(data.rfind(b"obj", 0, match.start()), 0) : match.start()]
        end = _pdf_stream_end(data, dictionary, start)
        yield dictionary, start, end
        position = end + len(b"endstream")


def _pdf_stream_end(data: bytes, dictionary: bytes, start: int) -> int:
    """Where the stream's bytes end: at its direct /Length when `endstream` follows there,
    else at the next `endstream`."""
    length = _PDF_DIRECT_LENGTH.search(dictionary)
    if length:
        end = start + int(length.group(1))
        if data[end : end + 12].lstrip(b"\r\n ").startswith(b"endstream"):
            return data.index(b"endstream", end)
    end = data.find(b"endstream", start)
    if end < 0:
        raise Refused(
            "PDFの内部のデータ（stream）が閉じられていません。ファイルが壊れている可能性があります。"
        )
    return end


def _object_streams(streams: list[tuple[bytes, bytes]]) -> bytes:
    """The dictionaries kept compressed inside object streams (PDF 1.5), inflated."""
    inflated, budget = [], PDF_OBJECT_STREAMS_MAX_BYTES
    for dictionary, raw in streams:
        names = _pdf_names(dictionary)
        if "ObjStm" not in names:
            continue
        content = _inflate(names, raw, budget)
        budget -= len(content)
        inflated.append(content)
    return b"\n".join(inflated)


def _inflate(names: list[str], raw: bytes, budget: int) -> bytes:
    filters = [name for name in names if name.endswith("Decode")]
    if not filters:
        return raw
    if filters != ["FlateDecode"] or "DecodeParms" in names:
        shown = "・".join(f"/{name}" for name in filters) or "/DecodeParms"
        raise Refused(
            f"PDFの内部（オブジェクトストリーム）が確認できない圧縮形式（{shown}）のため"
            "受け付けられません。"
        )
    try:
        content = zlib.decompressobj().decompress(raw, budget + 1)
    except zlib.error:
        raise Refused("PDFの内部（オブジェクトストリーム）が壊れていて読めません。") from None
    if len(content) > budget:
        raise Refused(
            "PDFの内部の展開後のサイズが異常に大きいため受け付けられません（圧縮爆弾の疑い）。"
        )
    return content


# --- images ---------------------------------------------------------------------------------


def png(data: bytes, _max_bytes: int = 0) -> None:
    """Chunk by chunk from IHDR to IEND; nothing may follow IEND."""
    if not data.startswith(PNG_SIGNATURE):
        raise _unreadable("PNG", "先頭が正しくありません")
    position, first = len(PNG_SIGNATURE), True
    while position + 12 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        if (first and kind != b"IHDR") or not kind.isalpha():
            raise _unreadable("PNG", "チャンクの並びが正しくありません")
        first, position = False, position + 12 + length
        if kind == b"IEND":
            _nothing_after(data[position:], "PNG画像の終わり（IEND）")
            return
    raise _unreadable("PNG", "終わり（IEND）がありません")


def jpeg(data: bytes, _max_bytes: int = 0) -> None:
    """Segment by segment to EOI. After EOI only further whole JPEG images (phones append a
    depth or gain map that way) or zero padding may follow."""
    position = _jpeg_end(data, 0)
    while data.startswith(b"\xff\xd8", position):
        position = _jpeg_end(data, position)
    rest = data[position:]
    _nothing_after(rest if rest.strip(b"\0") else b"", "JPEG画像の終わり（EOI）")


def _jpeg_end(data: bytes, position: int) -> int:
    """Where the JPEG image starting at `position` ends (just after its EOI marker)."""
    if data[position : position + 2] != b"\xff\xd8":
        raise _unreadable("JPEG", "先頭が正しくありません")
    position += 2
    while position + 1 < len(data):
        if data[position] != 0xFF:
            raise _unreadable("JPEG", "区切りの並びが正しくありません")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
        elif marker == 0xD9:  # EOI
            return position + 2
        elif 0xD0 <= marker <= 0xD7 or marker == 0x01:
            position += 2
        else:
            length = int.from_bytes(data[position + 2 : position + 4], "big")
            if length < 2:
                raise _unreadable("JPEG", "区切りの長さが正しくありません")
            position += 2 + length
            if marker == 0xDA:  # start of scan: compressed data up to the next marker
                position = _jpeg_scan_end(data, position)
    raise _unreadable("JPEG", "終わり（EOI）がありません")


def _jpeg_scan_end(data: bytes, position: int) -> int:
    while (position := data.find(b"\xff", position)) >= 0 and position + 1 < len(data):
        following = data[position + 1]
        if following != 0 and not 0xD0 <= following <= 0xD7:
            return position
        position += 2
    return len(data)


def _nothing_after(rest: bytes, what: str) -> None:
    if rest:
        raise Refused(
            f"{what}の後に余分なデータ（{len(rest):,}バイト）があるため受け付けられません"
            "（別の種類のファイルを後ろに付けたものの疑い）。画像を保存し直してください。"
        )


def _unreadable(kind: str, reason: str) -> Refused:
    return Refused(f"{kind}画像として読めません（{reason}）。画像を保存し直してください。")


# --- Office files ---------------------------------------------------------------------------


def xlsx(data: bytes, max_bytes: int) -> None:
    """The checks every spreadsheet upload goes through (zaitaku_portal/uploads.py)."""
    problem = check_xlsx_container(io.BytesIO(data), "添付.xlsx", len(data), max_bytes=max_bytes)
    if problem:
        raise Refused(problem)


def docx(data: bytes, _max_bytes: int = 0) -> None:
    """Word documents: the container rules of the spreadsheet checks (encryption, zip bomb,
    macros) with Word's own part names, and no template or object fetched from elsewhere."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise Refused(
            "Wordファイル（.docx）として読めません。ファイルが壊れている可能性があります。"
        ) from None
    with archive:
        _docx_container(archive)
        _docx_parts(archive)


def _docx_container(archive: zipfile.ZipFile) -> None:
    members = archive.infolist()
    if any(info.flag_bits & 0x1 for info in members):
        raise Refused("パスワードで保護（暗号化）された文書は受け付けられません。")
    total = sum(info.file_size for info in members)
    if total > MAX_UNCOMPRESSED_BYTES or any(
        info.file_size > 1024 * 1024
        and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
        for info in members
    ):
        raise Refused(
            "展開後のサイズが異常に大きいファイルです（圧縮爆弾の疑い）。受け付けられません。"
            f"（展開後 {total / 1024 / 1024:,.0f} MB）"
        )


def _docx_parts(archive: zipfile.ZipFile) -> None:
    names = set(archive.namelist())
    content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in content_types:
        raise Refused(
            "マクロを含む文書は安全のため受け付けられません。.docx（マクロなし）で保存し直してください。"
        )
    if "word/document.xml" not in names:
        raise Refused("Wordファイル（.docx）ではありません（文書の本体が見つかりません）。")
    for name in names:
        if name.endswith(".rels") and _DOCX_REMOTE.search(archive.read(name)):
            raise Refused(
                "外部のテンプレートや埋め込みオブジェクトを読み込む文書は安全のため受け付けられません。"
                "Wordで保存し直してください。"
            )


_CHECKS: dict[str, Callable[[bytes, int], None]] = {
    ".pdf": pdf,
    ".png": png,
    ".jpg": jpeg,
    ".jpeg": jpeg,
    ".xlsx": xlsx,
    ".docx": docx,
}


# --- a failed save leaves no file -----------------------------------------------------------


class WrittenFiles:
    """The files a writer stored during one save."""

    def __init__(self) -> None:
        self.stored: list[tuple[object, str]] = []

    def save(self, field_file, name: str, content) -> None:
        field_file.save(name, content, save=False)
        self.stored.append((field_file.storage, field_file.name))


@contextmanager
def removed_on_failure() -> Iterator[WrittenFiles]:
    """Use around the writer's transaction (`with removed_on_failure() as written,
    transaction.atomic():`): when anything fails, the commit included, the files it stored
    are deleted before the error goes on. Django has no on-rollback hook; a transaction of
    the caller's that rolls back after this one returned is not seen (none does today)."""
    written = WrittenFiles()
    try:
        yield written
    except BaseException:
        for storage, name in written.stored:
            storage.delete(name)
        raise
