"""The demand view as a workbook: one sheet of the rows (menu × area × start year, the
amounts of each year of the horizon) and one of the demand against each year's budget."""

from __future__ import annotations

from subsidies.applications.plan_data import start_year_label
from subsidies.survey.reading import Projection, against_budget, demand_rows
from zaitaku_portal.spreadsheets import Column, write_xlsx
from zaitaku_portal.wareki import fiscal_year_label


def demand_workbook(result: Projection) -> bytes:
    years = [fiscal_year_label(year) for year in result.years]
    columns = [
        Column("対象"),
        Column("補助メニュー"),
        Column("圏域"),
        Column("開始年度"),
        Column("希望する拠点数", "int"),
        Column("補助希望の医療機関数", "int"),
        *(Column(f"{label}（円）", "yen") for label in years),
    ]
    rows = [
        [
            row.menu.get_recipient_type_display(),
            row.menu.name,
            row.area,
            start_year_label(row.start_year),
            row.hubs,
            row.hospitals if row.menu.recipient_type != "hub" else None,
            *row.amounts,
        ]
        for row in demand_rows(result)
    ]
    budget_columns = [
        Column("区分"),
        *(
            column
            for label in years
            for column in (
                Column(f"{label} 見込額（円）", "yen"),
                Column(f"{label} 予算（円）", "yen"),
                Column(f"{label} 差引（円）", "yen"),
            )
        ),
    ]
    budget_rows = [
        [
            line.label,
            *(
                value
                for triple in zip(line.demand, line.budget, line.gaps, strict=True)
                for value in triple
            ),
        ]
        for line in against_budget(result)
    ]
    title = f"{fiscal_year_label(result.fiscal_year.year)} 意向調査の見込額"
    return write_xlsx(
        [
            ("見込額（メニュー・圏域・開始年度）", columns, rows),
            ("予算との比較", budget_columns, budget_rows),
        ],
        page_header=title,
    )
