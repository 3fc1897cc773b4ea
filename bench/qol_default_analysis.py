"""The statistics behind Qadam's default quality-of-life standard, from the real data.

    .venv/bin/python bench/qol_default_analysis.py [--standard FILE] [--out FILE]

Reads qadam/qol/data/default-standard.yaml and the data in QADAM_DATA_DIR (default
../shared/data): kazstat-sdg/data/indicator_*.csv and kz-stats life expectancy. For every
indicator of the standard, and for the candidates it leaves out, it reports the series
used (the "total" row filter), the national value by year, the regional minimum, median
and maximum by year, the coverage of the 20 current regions by year and the latest year.

It then re-derives each goalpost and threshold from the rule stated in RULES below and
checks that the standard holds exactly those numbers, validates the standard with the
engine (qadam.lib.qol.parse_standard), scores the 20 current regions with the engine's
own rules (qadam.lib.qol.evaluate) and finds the latest year in which every region has
every component. Writes bench/results/qol-default-analysis.json; exits 1 when a number in
the standard differs from its rule or the latest year with data lacks full coverage.
docs/qol-default-standard.md explains the choices.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import math
import os
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qadam.lib.qol import IndicatorSpec, Panel, Standard, evaluate, parse_standard  # noqa: E402

DATA = Path(os.environ.get("QADAM_DATA_DIR", ROOT.parent / "shared" / "data"))
STANDARD = ROOT / "qadam" / "qol" / "data" / "default-standard.yaml"
RESULTS = ROOT / "bench" / "results" / "qol-default-analysis.json"
WINDOW = (2010, 2023)  # the years of the kazstat-sdg snapshot the goalposts are drawn from

# The 20 current first-level units and the first year each exists with today's borders
# (None: throughout the window). KZONT, South Kazakhstan until 2017, is historic.
CURRENT: dict[str, int | None] = {
    "KZAKM": None,
    "KZAKT": None,
    "KZALM": None,
    "KZATY": None,
    "KZZAP": None,
    "KZZHA": None,
    "KZKAR": None,
    "KZKUS": None,
    "KZKZY": None,
    "KZMAN": None,
    "KZPAV": None,
    "KZSEV": None,
    "KZVOS": None,
    "KZYUZ": 2018,
    "KZABY": 2022,
    "KZZHS": 2022,
    "KZULU": 2022,
    "KZNS": None,
    "KZALA": None,
    "KZSHY": 2018,
}

# Region names of the kz-stats life expectancy table. "Туркестанская*" is Turkistan
# Region from 2018 and, before, the South Kazakhstan Region it was carved from.
LIFE_REGIONS = {
    "Республика Казахстан": "",
    "Абай": "KZABY",
    "Акмолинская": "KZAKM",
    "Актюбинская": "KZAKT",
    "Алматинская": "KZALM",
    "Атырауская": "KZATY",
    "Западно-Казахстанская": "KZZAP",
    "Жамбылская": "KZZHA",
    "Жетісу": "KZZHS",
    "Карагандинская": "KZKAR",
    "Костанайская": "KZKUS",
    "Кызылординская": "KZKZY",
    "Мангистауская": "KZMAN",
    "Павлодарская": "KZPAV",
    "Северо-Казахстанская": "KZSEV",
    "Туркестанская*": "KZYUZ",
    "Ұлытау": "KZULU",
    "Восточно-Казахстанская": "KZVOS",
    "г. Астана": "KZNS",
    "г. Алматы": "KZALA",
    "г. Шымкент": "KZSHY",
}


@dataclass(frozen=True)
class Rule:
    """How an indicator's goalposts and threshold follow from the data.

    Goalposts: the lowest and highest value of any region (or the country) in WINDOW,
    rounded outward to ``step`` and never past the natural ``bounds``; a value exactly
    on a step is pushed one step out, so every value lies strictly inside unless it sits
    on a natural bound. Threshold: the national value (``national``) or the median region
    (``median-region``) of ``base_year``."""

    step: float
    bounds: tuple[float | None, float | None]
    threshold: str
    base_year: int


SHARE = (0.0, 100.0)
POSITIVE = (0.0, None)
RULES: dict[str, Rule] = {
    "1-2-1": Rule(5, SHARE, "national", 2018),
    "8-5-1": Rule(10, POSITIVE, "median-region", 2018),
    "8-6-1": Rule(5, SHARE, "national", 2018),
    "8-3-1": Rule(5, SHARE, "national", 2018),
    "8-5-2": Rule(5, SHARE, "national", 2018),
    "kz-life-expectancy": Rule(5, (None, None), "national", 2018),
    "3-7-2": Rule(5, POSITIVE, "national", 2018),
    "11-3-1": Rule(5, POSITIVE, "national", 2018),
    "11-6-1": Rule(5, SHARE, "national", 2018),
    "11-2-1-1": Rule(5, SHARE, "median-region", 2018),
    "11-6-1-1": Rule(5, SHARE, "national", 2018),
    "6-3-1": Rule(5, SHARE, "national", 2019),
    "17-8-1": Rule(5, SHARE, "national", 2018),
    "5-b-1": Rule(5, SHARE, "national", 2018),
}

# Suggested indicators the standard leaves out (docs/qol-default-standard.md says why),
# with the row filter of their total series: their statistics back those reasons.
CANDIDATES: dict[str, dict[str, Any]] = {
    "3-1-1": {"unit": "", "disaggregation": {}},
    "3-1-2": {"unit": "PT", "disaggregation": {}},
    "3-2-1": {"unit": "PER_1000_LIVE_BIRTHS", "disaggregation": {"SEX": "_T"}},
    "3-6-1": {"unit": "PER_100000_POP", "disaggregation": {}},
    "3-9-3": {"unit": "PER_100000_POP", "disaggregation": {}},
    "4-4-1-1": {"unit": "PT", "disaggregation": {}},
    "4-2-2": {"unit": "PT", "disaggregation": {}},
    "7-1-1": {"unit": "PT", "disaggregation": {}},
}

NOT_DISAGGREGATION = {"Year", "REF_AREA", "Value", "UNIT_MEASURE", "SERIES", ""}

Values = dict[str, dict[int, float]]  # region ('' national) -> year -> value


@dataclass
class Loaded:
    values: Values
    duplicates: list[dict[str, Any]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--standard", type=Path, default=STANDARD)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    doc = yaml.safe_load(args.standard.read_text(encoding="utf-8"))
    standard = parse_standard(doc)  # StandardError names every problem by its path
    series = {spec.code: load_source(spec.source) for spec in standard.indicators}
    indicators = {
        spec.code: describe(spec.code, spec.source, series[spec.code], check=spec)
        for spec in standard.indicators
    }
    candidates = {
        code: describe(code, {"dataset": "kazstat-sdg", "indicator": code, **source}, None)
        for code, source in CANDIDATES.items()
    }
    scoring = score(standard, series)
    results = {
        "standard": _shown(args.standard),
        "data": "QADAM_DATA_DIR (kazstat-sdg, kz-stats)",
        "window": list(WINDOW),
        "current_regions": list(CURRENT),
        "indicators": indicators,
        "candidates_left_out": candidates,
        "pm25_11_6_2": pm25_summary(),
        "kz_cash_income": cash_income_summary(),
        **scoring,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    mismatches = [m for i in indicators.values() for m in i["mismatches"]]
    report(standard, indicators, scoring, mismatches)
    print(f"wrote {_shown(args.out)}")
    full = scoring["latest_full_coverage_year"]
    return 0 if not mismatches and full == scoring["latest_year_with_data"] else 1


def _shown(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


# -- loading -----------------------------------------------------------------------------


def load_source(source: Any) -> Loaded:
    if source["dataset"] == "kz-stats":
        if source["indicator"] != "kz-life-expectancy":
            raise SystemExit(f"no loader for kz-stats indicator {source['indicator']!r}")
        return load_life_expectancy()
    loaded = load_kazstat(
        str(source["indicator"]),
        str(source.get("series", "") or ""),
        str(source.get("unit", "") or ""),
        dict(source.get("disaggregation") or {}),
    )
    if source.get("relative_to_national"):
        loaded.values = relative(loaded.values)
    return loaded


def load_kazstat(code: str, series: str, unit: str, disaggregation: dict[str, str]) -> Loaded:
    """One series of an Open SDG file: the rows whose SERIES and UNIT_MEASURE (when the
    file has them) match and whose every disaggregation column holds the value the
    filter names, or is empty when the filter does not name it. A repeated (region,
    year) is handled as the importer does (qadam.lib.opensdg): identical copies keep
    the first row, conflicting copies are all set aside; either way it is reported, so
    coverage here is the coverage the app will have."""
    path = DATA / "kazstat-sdg" / "data" / f"indicator_{code}.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    col = {name: n for n, name in enumerate(header) if name}
    wanted = {name: disaggregation.get(name, "") for name in col if name not in NOT_DISAGGREGATION}
    wanted |= {"SERIES": series} if "SERIES" in col else {}
    wanted |= {"UNIT_MEASURE": unit} if "UNIT_MEASURE" in col else {}
    copies: dict[tuple[str, int], list[tuple[int, float]]] = {}
    for line, row in enumerate(rows[1:], start=2):
        cells = row + [""] * (len(header) - len(row))
        if any(cells[col[name]].strip() != want for name, want in wanted.items()):
            continue
        value = _number(cells[col["Value"]])
        if value is not None:
            key = (cells[col["REF_AREA"]].strip(), int(cells[col["Year"]]))
            copies.setdefault(key, []).append((line, value))
    values: Values = {}
    duplicates: list[dict[str, Any]] = []
    for (region, year), found in copies.items():
        distinct = {value for _line, value in found}
        if len(found) > 1:
            duplicates.append(
                {
                    "region": region,
                    "year": year,
                    "rows": {str(line): value for line, value in found},
                    "done": "first kept" if len(distinct) == 1 else "all set aside (conflict)",
                }
            )
        if len(distinct) == 1:
            values.setdefault(region, {})[year] = found[0][1]
    return Loaded(values, duplicates)


def load_life_expectancy() -> Loaded:
    path = DATA / "kz-stats" / "average-life-expectancy__Life_Expc_data_life_X_piv.csv"
    values: Values = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            name, year = row["Регион"].strip(), int(row["Год"])
            value = _number(row["Ожидаемый возраст населения при рождении"])
            region = LIFE_REGIONS[name]
            if region == "KZYUZ" and year < 2018:
                region = "KZONT"
            if value is not None:
                values.setdefault(region, {})[year] = value
    return Loaded(values, [])


def relative(values: Values) -> Values:
    """Each region as a percentage of the national value of the same year."""
    national = values.get("", {})
    out: Values = {}
    for region, by_year in values.items():
        out[region] = {
            year: round(value / national[year] * 100.0, 4)
            for year, value in by_year.items()
            if national.get(year)
        }
    return out


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# -- per-indicator statistics -------------------------------------------------------------


def describe(
    code: str, source: Any, loaded: Loaded | None, check: IndicatorSpec | None = None
) -> dict[str, Any]:
    loaded = loaded or load_source(source)
    values = loaded.values
    years = sorted({y for by_year in values.values() for y in by_year})
    regional_years = sorted({y for r, by_year in values.items() if r for y in by_year})
    out: dict[str, Any] = {
        "source": _plain_source(source),
        "title": titles(code),
        "first_year": years[0] if years else None,
        "latest_year": regional_years[-1] if regional_years else None,
        "national": {str(y): v for y, v in sorted(values.get("", {}).items())},
        "regional": {str(y): regional_stats(values, y) for y in regional_years},
        "coverage_of_current_regions": {str(y): coverage(values, y) for y in regional_years},
        "duplicates": loaded.duplicates,
        "mismatches": [],
    }
    if check is not None:
        out |= derive(code, values, check)
    return out


def regional_stats(values: Values, year: int) -> dict[str, Any]:
    here = {r: by[year] for r, by in values.items() if r and year in by}
    ordered = sorted(here.items(), key=lambda item: item[1])
    return {
        "n": len(here),
        "min": ordered[0][1],
        "min_region": ordered[0][0],
        "median": round(statistics.median(here.values()), 4),
        "max": ordered[-1][1],
        "max_region": ordered[-1][0],
    }


def coverage(values: Values, year: int) -> dict[str, Any]:
    expected = [r for r, since in CURRENT.items() if since is None or since <= year]
    missing = [r for r in expected if year not in values.get(r, {})]
    return {"present": len(expected) - len(missing), "of": len(expected), "missing": missing}


def derive(code: str, values: Values, spec: IndicatorSpec) -> dict[str, Any]:
    """The goalposts and threshold RULES give, beside the ones in the standard."""
    rule = RULES[code]
    in_window = [
        v for by_year in values.values() for y, v in by_year.items() if WINDOW[0] <= y <= WINDOW[1]
    ]
    low, high = outward(min(in_window), max(in_window), rule)
    threshold = base_level(values, rule)
    mismatches = []
    if (low, high) != (spec.low, spec.high):
        mismatches.append(f"{code}: goalposts {spec.low}-{spec.high}, rule gives {low}-{high}")
    if not math.isclose(threshold, spec.threshold, abs_tol=1e-9):
        mismatches.append(f"{code}: threshold {spec.threshold}, rule gives {threshold}")
    inside = all(low < v < high or v in rule.bounds for v in in_window)
    return {
        "rule": {
            "goalposts": f"min/max {WINDOW[0]}-{WINDOW[1]} rounded outward to {rule.step:g}"
            + (f", within natural bounds {rule.bounds}" if rule.bounds != (None, None) else ""),
            "threshold": f"{rule.threshold} value of {rule.base_year}",
        },
        "observed": {"min": min(in_window), "max": max(in_window)},
        "goalposts": {"derived": [low, high], "standard": [spec.low, spec.high]},
        "values_strictly_inside": inside,
        "threshold": {"derived": threshold, "standard": spec.threshold},
        "direction": spec.direction,
        "mismatches": mismatches,
    }


def outward(lowest: float, highest: float, rule: Rule) -> tuple[float, float]:
    step = rule.step
    low = math.floor(lowest / step) * step
    high = math.ceil(highest / step) * step
    low -= step if low == lowest else 0
    high += step if high == highest else 0
    floor_bound, ceiling_bound = rule.bounds
    if floor_bound is not None:
        low = max(low, floor_bound)
    if ceiling_bound is not None:
        high = min(high, ceiling_bound)
    return float(low), float(high)


def base_level(values: Values, rule: Rule) -> float:
    if rule.threshold == "national":
        return values[""][rule.base_year]
    here = [by[rule.base_year] for r, by in values.items() if r and rule.base_year in by]
    return round(statistics.median(here), 1)


def titles(code: str) -> dict[str, str]:
    """The indicator's national title (the global one when there is none), en/ru/kk."""
    if code.startswith("kz-"):
        return {}
    out = {}
    for lang in ("en", "ru", "kk"):
        for name in ("national_indicators", "global_indicators"):
            title = translations(lang, name).get(f"{code}-title")
            if title:
                out[lang] = " ".join(str(title).split())
                break
    return out


