"""The 精算額調 as xlsx, in Fukuoka's column shape (A 総事業費 … J 差引過不足額, headers from
subsidies/results/columns.py).

Per application: one sheet with a row per recipient (the hub, each hospital) and a total,
one sheet with a row per recipient and menu, and one sheet with every step and its formula.
For the prefecture: one row per recipient of every current confirmation of the year.
Written with zaitaku_portal.spreadsheets: yen formats, frozen header, formula escaping."""

from __future__ import annotations

from subsidies.results import columns as seisan
from zaitaku_portal.spreadsheets import Column, write_xlsx

SUMMARY_COLUMNS = [
    Column("補助事業者"),
    *(Column(c.heading_with_formula, "yen") for c in seisan.COLUMNS),
    Column("精算"),
]
MENU_COLUMNS = [
    Column("補助事業者"),
    Column("補助メニュー"),
    Column("数量"),
    *(Column(c.heading, "yen") for c in (seisan.TOTAL_COST, seisan.OTHER_INCOME, seisan.NET_COST)),
    Column("実支出額", "yen"),
    Column("対象外経費", "yen"),
    *(
        Column(c.heading, "yen")
        for c in (seisan.ELIGIBLE_EXPENSE, seisan.BASE_AMOUNT, seisan.CAPPED_EXPENSE)
    ),
    Column(f"{seisan.REQUIRED_AMOUNT.heading}（端数処理前）"),
    Column(seisan.DECIDED_AMOUNT.heading, "yen"),
    Column("0円・減額の理由"),
]
STEP_COLUMNS = [
    Column("補助事業者"),
    Column("補助メニュー"),
    Column("記号"),
    Column("項目"),
    Column("金額"),
    Column("計算式"),
]
PREFECTURE_COLUMNS = [
    Column("年度"),
    Column("拠点"),
    Column("通知番号"),
    Column("通知日", "date"),
    *SUMMARY_COLUMNS,
]


def _summary_row(recipient: dict) -> list:
    c = recipient["columns"]
    return [
        recipient["recipient_name"],
        *(c[s] for s in seisan.LETTERS),
        recipient["settlement"],
    ]


def application_sheets(snapshot: dict, title: str) -> bytes:
    """`snapshot` is subsidies.results.services.claim_snapshot (live or as confirmed)."""
    recipients = snapshot["recipients"]
    summary = [_summary_row(r) for r in recipients]
    if recipients:
        total = ["合計"]
        for symbol in seisan.LETTERS:
            total.append(sum((r["columns"][symbol] or 0) for r in recipients))
        total.append("")
        summary.append(total)
    menus, steps = [], []
    for r in recipients:
        for m in r["menus"]:
            menus.append(
                [
                    r["recipient_name"],
                    m["name"],
                    m["units_text"],
                    m["A"],
                    m["B"],
                    m["C"],
                    m["D_actual"],
                    m["excluded"],
                    m["D"],
                    m["E"],
                    m["F"],
                    m["G"],
                    m["H"],
                    m["reason"],
                ]
            )
            for symbol, label, amount, formula in m["steps"]:
                steps.append([r["recipient_name"], m["name"], symbol, label, amount, formula])
        for symbol, label, amount, formula in r["steps"]:
            steps.append([r["recipient_name"], "（施設計）", symbol, label, amount, formula])
    return write_xlsx(
        [
            (f"精算額調 {title}", SUMMARY_COLUMNS, summary),
            ("メニュー別", MENU_COLUMNS, menus),
            ("計算の過程", STEP_COLUMNS, steps),
        ]
    )


def prefecture_sheet(confirmations, year_label: str) -> bytes:
    rows = []
    for confirmation in confirmations:
        for r in confirmation.snapshot["recipients"]:
            rows.append(
                [
                    year_label,
                    confirmation.application.hub.name,
                    confirmation.notice_number,
                    confirmation.notice_date,
                    *_summary_row(r),
                ]
            )
    return write_xlsx([(f"精算額調（県全体）{year_label}", PREFECTURE_COLUMNS, rows)])
