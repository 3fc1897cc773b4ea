"""How fast and how big the indicator pages' SVG maps and line charts are.

    .venv/bin/python bench/svgmap_render.py

On the real data in QADAM_DATA_DIR: indicator 1-2-1 of kazstat-sdg (share of the
population below the subsistence minimum) by region, region names from the taxonomy.

* cold map: the first render after the caches are emptied (read the geojson, cut it
  into arcs, project, simplify, write the path strings), for the 2022 file (2023)
  and the pre-2018 file (2015); the very first run and the median of several;
* warm map: median of repeated renders for 2023, 2019 and 2015 (colours and text only);
* line chart: 20 regions plus the national total over 2010–2023, median of repeats;
* SVG sizes in bytes.

Aims: cold ≤ 2 s, warm ≤ 50 ms, line chart ≤ 50 ms, every map < 60 KB. Writes
bench/results/svgmap.json; exits non-zero when an aim is missed. No Django.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qadam.lib import svgmap  # noqa: E402
from qadam.lib.svgchart import LineSeries, line_chart  # noqa: E402

DATA = Path(os.environ.get("QADAM_DATA_DIR", ROOT.parent / "shared" / "data"))
GEO = DATA / "geo"
INDICATOR = DATA / "kazstat-sdg" / "data" / "indicator_1-2-1.csv"
REGIONS = ROOT / "qadam" / "taxonomy" / "data" / "regions-kz.yaml"
RESULTS = ROOT / "bench" / "results" / "svgmap.json"
COLD_AIM_S, WARM_AIM_MS, LINE_AIM_MS, SIZE_AIM = 2.0, 50.0, 50.0, 60_000
COLD_REPEATS, WARM_REPEATS = 5, 30


def main() -> int:
    argparse.ArgumentParser(description=__doc__).parse_args()
    values, names = indicator_values(), region_names()
    maps = {year: map_kwargs(year, values, names) for year in (2023, 2019, 2015)}
    cold = {
        "2022 file (2023)": time_cold(maps[2023]),
        "pre-2018 file (2015)": time_cold(maps[2015]),
    }
    warm = {str(year): time_warm(kwargs) for year, kwargs in maps.items()}
    sizes = {str(year): len(svgmap.choropleth(**kwargs).encode()) for year, kwargs in maps.items()}
    series = line_series(values, names)
    line_ms = median_ms(lambda: line_chart(**line_kwargs(series)), WARM_REPEATS)
    line_size = len(line_chart(**line_kwargs(series)).encode())
    checks = {
        "cold_s": max(c["first_s"] for c in cold.values()) <= COLD_AIM_S,
        "warm_ms": max(warm.values()) <= WARM_AIM_MS,
        "line_ms": line_ms <= LINE_AIM_MS,
        "map_bytes": max(sizes.values()) < SIZE_AIM,
    }
    results: dict[str, Any] = {
        "aims": {
            "cold_s": COLD_AIM_S,
            "warm_ms": WARM_AIM_MS,
            "line_ms": LINE_AIM_MS,
            "map_bytes": SIZE_AIM,
        },
        "map_cold": cold,
        "map_warm_median_ms": warm,
        "map_bytes": sizes,
        "line_chart": {
            "series": len(series),
            "points": sum(len(s.points) for s in series),
            "median_ms": line_ms,
            "bytes": line_size,
        },
        "checks": checks,
        "meets_aim": all(checks.values()),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0 if results["meets_aim"] else 1


def indicator_values() -> dict[int, dict[str, float]]:
    """{year: {REF_AREA: value}} of the total series (no urbanisation or sex split)."""
    out: dict[int, dict[str, float]] = {}
    with INDICATOR.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if not row["URBANISATION"] and not row["SEX"] and row["Value"]:
                out.setdefault(int(row["Year"]), {})[row["REF_AREA"]] = float(row["Value"])
    return out


def region_names() -> dict[str, str]:
    data = yaml.safe_load(REGIONS.read_text(encoding="utf-8"))
    return {r["code"]: r["name"]["en"] for r in data["regions"]}


def map_kwargs(year: int, values: dict[int, dict[str, float]], names: dict[str, str]) -> dict:
    return dict(
        values=values[year],
        year=year,
        title=f"Population below the subsistence minimum, {year}",
        desc="Share of the population with incomes below the subsistence minimum, by region.",
        geo_dir=GEO,
        unit="%",
        higher_is_better=False,
        names=names,
        href="/en/indicators/1-2-1/regions/{code}/",
        legend_title="Share of the population, %",
        value_format=lambda v: f"{v:.1f}",
    )


def time_cold(kwargs: dict) -> dict[str, float]:
    runs = []
    for _ in range(COLD_REPEATS):
        svgmap._load_topology.cache_clear()
        svgmap._cached_unit_shapes.cache_clear()
        start = time.perf_counter()
        svgmap.choropleth(**kwargs)
        runs.append(time.perf_counter() - start)
    return {"first_s": round(runs[0], 3), "median_s": round(statistics.median(runs), 3)}


def time_warm(kwargs: dict) -> float:
    svgmap.choropleth(**kwargs)  # fills the caches
    return median_ms(lambda: svgmap.choropleth(**kwargs), WARM_REPEATS)


def median_ms(work: Callable[[], object], repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        runs.append(time.perf_counter() - start)
    return round(statistics.median(runs) * 1000, 2)


def line_series(values: dict[int, dict[str, float]], names: dict[str, str]) -> list[LineSeries]:
    years = sorted(values)
    codes = sorted(set(svgmap.CURRENT_UNITS))
    series = [LineSeries("Kazakhstan", [(y, values[y].get("")) for y in years], emphasis=True)]
    series += [LineSeries(names[c], [(y, values[y].get(c)) for y in years]) for c in codes]
    return series


def line_kwargs(series: list[LineSeries]) -> dict:
    return dict(
        series=series,
        title="Population below the subsistence minimum, 2010–2023",
        desc="Share of the population by region; Kazakhstan in black.",
        unit="%",
        breaks=[(2018, "method break 2018"), (2022, "new regions 2022")],
        highlight="Turkistan Region",
        value_format=lambda v: f"{v:.1f}",
        others_label="Other regions",
    )


if __name__ == "__main__":
    sys.exit(main())
