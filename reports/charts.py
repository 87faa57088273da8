# Typography on purpose: an en dash for a missing value, the multiplication sign in axis maths.
# ruff: noqa: RUF001, RUF002
"""Charts drawn on the server as SVG, for people: bar, line and histogram.

No JavaScript and no chart library: the page's Content-Security-Policy allows no inline script,
and a chart that is plain markup prints, scales with the page and works without scripts. Each
chart is an `<svg role="img">` named by its `<title>` and described in words by its `<desc>`
(highest, lowest, trend), so a screen reader user gets the gist; the numbers table next to it on
the page has every figure. Values are written on or beside the marks, so nothing depends on
telling colours apart, and every colour has at least 4.5:1 contrast on white.

One panel per numeric column: a count and a percentage never share an axis, so a bar's length
always means the same thing within a panel. Bar charts are horizontal with each label above its
bar, which keeps long course titles and Chinese labels readable at 360 px.

`format_value` is the one place a report's value becomes text; the page's table uses it too, so
the chart and the table can never show the same number differently.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.formats import get_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reports.base import Column, ReportTable

# Text #1a1a1a and these marks on white: blue 8.6:1, vermilion 5.9:1, green 6.6:1, purple 8.2:1.
SERIES_COLOURS = ("#0b4f9c", "#b3400b", "#146c2e", "#5b2a86")
TEXT_COLOUR = "#1a1a1a"
GRID_COLOUR = "#767676"  # 4.5:1: the axis is information too (WCAG 1.4.11 asks 3:1)
CHART_KINDS = ("bar", "line", "histogram")
# A chart of hundreds of bars helps nobody; the table below it has every row.
MAX_BARS = 25
MAX_HISTOGRAM_BINS = 40
NUMERIC_KINDS = ("int", "float", "percent", "seconds")

# The drawing's own units; the SVG scales to its box (width 100%), so these set proportions and
# the type size relative to the chart: 15 units of text on a 380-unit-wide chart read at about
# 12 px on a 360 px phone (13-unit axis labels at 11 px) and 15 px beside a table on a desktop.
WIDTH = 380
FONT = 15
SMALL_FONT = 13


# --- values as text -------------------------------------------------------------------------------


def _trim(number: float, decimals: int) -> str:
    """A localised number with up to `decimals` decimals and no trailing zeros."""
    rounded = round(float(number), decimals)
    if rounded == int(rounded):
        return number_format(int(rounded), force_grouping=True)
    text = number_format(rounded, decimal_pos=decimals, force_grouping=True)
    separator = get_format("DECIMAL_SEPARATOR")
    if separator in text:
        text = text.rstrip("0").removesuffix(separator)
    return text


def format_value(value: Any, kind: str) -> str:
    """How a report's value reads on the page, in the active language; "–" for no value."""
    if value is None or value == "":
        return "–"
    if kind == "int":
        return number_format(int(value), force_grouping=True)
    if kind == "float":
        return _trim(value, 2)
    if kind == "percent":  # a fraction 0..1 (reports/base.py)
        return _("%(number)s%%") % {"number": _trim(float(value) * 100, 1)}
    if kind == "seconds":
        seconds = float(value)
        if seconds < 60:
            return _("%(number)s s") % {"number": _trim(seconds, 1)}
        if seconds < 3600:
            return _("%(number)s min") % {"number": _trim(seconds / 60, 1)}
        return _("%(number)s h") % {"number": _trim(seconds / 3600, 1)}
    if kind == "date":
        # ISO dates read the same in English and Chinese and sort as they read.
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
    return str(value)


def raw_value(value: Any) -> str:
    """A machine-readable copy of a value for the page's data-value attributes (tests, scripts):
    numbers in full precision with a dot, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | Decimal):
        return repr(float(value)) if isinstance(value, float | Decimal) else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


# --- geometry helpers -----------------------------------------------------------------------------


def _text_width(text: str, size: float) -> float:
    """Roughly how wide text is drawn: CJK characters take a full em, Latin about half."""
    return sum(size if ord(char) > 0x2E7F else size * 0.56 for char in text)


def _fit(text: str, size: float, room: float) -> str:
    """Text shortened with an ellipsis to fit `room` units (the table has it in full)."""
    if _text_width(text, size) <= room:
        return text
    while text and _text_width(text + "…", size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^n at or above value: axis ends people can read."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-12:
            return step * power
    return 10 * power


def _number(value: Any) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _attr(value: Any) -> str:
    return escape(str(value))


def _num(value: float) -> str:
    """Coordinates with one decimal: small markup, no visible rounding."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


# --- the drawings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartPanel:
    """One drawn chart (one numeric column) and what the page says about it."""

    svg: SafeString
    title: str
    shown: int  # how many rows the drawing has
    total: int  # how many rows the table has


