"""Writing a confirmed list: new institutions inserted, changed ones updated, in bulk.

On PostgreSQL the rows go through COPY (new: straight into the table; changed: into a
temporary table, then one UPDATE ... FROM): building an INSERT of 15,000 institutions with
bulk_create spends about a second in Django's SQL compiler, COPY a few tens of
milliseconds (benchmarks/registry_import.py). Elsewhere (SQLite in development and tests)
bulk_create and bulk_update. Both run inside confirm's transaction: all or nothing."""

from __future__ import annotations

import datetime

from django.db import connection

from hospitals.models import MedicalInstitution

BATCH_SIZE = 1000


def _columns(fields) -> list[str]:
    """The table's columns for these fields, in the model's order."""
    wanted = set(fields)
    return [f.column for f in MedicalInstitution._meta.concrete_fields if f.attname in wanted]


def insert(new: list[dict], as_of: datetime.date, fields: tuple[str, ...]) -> None:
    """new: {"code": ..., field: value}; every institution listed as of `as_of`."""
    if not new:
        return
    if connection.vendor != "postgresql":
        MedicalInstitution.objects.bulk_create(
            [MedicalInstitution(listed_as_of=as_of, **values) for values in new],
            batch_size=BATCH_SIZE,
        )
        return
    names = ["code", *fields, "listed_as_of"]
    columns = _columns(names)
    order = [_attname(column) for column in columns]
    table = connection.ops.quote_name(MedicalInstitution._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        for values in new:
            row = {**values, "listed_as_of": as_of}
            copy.write_row([row[name] for name in order])


def update(changed: list[tuple[int, dict]], as_of: datetime.date, fields: tuple[str, ...]) -> None:
    """changed: (pk, {field: value}); every one listed as of `as_of`."""
    if not changed:
        return
    if connection.vendor != "postgresql":
        MedicalInstitution.objects.bulk_update(
            [MedicalInstitution(pk=pk, listed_as_of=as_of, **values) for pk, values in changed],
            [*fields, "listed_as_of"],
            batch_size=200,
        )
        return
    columns = _columns([*fields, "listed_as_of"])
    order = [_attname(column) for column in columns]
    quote = connection.ops.quote_name
    table = quote(MedicalInstitution._meta.db_table)
    listed = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE registry_changes ON COMMIT DROP AS "  # noqa: S608 - names
            f"SELECT id, {listed} FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY registry_changes (id, {listed}) FROM STDIN") as copy:
            for pk, values in changed:
                row = {**values, "listed_as_of": as_of}
                copy.write_row([pk, *(row[name] for name in order)])
        assignments = ", ".join(f"{quote(c)} = changes.{quote(c)}" for c in columns)
        cursor.execute(
            f"UPDATE {table} AS institution SET {assignments} "  # noqa: S608 - our names
            "FROM registry_changes AS changes WHERE institution.id = changes.id"
        )
        cursor.execute("DROP TABLE registry_changes")


def _attname(column: str) -> str:
    for field in MedicalInstitution._meta.concrete_fields:
        if field.column == column:
            return field.attname
    raise LookupError(column)