@functools.cache
def translations(lang: str, name: str) -> dict[str, Any]:
    path = DATA / "kazstat-sdg" / "translations" / lang / f"{name}.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _plain_source(source: Any) -> dict[str, Any]:
    return {k: dict(v) if hasattr(v, "items") else v for k, v in dict(source).items()}


def pm25_summary() -> dict[str, Any]:
    """Why 11-6-2 is left out: settlements, not regions, and rows that disagree."""
    path = DATA / "kazstat-sdg" / "data" / "indicator_11-6-2.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle)]
    keys = [(r["Year"], r["SERIES"], r["REF_AREA"]) for r in rows]
    repeated = {k for k in keys if keys.count(k) > 1}
    places = sorted({r["REF_AREA"] for r in rows})
    return {
        "rows": len(rows),
        "series": sorted({r["SERIES"] for r in rows}),
        "units": sorted({r["UNIT_MEASURE"] for r in rows}),
        "places": len(places),
        "current_region_codes_among_them": [p for p in places if p in CURRENT],
        "rows_in_repeated_year_series_place": sum(1 for k in keys if k in repeated),
        "values_exactly_zero": sum(1 for r in rows if _number(r["Value"]) == 0),
        "years": sorted({int(r["Year"]) for r in rows}),
    }


def cash_income_summary() -> dict[str, Any]:
    """Why kz-cash-income is not the income indicator: it stops before the 2022 regions."""
    path = DATA / "kz-stats" / "average-per-capita-nominal-cash-income__data_output.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    years = sorted({int(r["date"][:4]) for r in rows})
    names = sorted({r["region"] for r in rows if int(r["date"][:4]) == years[-1]})
    return {"first_year": years[0], "latest_year": years[-1], "units_in_latest_year": names}