def _svg(chart_id: str, height: float, title: str, description: str, body: list[str]) -> SafeString:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return mark_safe(  # noqa: S308 - every text piece is escaped where it is put in
        f'<svg class="chart" id="{_attr(chart_id)}" role="img" '
        f'aria-labelledby="{_attr(title_id)} {_attr(desc_id)}" '
        f'viewBox="0 0 {WIDTH} {_num(height)}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{_attr(title_id)}">{escape(title)}</title>'
        f'<desc id="{_attr(desc_id)}">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, *, size: int = FONT, anchor: str = "start", cls="") -> str:
    klass = f' class="{cls}"' if cls else ""
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-size="{size}" text-anchor="{anchor}"'
        f' fill="{TEXT_COLOUR}"{klass}>{escape(text)}</text>'
    )


def _label(row: dict[str, Any], x_column: Column) -> str:
    return format_value(row.get(x_column.key), x_column.kind)


def _bar(rows, x_column: Column, y_column: Column, colour: str, chart_id: str, title: str):
    """Horizontal bars, each label on its own line above its bar, the value at the bar's end."""
    drawn = [(row, _number(row.get(y_column.key))) for row in rows[:MAX_BARS]]
    values = [value for _row, value in drawn if value is not None]
    top = max(values, default=0.0)
    end = axis_end(top, y_column.kind)
    shown_values = [format_value(row.get(y_column.key), y_column.kind) for row, _v in drawn]
    # Room at the right for the longest value written after its bar.
    value_room = max(_text_width(text, SMALL_FONT + 1) for text in shown_values) + 10
    bar_room = WIDTH - value_room
    band = FONT + 6 + 18 + 10  # label line, bar, gap
    body: list[str] = []
    y = 4.0
    for row, value in drawn:
        label = _label(row, x_column)
        body.append(_text(0, y + FONT, _fit(label, FONT, WIDTH)))
        bar_y = y + FONT + 6
        length = 0.0 if value is None or end <= 0 else max(0.0, value) / end * bar_room
        shown = format_value(row.get(y_column.key), y_column.kind)
        body.append(
            f'<rect x="0" y="{_num(bar_y)}" width="{_num(max(length, 1.5 if value else 0))}" '
            f'height="18" fill="{colour}"><title>{escape(label)}: {escape(shown)}</title></rect>'
        )
        body.append(_text(length + 6, bar_y + 14, shown, size=SMALL_FONT + 1, cls="value"))
        y += band
    # The zero line: where every bar starts.
    body.append(
        f'<line x1="0.5" y1="{_num(4 + FONT + 4)}" x2="0.5" y2="{_num(y - 8)}" '
        f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
    )
    description = _bar_description(drawn, x_column, y_column, len(rows))
    return _svg(chart_id, max(y, 40), title, description, body), len(drawn)


def _extremes(points: list[tuple[str, float, Any]]):
    highest = max(points, key=lambda point: point[1])
    lowest = min(points, key=lambda point: point[1])
    return highest, lowest


def _bar_description(drawn, x_column, y_column, total) -> str:
    points = [
        (_label(row, x_column), value, row.get(y_column.key))
        for row, value in drawn
        if value is not None
    ]
    if not points:
        return _("No values to draw.")
    highest, lowest = _extremes(points)
    text = _(
        "%(count)s bars. Highest: %(high_label)s, %(high)s. Lowest: %(low_label)s, %(low)s."
    ) % {
        "count": len(drawn),
        "high_label": highest[0],
        "high": format_value(highest[2], y_column.kind),
        "low_label": lowest[0],
        "low": format_value(lowest[2], y_column.kind),
    }
    if total > len(drawn):
        text += " " + _("The first %(shown)s of %(total)s rows are drawn.") % {
            "shown": len(drawn),
            "total": total,
        }
    return text


def axis_end(top: float, kind: str) -> float:
    """Where a value axis ends: a round number at or above the largest value. Percentages run
    to 100% so that half a bar is half, whatever the data; small counts end on a whole number."""
    if kind == "percent" and top <= 1:
        return 1.0
    if kind == "int" and top <= 5:
        return float(max(1, math.ceil(top)))
    return nice_ceiling(top)


def axis_ticks(end: float, kind: str) -> list[tuple[float, str]]:
    """(value, text) for the axis's grid lines: 0 to `end` in round steps (1, 2 or 5 × 10^n)."""
    if kind == "int" and end <= 5:
        steps = int(end)
    else:
        mantissa = round(end / 10 ** math.floor(math.log10(end)), 2)
        steps = {1.0: 5, 2.0: 4, 2.5: 5, 5.0: 5}.get(mantissa, 4)
    # Integral steps are drawn as "float" so that a step such as 0.5 is never rounded away.
    shown = "float" if kind == "int" else kind
    return [(end * i / steps, format_value(end * i / steps, shown)) for i in range(steps + 1)]


