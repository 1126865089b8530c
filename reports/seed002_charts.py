"""The dashboard's charts of seed 002's indicators (reports/indicators.py), drawn with
reports.charts; each keeps its data table and exports like the others."""

from __future__ import annotations

from reports.charts import Chart, Series, bar_chart
from reports.indicators import EVENT_STATES, QUALIFICATIONS, UNKNOWN, Indicators

KEYS = ("events", "qualifications", "accompanied")
ACCOMPANIED_STATES = (EVENT_STATES[0], "予定あり", "予定なし", UNKNOWN)


def hospitals_chart(board: Indicators, max_categories: int) -> Chart:
    """Per municipality, also those with none; per area when there are too many to read
    (the municipality table keeps every one)."""
    rows = board.municipalities
    if len(rows) > max_categories:
        tentative = [sum(row.tentative for row in area.municipalities) for area in board.areas]
        return bar_chart(
            "在宅医療圏別の積極的医療機関数",
            [area.name for area in board.areas],
            [
                Series(
                    "指定中",
                    tuple(
                        area.hospitals - t for area, t in zip(board.areas, tentative, strict=True)
                    ),
                ),
                Series("内諾", tuple(tentative)),
            ],
            unit="か所",
        )
    return bar_chart(
        "市区町村別の積極的医療機関数",
        [f"{row.name}（{row.area}）" for row in rows],
        [
            Series("指定中", tuple(row.active for row in rows)),
            Series("内諾", tuple(row.tentative for row in rows)),
        ],
        unit="か所",
    )


def charts(board: Indicators) -> dict[str, Chart]:
    trainings = dict(board.counts("training_state", EVENT_STATES))
    lectures = dict(board.counts("lecture_state", EVENT_STATES))
    accompanied = board.counts("accompanied_state", ACCOMPANIED_STATES)
    letters = [letter for _, letter in QUALIFICATIONS]
    people = [sum(hub.qualification_count(letter) for hub in board.hubs) for letter in letters]
    return {
        "events": bar_chart(
            "研修会・講演会の開催状況（拠点数）",
            list(EVENT_STATES),
            [
                Series("研修会", tuple(trainings[state] for state in EVENT_STATES)),
                Series("講演会・普及啓発", tuple(lectures[state] for state in EVENT_STATES)),
            ],
            unit="か所",
        ),
        "qualifications": bar_chart(
            "コーディネーターの資格（人数）",
            letters,
            [Series("人数", tuple(people))],
            unit="人",
        ),
        "accompanied": bar_chart(
            "同行訪問研修の状況（拠点数）",
            [state for state, _ in accompanied],
            [Series("拠点数", tuple(n for _, n in accompanied))],
            unit="か所",
        ),
    }
