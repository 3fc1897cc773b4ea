import itertools
import xml.etree.ElementTree as ET

import pytest

from qadam.lib.svgchart import (
    PALETTE,
    Series,
    axis,
    bar_chart,
    default_format,
    nice_max,
    shorten,
    stacked_bar_chart,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # also proves the markup is well-formed XML


def status_chart(**overrides):
    kwargs = dict(
        chart_id="status-mechanism",
        title="Implementation status by mechanism",
        desc="Bars per mechanism; the table below has the numbers.",
        categories=["UPR", "CEDAW"],
        series=[
            Series("Not started", [3, 1]),
            Series("In progress", [2, 0]),
            Series("Fully implemented", [1, 4]),
        ],
    )
    kwargs.update(overrides)
    return stacked_bar_chart(**kwargs)


def rects(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]


def test_chart_is_an_image_named_by_its_title_and_description():
    root = parse(status_chart())
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == (title_id, "Implementation status by mechanism")
    assert (desc.get("id"), desc.text) == (
        desc_id,
        "Bars per mechanism; the table below has the numbers.",
    )
    assert title_id.startswith("status-mechanism")


def test_stacked_segments_carry_their_exact_values_and_zero_segments_are_left_out():
    tooltips = [r.find(f"{SVG}title").text for r in rects(parse(status_chart()))]
    assert tooltips == [
        "UPR — Not started: 3",
        "UPR — In progress: 2",
        "UPR — Fully implemented: 1",
        "CEDAW — Not started: 1",
        "CEDAW — Fully implemented: 4",
    ]


def test_stacked_segments_touch_and_their_lengths_are_proportional():
    segments = rects(parse(status_chart()))
    upr = segments[:3]
    for left, right in itertools.pairwise(upr):
        assert float(left.get("x")) + float(left.get("width")) == pytest.approx(
            float(right.get("x")), abs=0.1
        )
    widths = [float(r.get("width")) for r in upr]
    assert widths[0] / widths[2] == pytest.approx(3, rel=0.05)


def test_totals_are_printed_at_the_end_of_each_bar():
    texts = [t.text for t in parse(status_chart()).iter(f"{SVG}text")]
    assert "6" in texts and "5" in texts


def test_legend_lists_series_in_stacking_order_with_palette_colours():
    root = parse(status_chart())
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
    names = [t.text for t in legend.iter(f"{SVG}text")]
    colours = [r.get("fill") for r in legend.iter(f"{SVG}rect")]
    assert names == ["Not started", "In progress", "Fully implemented"]
    assert colours == list(PALETTE[:3])


def test_series_colour_overrides_the_palette():
    svg = status_chart(series=[Series("Done", [1, 2], colour="#009E73")])
    assert {r.get("fill") for r in rects(parse(svg))} == {"#009E73"}


def test_labels_from_users_are_escaped():
    nasty = '<script>alert("x")</script> & "Ministry"'
    svg = status_chart(
        title=nasty, desc=nasty, categories=[nasty, "B"], series=[Series(nasty, [1, 2])]
    )
    assert "<script>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == nasty


def test_long_category_names_are_shortened_with_the_full_name_as_tooltip():
    name = "Ministry of Labour and Social Protection of the Population of the Republic"
    root = parse(status_chart(categories=[name, "B"]))
    label = next(t for t in root.iter(f"{SVG}text") if t.find(f"{SVG}title") is not None)
    assert label.find(f"{SVG}title").text == name
    assert "".join(label.itertext()).endswith("…")


def test_simple_bar_chart_has_one_bar_per_value_and_no_legend():
    svg = bar_chart(
        "overdue", "Overdue", "d", ["MIA", "MLSP", "MJ"], [Series("Overdue", [4, 0, 2])]
    )
    root = parse(svg)
    assert [r.find(f"{SVG}title").text for r in rects(root)] == ["MIA: 4", "MJ: 2"]
    assert not [g for g in root.iter(f"{SVG}g") if g.get("class") == "legend"]


def test_grouped_bar_chart_shows_each_series_side_by_side():
    svg = bar_chart(
        "budget-kzt",
        "Budget",
        "d",
        ["Plan A"],
        [Series("Planned", [1000]), Series("Spent", [250.5])],
        fmt=lambda v: f"{v:.2f} KZT",
    )
    planned, spent = rects(parse(svg))
    assert planned.get("x") == spent.get("x")
    assert float(planned.get("y")) < float(spent.get("y"))
    assert float(planned.get("width")) / float(spent.get("width")) == pytest.approx(
        1000 / 250.5, rel=0.01
    )
    assert spent.find(f"{SVG}title").text == "Plan A — Spent: 250.50 KZT"


def test_empty_chart_is_still_valid():
    root = parse(stacked_bar_chart("empty", "Nothing", "No data", [], [Series("A", [])]))
    assert rects(root) == []


def test_negative_values_draw_nothing_but_are_still_printed():
    root = parse(bar_chart("neg", "t", "d", ["A"], [Series("Spent", [-5])]))
    assert rects(root) == []
    assert "-5" in [t.text for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("chart_id", ["", "1abc", 'a" onload="x', "a b"])
def test_unsafe_chart_ids_are_refused(chart_id):
    with pytest.raises(ValueError, match="chart id"):
        bar_chart(chart_id, "t", "d", ["A"], [Series("S", [1])])


def test_series_length_must_match_categories():
    with pytest.raises(ValueError, match="2 categories"):
        bar_chart("c", "t", "d", ["A", "B"], [Series("S", [1])])


def test_colours_must_be_hex():
    with pytest.raises(ValueError, match="colour"):
        bar_chart("c", "t", "d", ["A"], [Series("S", [1], colour='red" onclick="x')])


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 1), (1, 1), (3, 5), (7, 10), (12, 20), (22, 25), (2400, 2500), (0.3, 0.5)],
)
def test_nice_max_rounds_the_axis_up(value, expected):
    assert nice_max(value) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("peak", "integer", "expected"),
    [
        (2, True, (2, 1)),  # counts: no half ticks
        (2, False, (2, 0.5)),
        (4, True, (4, 1)),
        (10, True, (10, 5)),  # steps of 2.5 become 5
        (9999, False, (10000, 2500)),
        (0, True, (1, 1)),
    ],
)
def test_axis_has_round_steps_and_whole_ticks_for_counts(peak, integer, expected):
    assert axis(peak, integer) == pytest.approx(expected)


def tick_labels(svg: str) -> list[str]:
    grid = next(g for g in parse(svg).iter(f"{SVG}g") if g.get("class") == "grid")
    return [t.text or "" for t in grid.iter(f"{SVG}text")]


def test_a_count_chart_has_whole_number_ticks():
    svg = bar_chart("c", "t", "d", ["MIA", "MLSP"], [Series("Overdue", [2, 1])])
    assert tick_labels(svg) == ["0", "1", "2"]


def test_an_amount_chart_has_round_ticks():
    svg = bar_chart("c", "t", "d", ["A"], [Series("Planned", [9999.5])])
    assert tick_labels(svg) == ["0", "2 500", "5 000", "7 500", "10 000"]


def test_default_format_and_shorten():
    assert default_format(1234567) == "1 234 567"
    assert default_format(12.5) == "12.50"
    assert shorten("  a   b  ") == "a b"
    assert len(shorten("x" * 100)) == 32
