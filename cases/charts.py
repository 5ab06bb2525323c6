"""Server-rendered SVG bar charts: no JavaScript, no library, readable without colour.

Pure functions from labels and numbers to SVG markup. Every text that reaches the markup is
escaped here, so labels may come from anywhere. Each chart is an image with an accessible name
(`role="img"`, `aria-label` and a `<title>`); each bar carries its own `<title>` (a tooltip with
the exact number), and the page shows the same numbers in a table beside the chart.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil
from unicodedata import east_asian_width

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT_SIZE = 12
CHAR_WIDTH = 7  # a rough average advance at 12px, enough to size the label column
BAR_HEIGHT = 18
BAR_GAP = 8
LEGEND_HEIGHT = 22
AXIS_COLOUR = "#5b6470"
GRID_COLOUR = "#d8dde3"


@dataclass(frozen=True)
class Series:
    """One stack of a bar: its name (for the legend and tooltips), a value per label, a colour."""

    name: str
    values: Sequence[float]
    colour: str


def _text_width(text: str) -> int:
    """Roughly how wide `text` is drawn: wide (CJK) characters count double."""
    return CHAR_WIDTH * sum(2 if east_asian_width(char) in ("W", "F") else 1 for char in text)


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _attribute(value: object) -> str:
    return escape(str(value))


def _open_svg(title: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-label="{_attribute(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-size="{FONT_SIZE}">',
        f"<title>{escape(title)}</title>",
    ]


def _legend(series: Sequence[Series], *, x: int) -> list[str]:
    """A row of colour keys with their names; drawn only when there is more than one series."""
    if len(series) < 2:
        return []
    parts = ['<g class="legend" aria-hidden="true">']
    for one in series:
        parts.append(
            f'<rect x="{x}" y="4" width="12" height="12" fill="{_attribute(one.colour)}"></rect>'
            f'<text x="{x + 16}" y="14">{escape(one.name)}</text>'
        )
        x += 16 + _text_width(one.name) + 16
    parts.append("</g>")
    return parts


def _check(labels: Sequence[str], series: Sequence[Series]) -> None:
    if not series:
        raise ValueError("A chart needs at least one series.")
    for one in series:
        if len(one.values) != len(labels):
            raise ValueError(
                f"Series {one.name!r} has {len(one.values)} values for {len(labels)} labels."
            )


def horizontal_bar_chart(
    *, title: str, labels: Sequence[str], series: Sequence[Series], width: int = 520
) -> SafeString:
    """One horizontal bar per label, its series stacked left to right, the total at its end.

    For categories (tier and severity, age buckets, ratings). Raises ValueError when a series
    does not have one value per label.
    """
    _check(labels, series)
    totals = [sum(one.values[index] for one in series) for index in range(len(labels))]
    scale_max = max(totals, default=0) or 1
    label_width = min(220, max(40, max((_text_width(label) for label in labels), default=0)))
    total_width = max((_text_width(_number(total)) for total in totals), default=0) + 8
    plot_x = label_width + 8
    plot_width = max(40, width - plot_x - total_width)
    top = LEGEND_HEIGHT if len(series) > 1 else 4
    height = top + len(labels) * (BAR_HEIGHT + BAR_GAP) + 4

    parts = _open_svg(title, width, height)
    parts += _legend(series, x=plot_x)
    for index, label in enumerate(labels):
        y = top + index * (BAR_HEIGHT + BAR_GAP)
        text_y = y + BAR_HEIGHT / 2 + FONT_SIZE / 3
        parts.append(
            f'<text x="{label_width}" y="{text_y:g}" text-anchor="end">{escape(label)}</text>'
        )
        x = float(plot_x)
        for one in series:
            value = one.values[index]
            if not value:
                continue
            bar = plot_width * value / scale_max
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{bar:.1f}" height="{BAR_HEIGHT}" '
                f'fill="{_attribute(one.colour)}"><title>'
                f"{escape(label)} · {escape(one.name)}: {escape(_number(value))}</title></rect>"
            )
            x += bar
        parts.append(
            f'<text x="{x + 4:.1f}" y="{text_y:g}" class="value">'
            f"{escape(_number(totals[index]))}</text>"
        )
    parts.append(
        f'<line x1="{plot_x}" y1="{top - 2}" x2="{plot_x}" y2="{height - 2}" '
        f'stroke="{AXIS_COLOUR}"></line>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above went through escape()


def column_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    height: int = 200,
    max_label_count: int = 10,
) -> SafeString:
    """One vertical column per label (a day, say), series stacked bottom to top.

    For time series: the width grows with the number of columns, and at most
    `max_label_count` labels are written under the axis (every n-th one) so they never overlap.
    Raises ValueError when a series does not have one value per label.
    """
    _check(labels, series)
    totals = [sum(one.values[index] for one in series) for index in range(len(labels))]
    scale_max = max(totals, default=0) or 1
    axis_width = _text_width(_number(scale_max)) + 10
    column = 22 if len(labels) <= 14 else 14
    label_every = max(1, ceil(len(labels) / max_label_count))
    top = LEGEND_HEIGHT + 4 if len(series) > 1 else 10
    plot_height = height - top - 24
    base_y = top + plot_height
    width = axis_width + max(1, len(labels)) * column + 24  # room for the last centred label

    parts = _open_svg(title, width, height)
    parts += _legend(series, x=axis_width)
    parts.append(
        f'<line x1="{axis_width}" y1="{top}" x2="{width}" y2="{top}" stroke="{GRID_COLOUR}"></line>'
        f'<text x="{axis_width - 4}" y="{top + FONT_SIZE / 3:g}" text-anchor="end">'
        f"{escape(_number(scale_max))}</text>"
        f'<text x="{axis_width - 4}" y="{base_y + FONT_SIZE / 3:g}" text-anchor="end">0</text>'
    )
    for index, label in enumerate(labels):
        x = axis_width + index * column + 2
        y = float(base_y)
        for one in series:
            value = one.values[index]
            if not value:
                continue
            bar = plot_height * value / scale_max
            y -= bar
            parts.append(
                f'<rect x="{x}" y="{y:.1f}" width="{column - 4}" height="{bar:.1f}" '
                f'fill="{_attribute(one.colour)}"><title>'
                f"{escape(label)} · {escape(one.name)}: {escape(_number(value))}</title></rect>"
            )
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + (column - 4) / 2:g}" y="{base_y + 16}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    parts.append(
        f'<line x1="{axis_width}" y1="{base_y}" x2="{width}" y2="{base_y}" '
        f'stroke="{AXIS_COLOUR}"></line>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above went through escape()
