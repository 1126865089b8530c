"""Charts drawn on the server as SVG: no CDN, no script, the same picture in the browser and
in a PDF, and every chart carries the table of its figures for screen readers and export."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#0b5394", "#e69138", "#6aa84f", "#a64d79", "#45818e", "#999999")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class Chart:
    """A chart and its data: `svg` for the eye, `headers`/`rows` for the table behind it."""

    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""
    svg: SafeString = field(default=SafeString(""))
    target: int | None = None

    @property
    def headers(self) -> list[str]:
        return ["区分", *(s.name for s in self.series)]

    @property
    def rows(self) -> list[list]:
        return [
            [category, *(s.values[index] for s in self.series)]
            for index, category in enumerate(self.categories)
        ]


def _format(value: int, unit: str) -> str:
    if unit == "千円":
        return f"{value / 1000:,.0f}千円"
    return f"{value:,}{unit}"


def _text_width(text: str, size: float) -> float:
    return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in text)


def bar_chart(
    title: str,
    categories: list[str],
    series: list[Series],
    *,
    unit: str = "",
    target: int | None = None,
    target_label: str = "目標",
    width: int = 640,
) -> Chart:
    """Horizontal grouped bars: one group per category, one bar per series. An optional
    target (e.g. at least 4 meetings a year) is drawn as a dashed line."""
    bar = 14
    gap = 10
    font = 12.0
    label_width = max([_text_width(c, font) for c in categories] + [40]) + 12
    legend_height = 24
    group = bar * len(series) + gap
    plot_left = label_width
    plot_width = width - plot_left - 90
    height = legend_height + group * len(categories) + 24
    peak = max([v for s in series for v in s.values] + [target or 0, 1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        'font-family="PortalGothic, BIZ UDPGothic, BIZ UDGothic, sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
    ]
    x = plot_left
    for index, item in enumerate(series):
        color = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{color}"/>')
        parts.append(f'<text x="{x + 16}" y="14">{escape(item.name)}</text>')
        x += 16 + _text_width(item.name, font) + 16
    for row, category in enumerate(categories):
        top = legend_height + row * group
        parts.append(
            f'<text x="{plot_left - 6}" y="{top + group / 2}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(category)}</text>'
        )
        for index, item in enumerate(series):
            value = item.values[row]
            length = plot_width * value / peak
            y = top + index * bar
            color = PALETTE[index % len(PALETTE)]
            parts.append(
                f'<rect x="{plot_left}" y="{y}" width="{length:.1f}" height="{bar - 2}" '
                f'fill="{color}"><title>{escape(category)} {escape(item.name)}: '
                f"{escape(_format(value, unit))}</title></rect>"
            )
            parts.append(
                f'<text x="{plot_left + length + 4:.1f}" y="{y + bar - 4}" font-size="11">'
                f"{escape(_format(value, unit))}</text>"
            )
    axis_bottom = legend_height + group * len(categories)
    parts.append(
        f'<line x1="{plot_left}" y1="{legend_height - 2}" x2="{plot_left}" '
        f'y2="{axis_bottom}" stroke="#333"/>'
    )
    if target is not None:
        tx = plot_left + plot_width * target / peak
        parts.append(
            f'<line x1="{tx:.1f}" y1="{legend_height - 2}" x2="{tx:.1f}" y2="{axis_bottom}" '
            'stroke="#a40000" stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<text x="{tx:.1f}" y="{axis_bottom + 16}" text-anchor="middle" fill="#a40000">'
            f"{escape(target_label)} {escape(_format(target, unit))}</text>"
        )
    parts.append("</svg>")
    return Chart(
        title=title,
        categories=tuple(categories),
        series=tuple(series),
        unit=unit,
        svg=mark_safe("".join(parts)),  # noqa: S308 - every text above is escaped
        target=target,
    )


def _first_with(series: list[Series], index: int, value) -> Series:
    return next(item for item in series if item.values[index] == value)


def _progress_bands(in_progress, left, step, top, plot_h, height) -> list[str]:
    return [
        f'<rect x="{left + step * index:.1f}" y="{top}" width="{step:.1f}" height="{plot_h}" '
        'fill="#eef3f8"/>'
        f'<text x="{left + step * (index + 0.5):.1f}" y="{height - 2}" text-anchor="middle" '
        'font-size="11" fill="#444">（年度途中）</text>'
        for index in sorted(in_progress)
    ]


def _trend_lines(points, in_progress, skipped, color) -> list[str]:
    """One segment per pair of years: dashed into a year in progress, none into a year
    whose figure is not known yet."""
    lines = []
    for index in range(1, len(points)):
        if index in skipped or index - 1 in skipped:
            continue
        (x1, y1), (x2, y2) = points[index - 1], points[index]
        dash = ' stroke-dasharray="5 4"' if index in in_progress else ""
        lines.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{color}" '
            f'stroke-width="2"{dash}/>'
        )
    return lines


def line_chart(
    title: str,
    categories: list[str],
    series: list[Series],
    *,
    unit: str = "",
    width: int = 640,
    in_progress: frozenset[int] = frozenset(),
    pending: frozenset[str] = frozenset(),
) -> Chart:
    """A trend across fiscal years: one line per series, a point and label per year.

    `in_progress`: indices of years not over yet. Their band is shaded and captioned
    「年度途中」, the line into them is dashed and the point hollow, and a series named in
    `pending` (the 確定額, known only after the year) is not drawn there at all: a year in
    progress is not a fall (issue 20). The data table keeps every figure."""
    height = 260
    left, right, top, bottom = 70, 20, 46, 48  # top: the legend, then room for labels
    plot_w = width - left - right
    plot_h = height - top - bottom
    peak = max([v for s in series for v in s.values] + [1])
    step = plot_w / max(len(categories), 1)  # each year in the middle of its band: a single
    # year stands in the middle, and the first and last labels stay inside the frame
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        'font-family="PortalGothic, BIZ UDPGothic, BIZ UDGothic, sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#333"/>',
    ]
    parts += _progress_bands(in_progress, left, step, top, plot_h, height)
    for index, category in enumerate(categories):
        x = left + step * (index + 0.5)
        parts.append(
            f'<text x="{x:.1f}" y="{height - 14}" text-anchor="middle">{escape(category)}</text>'
        )
    x_legend = left
    for number, item in enumerate(series):
        color = PALETTE[number % len(PALETTE)]
        skipped = in_progress if item.name in pending else frozenset()
        points = [
            (left + step * (index + 0.5), top + plot_h - plot_h * value / peak)
            for index, value in enumerate(item.values)
        ]
        parts += _trend_lines(points, in_progress, skipped, color)
        for index, ((x, y), value) in enumerate(zip(points, item.values, strict=True)):
            if index in skipped:
                continue
            fill = "#fff" if index in in_progress else color
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{fill}" stroke="{color}">'
                f"<title>{escape(item.name)}: {escape(_format(value, unit))}</title></circle>"
            )
            # the top value of the year is labelled above its point, the others below, so
            # two close values do not print over each other
            top_value = max(other.values[index] for other in series)
            label_y = (
                y - 7
                if value == top_value and item is _first_with(series, index, top_value)
                else y + 16
            )
            parts.append(
                f'<text x="{x:.1f}" y="{label_y:.1f}" text-anchor="middle" font-size="11">'
                f"{escape(_format(value, unit))}</text>"
            )
        parts.append(f'<rect x="{x_legend}" y="6" width="12" height="12" fill="{color}"/>')
        parts.append(f'<text x="{x_legend + 16}" y="16">{escape(item.name)}</text>')
        x_legend += 16 + _text_width(item.name, 12) + 16
    parts.append("</svg>")
    return Chart(
        title=title,
        categories=tuple(categories),
        series=tuple(series),
        unit=unit,
        svg=mark_safe("".join(parts)),  # noqa: S308 - every text above is escaped
    )
