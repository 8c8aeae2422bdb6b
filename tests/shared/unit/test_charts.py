"""Server-side SVG charts: what a reader sees (bar sizes, axis values, legend, the data table)
and what a screen reader or an attacker-chosen label meets."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.web_ui.chart_scale import nice_ticks
from shared.web_ui.charts import GRID, bar_chart, horizontal_bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script>'


def parse(chart) -> ET.Element:
    """The chart's markup as XML: also proves it is well-formed, whatever the labels held."""
    return ET.fromstring(str(chart))


def bars(chart) -> list[dict]:
    return [{"tooltip": rect.find(f"{SVG}title").text, **{key: float(rect.get(key)) for key in ("x", "y", "width", "height")}}
            for rect in parse(chart).iter(f"{SVG}rect") if rect.get("class") == "chart__bar"]


def gridline_positions(chart, axis: str) -> list[float]:
    return sorted({float(line.get(f"{axis}1")) for line in parse(chart).iter(f"{SVG}line") if line.get("stroke") == GRID})


def tick_labels_up_the_side(chart) -> list[str]:
    return [text.text for text in parse(chart).iter(f"{SVG}text") if text.get("text-anchor") == "end" and text.text]


def tick_labels_along_the_bottom(chart) -> list[str]:
    return [text.text for text in parse(chart).iter(f"{SVG}text") if text.get("text-anchor") == "middle"]


def data_table(chart) -> list[list[str]]:
    table = parse(chart).find(".//details/div/table")
    return [[cell.text for cell in row] for row in table.iter("tr")]


def test_bars_stand_on_the_baseline_with_heights_proportional_to_their_values():
    values = {"MSME": [12, 30, 0], "Startup": [5, 9, 14]}
    chart = bar_chart("Registrations per day", ["25 Nov", "26 Nov", "27 Nov"], values)

    top_line, baseline = gridline_positions(chart, "y")[0], gridline_positions(chart, "y")[-1]
    axis_top = int(tick_labels_up_the_side(chart)[-1])
    drawn = bars(chart)
    expected = [(day, name, values[name][day]) for day in range(3) for name in values]
    assert len(drawn) == len(expected)
    for bar, (_, name, value) in zip(drawn, expected):
        assert bar["height"] == pytest.approx(value / axis_top * (baseline - top_line), abs=0.1), bar
        assert bar["y"] + bar["height"] == pytest.approx(baseline, abs=0.1)
        assert bar["tooltip"].endswith(f"{name}: {value}")


def test_the_value_axis_counts_in_round_steps_up_to_just_above_the_largest_value():
    chart = bar_chart("Meetings", ["Day 1", "Day 2"], {"Meetings": [7, 13]})
    assert tick_labels_up_the_side(chart) == ["0", "5", "10", "15"]


@pytest.mark.parametrize(("largest", "ticks"), [
    (0, [0, 1]),
    (1, [0, 1]),
    (4, [0, 1, 2, 3, 4]),
    (7, [0, 2, 4, 6, 8]),
    (10, [0, 2, 4, 6, 8, 10]),
    (23, [0, 5, 10, 15, 20, 25]),
    (100, [0, 20, 40, 60, 80, 100]),
    (101, [0, 50, 100, 150]),
    (1_250_000, [0, 500_000, 1_000_000, 1_500_000]),
])
def test_nice_ticks(largest, ticks):
    assert nice_ticks(largest) == ticks


@given(st.integers(min_value=0, max_value=10**12))
def test_nice_ticks_start_at_zero_cover_the_largest_value_and_step_by_one_two_or_five(largest):
    ticks = nice_ticks(largest)
    step = ticks[1]
    assert ticks[0] == 0 and ticks[-1] >= largest and ticks[-2] < max(largest, 1)
    assert all(later - earlier == step for earlier, later in zip(ticks, ticks[1:]))
    assert str(step).rstrip("0") in {"1", "2", "5"}
    assert 2 <= len(ticks) <= 6


def test_stacked_bars_pile_up_to_each_category_total_which_the_table_adds_up():
    values = {"MSME": [12, 30], "Startup": [5, 9], "Prime": [2, 4]}
    chart = bar_chart("Registrations per day", ["25 Nov", "26 Nov"], values, stacked=True)

    top_line, baseline = gridline_positions(chart, "y")[0], gridline_positions(chart, "y")[-1]
    assert tick_labels_up_the_side(chart)[-1] == "50"  # the axis fits the tallest total (43), not the tallest part (30)
    drawn = bars(chart)
    for day, total in enumerate([19, 43]):
        column = [bar for bar in drawn if bar["x"] == drawn[day * 3]["x"]]
        assert sum(bar["height"] for bar in column) == pytest.approx(total / 50 * (baseline - top_line), abs=0.3)
        assert min(bar["y"] for bar in column) == pytest.approx(baseline - total / 50 * (baseline - top_line), abs=0.1)
    assert data_table(chart) == [["Category", "MSME", "Startup", "Prime", "Total"],
                                 ["25 Nov", "12", "5", "2", "19"],
                                 ["26 Nov", "30", "9", "4", "43"]]


