"""The line chart of qadam.lib.svgchart: an indicator over the years, per region."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from qadam.lib.svgchart import (
    CONTEXT,
    EMPHASIS,
    HIGHLIGHT,
    LINE_PALETTE,
    LineSeries,
    line_chart,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg):
    return ET.fromstring(svg)  # also proves the markup is well-formed XML


def chart(series, **overrides):
    kwargs = dict(title="Life expectancy", desc="Years of life expected at birth, by region.")
    kwargs.update(overrides)
    return line_chart(series, **kwargs)


def groups(root, kind=""):
    return [
        g
        for g in root.iter(f"{SVG}g")
        if (g.get("class") or "").startswith("series") and kind in (g.get("class") or "")
    ]


def subpaths(group):
    path = group.find(f"{SVG}path")
    if path is None:
        return []
    return [
        [tuple(map(float, point.split())) for point in part.split("L")]
        for part in path.get("d").split("M")[1:]
    ]


def tooltips(group):
    return [c.find(f"{SVG}title").text for c in group.iter(f"{SVG}circle")]


def circle_x(root, tooltip_start):
    for circle in root.iter(f"{SVG}circle"):
        title = circle.find(f"{SVG}title")
        if title is not None and title.text.startswith(tooltip_start):
            return float(circle.get("cx"))
    raise AssertionError(tooltip_start)


LIFE = LineSeries(
    "Almaty",
    [(2015, 72.1), (2016, 72.6), (2017, None), (2018, 73.4), (2019, 73.9), (2020, None)],
)


def test_chart_is_an_image_named_by_its_title_and_description():
    root = parse(chart([LIFE], id_prefix="life-almaty"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "life-almaty-title life-almaty-desc"
    assert root.find(f"{SVG}title").get("id") == "life-almaty-title"
    assert root.find(f"{SVG}title").text == "Life expectancy"
    assert root.find(f"{SVG}desc").get("id") == "life-almaty-desc"


def test_every_point_has_a_circle_with_its_exact_value():
    root = parse(chart([LIFE], unit="years", value_format=lambda v: f"{v:.1f}"))
    (line,) = groups(root)
    assert tooltips(line) == [
        "Almaty, 2015: 72.1 years",
        "Almaty, 2016: 72.6 years",
        "Almaty, 2018: 73.4 years",
        "Almaty, 2019: 73.9 years",
    ]


def test_a_missing_year_breaks_the_line_and_is_never_bridged():
    root = parse(chart([LIFE]))
    (line,) = groups(root)
    parts = subpaths(line)
    assert len(parts) == 2  # 2015–2016 and 2018–2019
    x2016, x2018 = circle_x(root, "Almaty, 2016"), circle_x(root, "Almaty, 2018")
    for part in parts:
        xs = [x for x, _ in part]
        assert not (min(xs) <= x2016 and max(xs) >= x2018)


def test_a_lone_point_between_gaps_is_a_circle_without_a_line():
    lone = LineSeries("Ulytau", [(2021, None), (2022, 70.0), (2023, None)])
    (line,) = groups(parse(chart([lone])))
    assert subpaths(line) == []
    assert len(tooltips(line)) == 1


def test_points_are_drawn_in_year_order_whatever_order_they_come_in():
    shuffled = LineSeries("A", [(2019, 3.0), (2017, 1.0), (2018, 2.0)])
    (line,) = groups(parse(chart([shuffled])))
    (part,) = subpaths(line)
    xs = [x for x, _ in part]
    assert xs == sorted(xs)


def test_breaks_are_dashed_lines_at_their_year_with_a_label():
    root = parse(
        chart(
            [LIFE],
            breaks=[(2018, "method break 2018"), (2030, "outside: left out")],
        )
    )
    (brk,) = [g for g in root.iter(f"{SVG}g") if g.get("class") == "break"]
    line = brk.find(f"{SVG}line")
    assert line.get("stroke-dasharray")
    assert float(line.get("x1")) == pytest.approx(circle_x(root, "Almaty, 2018"), abs=0.1)
    assert brk.find(f"{SVG}text").text == "method break 2018"


def test_break_labels_close_together_go_on_separate_rows():
    root = parse(chart([LIFE], breaks=[(2018, "method break 2018"), (2019, "new regions")]))
    labels = [g.find(f"{SVG}text") for g in root.iter(f"{SVG}g") if g.get("class") == "break"]
    assert len({t.get("y") for t in labels}) == 2


def test_everything_from_users_is_escaped():
    nasty = '<script>alert("x")</script> & "Region"'
    svg = chart(
        [LineSeries(nasty, [(2020, 1.0), (2021, 2.0)]), LineSeries("B", [(2020, 2.0)])],
        title=nasty,
        desc=nasty,
        unit=nasty,
        breaks=[(2021, nasty)],
    )
    assert "<script>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == nasty
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert texts.count(nasty) == 3  # legend, unit and break label


def test_a_few_series_get_palette_colours_and_one_legend_entry_each():
    series = [LineSeries(f"Region {i}", [(2020, i), (2021, i + 1)]) for i in range(4)]
    national = LineSeries("Kazakhstan", [(2020, 2.0), (2021, 3.0)], emphasis=True)
    root = parse(chart([national, *series]))
    strokes = [g.find(f"{SVG}path").get("stroke") for g in groups(root, "coloured")]
    assert strokes == list(LINE_PALETTE[:4])
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
    assert [t.text for t in legend.iter(f"{SVG}text")] == [
        "Kazakhstan",
        *(s.name for s in series),
    ]


def twenty_five_regions():
    years = range(2010, 2024)
    return [
        LineSeries(f"Region {i:02}", [(y, 60 + i * 0.5 + (y - 2010) * 0.3) for y in years])
        for i in range(25)
    ]


def test_twenty_five_series_become_grey_context_with_the_highlight_and_national_on_top():
    national = LineSeries("Kazakhstan", [(y, 70.0) for y in range(2010, 2024)], emphasis=True)
    root = parse(
        chart(
            [national, *twenty_five_regions()],
            highlight="Region 07",
            others_label="Other regions",
        )
    )
    drawn = groups(root)
    assert len(drawn) == 26
    assert [g.get("class") for g in drawn[-2:]] == ["series highlight", "series emphasis"]
    assert {g.find(f"{SVG}path").get("stroke") for g in groups(root, "context")} == {CONTEXT}
    assert len(groups(root, "context")) == 24
    highlighted = groups(root, "highlight")[0].find(f"{SVG}path")
    emphasised = groups(root, "emphasis")[0].find(f"{SVG}path")
    assert highlighted.get("stroke") == HIGHLIGHT
    assert emphasised.get("stroke") == EMPHASIS
    assert (
        float(emphasised.get("stroke-width"))
        > float(highlighted.get("stroke-width"))
        > float(groups(root, "context")[0].find(f"{SVG}path").get("stroke-width"))
    )
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
    assert [t.text for t in legend.iter(f"{SVG}text")] == [
        "Kazakhstan",
        "Region 07",
        "Other regions",
    ]
    assert sum(len(tooltips(g)) for g in drawn) == 26 * 14  # every point still named


def test_more_than_six_series_without_a_highlight_are_context_too():
    root = parse(chart(twenty_five_regions()[:7]))
    assert len(groups(root, "context")) == 7


def test_a_series_colour_is_kept_even_among_context_lines():
    own = LineSeries("Mine", [(2020, 1.0), (2021, 2.0)], colour="#009E73")
    root = parse(chart([own, *twenty_five_regions()]))
    assert groups(root, "coloured")[0].find(f"{SVG}path").get("stroke") == "#009E73"


def y_ticks(svg):
    grid = next(g for g in parse(svg).iter(f"{SVG}g") if g.get("class") == "grid")
    return [t.text for t in grid.iter(f"{SVG}text")]


def test_the_value_axis_need_not_start_at_zero_when_the_values_are_far_from_it():
    svg = chart([LineSeries("A", [(2020, 64.2), (2021, 73.9)])])
    assert y_ticks(svg) == ["62.50", "65", "67.50", "70", "72.50", "75"]


def test_the_value_axis_starts_at_zero_when_zero_is_near():
    svg = chart([LineSeries("A", [(2020, 0.6), (2021, 10.8)])])
    assert y_ticks(svg)[0] == "0"
    assert y_ticks(svg)[-1] == "15"


def test_a_flat_series_still_has_an_axis():
    assert len(y_ticks(chart([LineSeries("A", [(2020, 5.0), (2021, 5.0)])]))) >= 2


def x_labels(svg):
    axis = next(g for g in parse(svg).iter(f"{SVG}g") if g.get("class") == "x-axis")
    return [t.text for t in axis.iter(f"{SVG}text")]


def test_every_year_is_labelled_up_to_twelve_then_they_are_thinned():
    few = [LineSeries("A", [(y, 1.0) for y in range(2012, 2024)])]
    many = [LineSeries("A", [(y, 1.0) for y in range(1999, 2023)])]
    assert x_labels(chart(few)) == [str(y) for y in range(2012, 2024)]
    assert x_labels(chart(many)) == [str(y) for y in range(2000, 2023, 2)]


def test_a_narrow_chart_thins_the_years_further():
    few = [LineSeries("A", [(y, 1.0) for y in range(2012, 2024)])]
    assert len(x_labels(chart(few, width=320))) < 12


def test_an_empty_chart_is_still_valid():
    root = parse(chart([]))
    assert groups(root) == []


def test_no_legend_for_a_single_series():
    root = parse(chart([LIFE]))
    assert not [g for g in root.iter(f"{SVG}g") if g.get("class") == "legend"]


def test_a_long_legend_makes_the_chart_taller_rather_than_squashing_the_plot():
    series = [LineSeries("A rather long region name " + str(i), [(2020, i)]) for i in range(6)]
    root = parse(chart(series, height=150))
    assert float(root.get("height")) > 150


@pytest.mark.parametrize("chart_id", ["", "1abc", 'a" onload="x'])
def test_unsafe_ids_are_refused(chart_id):
    with pytest.raises(ValueError, match="chart id"):
        chart([LIFE], id_prefix=chart_id)


def test_two_values_for_one_year_are_refused():
    with pytest.raises(ValueError, match="two values"):
        chart([LineSeries("A", [(2020, 1.0), (2020, 2.0)])])


def test_colours_must_be_hex():
    with pytest.raises(ValueError, match="colour"):
        chart([LineSeries("A", [(2020, 1.0)], colour="red")])


def test_coordinates_stay_inside_the_svg():
    svg = chart(twenty_five_regions(), breaks=[(2023, "new regions 2022 and more words")])
    root = parse(svg)
    width, height = float(root.get("width")), float(root.get("height"))
    for circle in root.iter(f"{SVG}circle"):
        assert 0 <= float(circle.get("cx")) <= width
        assert 0 <= float(circle.get("cy")) <= height
    numbers = [float(n) for n in re.findall(r'x="(-?[\d.]+)"', svg)]
    assert min(numbers) >= 0


def test_lowest_point_is_not_drawn_on_the_axis_line() -> None:
    from qadam.lib.svgchart import _value_axis

    bottom, top, _step = _value_axis([4.0, 6.0, 8.0], integer=False)
    assert bottom < 4.0 and top >= 8.0
    assert _value_axis([65.0, 74.0], integer=False)[0] > 0  # no needless zero either
