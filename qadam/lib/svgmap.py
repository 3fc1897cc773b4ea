"""Choropleth maps of Kazakhstan's first-level units as accessible SVG strings.

``choropleth(values, year=…, geo_dir=…)`` colours each region by its value for one
year, with the borders that year had (``layout_for_year``):

* from 2022: the 20 units of ``geo/kz-regions-2022.geojson``;
* 2018–2021: 17 units, the same shapes with Abai drawn inside East Kazakhstan,
  Zhetysu inside Almaty Region and Ulytau inside Karaganda (those three were carved
  out in 2022); each pair is dissolved into one outline, so no inner border shows;
* before 2018: the 16 units of ``geo/kz-regions-pre2018.geojson``, whose South
  Kazakhstan (KZONT) still holds Shymkent and what is now Turkistan Region.

Geometry. The files hold ~65,000 points each (1.8 MB); a page needs a few thousand.
Each file is read once per process (cached by path and modification time), cut into
*arcs* — the runs of border two regions share, split where a third region starts —
and each arc is simplified once with Douglas–Peucker. Both neighbours therefore get
the very same simplified border: no gaps or overlapping slivers between regions, and
two regions can be merged by dropping the arcs they share. Islands and enclave parts
smaller than a few pixels are dropped (with the hole they leave in their neighbour),
but never a unit's largest part. The projected, simplified path strings are cached
too, so a warm render only formats colours and text.

Projection: Albers equal-area conic, standard parallels 43°N and 53°N (one sixth in
from the country's 40.5–55.5°N), central meridian 67°E. Equal area because a
choropleth invites comparing how much of the country is dark, so areas should be
honest; conic because Kazakhstan spans 41° of longitude, where an equirectangular
map with one cos(48°) scale stretches the north by ~17% and squeezes the south.

Colour: ColorBrewer's "Blues", a single-hue sequential scale that stays ordered for
every common colour-vision deficiency and in greyscale print. The darkest class is
always the *better* end: with ``higher_is_better=False`` the lowest values get the
darkest blue and the legend says so; with ``None`` darker simply means higher.
Classes are quantiles: with 16–20 regions and capital cities that are often far
ahead (income, life expectancy), equal intervals would put most regions into one or
two classes; quantiles give each colour about the same number of regions, and the
legend shows the real range of the values in each class. Classes are per map, so
colours are not comparable between years: compare years with the line chart.

Accessibility follows ``svgchart``: ``role="img"`` named by ``<title>``/``<desc>``,
a ``<title>`` tooltip per region with its exact value, no-data regions hatched (not
just a paler colour), every text escaped, every word passed in already translated.
The cities (Astana, Almaty, Shymkent) are a few pixels wide at this scale, so each
also gets a round marker in its colour that one can see and point at.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from os import PathLike
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np

from qadam.lib.svgchart import (
    _ID,
    INK,
    LEGEND_LINE,
    _attr,
    _num,
    _svg_open,
    default_format,
    legend_items,
)

GEO_2022 = "kz-regions-2022.geojson"
GEO_PRE2018 = "kz-regions-pre2018.geojson"

CURRENT_UNITS = (
    *("KZAKM", "KZAKT", "KZALM", "KZATY", "KZZAP", "KZZHA", "KZKAR", "KZKUS", "KZKZY"),
    *("KZMAN", "KZPAV", "KZSEV", "KZVOS", "KZYUZ", "KZABY", "KZZHS", "KZULU"),
    *("KZNS", "KZALA", "KZSHY"),
)
# 2022's new regions and the region each was carved out of.
CARVED_2022 = {"KZABY": "KZVOS", "KZZHS": "KZALM", "KZULU": "KZKAR"}
PRE2018_UNITS = (
    *("KZAKM", "KZAKT", "KZALM", "KZATY", "KZZAP", "KZZHA", "KZKAR", "KZKUS", "KZKZY"),
    *("KZMAN", "KZPAV", "KZSEV", "KZVOS", "KZONT", "KZNS", "KZALA"),
)

# The ``name`` of each feature of kz-regions-2022.geojson (geoBoundaries spells some
# its own way: "Aqtöbe region", "Abay Region", "Jetisu Region").
DEFAULT_SHAPE_NAMES_2022 = {
    "KZAKM": "Akmola Region",
    "KZAKT": "Aqtöbe region",
    "KZALM": "Almaty Region",
    "KZATY": "Atyrau Region",
    "KZZAP": "West Kazakhstan Region",
    "KZZHA": "Jambyl Region",
    "KZKAR": "Karaganda Region",
    "KZKUS": "Kostanay Region",
    "KZKZY": "Kyzylorda Region",
    "KZMAN": "Mangystau Region",
    "KZPAV": "Pavlodar Region",
    "KZSEV": "North Kazakhstan Region",
    "KZVOS": "East Kazakhstan Region",
    "KZYUZ": "Turkistan Region",
    "KZABY": "Abay Region",
    "KZZHS": "Jetisu Region",
    "KZULU": "Ulytau Region",
    "KZNS": "Astana",
    "KZALA": "Almaty",
    "KZSHY": "Shymkent",
}
# kz-regions-pre2018.geojson: shapeISO KZ-XXX is REF_AREA KZXXX except two. Its KZ-YUZ
# feature is named "Туркестанская область" but is the pre-2018 South Kazakhstan: one
# ring with no hole for Shymkent, covering 2022's Turkistan Region and Shymkent both.
# ISO 3166-2 gives Astana KZ-AST; the Bureau's data calls it KZNS (Nur-Sultan).
PRE2018_ISO_EXCEPTIONS = {"KZ-YUZ": "KZONT", "KZ-AST": "KZNS"}

# ColorBrewer "Blues" (Cynthia Brewer, colorbrewer2.org), light to dark.
BLUES = {
    3: ("#deebf7", "#9ecae1", "#3182bd"),
    4: ("#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"),
    5: ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"),
    6: ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"),
    7: ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"),
    8: ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"),
    9: (
        *("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6"),
        *("#4292c6", "#2171b5", "#08519c", "#08306b"),
    ),
}
BORDER = "#6E6E6E"  # visible against white, the lightest blue and the hatching alike
NO_DATA_FILL = "#F2F2F2"
NO_DATA_HATCH = "#9A9A9A"

# Map geometry, in px of the drawn map.
MAP_WIDTH = 640
TOLERANCE = 0.5  # px, Douglas–Peucker
MIN_PART_AREA = 3.0  # px²: islands and enclave parts smaller than this are dropped
MARKER_AREA = 60.0  # px²: units smaller than this also get a round marker
MARKER_RADIUS = 4.5
# Albers equal-area conic (see the module docstring).
LON0, LAT0, LAT1, LAT2 = 67.0, 48.0, 43.0, 53.0
# The frame, in projected units (unit sphere): both files' extents with a small
# margin. Fixed, so that maps of different years line up when a page switches year.
FRAME = (-0.2365, -0.1325, 0.2310, 0.1340)

Point = tuple[float, float]


# -- borders by year ---------------------------------------------------------------


@dataclass(frozen=True)
class MapLayout:
    """The units drawn for one year, each with the file features it is drawn from."""

    year: int
    borders: str  # "2022", "2018" or "pre-2018": the border regime in force
    geojson: str  # GEO_2022 or GEO_PRE2018, a file name inside the geo folder
    parts: tuple[tuple[str, tuple[str, ...]], ...]  # (unit code, feature codes drawn as it)

    @property
    def units(self) -> tuple[str, ...]:
        """The REF_AREA codes the year's regional data should have."""
        return tuple(code for code, _ in self.parts)


