"""The 精算額調 as xlsx, in Fukuoka's column shape (A 総事業費 … J 差引過不足額, headers from
subsidies/results/columns.py).

Per application: one sheet with a row per recipient (the hub, each hospital) and a total,
one sheet with a row per recipient and menu (units done beside units decided), and one
sheet with every step and its formula. For the prefecture: one row per recipient of every
current confirmation of the year. Every amount is a number cell with the yen format
(negative with △), never text; a step's exact amount with a fraction of a yen stays in the
formula text, its number cell holds the whole yen. Written with zaitaku_portal.spreadsheets:
yen formats, frozen header, formula escaping."""

from __future__ import annotations

from subsidies.results import columns as seisan
from zaitaku_portal.spreadsheets import Column, write_xlsx

SUMMARY_COLUMNS = [
    Column("補助事業者"),
    *(Column(c.heading_with_formula, "yen") for c in seisan.COLUMNS),
    Column("精算"),
    Column(seisan.NET_COST_BOUND.heading, "yen"),
]
MENU_COLUMNS = [
    Column("補助事業者"),
    Column("補助メニュー"),
    Column("数量（実績／計画）"),
    Column("基準額の数量", "int"),
    *(Column(c.heading, "yen") for c in (seisan.TOTAL_COST, seisan.OTHER_INCOME, seisan.NET_COST)),
    Column("実支出額", "yen"),
    Column("対象外経費", "yen"),
    Column("対象外経費の財源・理由"),
    *(
        Column(c.heading, "yen")
        for c in (seisan.ELIGIBLE_EXPENSE, seisan.BASE_AMOUNT, seisan.CAPPED_EXPENSE)
    ),
    Column(seisan.REQUIRED_AMOUNT.heading, "yen"),
    Column(seisan.DECIDED_AMOUNT.heading, "yen"),
    Column("0円・減額の理由"),
]
STEP_COLUMNS = [
    Column("補助事業者"),
    Column("補助メニュー"),
    Column("記号"),
    Column("項目"),
    Column("金額", "yen"),
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
    bound = recipient.get("bound")
    return [
        recipient["recipient_name"],
        *(c[s] for s in seisan.LETTERS),
        recipient["settlement"],
        bound["bounded"] if bound else None,
    ]


def _step_row(recipient_name: str, menu_name: str, step: list) -> list:
    """A step of the snapshot: [symbol, label, amount text, formula, whole yen]; a snapshot
    frozen before the whole-yen element was added gives its amount from the text."""
    symbol, label, text, formula, *number = step
    amount = number[0] if number else _yen_of(text)
    return [recipient_name, menu_name, symbol, label, amount, formula]


def _yen_of(text: str) -> int | None:
    digits = text.replace("円", "").replace(",", "").split(".")[0].rstrip("…")
    negative = digits.startswith(("△", "-"))
    digits = digits.lstrip("△-")
    return (-int(digits) if negative else int(digits)) if digits.isdigit() else None


def _exclusion(m: dict) -> str:
    if not m.get("excluded"):
        return ""
    return "：".join(part for part in (m.get("excluded_source"), m.get("excluded_reason")) if part)


def application_sheets(snapshot: dict, title: str, page_header: str = "") -> bytes:
    """`snapshot` is subsidies.results.services.claim_snapshot (live or as confirmed);
    page_header (the hub and the fiscal year) heads every printed page of the three sheets."""
    recipients = snapshot["recipients"]
    summary = [_summary_row(r) for r in recipients]
    if recipients:
        total = ["合計"]
        for symbol in seisan.LETTERS:
            total.append(sum((r["columns"][symbol] or 0) for r in recipients))
        total.append("")
        total.append(None)
        summary.append(total)
    menus, steps = [], []
    for r in recipients:
        for m in r["menus"]:
            menus.append(
                [
                    r["recipient_name"],
                    m["name"],
                    m["units_text"],
                    m.get("units"),
                    m["A"],
                    m["B"],
                    m["C"],
                    m["D_actual"],
                    m["excluded"],
                    _exclusion(m),
                    m["D"],
                    m["E"],
                    m["F"],
                    m["G"] if isinstance(m["G"], int) else _yen_of(m["G"]),
                    m["H"],
                    m["reason"],
                ]
            )
            steps.extend(_step_row(r["recipient_name"], m["name"], s) for s in m["steps"])
        steps.extend(_step_row(r["recipient_name"], "（施設計）", s) for s in r["steps"])
    return write_xlsx(
        [
            (f"精算額調 {title}", SUMMARY_COLUMNS, summary),
            ("メニュー別", MENU_COLUMNS, menus),
            ("計算の過程", STEP_COLUMNS, steps),
        ],
        page_header=page_header,
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
