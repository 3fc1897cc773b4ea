"""Choropleth maps of Kazakhstan's regions, on the real geoBoundaries files."""

from __future__ import annotations

import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import yaml

from qadam.lib import svgmap
from qadam.lib.svgmap import (
    BLUES,
    CURRENT_UNITS,
    DEFAULT_SHAPE_NAMES_2022,
    PRE2018_UNITS,
    choropleth,
    feature_code,
    layout_for_year,
    unmatched_codes,
)

REPO = Path(__file__).resolve().parents[3]
# As settings.QADAM_DATA_DIR, without needing Django (pure lib tests run with -p no:django).
DATA = Path(os.environ.get("QADAM_DATA_DIR", REPO / ".." / "shared" / "data"))
GEO = DATA / "geo"
SVG = "{http://www.w3.org/2000/svg}"
SIZE_BUDGET = 60_000  # bytes of SVG for a whole map, names and links included

# Display names as the pages have them: the taxonomy's English names.
NAMES = {
    r["code"]: r["name"]["en"]
    for r in yaml.safe_load(
        (REPO / "qadam" / "taxonomy" / "data" / "regions-kz.yaml").read_text(encoding="utf-8")
    )["regions"]
}
# Places well inside one region, lon/lat: Semey (Abai), Shymkent city, Taldykorgan
# (Zhetysu), Zhezkazgan (Ulytau).
SEMEY, SHYMKENT, TALDYKORGAN, ZHEZKAZGAN = (
    (80.25, 50.41),
    (69.59, 42.32),
    (78.37, 45.02),
    (67.71, 47.8),
)


def values_for(year):
    """Synthetic values: a different one per unit of the year."""
    return {code: 10.0 + i for i, code in enumerate(layout_for_year(year).units)}


def render(year, values=None, **kwargs):
    kwargs.setdefault("title", f"Synthetic indicator, {year}")
    kwargs.setdefault("desc", "Synthetic values by region.")
    return choropleth(
        values_for(year) if values is None else values, year=year, geo_dir=GEO, **kwargs
    )


def parse(svg):
    return ET.fromstring(svg)


def regions(root):
    return {p.get("data-code"): p for p in root.iter(f"{SVG}path") if p.get("data-code")}


def ring_points(d):
    out = []
    for start_x, start_y, steps in re.findall(r"M(-?\d+) (-?\d+)l([^z]*)z", d):
        deltas = np.array([int(n) for n in re.findall(r"-?\d+", steps)]).reshape(-1, 2)
        out.append(np.cumsum(np.vstack([[int(start_x), int(start_y)], deltas]), axis=0))
    return out