def layout_for_year(year: int) -> MapLayout:
    parts: tuple[tuple[str, tuple[str, ...]], ...]
    if year >= 2022:
        parts = tuple((code, (code,)) for code in CURRENT_UNITS)
        return MapLayout(year, "2022", GEO_2022, parts)
    if year >= 2018:
        carved = {parent: child for child, parent in CARVED_2022.items()}
        parts = tuple(
            (code, (code, carved[code]) if code in carved else (code,))
            for code in CURRENT_UNITS
            if code not in CARVED_2022
        )
        return MapLayout(year, "2018", GEO_2022, parts)
    return MapLayout(year, "pre-2018", GEO_PRE2018, tuple((c, (c,)) for c in PRE2018_UNITS))


def feature_code(
    properties: Mapping[str, Any], shape_names: Mapping[str, str] | None = None
) -> str:
    """The REF_AREA code of a feature of either file ('' when it is none of ours).

    ``shape_names`` ({code: 2022 feature name}, e.g. from Region.shape_name) overrides
    the built-in names code by code."""
    iso = str(properties.get("shapeISO") or "")
    if iso:
        return PRE2018_ISO_EXCEPTIONS.get(iso, iso.replace("-", ""))
    by_name = {
        name: code for code, name in {**DEFAULT_SHAPE_NAMES_2022, **(shape_names or {})}.items()
    }
    return by_name.get(str(properties.get("name") or ""), "")


