"""Downloads: the quick list responses of the views and the admin's import and export.

Both are built on zaitaku_portal.spreadsheets, which holds the one rule for formula
injection (a text that starts with = + - @, a tab or a carriage return is a text cell in
xlsx and gets an apostrophe in csv; see its docstring). The rule's names are also importable
from here, where the portal's writers have always taken them; this module imports
spreadsheets and never the other way round."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponse
from import_export import resources
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from openpyxl import Workbook
from openpyxl.styles import Font

from zaitaku_portal.access import can_manage_master_data
from zaitaku_portal.admin_import import (
    CheckedCSV,
    CheckedImportForm,
    CheckedXLSX,
    describe_read_failure,
)
from zaitaku_portal.filenames import content_disposition
from zaitaku_portal.spreadsheets import (  # the one rule for formula injection
    FORMULA_PREFIXES,
    XLSX_TYPE,
    Column,
    escape_formula,
    looks_like_formula,
    text_from_xlsx,
    unescape_formula,
    write_cell,
    write_formula,
    write_xlsx,
    xlsx_text,
)

__all__ = [  # the rule, named here for its callers (see the docstring)
    "FORMULA_PREFIXES",
    "XLSX_TYPE",
    "FormulaEscapingResource",
    "ScopedImportExportMixin",
    "TextCellXLSX",
    "csv_response",
    "escape_formula",
    "looks_like_formula",
    "text_from_xlsx",
    "unescape_formula",
    "write_cell",
    "write_formula",
    "xlsx_bytes",
    "xlsx_response",
    "xlsx_text",
]


def xlsx_bytes(sheet_title: str, header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A one-sheet list with the house style of zaitaku_portal.spreadsheets (frozen header,
    widths for Japanese text, 和暦 dates, formulas escaped); column kinds from the values."""
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
    response["Content-Disposition"] = content_disposition(filename)
    return response


def csv_response(filename: str, header, rows) -> HttpResponse:
    """UTF-8 with a byte-order mark, so Excel in Japanese opens it without mojibake."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([escape_formula(value) for value in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(filename)
    return response


# --- django-import-export: the admin's generic xlsx/csv import and export --------------------


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