def test_the_data_table_holds_the_same_numbers_as_the_drawing():
    chart = line_chart("Cumulative registrations", ["Mon", "Tue", "Wed"],
                       {"Industry": [120, 1450, 3020], "Officers": [40, 90, 152]}, unit="people")
    assert data_table(chart) == [["Category", "Industry (people)", "Officers (people)"],
                                 ["Mon", "120", "40"], ["Tue", "1,450", "90"], ["Wed", "3,020", "152"]]
    assert parse(chart).find("details/summary").text == "Data"


def test_text_from_user_data_is_escaped_everywhere():
    for chart in (bar_chart(HOSTILE, [HOSTILE, "ok"], {HOSTILE: [1, 2], "two": [3, 4]}, stacked=True, unit=HOSTILE),
                  horizontal_bar_chart(HOSTILE, [HOSTILE], [3], unit=HOSTILE),
                  line_chart(HOSTILE, [HOSTILE], {HOSTILE: [1], "two": [2]})):
        assert "<script" not in chart
        assert "&lt;script&gt;" in chart
        assert parse(chart).find("figcaption").text == HOSTILE


def test_a_screen_reader_finds_an_image_named_and_described():
    chart = horizontal_bar_chart("Meetings per officer", ["Cdr. A. Rao", "Col. P. Singh"], [14, 9], unit="meetings")
    svg = parse(chart).find(f"{SVG}svg")
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id and svg.find(f"{SVG}title").text == "Meetings per officer"
    description = svg.find(f"{SVG}desc")
    assert description.get("id") == desc_id
    assert "Highest: 14 meetings (Cdr. A. Rao)" in description.text


def test_horizontal_bars_grow_from_the_label_column_in_proportion_and_carry_their_figure():
    chart = horizontal_bar_chart("Revenue by tier", ["Gold", "Silver", "Booth"], [1_000_000, 250_000, 0], unit="INR")
    left, right = gridline_positions(chart, "x")[0], gridline_positions(chart, "x")[-1]
    axis_top = int(tick_labels_along_the_bottom(chart)[-1].replace(",", ""))
    for bar, value in zip(bars(chart), [1_000_000, 250_000, 0]):
        assert bar["x"] == pytest.approx(left)
        assert bar["width"] == pytest.approx(value / axis_top * (right - left), abs=0.1)
    figures = [text.text for text in parse(chart).iter(f"{SVG}text") if text.get("text-anchor") == "start"]
    assert figures == ["1,000,000 INR", "250,000 INR", "0 INR"]


def test_lines_plot_each_point_at_its_height_and_series_differ_by_colour_and_pattern():
    chart = line_chart("Requests", ["Mon", "Tue"], {"B2G": [10, 20], "B2B": [5, 0]})
    top_line, baseline = gridline_positions(chart, "y")[0], gridline_positions(chart, "y")[-1]
    points = [float(circle.get("cy")) for circle in parse(chart).iter(f"{SVG}circle")]
    assert points == pytest.approx([baseline - value / 20 * (baseline - top_line) for value in (10, 20, 5, 0)], abs=0.1)
    lines = list(parse(chart).iter(f"{SVG}polyline"))
    assert len({line.get("stroke") for line in lines}) == 2
    assert len({line.get("stroke-dasharray") for line in lines}) == 2


def test_a_legend_names_the_series_only_when_there_are_several():
    def legend_names(chart):
        return [text.text for text in parse(chart).iter(f"{SVG}text") if text.get("text-anchor") == "start"]

    assert legend_names(bar_chart("One", ["a"], {"Registrations": [3]})) == []
    assert legend_names(bar_chart("Two", ["a"], {"MSME": [3], "Startup": [1]})) == ["MSME", "Startup"]


@pytest.mark.parametrize("chart", [
    bar_chart("Registrations per day", [], {}),
    bar_chart("Registrations per day", ["25 Nov"], {}),
    line_chart("Cumulative registrations", [], {"Industry": []}),
    horizontal_bar_chart("Meetings per officer", [], []),
], ids=["no labels", "no series", "empty line", "empty horizontal"])
def test_no_data_says_so_instead_of_drawing_an_empty_chart(chart):
    figure = parse(chart)
    assert figure.find("figcaption").text
    assert figure.find("p").text == "No data yet."
    assert figure.find(f"{SVG}svg") is None


def test_all_zero_values_still_draw_an_axis_with_flat_bars():
    chart = bar_chart("Refunds", ["Sep", "Oct"], {"Refunds": [0, 0]})
    assert tick_labels_up_the_side(chart) == ["0", "1"]
    assert [bar["height"] for bar in bars(chart)] == [0, 0]


def test_data_that_cannot_be_drawn_honestly_is_refused():
    with pytest.raises(ValueError, match="has 1 values for 2 labels"):
        bar_chart("x", ["a", "b"], {"s": [1]})
    with pytest.raises(ValueError, match="negative"):
        horizontal_bar_chart("x", ["a"], [-1])
