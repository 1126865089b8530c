"""The admin's generic import (django-import-export) through the portal's upload checks.

import-export reads an upload as it comes: an xlsx with one empty cell at XFD1048576 made its
read-only openpyxl reader pad a million rows of 16,384 values (issue 12), and a file it could
not read was described by Python's exception name, in English. Here the import form checks
the file before it is stored or read (check_xlsx_upload for xlsx; size, UTF-8, rows and
columns for csv), the formats check again when the stored file is read at confirmation, and
what still cannot be read is described in Japanese."""

from __future__ import annotations

import csv
import io

from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm

from zaitaku_portal.uploads import check_xlsx_upload
from zaitaku_portal.workbook_bounds import SheetLimits, WorkbookLimits

ADMIN_IMPORT_MAX_BYTES = 5 * 1024 * 1024
ADMIN_IMPORT_LIMITS = WorkbookLimits(
    # master data edited by hand: hubs, areas, menus, a prefecture's institutions (a few
    # thousand). import-export saves row by row (about 200 rows/s), so 5,000 rows is already
    # half a minute of a worker; the columns are a model's fields.
    sheet=SheetLimits(max_row=5_000, max_column=64),
    max_cells=200_000,
    max_part_bytes=20 * 1024 * 1024,
    scope="取込",
)
NO_ROWS = "取り込むデータの行がありません。1行目に見出し、2行目からデータを入れてください。"
NOT_UTF8 = (
    "CSVの文字コードがUTF-8ではありません。Excelでは「CSV UTF-8（コンマ区切り）」で"
    "保存してください。"
)
UNREADABLE = (
    "ファイルを読み込めませんでした。選んだ形式（xlsx・csv）とファイルの種類が合っているか、"
    "ファイルが壊れていないか確認してください。"
)


class ImportFileRefused(Exception):
    """The file may not be imported; the message says why, in Japanese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def describe_read_failure(error: Exception) -> str:
    """What the import page says when import-export could not read the file."""
    if isinstance(error, ImportFileRefused):
        return error.message
    if isinstance(error, UnicodeDecodeError):
        return NOT_UTF8
    return UNREADABLE


# --- the checks ------------------------------------------------------------------------------


def _size_problem(size: int) -> str | None:
    if size == 0:
        return "ファイルが空です（0バイト）。取り込むファイルを選んでください。"
    if size > ADMIN_IMPORT_MAX_BYTES:
        return (
            f"ファイルが大きすぎます（{size / 1024 / 1024:,.1f} MB）。"
            f"取り込めるのは{ADMIN_IMPORT_MAX_BYTES // 1024 // 1024} MBまでです。"
        )
    return None


def check_xlsx(stream, file_name: str, size: int) -> str | None:
    return check_xlsx_upload(
        stream,
        file_name,
        size,
        max_bytes=ADMIN_IMPORT_MAX_BYTES,
        limits=ADMIN_IMPORT_LIMITS,
        empty_hint="取り込むExcelファイルを選んでください。",
        format_hint="管理画面から書き出したExcelファイル（.xlsx）を選んでください。",
    )


def check_csv_text(text: str) -> str | None:
    """Rows and columns within ADMIN_IMPORT_LIMITS (the header is row 1, as in a sheet)."""
    limits = ADMIN_IMPORT_LIMITS.sheet
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            if number > limits.max_row or len(row) > limits.max_column:
                return (
                    f"CSVの{number:,}行目は取込の範囲（{limits.describe()}）を超えています。"
                    "不要な行・列を削除して保存し直してください。"
                )
    except csv.Error:
        return 'CSVとして読めません（引用符「"」の閉じ忘れなど）。ファイルを確認してください。'
    return None


def check_csv(stream, size: int) -> str | None:
    problem = _size_problem(size)
    if problem:
        return problem
    stream.seek(0)
    data = stream.read()
    stream.seek(0)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return NOT_UTF8
    return check_csv_text(text)


def check_import_file(upload, input_format) -> str | None:
    """A Japanese message when the upload may not be read in `input_format`, else None."""
    if isinstance(input_format, XLSX):
        return check_xlsx(upload.file, upload.name or "", upload.size)
    if isinstance(input_format, CSV):
        return check_csv(upload.file, upload.size)
    return UNREADABLE  # no other format is offered


def _with_rows(dataset):
    if not dataset:
        raise ImportFileRefused(NO_ROWS)
    return dataset


# --- import-export's form and formats --------------------------------------------------------


class CheckedImportForm(ImportForm):
    """import-export's import form, refusing a file the checks refuse before it is stored."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.format_classes = formats

    def clean(self):
        cleaned = super().clean()
        upload, choice = cleaned.get("import_file"), cleaned.get("format")
        if upload is not None and choice not in (None, ""):
            problem = check_import_file(upload, self.format_classes[int(choice)]())
            if problem:
                self.add_error("import_file", problem)
        return cleaned


class CheckedXLSX(XLSX):
    """Read as import-export does, once the bounds hold (again at confirmation)."""

    def create_dataset(self, in_stream):
        problem = check_xlsx(io.BytesIO(in_stream), "import.xlsx", len(in_stream))
        if problem:
            raise ImportFileRefused(problem)
        return _with_rows(super().create_dataset(in_stream))


class CheckedCSV(CSV):
    def create_dataset(self, in_stream, **kwargs):
        text = (
            in_stream.decode(self.encoding or "utf-8-sig")
            if isinstance(in_stream, bytes)
            else in_stream
        )
        problem = _size_problem(len(text.encode())) or check_csv_text(text)
        if problem:
            raise ImportFileRefused(problem)
        return _with_rows(super().create_dataset(text, **kwargs))
