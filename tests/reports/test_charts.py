import xml.etree.ElementTree as ET

from reports.charts import Series, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_bar_chart_is_valid_svg_with_one_bar_per_value_and_a_target():
    chart = bar_chart(
        "会議の開催回数",
        ["北部", "中部", "<script>"],
        [Series("計画", (4, 6, 2)), Series("実績", (3, 6, 0))],
        unit="回",
        target=4,
        target_label="国の目安",
    )
    root = ET.fromstring(str(chart.svg))
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 6
    widths = {r.find(f"{SVG}title").text: float(r.get("width")) for r in bars}
    assert widths["中部 計画: 6回"] > widths["北部 計画: 4回"] > widths["北部 実績: 3回"] > 0
    assert widths["<script> 実績: 0回"] == 0
    assert "<script>" not in str(chart.svg)
    assert "国の目安 4回" in "".join(root.itertext())
    assert root.get("role") == "img"


def test_chart_table_matches_the_figures():
    chart = bar_chart("予算の執行", ["会議"], [Series("交付決定額", (1_060_000,))], unit="円")
    assert chart.headers == ["区分", "交付決定額"]
    assert chart.rows == [["会議", 1_060_000]]


def test_line_chart_has_a_point_per_year():
    chart = line_chart(
        "交付決定額の推移",
        ["令和6年度", "令和7年度", "令和8年度"],
        [
            Series("県全体", (100, 200, 150)),
        ],
    )
    root = ET.fromstring(str(chart.svg))
    circles = list(root.iter(f"{SVG}circle"))
    assert len(circles) == 3
    ys = [float(c.get("cy")) for c in circles]
    assert ys[1] < ys[2] < ys[0]  # higher value, higher on the page


def test_a_year_in_progress_is_marked_not_drawn_as_a_fall():
    """令和8年度 is under way: its 確定額 (0 so far) is not drawn, its 交付決定額 is a hollow
    point reached by a dashed line, and its band says 「年度途中」; the table keeps 0."""
    chart = line_chart(
        "年度別の推移",
        ["令和6年度", "令和7年度", "令和8年度"],
        [
            Series("交付決定額", (1_600_000, 1_700_000, 1_800_000)),
            Series("確定額", (1_400_000, 1_500_000, 0)),
        ],
        unit="千円",
        in_progress=frozenset({2}),
        pending=frozenset({"確定額"}),
    )
    root = ET.fromstring(str(chart.svg))
    titles = [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")]
    assert "確定額: 0千円" not in titles and len(titles) == 5  # 3 decided + 2 confirmed
    hollow = [
        c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle") if c.get("fill") == "#fff"
    ]
    assert hollow == ["交付決定額: 1,800千円"]
    lines = [line for line in root.iter(f"{SVG}line") if line.get("stroke-width") == "2"]
    assert len(lines) == 3  # decided 6→7, 7→8 (dashed); confirmed 6→7 only
    assert [line.get("stroke-dasharray") for line in lines].count("5 4") == 1
    assert "（年度途中）" in "".join(root.itertext())
    assert chart.rows[2] == ["令和8年度", 1_800_000, 0]


def test_years_in_progress_are_today_s_fiscal_year_and_later():
    import datetime

    from reports.dashboard import years_in_progress

    trend = [{"year": 2024}, {"year": 2025}, {"year": 2026}]
    assert years_in_progress(trend, datetime.date(2026, 12, 2)) == {2}
    assert years_in_progress(trend, datetime.date(2027, 3, 31)) == {2}  # 令和8年度 until 31 March
    assert years_in_progress(trend, datetime.date(2027, 4, 1)) == frozenset()