# -- scoring with the engine ---------------------------------------------------------------


def score(standard: Standard, series: dict[str, Loaded]) -> dict[str, Any]:
    regions = tuple(CURRENT)
    years = tuple(range(WINDOW[0], WINDOW[1] + 1))
    values = np.full((len(standard.indicators), len(regions), len(years)), np.nan)
    for i, spec in enumerate(standard.indicators):
        for r, region in enumerate(regions):
            since = CURRENT[region] or 0
            for y, year in enumerate(years):
                value = series[spec.code].values.get(region, {}).get(year)
                if value is not None and year >= since:
                    values[i, r, y] = value
    result = evaluate(standard, Panel(values, standard.indicator_codes, regions, years))
    rows = result.rows()
    with_data = [y for y in years if not np.isnan(result.values[:, :, years.index(y)]).all()]
    full = [y for y in years if all(row["index"] is not None for row in rows if row["year"] == y)]
    shown = max(with_data)
    by_year: dict[str, Any] = {}
    for year in years[-6:]:
        these = [row for row in rows if row["year"] == year]
        by_year[str(year)] = {
            "regions_with_verdict": sum(1 for row in these if row["index"] is not None),
            "sufficient": sorted(row["region"] for row in these if row["sufficient"]),
            "components_covered": {
                code: sum(1 for row in these if row["components_covered"][code])
                for code in standard.component_codes
            },
        }
    return {
        "latest_year_with_data": shown,
        "latest_full_coverage_year": max(full) if full else None,
        "component_thresholds": dict(
            zip(standard.component_codes, map(float, result.component_thresholds), strict=True)
        ),
        "index_threshold": result.index_threshold,
        "by_year": by_year,
        "latest": [
            _rounded(row) | {"coverage": shares(result, standard, row["region"], shown)}
            for row in rows
            if row["year"] == shown
        ],
    }


