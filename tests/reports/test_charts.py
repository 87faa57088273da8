# Typography on purpose: en dashes in ranges and for missing values, curly apostrophes.
# ruff: noqa: RUF001, RUF003
"""Server-drawn SVG charts (reports/charts.py): well-formed, named and described for screen
readers, values written out, scales that start at zero, labels that fit, both languages."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.utils import translation

from reports.base import Chart, Column, ReportTable
from reports.charts import (
    MAX_BARS,
    SERIES_COLOURS,
    WIDTH,
    _fit,
    _text_width,
    format_value,
    nice_ceiling,
    raw_value,
    render_charts,
)

SVG = "{http://www.w3.org/2000/svg}"


def table(kind, columns, rows, x, y):
    return ReportTable(
        slug="demo",
        title="Demo",
        description="",
        columns=columns,
        rows=rows,
        chart=Chart(kind, x, tuple(y)),
    )


def parse(panel):
    return ET.fromstring(str(panel.svg))


def texts(svg):
    return [element.text for element in svg.iter(f"{SVG}text")]


def contrast(hex_colour: str, against: str = "#ffffff") -> float:
    def luminance(colour):
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(hex_colour), luminance(against)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


COMPLETION = table(
    "bar",
    [
        Column("band", "Age band"),
        Column("learners", "Learners", "int"),
        Column("done", "Completion", "percent"),
    ],
    [
        {"band": "Ages 6-8", "learners": 1200, "done": 0.25},
        {"band": "Ages 9-11", "learners": 40, "done": 0.8},
        {"band": "Ages 12-14", "learners": 7, "done": None},
    ],
    "band",
    ["learners", "done"],
)


# --- formatting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (1234567, "int", "1,234,567"),
        (0, "int", "0"),
        (2.5, "float", "2.5"),
        (2.0, "float", "2"),
        (3.14159, "float", "3.14"),
        (0.4166, "percent", "41.7%"),
        (1, "percent", "100%"),
        (0, "percent", "0%"),
        (12.34, "seconds", "12.3 s"),
        (150, "seconds", "2.5 min"),
        (5400, "seconds", "1.5 h"),
        (date(2026, 3, 1), "date", "2026-03-01"),
        ("Owls", "text", "Owls"),
        (None, "int", "–"),
        (None, "text", "–"),
    ],
)
def test_values_read_as_people_write_them(value, kind, text):
    assert format_value(value, kind) == text


def test_raw_values_keep_full_precision():
    assert raw_value(0.41666) == "0.41666"
    assert raw_value(7) == "7"
    assert raw_value(date(2026, 3, 1)) == "2026-03-01"
    assert raw_value(None) == ""


def test_nice_axis_ends():
    assert [nice_ceiling(v) for v in (0, 0.3, 1, 7, 11, 24, 26, 480, 1001)] == [
        1.0, 0.5, 1, 10, 20, 25, 50, 500, 2000,
    ]  # fmt: skip


def test_long_labels_are_shortened_to_fit_and_cjk_counts_wider():
    assert _text_width("学习", 10) > _text_width("ab", 10)
    short = _fit("A very long course title that goes on and on and on", 14, 120)
    assert short.endswith("…") and _text_width(short, 14) <= 120
    assert _fit("Owls", 14, 120) == "Owls"


# --- the drawings ---------------------------------------------------------------------------------


def test_a_bar_chart_is_one_named_and_described_svg_per_column():
    panels = render_charts(COMPLETION)
    assert [panel.title for panel in panels] == ["Learners by age band", "Completion by age band"]
    learners = parse(panels[0])
    assert learners.get("role") == "img"
    assert learners.get("aria-labelledby") == "chart-demo-learners-title chart-demo-learners-desc"
    assert learners.find(f"{SVG}title").text == "Learners by age band"
    assert learners.find(f"{SVG}desc").text == (
        "3 bars. Highest: Ages 6-8, 1,200. Lowest: Ages 12-14, 7."
    )
    # Every label and every value is written as text, not only drawn as a length.
    assert {"Ages 6-8", "Ages 9-11", "Ages 12-14", "1,200", "40", "7"} <= set(texts(learners))
    assert learners.get("viewBox").startswith(f"0 0 {WIDTH} ")
    assert learners.get("width") == "100%"


def test_bar_lengths_are_proportional_and_percentages_run_to_100():
    learners, done = (parse(panel) for panel in render_charts(COMPLETION))
    widths = [float(rect.get("width")) for rect in learners.iter(f"{SVG}rect")]
    # 1,200 on a 2,000 axis, 40 and 7 on the same axis.
    assert widths[0] / widths[1] == pytest.approx(1200 / 40, rel=0.01)
    done_widths = [float(rect.get("width")) for rect in done.iter(f"{SVG}rect")]
    assert done_widths[0] / done_widths[1] == pytest.approx(0.25 / 0.8, rel=0.01)
    assert done_widths[2] == 0  # no value: no bar, and "–" written instead
    assert "–" in texts(done)
    assert "80%" in texts(done) and "25%" in texts(done)
    assert done.find(f"{SVG}desc").text == (
        "3 bars. Highest: Ages 9-11, 80%. Lowest: Ages 6-8, 25%."
    )


def test_many_bars_are_cut_and_the_description_says_so():
    rows = [{"name": f"Exercise {i}", "fails": 100 - i} for i in range(60)]
    many = table(
        "bar",
        [Column("name", "Exercise"), Column("fails", "Fails", "int")],
        rows,
        "name",
        ["fails"],
    )
    (panel,) = render_charts(many)
    assert (panel.shown, panel.total) == (MAX_BARS, 60)
    svg = parse(panel)
    assert len(list(svg.iter(f"{SVG}rect"))) == MAX_BARS
    assert f"The first {MAX_BARS} of 60 rows are drawn." in svg.find(f"{SVG}desc").text


def test_a_line_chart_over_time():
    start = date(2026, 3, 1)
    rows = [{"day": start + timedelta(days=i), "active": [3, 8, 5, 12, 0][i]} for i in range(5)]
    activity = table(
        "line",
        [Column("day", "Day", "date"), Column("active", "Active learners", "int")],
        rows,
        "day",
        ["active"],
    )
    (panel,) = render_charts(activity)
    svg = parse(panel)
    assert panel.title == "Active learners by day"
    line = svg.find(f"{SVG}polyline")
    points = [tuple(map(float, pair.split(","))) for pair in line.get("points").split()]
    assert len(points) == 5
    # Higher values are higher up (smaller y); zero sits on the axis at the bottom.
    assert points[3][1] < points[1][1] < points[2][1] < points[0][1] < points[4][1]
    assert [title.text for title in svg.iter(f"{SVG}title")][1:] == [
        "2026-03-01: 3", "2026-03-02: 8", "2026-03-03: 5", "2026-03-04: 12", "2026-03-05: 0",
    ]  # fmt: skip
    assert svg.find(f"{SVG}desc").text == (
        "5 points from 2026-03-01 to 2026-03-05. Starts at 3, ends at 0. "
        "Highest: 12 on 2026-03-04. Lowest: 0 on 2026-03-05."
    )
    # The axis runs from 0 to a round 20, in five steps.
    assert {"0", "5", "10", "15", "20"} <= set(texts(svg))
    # First and last dates always labelled.
    assert "2026-03-01" in texts(svg) and "2026-03-05" in texts(svg)


def test_a_long_line_chart_thins_its_date_labels_so_they_do_not_overlap():
    start = date(2026, 1, 1)
    rows = [{"day": start + timedelta(days=i), "n": i % 7} for i in range(90)]
    (panel,) = render_charts(
        table(
            "line",
            [Column("day", "Day", "date"), Column("n", "Submissions", "int")],
            rows,
            "day",
            ["n"],
        )
    )
    svg = parse(panel)
    labels = [t for t in svg.iter(f"{SVG}text") if re.fullmatch(r"\d{4}-\d\d-\d\d", t.text or "")]
    assert 2 <= len(labels) <= 6
    xs = sorted(float(t.get("x")) for t in labels)
    widest = _text_width("2026-01-01", 12)
    assert all(b - a >= widest * 0.9 for a, b in itertools.pairwise(xs))


def test_a_histogram_of_scores():
    rows = [
        {"range": f"{10 * i}–{10 * i + 10}%", "learners": n} for i, n in enumerate([0, 1, 4, 9, 3])
    ]
    (panel,) = render_charts(
        table(
            "histogram",
            [Column("range", "Score"), Column("learners", "Learners", "int")],
            rows,
            "range",
            ["learners"],
        )
    )
    svg = parse(panel)
    rects = list(svg.iter(f"{SVG}rect"))
    assert len(rects) == 5
    heights = [float(rect.get("height")) for rect in rects]
    assert heights[0] == 0 and heights[3] == max(heights)
    assert heights[3] / heights[2] == pytest.approx(9 / 4, rel=0.01)
    # Adjoining columns of equal width.
    assert len({rect.get("width") for rect in rects}) == 1
    assert svg.find(f"{SVG}desc").text == "5 ranges from 0–10% to 40–50%. The most: 30–40%, 9."


def test_text_is_escaped():
    rows = [{"name": '<script>alert("x")</script> & co', "n": 5}]
    (panel,) = render_charts(
        table("bar", [Column("name", "Name"), Column("n", "N", "int")], rows, "name", ["n"])
    )
    assert "<script>" not in str(panel.svg)
    assert '<script>alert("x")</script> & co' in texts(parse(panel))


def test_no_rows_or_no_chart_draws_nothing():
    empty = table("bar", COMPLETION.columns, [], "band", ["learners"])
    assert render_charts(empty) == []
    assert render_charts(ReportTable("x", "X", "", COMPLETION.columns, COMPLETION.rows)) == []


def test_a_chart_of_a_missing_or_text_column_is_a_programming_error():
    with pytest.raises(ValueError, match="does not have"):
        render_charts(table("bar", COMPLETION.columns, COMPLETION.rows, "band", ["nope"]))
    with pytest.raises(ValueError, match="non-numeric"):
        render_charts(table("bar", COMPLETION.columns, COMPLETION.rows, "learners", ["band"]))
    with pytest.raises(ValueError, match="unknown chart kind"):
        render_charts(table("pie", COMPLETION.columns, COMPLETION.rows, "band", ["learners"]))


def test_colours_and_text_have_enough_contrast_on_white():
    assert all(contrast(colour) >= 4.5 for colour in SERIES_COLOURS)
    svg = str(render_charts(COMPLETION)[0].svg)
    assert all(contrast(colour) >= 4.5 for colour in re.findall(r'fill="(#[0-9a-f]{6})"', svg))
    assert all(contrast(colour) >= 3 for colour in re.findall(r'stroke="(#[0-9a-f]{6})"', svg))


def test_chinese_labels_and_descriptions(settings):
    rows = [{"band": "9-11岁", "done": 0.5}, {"band": "12-14岁", "done": 0.25}]
    chinese = table(
        "bar",
        [Column("band", "年龄段"), Column("done", "完成率", "percent")],
        rows,
        "band",
        ["done"],
    )
    with translation.override("zh-hans"):
        (panel,) = render_charts(chinese)
    svg = parse(panel)
    assert {"9-11岁", "12-14岁", "50%", "25%"} <= set(texts(svg))
    # The title keeps a Chinese label as it is (no English-only lower-casing).
    assert "年龄段" in svg.find(f"{SVG}title").text


def test_ids_are_unique_per_panel_and_prefix():
    first = render_charts(COMPLETION, id_prefix="a")
    second = render_charts(COMPLETION, id_prefix="b")
    ids = [parse(panel).get("id") for panel in first + second]
    assert len(set(ids)) == 4
