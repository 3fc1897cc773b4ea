"""QoL engine benchmark on a synthetic panel: every year scored, then one year's
uncertainty and sensitivity.

    .venv/bin/python bench/qol_engine.py

One run is what a page that shows a standard's results does, from the document on:

1. ``parse_standard`` of a synthetic standard: 20 indicators in 10 components (mixed
   directions, log transforms, floors, carry-forward of 2 years);
2. ``evaluate`` of a synthetic panel, 20 regions × 14 years, about 5% of values missing,
   and ``.rows()`` for every region and year;
3. ``uncertainty`` for the latest year: 1,000 Monte Carlo draws and the Sobol indices
   (1,024 base samples, 5,120 model runs).

Wall time is the median of 5 runs (aim: at most 2 s); memory is the tracemalloc peak
of one more run and the process's maximum resident set. Writes
bench/results/qol-engine.json and exits 1 when the aim is missed. No real data: every
value comes from a seeded generator, and every name says "synthetic".
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qadam.lib.qol import Panel, evaluate, parse_standard, uncertainty  # noqa: E402

RESULT = ROOT / "bench" / "results" / "qol-engine.json"
AIM_S = 2.0
RUNS = 5
REGIONS, YEARS, COMPONENTS, PER_COMPONENT = 20, range(2011, 2025), 10, 2
MISSING = 0.05
DRAWS, SOBOL_SAMPLES, SEED = 1000, 1024, 20251


def synthetic_standard() -> dict[str, Any]:
    """Ten components of two indicators; every third indicator is lower-is-better, every
    fifth log-transformed (income-like), every seventh has a floor."""
    components = []
    for c in range(COMPONENTS):
        indicators = []
        for k in range(PER_COMPONENT):
            n = c * PER_COMPONENT + k
            lower = n % 3 == 0
            log = n % 5 == 0
            low, high = (100.0, 100000.0) if log else (0.0, 100.0)
            threshold = 3000.0 if log else (40.0 if lower else 60.0)
            indicator: dict[str, Any] = {
                "code": f"synthetic-{n:02d}",
                "name": {"en": f"Synthetic indicator {n}"},
                "source": {"dataset": "synthetic", "indicator": f"synthetic-{n:02d}"},
                "direction": "lower-is-better" if lower else "higher-is-better",
                "transform": "log" if log else "none",
                "goalposts": {"low": low, "high": high},
                "threshold": threshold,
                "weight": 1.0 + k,
            }
            if n % 7 == 0 and not log:
                indicator["floor"] = 90.0 if lower else 10.0
            indicators.append(indicator)
        components.append(
            {
                "code": f"synthetic-component-{c}",
                "name": {"en": f"Synthetic component {c}"},
                "weight": 1.0 + (c % 3) / 2,
                "indicators": indicators,
            }
        )
    return {
        "format": "qadam-qol-standard/1",
        "code": "synthetic-benchmark",
        "title": {"en": "Synthetic benchmark standard"},
        "verdict": {"max_failed_components": 2},
        "missing": {"min_coverage": 0.5, "carry_forward_years": 2},
        "components": components,
    }


def synthetic_panel(doc: dict[str, Any]) -> tuple[np.ndarray, list[str], list[str], list[int]]:
    """Values inside and a little beyond the goalposts, regions drifting upwards by year."""
    rng = np.random.default_rng(SEED)
    specs = [i for c in doc["components"] for i in c["indicators"]]
    years = list(YEARS)
    level = rng.uniform(0.1, 0.9, size=(len(specs), REGIONS, 1))
    trend = np.linspace(0, 0.1, len(years))[None, None, :]
    share = np.clip(level + trend + rng.normal(0, 0.05, (len(specs), REGIONS, len(years))), 0, 1.1)
    values = np.empty_like(share)
    for n, spec in enumerate(specs):
        low, high = spec["goalposts"]["low"], spec["goalposts"]["high"]
        if spec["transform"] == "log":
            values[n] = np.exp(np.log(low) + share[n] * (np.log(high) - np.log(low)))
        else:
            values[n] = low + share[n] * (high - low)
        if spec["direction"] == "lower-is-better":
            values[n] = low + high - values[n]
    values[rng.random(values.shape) < MISSING] = np.nan
    regions = [f"SYNTH-{r:02d}" for r in range(REGIONS)]
    return values, [str(s["code"]) for s in specs], regions, years


def once(doc: dict[str, Any], data: tuple[np.ndarray, list[str], list[str], list[int]]) -> dict:
    standard = parse_standard(doc)
    values, codes, regions, years = data
    panel = Panel(values, codes, regions, years)
    rows = evaluate(standard, panel).rows()
    ranks = uncertainty(
        standard, panel, years[-1], draws=DRAWS, seed=SEED, sobol_samples=SOBOL_SAMPLES
    )
    return {
        "rows": len(rows),
        "sufficient": sum(1 for row in rows if row["sufficient"]),
        "no_verdict": sum(1 for row in rows if row["sufficient"] is None),
        "ranked": len(ranks.regions),
        "wide": int(ranks.wide.sum()),
        "sobol": ranks.sobol,
    }


def main() -> int:
    doc = synthetic_standard()
    data = synthetic_panel(doc)
    once(doc, data)  # warm-up: imports, scipy's Sobol engine
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        facts = once(doc, data)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    once(doc, data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    wall = statistics.median(times)
    result = {
        "wall_s_median": round(wall, 4),
        "wall_s_runs": [round(t, 4) for t in times],
        "peak_mb": round(peak / 2**20, 2),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "draws": DRAWS,
        "sobol_samples": SOBOL_SAMPLES,
        "model_runs": DRAWS + SOBOL_SAMPLES * 5,
        "regions": REGIONS,
        "years": len(YEARS),
        "indicators": COMPONENTS * PER_COMPONENT,
        "components": COMPONENTS,
        "missing_share": MISSING,
        "outcome": facts,
        "aim_s": AIM_S,
        "meets_aim": wall <= AIM_S,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
        },
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k not in ("outcome", "machine")}))
    return 0 if result["meets_aim"] else 1


if __name__ == "__main__":
    sys.exit(main())