def _plot_left(end: float, y_column: Column) -> float:
    """Where the plot starts: right of the widest value on the y axis."""
    widest = max(_text_width(text, SMALL_FONT) for _v, text in axis_ticks(end, y_column.kind))
    return max(28.0, widest + 10)


def _vertical_frame(end, y_column, plot_left, plot_top, plot_bottom) -> list[str]:
    """Horizontal grid lines with their values on the left: the y axis."""
    body = []
    height = plot_bottom - plot_top
    for value, text in axis_ticks(end, y_column.kind):
        y = plot_bottom - (value / end * height if end else 0)
        # The zero line solid, the others dotted and thin: they guide the eye, nothing more.
        style = 'stroke-width="1"' if value == 0 else 'stroke-width="0.5" stroke-dasharray="2 3"'
        body.append(
            f'<line x1="{_num(plot_left)}" y1="{_num(y)}" x2="{WIDTH}" y2="{_num(y)}" '
            f'stroke="{GRID_COLOUR}" {style}/>'
        )
        body.append(_text(plot_left - 6, y + 4, text, size=SMALL_FONT, anchor="end"))
    return body


def _x_labels(labels: list[str], xs: list[float], baseline: float) -> list[str]:
    """Labels under the x axis, as many as fit without overlapping: the first and the last
    always, then others left to right wherever there is room."""
    gap = 8.0

    def placed(index: int) -> tuple[float, float, str]:
        width, x = _text_width(labels[index], SMALL_FONT), xs[index]
        if x - width / 2 < 0:
            return x, x + width, "start"
        if x + width / 2 > WIDTH:
            return x - width, x, "end"
        return x - width / 2, x + width / 2, "middle"

    if not labels:
        return []
    last = len(labels) - 1
    chosen: dict[int, tuple[float, float, str]] = {0: placed(0)}
    if last:
        chosen[last] = placed(last)
    for index in range(1, last):
        left, right, anchor = placed(index)
        if all(right + gap <= other[0] or left >= other[1] + gap for other in chosen.values()):
            chosen[index] = (left, right, anchor)
    return [
        _text(xs[index], baseline, labels[index], size=SMALL_FONT, anchor=chosen[index][2])
        for index in sorted(chosen)
    ]


def _line(rows, x_column: Column, y_column: Column, colour: str, chart_id: str, title: str):
    """Values over time: a line with a dot per point, the axis in the value's own unit."""
    points = [
        (_label(row, x_column), _number(row.get(y_column.key)), row.get(y_column.key))
        for row in rows
    ]
    values = [value for _label_, value, _raw in points if value is not None]
    top = max(values, default=0.0)
    end = axis_end(top, y_column.kind)
    plot_left, plot_top, plot_bottom, height = _plot_left(end, y_column), 12.0, 196.0, 226.0
    plot_width = WIDTH - plot_left - 8
    count = len(points)
    step = plot_width / (count - 1) if count > 1 else 0.0
    xs = [plot_left + (step * i if count > 1 else plot_width / 2) for i in range(count)]
    body = _vertical_frame(end, y_column, plot_left, plot_top, plot_bottom)
    coordinates = []
    for x, (label, value, raw) in zip(xs, points, strict=True):
        if value is None:
            continue
        y = plot_bottom - value / end * (plot_bottom - plot_top)
        coordinates.append((x, y, label, raw))
    if len(coordinates) > 1:
        path = " ".join(f"{_num(x)},{_num(y)}" for x, y, _l, _r in coordinates)
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5" '
            f'stroke-linejoin="round" stroke-linecap="round"/>'
        )
    radius = 3.5 if count <= 60 else 2
    for x, y, label, raw in coordinates:
        body.append(
            f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{radius}" fill="{colour}">'
            f"<title>{escape(label)}: {escape(format_value(raw, y_column.kind))}</title></circle>"
        )
    body += _x_labels([label for label, _v, _r in points], xs, height - 10)
    return _svg(chart_id, height, title, _line_description(points, y_column), body), count


def _line_description(points, y_column) -> str:
    known = [point for point in points if point[1] is not None]
    if not known:
        return _("No values to draw.")
    first, last = known[0], known[-1]
    highest, lowest = _extremes(known)
    return _(
        "%(count)s points from %(first_label)s to %(last_label)s. Starts at %(first)s, ends at "
        "%(last)s. Highest: %(high)s on %(high_label)s. Lowest: %(low)s on %(low_label)s."
    ) % {
        "count": len(points),
        "first_label": first[0],
        "last_label": last[0],
        "first": format_value(first[2], y_column.kind),
        "last": format_value(last[2], y_column.kind),
        "high": format_value(highest[2], y_column.kind),
        "high_label": highest[0],
        "low": format_value(lowest[2], y_column.kind),
        "low_label": lowest[0],
    }