def unmatched_codes(values: Mapping[str, float | None], year: int) -> list[str]:
    """Codes that have a value but no unit on ``year``'s map (e.g. KZABY in 2019, KZONT
    in 2019, KZSHY in 2015): the map leaves them out. The national total ('') has no
    shape of its own and is never reported."""
    units = set(layout_for_year(year).units)
    return sorted(c for c, v in values.items() if c and c not in units and _present(v))


def _present(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


# -- geometry: load once, cut into arcs, project, simplify --------------------------


@dataclass(frozen=True)
class _Topology:
    """One geojson file cut into arcs, projected to map px and simplified.

    A ring is a tuple of arc references: ``i`` runs arc i forwards, ``~i`` backwards."""

    features: tuple[tuple[Mapping[str, Any], tuple[tuple[int, ...], ...]], ...]
    arcs: tuple[np.ndarray, ...]  # (n, 2) px; a closed arc ends where it starts
    ends: tuple[tuple[Point, Point], ...]  # each arc's first and last lon/lat point
    dropped: frozenset[int]  # arcs of parts too small to draw


def _topology(path: Path) -> _Topology:
    return _load_topology(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _load_topology(path: str, mtime_ns: int) -> _Topology:
    """``mtime_ns`` is only part of the cache key: a replaced file is read again."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    shapes = [(f["properties"], _rings(f["geometry"])) for f in data["features"]]
    rings = [ring for _, feature_rings in shapes for ring in feature_rings]
    ring_refs, lonlat_arcs = _cut(rings)
    arcs = tuple(_simplify(_to_px(np.array(arc, dtype=float)), TOLERANCE) for arc in lonlat_arcs)
    features, start = [], 0
    for props, feature_rings in shapes:
        features.append((props, tuple(ring_refs[start : start + len(feature_rings)])))
        start += len(feature_rings)
    ends = tuple((arc[0], arc[-1]) for arc in lonlat_arcs)
    return _Topology(tuple(features), arcs, ends, _tiny_parts(features, arcs))


def _rings(geometry: Mapping[str, Any]) -> list[list[Point]]:
    """Every ring of a (Multi)Polygon, outer rings anticlockwise and holes clockwise,
    without the closing point: shared borders then run in opposite directions in
    the two regions they separate, which is what merging regions relies on."""
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    rings = []
    for polygon in polygons:
        for k, raw in enumerate(polygon):
            ring = [(float(x), float(y)) for x, y, *_ in raw]
            if ring[0] == ring[-1]:
                ring.pop()
            if (_signed_area(ring) > 0) != (k == 0):
                ring.reverse()
            rings.append(ring)
    return rings


def _signed_area(ring: Sequence[Point] | np.ndarray) -> float:
    xy = np.asarray(ring, dtype=float)
    x, y = xy[:, 0], xy[:, 1]
    return float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)) / 2


def _cut(rings: list[list[Point]]) -> tuple[list[tuple[int, ...]], list[list[Point]]]:
    """Cut rings into arcs at junctions: points where the set of rings sharing the
    border changes. A border two regions share is then one arc, stored once."""
    owners: dict[Point, set[int]] = {}
    for r, ring in enumerate(rings):
        for point in ring:
            owners.setdefault(point, set()).add(r)
    arc_ids: dict[tuple[Point, ...], int] = {}
    arcs: list[list[Point]] = []
    refs = []
    for ring in rings:
        ring_refs = []
        for piece in _pieces(ring, owners):
            canonical = min(piece, piece[::-1])
            if canonical not in arc_ids:
                arc_ids[canonical] = len(arcs)
                arcs.append(list(canonical))
            arc = arc_ids[canonical]
            ring_refs.append(arc if piece == canonical else ~arc)
        refs.append(tuple(ring_refs))
    return refs, arcs


def _pieces(ring: list[Point], owners: Mapping[Point, set[int]]) -> list[tuple[Point, ...]]:
    n = len(ring)
    sets = [owners[p] for p in ring]
    junctions = [
        i
        for i in range(n)
        if len(sets[i]) > 1 and (sets[i] != sets[i - 1] or sets[i] != sets[(i + 1) % n])
    ]
    if not junctions:
        # A ring on its own (an island, or an enclave and the hole it fills): start
        # at its smallest point so both rings that hold it store the same arc.
        first = ring.index(min(ring))
        rotated = ring[first:] + ring[:first]
        return [(*rotated, rotated[0])]
    return [
        tuple(ring[a : b + 1]) if a < b else tuple(ring[a:] + ring[: b + 1])
        for a, b in zip(junctions, junctions[1:] + junctions[:1], strict=True)
    ]


def _to_px(lonlat: np.ndarray) -> np.ndarray:
    lon, lat = np.radians(lonlat[:, 0]), np.radians(lonlat[:, 1])
    phi0, phi1, phi2 = np.radians([LAT0, LAT1, LAT2])
    n = (np.sin(phi1) + np.sin(phi2)) / 2
    c = np.cos(phi1) ** 2 + 2 * n * np.sin(phi1)
    rho = np.sqrt(c - 2 * n * np.sin(lat)) / n
    rho0 = np.sqrt(c - 2 * n * np.sin(phi0)) / n
    theta = n * (lon - np.radians(LON0))
    x, y = rho * np.sin(theta), rho0 - rho * np.cos(theta)
    scale = MAP_WIDTH / (FRAME[2] - FRAME[0])
    return np.column_stack(((x - FRAME[0]) * scale, (FRAME[3] - y) * scale))


def _map_height() -> float:
    return (FRAME[3] - FRAME[1]) * MAP_WIDTH / (FRAME[2] - FRAME[0])


def _simplify(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas–Peucker, keeping both ends. A closed arc is first split at its point
    farthest from the start, so that it cannot collapse to a line."""
    if len(points) < 3:
        return points
    keep = np.zeros(len(points), dtype=bool)
    keep[0] = keep[-1] = True
    last = len(points) - 1
    if np.array_equal(points[0], points[-1]):
        far = int(np.argmax(np.hypot(*(points - points[0]).T)))
        keep[far] = True
        stack = [(0, far), (far, last)]
    else:
        stack = [(0, last)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        inner = points[a + 1 : b] - points[a]
        dx, dy = points[b] - points[a]
        length = math.hypot(dx, dy)
        if length == 0:
            distance = np.hypot(inner[:, 0], inner[:, 1])
        else:
            distance = np.abs(inner[:, 0] * dy - inner[:, 1] * dx) / length
        i = int(np.argmax(distance))
        if distance[i] > tolerance:
            keep[a + 1 + i] = True
            stack += [(a, a + 1 + i), (a + 1 + i, b)]
    return points[keep]


def _tiny_parts(
    features: Sequence[tuple[Mapping[str, Any], tuple[tuple[int, ...], ...]]],
    arcs: Sequence[np.ndarray],
) -> frozenset[int]:
    """Closed arcs that make a whole ring too small to see: islands, slivers, the
    small pieces of Astana and the holes they punch in Akmola. Never a feature's
    largest ring, so that every unit stays on the map however small."""
    whole_rings: dict[int, int] = {}  # arc → how many rings are that arc alone
    uses: dict[int, int] = {}
    protected: set[int] = set()
    for _, rings in features:
        for ring in rings:
            for ref in ring:
                uses[_arc(ref)] = uses.get(_arc(ref), 0) + 1
            if len(ring) == 1:
                whole_rings[_arc(ring[0])] = whole_rings.get(_arc(ring[0]), 0) + 1
        largest = max(rings, key=lambda ring: abs(_ring_area(ring, arcs)))
        protected.update(_arc(ref) for ref in largest)
    return frozenset(
        arc
        for arc, count in whole_rings.items()
        if count == uses[arc]
        and arc not in protected
        and abs(_signed_area(arcs[arc])) < MIN_PART_AREA
    )


def _arc(ref: int) -> int:
    return ref if ref >= 0 else ~ref


def _ring_points(ring: Sequence[int], arcs: Sequence[np.ndarray]) -> np.ndarray:
    """The ring's points in order, each arc's first point dropped (it is the previous
    arc's last), so the last point closes the ring."""
    pieces = [arcs[ref] if ref >= 0 else arcs[~ref][::-1] for ref in ring]
    return np.concatenate([piece[1:] for piece in pieces])


def _ring_area(ring: Sequence[int], arcs: Sequence[np.ndarray]) -> float:
    return _signed_area(_ring_points(ring, arcs))


# -- units: the year's regions as path strings (cached) -----------------------------


@dataclass(frozen=True)
class _UnitShape:
    d: str  # SVG path data
    area: float  # px²
    anchor: Point  # where a marker goes: the middle of the unit's largest part


def _unit_shapes(
    geo_dir: Path, layout: MapLayout, shape_names: Mapping[str, str] | None
) -> dict[str, _UnitShape]:
    path = geo_dir / layout.geojson
    names = tuple(sorted((shape_names or {}).items()))
    return _cached_unit_shapes(str(path), path.stat().st_mtime_ns, layout.parts, names)


@functools.lru_cache(maxsize=16)
def _cached_unit_shapes(
    path: str,
    mtime_ns: int,
    parts: tuple[tuple[str, tuple[str, ...]], ...],
    shape_names: tuple[tuple[str, str], ...],
) -> dict[str, _UnitShape]:
    topology = _load_topology(path, mtime_ns)
    rings_of: dict[str, list[tuple[int, ...]]] = {}
    for props, rings in topology.features:
        code = feature_code(props, dict(shape_names))
        kept = [
            ring for ring in rings if not (len(ring) == 1 and _arc(ring[0]) in topology.dropped)
        ]
        rings_of.setdefault(code, []).extend(kept)
    missing = sorted({c for _, codes in parts for c in codes} - rings_of.keys())
    if missing:
        raise ValueError(f"{path}: no shape for {', '.join(missing)}; check the shape names")
    shapes = {}
    for unit, codes in parts:
        unit_rings = _dissolve([ring for c in codes for ring in rings_of[c]], topology.ends)
        shapes[unit] = _unit_shape(unit_rings, topology.arcs)
    return shapes


def _dissolve(
    rings: list[tuple[int, ...]], ends: Sequence[tuple[Point, Point]]
) -> list[tuple[int, ...]]:
    """Merge regions drawn as one: drop every arc two of their rings share and chain
    the rest into new rings. Shared arcs run opposite ways in the two regions (outer
    rings are all anticlockwise), so what is left joins up head to tail."""
    counts: dict[int, int] = {}
    for ring in rings:
        for ref in ring:
            counts[_arc(ref)] = counts.get(_arc(ref), 0) + 1
    inner = {arc for arc, count in counts.items() if count > 1}
    if not inner:
        return rings
    untouched = [ring for ring in rings if not inner.intersection(map(_arc, ring))]
    loose = [ref for ring in rings if inner.intersection(map(_arc, ring)) for ref in ring]
    loose = [ref for ref in loose if _arc(ref) not in inner]

    def start(ref: int) -> Point:
        return ends[ref][0] if ref >= 0 else ends[~ref][1]

    def end(ref: int) -> Point:
        return ends[ref][1] if ref >= 0 else ends[~ref][0]

    starting: dict[Point, list[int]] = {}
    for ref in loose:
        starting.setdefault(start(ref), []).append(ref)
    chained = []
    for first in loose:
        if first not in starting.get(start(first), []):
            continue  # already used in a ring
        chain = [first]
        starting[start(first)].remove(first)
        while end(chain[-1]) != start(first) and starting.get(end(chain[-1])):
            chain.append(starting[end(chain[-1])].pop())
        chained.append(tuple(chain))
    return untouched + chained


def _unit_shape(rings: list[tuple[int, ...]], arcs: Sequence[np.ndarray]) -> _UnitShape:
    points = [_ring_points(ring, arcs) for ring in rings]
    # y grows downwards in px, which turns the anticlockwise outer rings clockwise:
    # their signed area is negative there, and the holes' positive.
    areas = [-_signed_area(p) for p in points]
    largest = points[int(np.argmax(areas))]
    return _UnitShape(
        d="".join(_ring_d(p) for p in points),
        area=sum(areas),
        anchor=_centroid(largest),
    )


def _ring_d(points: np.ndarray) -> str:
    """``M x y l dx dy … z`` in whole px, relative moves: about half the characters of
    absolute coordinates with decimals, and at this size no visible difference."""
    xy = np.rint(points).astype(int)
    xy = np.concatenate([xy[-1:], xy[:-1]])  # the last point closes the ring: start there
    steps = np.diff(xy, axis=0)
    steps = steps[np.any(steps != 0, axis=1)]
    return f"M{xy[0, 0]} {xy[0, 1]}l{_numbers(steps.ravel())}z"


def _numbers(values: Iterable[int]) -> str:
    """Numbers separated by a space, or by nothing before a minus sign."""
    out: list[str] = []
    for value in values:
        out.append(f"{value}" if value < 0 or not out else f" {value}")
    return "".join(out)


def _centroid(points: np.ndarray) -> Point:
    x, y = points[:, 0], points[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    area = cross.sum() / 2
    if area == 0:
        return float(x.mean()), float(y.mean())
    cx = ((x + np.roll(x, -1)) * cross).sum() / (6 * area)
    cy = ((y + np.roll(y, -1)) * cross).sum() / (6 * area)
    return float(cx), float(cy)


# -- the map -----------------------------------------------------------------------

_UNSAFE_URL = re.compile(r"\s*(?:javascript|data|vbscript):", re.IGNORECASE)
SWATCH_WIDTH, SWATCH_HEIGHT = 18, 12


@dataclass(frozen=True)
class _Class:
    colour: str
    low: float
    high: float


def choropleth(
    values: Mapping[str, float | None],
    *,
    year: int,
    title: str,
    desc: str,
    geo_dir: str | PathLike[str],
    unit: str = "",
    higher_is_better: bool | None = None,
    names: Mapping[str, str] | None = None,
    href: str | Callable[[str], str] = "",
    legend_title: str = "",
    no_data_label: str = "No data",
    id_prefix: str = "map",
    bins: int = 5,
    shape_names: Mapping[str, str] | None = None,
    value_format: Callable[[float], str] = default_format,
    better_labels: tuple[str, str] = ("Higher is better (darker)", "Lower is better (darker)"),
) -> str:
    """The regions of ``year``'s borders coloured by ``values`` ({REF_AREA: value}).

    ``geo_dir`` holds the two geojson files ($QADAM_DATA_DIR/geo). ``names`` gives each
    code its name in the page's language (the code itself when missing). ``href``
    links each region: a template in which ``{code}`` is replaced, or a function of
    the code returning a URL ('' for no link). ``shape_names`` ({code: 2022 feature
    name}, Region.shape_name) overrides the built-in matching. Values of codes that
    are not units that year are left out: ``unmatched_codes`` lists them.
    ``better_labels`` is what the legend says when ``higher_is_better`` is True or
    False; the darkest colour is always the better end.

    The svg is one image to assistive technology (``role="img"``), so the page should
    also give the numbers, and the links, in a table."""
    if not _ID.fullmatch(id_prefix):
        raise ValueError(f"map id {id_prefix!r} must be a letter then letters, digits, - or _")
    if bins not in BLUES:
        raise ValueError(f"bins must be between {min(BLUES)} and {max(BLUES)}, not {bins}")
    layout = layout_for_year(year)
    shapes = _unit_shapes(Path(geo_dir), layout, shape_names)
    data = {c: float(v) for c, v in values.items() if c in shapes and v is not None and _present(v)}
    colours, classes = _classify(data, bins, higher_is_better)
    direction = "" if higher_is_better is None else better_labels[0 if higher_is_better else 1]
    legend = _Legend(id_prefix, legend_title or unit, direction, value_format)
    legend_svg, legend_height = legend.render(
        classes, no_data_label if len(data) < len(shapes) else ""
    )
    regions = []
    parts = dict(layout.parts)
    for code in sorted(shapes, key=lambda c: -shapes[c].area):  # small units on top
        name = (names or {}).get(code) or code
        value = data.get(code)
        tooltip = (
            f"{name}: {value_format(value)} {unit}".rstrip()
            if value is not None
            else f"{name}: {no_data_label}"
        )
        fill = colours.get(code, f"url(#{id_prefix}-nodata)")
        region = _region(code, shapes[code], fill, tooltip, parts[code][1:])
        regions.append(_linked(region, _url(href, code)))
    return (
        _open(id_prefix, title, desc, _map_height() + legend_height)
        + f'<g class="regions" stroke="{BORDER}" stroke-width="0.5" stroke-linejoin="round">'
        + "".join(regions)
        + "</g>"
        + legend_svg
        + "</svg>"
    )


def _classify(
    data: Mapping[str, float], bins: int, higher_is_better: bool | None
) -> tuple[dict[str, str], list[_Class]]:
    """Quantile classes: the i-th smallest of n values goes to class ⌊k·i/n⌋, equal
    values together. Returns each code's colour and the classes from light to dark
    (from worse to better when a direction is given)."""
    ordered = sorted(data.values())
    k = min(bins, len(set(ordered)))
    if not k:
        return {}, []
    first: dict[float, int] = {}
    for i, value in enumerate(ordered):
        first.setdefault(value, i)
    ramp = _ramp(k)
    members: dict[int, list[float]] = {}
    colours = {}
    for code, value in data.items():
        step = k * first[value] // len(ordered)
        shade = k - 1 - step if higher_is_better is False else step
        members.setdefault(shade, []).append(value)
        colours[code] = ramp[shade]
    classes = [
        _Class(ramp[shade], min(members[shade]), max(members[shade])) for shade in sorted(members)
    ]
    return colours, classes


def _ramp(k: int) -> tuple[str, ...]:
    if k >= 3:
        return BLUES[k]
    return (BLUES[3][1],) if k == 1 else (BLUES[3][0], BLUES[3][2])


def _open(id_prefix: str, title: str, desc: str, height: float) -> str:
    return (
        _svg_open(id_prefix, title, desc, MAP_WIDTH, height, "map")
        + f'<defs><pattern id="{id_prefix}-nodata" width="6" height="6" '
        f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{NO_DATA_FILL}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{NO_DATA_HATCH}" stroke-width="1.5"/>'
        f"</pattern></defs>"
    )


def _region(code: str, shape: _UnitShape, fill: str, tooltip: str, merged: Sequence[str]) -> str:
    """The unit's path; for a unit a few px wide also a marker one can see and point at."""
    title = f"<title>{escape(tooltip)}</title>"
    includes = f' data-includes="{" ".join(merged)}"' if merged else ""
    svg = f'<path data-code="{code}"{includes} d="{shape.d}" fill="{fill}">{title}</path>'
    if shape.area < MARKER_AREA:
        x, y = shape.anchor
        svg += (
            f'<circle data-marker="{code}" cx="{_num(x)}" cy="{_num(y)}" r="{MARKER_RADIUS}" '
            f'fill="{fill}" stroke="{INK}" stroke-width="1">{title}</circle>'
        )
    return svg


def _swatch(fill: str, x: float, y: float) -> str:
    return (
        f'<rect x="{_num(x)}" y="{_num(y + 3)}" width="{SWATCH_WIDTH}" height="{SWATCH_HEIGHT}" '
        f'fill="{fill}" stroke="{BORDER}" stroke-width="0.5"/>'
    )


def _url(href: str | Callable[[str], str], code: str) -> str:
    url = href(code) if callable(href) else href.replace("{code}", quote(code))
    if _UNSAFE_URL.match(url):
        raise ValueError(f"region {code}: refusing the link {url!r}")
    return url


def _linked(svg: str, url: str) -> str:
    return f'<a href="{_attr(url)}">{svg}</a>' if url else svg


@dataclass(frozen=True)
class _Legend:
    """Under the map: its title, the direction, then one swatch per class from light
    to dark, and the no-data hatching, wrapped onto as many lines as needed."""

    id_prefix: str
    heading: str
    direction: str
    value_format: Callable[[float], str]

    def render(self, classes: Sequence[_Class], no_data_label: str) -> tuple[str, float]:
        y = _map_height() + 8
        texts = []
        for text, weight in ((self.heading, "bold"), (self.direction, "normal")):
            if text:
                texts.append(
                    f'<text x="0" y="{_num(y + 13)}" font-weight="{weight}" fill="{INK}">'
                    f"{escape(text)}</text>"
                )
                y += LEGEND_LINE
        items = [(c.colour, self._range(c)) for c in classes]
        if no_data_label:
            items.append((f"url(#{self.id_prefix}-nodata)", no_data_label))
        keys = [
            (functools.partial(_swatch, fill), float(SWATCH_WIDTH), label) for fill, label in items
        ]
        markup, last = legend_items(keys, MAP_WIDTH, y)
        texts.append(markup)
        height = last + (LEGEND_LINE if items else 0) + 4 - _map_height()
        return f'<g class="legend">{"".join(texts)}</g>', height

    def _range(self, c: _Class) -> str:
        low, high = self.value_format(c.low), self.value_format(c.high)
        return low if low == high else f"{low}–{high}"
