"""Spreadsheet downloads: formula escaping and the xlsx/csv responses every export uses.

A cell that starts with = + - @ (or a tab or carriage return) is read by Excel as a formula;
a name typed by a user must never run as one (CSV/formula injection, OWASP). Such text is
prefixed with an apostrophe, which Excel shows as plain text; numbers and dates are untouched."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from django.db import models
from django.http import HttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def escape_formula(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _disposition(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename)}"


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


def unescape_formula(value):
    """Undo escape_formula on import, so an exported sheet imports back unchanged."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] in FORMULA_PREFIXES:
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


class ScopedImportExportMixin(ImportExportMixin):
    """Admin import (with django-import-export's preview) and export, asked of
    zaitaku_portal.access: who may, and which rows a role may export (export_scope)."""

    export_scope = None  # a function user -> queryset, from zaitaku_portal.access
    import_formats = [XLSX, CSV]
    export_formats = [XLSX, CSV]

    def has_import_permission(self, request):
        return bool(can_manage_master_data(request.user))

    def has_export_permission(self, request):
        return bool(can_manage_master_data(request.user))

    def get_data_for_export(self, request, queryset, **kwargs):
        scope = type(self).export_scope
        if scope is None:
            raise NotImplementedError(f"{type(self).__name__} must declare export_scope")
        queryset = queryset.filter(pk__in=scope(request.user).values("pk"))
        return super().get_data_for_export(request, queryset, **kwargs)