def _histogram(rows, x_column: Column, y_column: Column, colour: str, chart_id: str, title: str):
    """Counts per range: adjoining columns, the count above each, ranges underneath."""
    drawn = [
        (_label(row, x_column), _number(row.get(y_column.key)), row.get(y_column.key))
        for row in rows[:MAX_HISTOGRAM_BINS]
    ]
    values = [value for _label_, value, _raw in drawn if value is not None]
    top = max(values, default=0.0)
    end = axis_end(top, y_column.kind)
    plot_left, plot_top, plot_bottom, height = _plot_left(end, y_column), 22.0, 196.0, 226.0
    plot_width = WIDTH - plot_left - 4
    slot = plot_width / max(len(drawn), 1)
    body = _vertical_frame(end, y_column, plot_left, plot_top, plot_bottom)
    xs = []
    for index, (label, value, raw) in enumerate(drawn):
        x = plot_left + index * slot
        xs.append(x + slot / 2)
        if value is None:
            continue
        bar_height = max(0.0, value) / end * (plot_bottom - plot_top) if end else 0.0
        shown = format_value(raw, y_column.kind)
        # A hairline of white between columns keeps adjoining ranges apart.
        body.append(
            f'<rect x="{_num(x + 0.5)}" y="{_num(plot_bottom - bar_height)}" '
            f'width="{_num(max(slot - 1, 1))}" height="{_num(bar_height)}" fill="{colour}">'
            f"<title>{escape(label)}: {escape(shown)}</title></rect>"
        )
        if _text_width(shown, SMALL_FONT) <= slot + 2:
            body.append(
                _text(x + slot / 2, plot_bottom - bar_height - 4, shown, size=SMALL_FONT,
                      anchor="middle", cls="value")
            )  # fmt: skip
    body += _x_labels([label for label, _v, _r in drawn], xs, height - 10)
    description = _histogram_description(drawn, y_column, len(rows))
    return _svg(chart_id, height, title, description, body), len(drawn)


def _histogram_description(drawn, y_column, total) -> str:
    known = [point for point in drawn if point[1] is not None]
    if not known:
        return _("No values to draw.")
    highest, _lowest = _extremes(known)
    text = _("%(count)s ranges from %(first)s to %(last)s. The most: %(label)s, %(value)s.") % {
        "count": len(drawn),
        "first": drawn[0][0],
        "last": drawn[-1][0],
        "label": highest[0],
        "value": format_value(highest[2], y_column.kind),
    }
    if total > len(drawn):
        text += " " + _("The first %(shown)s of %(total)s rows are drawn.") % {
            "shown": len(drawn),
            "total": total,
        }
    return text


def _lower_first(label: str) -> str:
    """ "Age band" → "age band" inside a sentence; "XP", and Chinese, stay as they are."""
    if len(label) > 1 and label.isascii() and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label


_DRAW = {"bar": _bar, "line": _line, "histogram": _histogram}


def render_charts(table: ReportTable, *, id_prefix: str | None = None) -> list[ChartPanel]:
    """The table's chart as one SVG panel per drawn column; [] when it has no chart or no rows.

    A chart naming columns the table lacks is a programming error in the report, so it raises
    rather than drawing something misleading.
    """
    chart = table.chart
    if chart is None or not table.rows:
        return []
    if chart.kind not in CHART_KINDS:
        raise ValueError(f"unknown chart kind {chart.kind!r}")
    columns = {column.key: column for column in table.columns}
    if chart.x not in columns or any(key not in columns for key in chart.y):
        raise ValueError(f"chart of {table.slug!r} names a column the table does not have")
    x_column = columns[chart.x]
    prefix = id_prefix or f"chart-{table.slug}"
    panels = []
    for index, key in enumerate(chart.y):
        y_column = columns[key]
        if y_column.kind not in NUMERIC_KINDS:
            raise ValueError(f"chart of {table.slug!r} draws the non-numeric column {key!r}")
        title = _("%(value)s by %(label)s") % {
            "value": y_column.label,
            "label": _lower_first(str(x_column.label)),
        }
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        svg, shown = _DRAW[chart.kind](
            table.rows, x_column, y_column, colour, f"{prefix}-{key}", title
        )
        panels.append(ChartPanel(svg=svg, title=title, shown=shown, total=len(table.rows)))
    return panels