def inside(d, lonlat):
    """Even-odd point in polygon, the rule SVG fills by default for these rings."""
    x, y = svgmap._to_px(np.array([lonlat]))[0]
    crossings = 0
    for ring in ring_points(d):
        x1, y1 = ring[:, 0], ring[:, 1]
        x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
        spans = (y1 > y) != (y2 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            cross_x = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        crossings += int(np.sum(spans & (x < cross_x)))
    return crossings % 2 == 1


# -- borders by year -----------------------------------------------------------------


def test_layouts_follow_the_border_changes_of_2018_and_2022():
    assert set(layout_for_year(2023).units) == set(CURRENT_UNITS)
    assert len(layout_for_year(2022).units) == 20
    for year in (2018, 2021):
        units = layout_for_year(year).units
        assert len(units) == 17
        assert not {"KZABY", "KZZHS", "KZULU", "KZONT"} & set(units)
        assert {"KZYUZ", "KZSHY"} <= set(units)
    assert dict(layout_for_year(2019).parts)["KZVOS"] == ("KZVOS", "KZABY")
    assert set(layout_for_year(2017).units) == set(PRE2018_UNITS)
    assert len(layout_for_year(2010).units) == 16


def test_default_feature_codes_for_both_files():
    assert feature_code({"shapeISO": "KZ-PAV", "shapeName": "Павлодарская область"}) == "KZPAV"
    assert feature_code({"shapeISO": "KZ-YUZ", "shapeName": "Туркестанская область"}) == "KZONT"
    assert feature_code({"shapeISO": "KZ-AST", "shapeName": "г.Астана"}) == "KZNS"
    assert feature_code({"shapeISO": "KZ-ALA", "shapeName": "г.Алматы"}) == "KZALA"
    assert feature_code({"name": "Aqtöbe region"}) == "KZAKT"
    assert feature_code({"name": "Jetisu Region"}) == "KZZHS"
    assert feature_code({"name": "Somewhere"}) == ""
    assert feature_code({"name": "Aktobe"}, {"KZAKT": "Aktobe"}) == "KZAKT"


def test_unmatched_codes_are_those_with_a_value_but_no_unit_that_year():
    values = {"": 5.0, "KZONT": 1.0, "KZYUZ": 2.0, "KZSHY": None, "KZABY": 3.0, "KZAKM": 4.0}
    assert unmatched_codes(values, 2015) == ["KZABY", "KZYUZ"]
    assert unmatched_codes(values, 2019) == ["KZABY", "KZONT"]
    assert unmatched_codes(values, 2023) == ["KZONT"]


# -- the maps --------------------------------------------------------------------------


def test_2023_has_the_twenty_current_units():
    root = parse(render(2023, names=NAMES))
    assert set(regions(root)) == set(CURRENT_UNITS)
    assert regions(root)["KZABY"].find(f"{SVG}title").text == "Abai Region: 24"
    for code in ("KZNS", "KZALA", "KZSHY"):  # a few px wide: each gets a marker too
        assert root.find(f".//{SVG}circle[@data-marker='{code}']") is not None


def test_2019_has_seventeen_units_with_abai_zhetysu_and_ulytau_inside_their_parents():
    svg_2023, svg_2019 = render(2023), render(2019)
    now, then = regions(parse(svg_2023)), regions(parse(svg_2019))
    assert len(then) == 17 and set(then) == set(layout_for_year(2019).units)
    for place, child, parent in (
        (SEMEY, "KZABY", "KZVOS"),
        (TALDYKORGAN, "KZZHS", "KZALM"),
        (ZHEZKAZGAN, "KZULU", "KZKAR"),
    ):
        assert inside(now[child].get("d"), place)
        assert not inside(now[parent].get("d"), place)
        assert inside(then[parent].get("d"), place)  # so it has the parent's colour
        assert then[parent].get("data-includes") == child
        # Dissolved into one outline: no border between the two is drawn.
        assert len(ring_points(then[parent].get("d"))) == len(ring_points(now[parent].get("d")))


def test_2015_has_sixteen_units_and_south_kazakhstan_holds_shymkent():
    values = {**values_for(2015), "KZSHY": 1.0, "KZYUZ": 2.0}
    root = parse(render(2015, values))
    shown = regions(root)
    assert set(shown) == set(PRE2018_UNITS)
    assert inside(shown["KZONT"].get("d"), SHYMKENT)
    assert unmatched_codes(values, 2015) == ["KZSHY", "KZYUZ"]


def test_regions_without_data_are_hatched_and_the_legend_says_so():
    values = {**values_for(2023), "KZMAN": None, "KZATY": float("nan")}
    del values["KZKZY"]
    root = parse(render(2023, values, names=NAMES, no_data_label="Нет данных", id_prefix="m1"))
    shown = regions(root)
    for code in ("KZMAN", "KZATY", "KZKZY"):
        assert shown[code].get("fill") == "url(#m1-nodata)"
    assert shown["KZMAN"].find(f"{SVG}title").text == "Mangystau Region: Нет данных"
    assert root.find(f".//{SVG}pattern[@id='m1-nodata']") is not None
    legend = root.find(f".//{SVG}g[@class='legend']")
    assert "Нет данных" in [t.text for t in legend.iter(f"{SVG}text")]
    assert "url(#m1-nodata)" in [r.get("fill") for r in legend.iter(f"{SVG}rect")]


def test_no_data_entry_only_when_a_region_lacks_data():
    legend = parse(render(2023)).find(f".//{SVG}g[@class='legend']")
    assert "No data" not in [t.text for t in legend.iter(f"{SVG}text")]


def test_quantile_classes_give_each_colour_the_same_number_of_regions():
    fills = [p.get("fill") for p in regions(parse(render(2023))).values()]
    assert sorted(fills.count(c) for c in BLUES[5]) == [4, 4, 4, 4, 4]


def legend_labels(root):
    legend = root.find(f".//{SVG}g[@class='legend']")
    return [t.text for t in legend.iter(f"{SVG}text")]


def test_higher_is_better_darkest_for_the_highest_values():
    root = parse(render(2023, higher_is_better=True, legend_title="Years"))
    highest = max(values_for(2023), key=values_for(2023).__getitem__)
    assert regions(root)[highest].get("fill") == BLUES[5][-1]
    labels = legend_labels(root)
    assert labels[:2] == ["Years", "Higher is better (darker)"]
    assert labels[2:] == ["10–13", "14–17", "18–21", "22–25", "26–29"]


def test_lower_is_better_reverses_the_colours_and_the_legend_says_so():
    root = parse(
        render(
            2023,
            higher_is_better=False,
            legend_title="Poverty, %",
            better_labels=("Higher is better", "Lower is better: darker"),
        )
    )
    lowest = min(values_for(2023), key=values_for(2023).__getitem__)
    highest = max(values_for(2023), key=values_for(2023).__getitem__)
    assert regions(root)[lowest].get("fill") == BLUES[5][-1]
    assert regions(root)[highest].get("fill") == BLUES[5][0]
    labels = legend_labels(root)
    assert labels[:2] == ["Poverty, %", "Lower is better: darker"]
    # Light to dark, worse to better: the highest values come first.
    assert labels[2:] == ["26–29", "22–25", "18–21", "14–17", "10–13"]


def test_no_direction_means_no_direction_note_and_darker_is_higher():
    root = parse(render(2023, unit="%", value_format=lambda v: f"{v:.1f}"))
    labels = legend_labels(root)
    assert labels[0] == "%"  # the unit heads the legend when it has no title
    assert labels[1] == "10.0–13.0"
    assert regions(root)["KZSHY"].get("fill") == BLUES[5][-1]  # the last unit, the highest


def test_tooltips_have_name_value_and_unit():
    root = parse(render(2023, names=NAMES, unit="years", value_format=lambda v: f"{v:.1f}"))
    assert regions(root)["KZNS"].find(f"{SVG}title").text == "Astana: 27.0 years"
    marker = root.find(f".//{SVG}circle[@data-marker='KZNS']")
    assert marker.find(f"{SVG}title").text == "Astana: 27.0 years"


def test_names_default_to_codes():
    assert regions(parse(render(2023)))["KZAKM"].find(f"{SVG}title").text == "KZAKM: 10"


def test_the_map_is_an_image_named_by_its_title_and_description():
    root = parse(render(2023, id_prefix="life-2023"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "life-2023-title life-2023-desc"
    assert root.find(f"{SVG}title").get("id") == "life-2023-title"
    assert root.find(f"{SVG}desc").text == "Synthetic values by region."


def test_everything_from_users_is_escaped():
    nasty = '<script>alert("x")</script> & "Region"'
    svg = render(
        2023,
        names={code: nasty for code in CURRENT_UNITS},
        title=nasty,
        desc=nasty,
        unit=nasty,
        legend_title=nasty,
        no_data_label=nasty,
        href=lambda code: f'/r/{code}/?a=1&b="2"',
        value_format=lambda v: f"<{v}>",
        values={**values_for(2023), "KZMAN": None},
    )
    assert "<script>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == nasty
    assert regions(root)["KZMAN"].find(f"{SVG}title").text == f"{nasty}: {nasty}"
    link = root.find(f".//{SVG}a")
    assert link.get("href").endswith('&b="2"')


def test_regions_link_through_a_template_or_a_function():
    root = parse(render(2023, href="/en/indicators/3-1-1/regions/{code}/"))
    links = {a.find(f"{SVG}path").get("data-code"): a.get("href") for a in root.iter(f"{SVG}a")}
    assert len(links) == 20
    assert links["KZAKM"] == "/en/indicators/3-1-1/regions/KZAKM/"
    root = parse(render(2023, href=lambda code: f"#r-{code}" if code != "KZMAN" else ""))
    linked = {a.find(f"{SVG}path").get("data-code") for a in root.iter(f"{SVG}a")}
    assert linked == set(CURRENT_UNITS) - {"KZMAN"}
    assert "KZMAN" in regions(root)


def test_script_links_are_refused():
    with pytest.raises(ValueError, match="refusing"):
        render(2023, href=" javascript:alert(1)")


def test_no_links_by_default():
    assert parse(render(2023)).find(f".//{SVG}a") is None


@pytest.mark.parametrize("year", [2023, 2019, 2015])
def test_every_region_is_kept_and_the_map_is_under_the_size_budget(year):
    svg = render(year, names=NAMES, href="/en/regions/{code}/", values={})
    shown = regions(parse(svg))
    assert len(shown) == len(layout_for_year(year).units)
    height = float(parse(svg).get("height"))
    for code, path in shown.items():
        points = np.vstack(ring_points(path.get("d")))
        assert len(points) >= 4, code
        assert points[:, 0].min() >= 0 and points[:, 0].max() <= svgmap.MAP_WIDTH, code
        assert points[:, 1].min() >= 0 and points[:, 1].max() <= height, code
    assert len(svg.encode()) < SIZE_BUDGET


def test_shapes_are_loaded_once_per_process():
    svgmap._load_topology.cache_clear()
    svgmap._cached_unit_shapes.cache_clear()
    render(2023)
    render(2022, higher_is_better=True)
    render(2019)
    assert svgmap._load_topology.cache_info().misses == 1  # 2019 uses the 2022 file too
    render(2015)
    assert svgmap._load_topology.cache_info().misses == 2
    assert svgmap._cached_unit_shapes.cache_info().misses == 3  # 20, 17 and 16 units


def test_a_replaced_file_is_read_again(tmp_path):
    geo = tmp_path / "geo"
    geo.mkdir()
    shutil.copy(GEO / svgmap.GEO_2022, geo / svgmap.GEO_2022)
    svgmap._load_topology.cache_clear()
    choropleth({}, year=2023, title="t", desc="d", geo_dir=geo)
    stat = (geo / svgmap.GEO_2022).stat()
    os.utime(geo / svgmap.GEO_2022, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    choropleth({}, year=2023, title="t", desc="d", geo_dir=geo)
    assert svgmap._load_topology.cache_info().misses == 2


def test_shape_names_from_the_database_override_the_built_in_ones():
    svg = render(2023, shape_names={**DEFAULT_SHAPE_NAMES_2022, "KZAKT": "Aqtöbe region"})
    assert "KZAKT" in regions(parse(svg))
    with pytest.raises(ValueError, match="KZAKT"):
        render(2023, shape_names={"KZAKT": "Aktobe Region"})


@pytest.mark.parametrize("bins", [3, 7, 9])
def test_other_numbers_of_classes(bins):
    fills = {p.get("fill") for p in regions(parse(render(2023, bins=bins))).values()}
    assert fills == set(BLUES[bins])


def test_few_distinct_values_use_few_colours():
    values = {code: 1.0 if i % 2 else 2.0 for i, code in enumerate(CURRENT_UNITS)}
    root = parse(render(2023, values))
    assert len({p.get("fill") for p in regions(root).values()}) == 2
    assert legend_labels(root) == ["1", "2"]


@pytest.mark.parametrize(
    ("kwargs", "message"), [({"bins": 12}, "bins"), ({"id_prefix": "1x"}, "map id")]
)
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        render(2023, **kwargs)
