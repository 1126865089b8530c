"""Spreadsheet downloads: formula escaping and the xlsx/csv responses every export uses.

A text that starts with = + - @ (or a tab or carriage return) is run by Excel as a formula;
a name typed by a user must never run as one (CSV/formula injection, OWASP). The one rule,
used by every writer of the portal:

- xlsx (write_cell): a text is a string cell (t="inlineStr"), never a formula, holding the
  text exactly as typed, so Excel shows =1+1 and an upload reads back =1+1, not '=1+1
  (issue 23). The portal's own formulas are written with write_formula, on purpose.
- csv (escape_formula): a csv cell has no type, so such a text gets an apostrophe, which
  unescape_formula takes off again on import.

Numbers and dates are never touched: -5 stays a number."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def escape_formula(value):
    """For csv. A text that already starts with apostrophes before such a character gets one
    more too, so unescape_formula gives back exactly the text: '=1 → ''=1 → '=1."""
    if isinstance(value, str) and looks_like_formula(value.lstrip("'")):
        return "'" + value
    return value


# ECMA-376 ST_Xstring: a character XML cannot carry (CR would come back as LF) is written
# _xHHHH_, as Excel does; a literal _xHHHH_ in the text is written _x005F_xHHHH_.
_XSTRING_UNSAFE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b\x0c\r\x0e-\x1f]")
_XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def xlsx_text(text: str) -> str:
    return _XSTRING_UNSAFE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def text_from_xlsx(value):
    """Undo xlsx_text (and Excel's own _x000D_) on a value read with openpyxl."""
    if not isinstance(value, str):
        return value
    return _XSTRING_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)


def write_cell(cell, value) -> None:
    """Every value a portal workbook holds goes in this way. A text is a string cell whatever
    it starts with (never a formula, nor an error value like #N/A); one that starts like a
    formula also gets quotePrefix, so editing it in Excel keeps it text. Nothing is added to
    the text itself: the round trip gives it back as typed."""
    if not isinstance(value, str):
        cell.value = value
        return
    cell.value = xlsx_text(value)
    cell.data_type = "s"
    if looks_like_formula(value):
        cell.quotePrefix = True


def write_formula(cell, formula: str) -> None:
    """A formula the portal writes on purpose (a total over its own cells), never user text."""
    if not formula.startswith("="):
        raise ValueError(f"not a formula: {formula!r}")
    cell.value = formula


def _disposition(filename: str) -> str:
    from zaitaku_portal.filenames import content_disposition

    return content_disposition(filename)


def xlsx_bytes(sheet_title: str, header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A one-sheet list with the house style of zaitaku_portal.spreadsheets (frozen header,
    widths for Japanese text, 和暦 dates, formulas escaped); column kinds from the values."""
    from zaitaku_portal.spreadsheets import Column, write_xlsx

    rows = [list(row) for row in rows]

    def kind(index: int) -> str:
        values = [row[index] for row in rows if row[index] not in (None, "")]
        if values and all(isinstance(v, datetime.datetime) for v in values):
            return "datetime"
        if values and all(isinstance(v, datetime.date) for v in values):
            return "date"
        if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return "int"
        return "text"

    columns = [Column(name, kind(index)) for index, name in enumerate(header)]
    return write_xlsx([(sheet_title, columns, rows)])


def xlsx_response(filename: str, sheet_title: str, header, rows) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(sheet_title, header, rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = _disposition(filename)
    return response


def csv_response(filename: str, header, rows) -> HttpResponse:
    """UTF-8 with a byte-order mark, so Excel in Japanese opens it without mojibake."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([escape_formula(value) for value in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition(filename)
    return response


# --- django-import-export: the admin's generic xlsx/csv import and export --------------------

from import_export import resources  # noqa: E402
from import_export.admin import ImportExportMixin  # noqa: E402
from import_export.formats.base_formats import CSV, XLSX  # noqa: E402

from zaitaku_portal.access import can_manage_master_data  # noqa: E402
from zaitaku_portal.admin_import import (  # noqa: E402
    CheckedCSV,
    CheckedImportForm,
    CheckedXLSX,
    describe_read_failure,
)


def unescape_formula(value):
    """Undo escape_formula on import, so an exported sheet imports back unchanged."""
    if isinstance(value, str) and value.startswith("'") and looks_like_formula(value.lstrip("'")):
        return value[1:]
    return value


class FormulaEscapingResource(resources.ModelResource):
    """Every exported text cell goes through escape_formula; imports strip it again."""

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))

    def before_import_row(self, row, **kwargs):
        text_fields = {
            field.name
            for field in self._meta.model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField) and not field.null
        }
        for key in list(row.keys()):
            value = unescape_formula(row[key])
            if value is None and key in text_fields:
                value = ""  # an empty Excel cell is an empty text, not NULL
            row[key] = value
        super().before_import_row(row, **kwargs)


class TextCellXLSX(XLSX):
    """The admin's xlsx export through write_cell: the dataset carries csv's apostrophe
    (FormulaEscapingResource), which comes off here, so a text shows as typed in a text cell
    and imports back unchanged; numbers and dates stay native."""

    def export_data(self, dataset, **kwargs):
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = (dataset.title or "Sheet1")[:31]
        for col, header in enumerate(dataset.headers or [], start=1):
            write_cell(sheet.cell(1, col), header)
            sheet.cell(1, col).font = Font(bold=True)
        for row_number, row in enumerate(dataset, start=2):
            for col, value in enumerate(row, start=1):
                write_cell(sheet.cell(row_number, col), unescape_formula(value))
        sheet.freeze_panes = "A2"
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


class ScopedImportExportMixin(ImportExportMixin):
    """Admin import (with django-import-export's preview) and export, asked of
    zaitaku_portal.access: who may, and which rows a role may export (export_scope)."""

    export_scope = None  # a function user -> queryset, from zaitaku_portal.access
    import_formats = [CheckedXLSX, CheckedCSV]  # the upload checks first (admin_import.py)
    import_form_class = CheckedImportForm
    export_formats = [TextCellXLSX, CSV]

    def add_data_read_fail_error_to_form(self, form, e):
        """import-export's message names the Python exception, in English."""
        form.add_error("import_file", describe_read_failure(e))

    def has_import_permission(self, request):
        return bool(can_manage_master_data(request.user))

    def has_export_permission(self, request):
        return bool(can_manage_master_data(request.user))

    def get_export_data(self, file_format, request, queryset, **kwargs):
        """import-export keeps numbers and dates native only for its own binary formats
        (`type(format) in BINARY_FORMATS`); TextCellXLSX is one too."""
        if not isinstance(file_format, TextCellXLSX):
            return super().get_export_data(file_format, request, queryset, **kwargs)
        if not self.has_export_permission(request):
            raise PermissionDenied
        data = self.get_data_for_export(request, queryset, force_native_type=True, **kwargs)
        return file_format.export_data(data)

    def get_data_for_export(self, request, queryset, **kwargs):
        scope = type(self).export_scope
        if scope is None:
            raise NotImplementedError(f"{type(self).__name__} must declare export_scope")
        queryset = queryset.filter(pk__in=scope(request.user).values("pk"))
        return super().get_data_for_export(request, queryset, **kwargs)
