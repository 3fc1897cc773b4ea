"""Facts the loaders check curated files against, read from QADAM_DATA_DIR."""

from __future__ import annotations

import csv
import html
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

UPR_INFO_CSV = Path("upr-info") / "recommendations.csv"
REGIONS_GEOJSON = Path("geo") / "kz-regions-2022.geojson"


@dataclass
class UprInfoFacts:
    """The distinct issue names and State names (with their groups) of UPR Info."""

    issues: Counter[str] = field(default_factory=Counter)
    # State name as spelled → regional group → rows.
    state_groups: dict[str, Counter[str]] = field(default_factory=dict)


def _clean(value: str) -> str:
    # The export HTML-escapes some cells ("&#40;Unknown&#41;").
    return " ".join(html.unescape(value or "").split())


def read_upr_info(data_dir: Path) -> UprInfoFacts | None:
    path = data_dir / UPR_INFO_CSV
    if not path.is_file():
        return None
    facts = UprInfoFacts()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for issue in (row.get("Issue") or "").split(","):
                if issue.strip():
                    facts.issues[_clean(issue)] += 1
            for name_col, group_col in (("To", "To-Rgrp"), ("From", "From-Rgrp")):
                name = _clean(row.get(name_col, ""))
                if name:
                    groups = facts.state_groups.setdefault(name, Counter())
                    groups[_clean(row.get(group_col, ""))] += 1
    return facts


def read_region_shapes(data_dir: Path) -> list[dict[str, Any]] | None:
    """The ``properties`` of each feature of the 2022 region boundaries."""
    path = data_dir / REGIONS_GEOJSON
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    return [feature.get("properties") or {} for feature in data.get("features", [])]
