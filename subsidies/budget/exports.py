"""The what-if as a workbook: the conditions (base, the changes in the order typed, the
budget), then the totals per menu, per hub and per area; yen as number cells in the yen
format, printed A4 landscape with the title on every page (zaitaku_portal.spreadsheets)."""

from __future__ import annotations

from zaitaku_portal.spreadsheets import Column, write_xlsx

AMOUNT_COLUMNS = [Column("現在の設定", "yen"), Column("試算", "yen"), Column("差", "yen")]


def _change_text(menu, change) -> str:
    from subsidies.results.what_if import scenario_cap

    cap, cap_unit, rate = scenario_cap(menu, change)
    parts = []
    if cap != menu.cap_amount:
        parts.append(f"上限額 {menu.cap_amount or 0:,}円→{cap or 0:,}円")
    if cap_unit != menu.cap_unit:
        parts.append("区割り数を乗じる" if cap_unit == "per_district" else "区割り数を乗じない")
    if rate != menu.rate:
        parts.append(f"補助率 {menu.rate_label}→{rate.numerator}/{rate.denominator}")
    return "・".join(parts)


def _rows(rows, total_label: str, result):
    out = [(row.label, row.baseline, row.scenario, row.difference) for row in rows]
    out.append((total_label, result.baseline_total, result.scenario_total, result.difference))
    return out


def what_if_workbook(result, fiscal_year_label: str) -> bytes:
    conditions = [
        ("年度", fiscal_year_label, None),
        ("試算の基準", result.base.label, None),
        ("予算額", None, result.budget),
        ("予算の残り（現在の設定）", None, result.baseline_balance),
        ("予算の残り（試算）", None, result.scenario_balance),
    ]
    conditions += [
        (f"変更{number}：{menu.name}", _change_text(menu, change), None)
        for number, (menu, change) in enumerate(result.changes, start=1)
    ]
    if not result.changes:
        conditions.append(("変更", "なし（現在の設定のまま）", None))
    title = f"上限額・補助率の試算 {fiscal_year_label}"
    return write_xlsx(
        [
            ("条件", [Column("項目"), Column("内容"), Column("金額", "yen")], conditions),
            (
                "補助メニュー別",
                [Column("補助メニュー"), *AMOUNT_COLUMNS],
                _rows(result.by_menu, "合計", result),
            ),
            ("拠点別", [Column("拠点"), *AMOUNT_COLUMNS], _rows(result.by_hub, "合計", result)),
            (
                "圏域別",
                [Column("在宅医療圏"), *AMOUNT_COLUMNS],
                _rows(result.by_area, "合計", result),
            ),
        ],
        page_header=title,
    )
