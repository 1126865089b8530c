"""The rows left out of an import, as the workbook staff download to fix them.

One row per left-out row: its row number on the list's sheet, its values under the list's
own header, and why it was left out. Written through zaitaku_portal.spreadsheets.write_xlsx,
so a value that starts like a formula (=, +, -, @) stays text (exports.write_cell)."""

from __future__ import annotations

from hospitals.models import RegistryImportRun
from hospitals.registry.service import held_rows
from zaitaku_portal.spreadsheets import Column, write_xlsx

SHEET_TITLE = "取り込まなかった行"


def held_workbook(run: RegistryImportRun) -> bytes:
    header, rows = held_rows(run)
    width = max([len(header), *(len(values) for _row, values, _messages in rows)], default=0)
    labels = [*header, *[""] * (width - len(header))]
    sheet = run.sheet_name or "名簿"
    columns = [
        Column("シート"),
        Column("行", "int"),
        *(Column(label or f"列{index + 1}") for index, label in enumerate(labels)),
        Column("取り込まなかった理由"),
    ]
    lines = [
        [sheet, row, *values, *[""] * (width - len(values)), "／".join(messages)]
        for row, values, messages in rows
    ]
    return write_xlsx([(SHEET_TITLE, columns, lines)])