def shares(result: Any, standard: Standard, region: str, year: int) -> dict[str, float]:
    """Share of each component's indicator weight with data (after carry-forward)."""
    r, y = result.regions.index(region), result.years.index(year)
    return {
        code: round(float(result.component_coverage[c, r, y]), 4)
        for c, code in enumerate(standard.component_codes)
    }


def _rounded(row: dict[str, Any]) -> dict[str, Any]:
    def r(value: Any) -> Any:
        if isinstance(value, float):
            return round(value, 4)
        if isinstance(value, dict):
            return {k: r(v) for k, v in value.items()}
        return value

    # Scores, not the raw values: the repository keeps no copy of the data.
    keep = ("region", "index", "sufficient", "failed_components", "components")
    out = {key: r(row[key]) for key in keep}
    out["carried"] = row["carried"]
    return out


# -- the printed summary ---------------------------------------------------------------------


def report(
    standard: Standard,
    indicators: dict[str, Any],
    scoring: dict[str, Any],
    mismatches: list[str],
) -> None:
    print(f"{'indicator':19}latest  regions  goalposts  threshold  threshold rule")
    for code, info in indicators.items():
        latest = info["latest_year"]
        cov = info["coverage_of_current_regions"][str(latest)]
        low, high = info["goalposts"]["standard"]
        regions = f"{cov['present']}/{cov['of']}"
        print(
            f"{code:19}{latest:<8}{regions:9}{f'{low:g}-{high:g}':11}"
            f"{info['threshold']['standard']:<11g}{info['rule']['threshold']}"
        )
    latest = scoring["latest_year_with_data"]
    print(
        f"\nlatest year with data: {latest}; latest year with every component "
        f"for all 20 regions: {scoring['latest_full_coverage_year']}"
    )
    codes = standard.component_codes
    header = "region  " + " ".join(f"{c[:11]:>11}" for c in codes)
    print(f"\ncoverage {latest}: share of component weight with data (c: a value carried)")
    print(header)
    for row in scoring["latest"]:
        carried = {c["indicator"] for c in row["carried"]}
        cells = []
        for component in standard.components:
            mark = "c" if any(i.code in carried for i in component.indicators) else ""
            cells.append(f"{row['coverage'][component.code]:.2f}{mark:1}".rjust(11))
        print(f"{row['region']:7} " + " ".join(cells))
    print(f"\nscores and verdicts {latest} (* below the component threshold)")
    print(header + "   index  verdict")
    for row in scoring["latest"]:
        cells = []
        for code in codes:
            score, mark = row["components"][code], "*" if code in row["failed_components"] else ""
            cells.append(f"{'-' if score is None else f'{score:.3f}'}{mark:1}".rjust(11))
        verdict = {True: "sufficient", False: "not", None: "no verdict"}[row["sufficient"]]
        index = "-" if row["index"] is None else f"{row['index']:.3f}"
        print(f"{row['region']:7} " + " ".join(cells) + f"   {index:>5}  {verdict}")
    thresholds = scoring["component_thresholds"]
    print("thresh  " + " ".join(f"{thresholds[c]:11.3f}" for c in codes), end="")
    print(f"   {scoring['index_threshold']:.3f}")
    for message in mismatches:
        print("MISMATCH", message)


if __name__ == "__main__":
    raise SystemExit(main())
