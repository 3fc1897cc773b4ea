"""Regions of Kazakhstan, from ``data/regions-kz.yaml`` and the 2022 boundaries.

    regions:
      - {code: KZAKM, kind: region, valid_from: null, valid_to: null,
         name: {en: ..., ru: ..., kk: ...}}

Each region whose borders still exist is matched to one feature of
``geo/kz-regions-2022.geojson`` through any of its names against the feature's
``name``, ``local_name`` or ``name_ru``; the feature's ``name`` becomes
``shape_name``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qadam.taxonomy.loaders.base import (
    LoadReport,
    ReferenceDataError,
    check_keys,
    clean_names,
    require,
    sync,
)
from qadam.taxonomy.models import Region
from qadam.taxonomy.reference import normalise_name

KINDS = {"region", "city"}
SHAPE_NAME_FIELDS = ("name", "local_name", "name_ru")


def _row(raw: dict[str, Any], where: str) -> dict[str, Any]:
    check_keys(raw, {"code", "kind", "valid_from", "valid_to", "name"}, where)
    code = str(require(raw, "code", where))
    kind = str(raw.get("kind") or "region")
    if kind not in KINDS:
        raise ReferenceDataError(f"{where} {code}: kind must be one of {sorted(KINDS)}")
    return {
        "code": code,
        "kind": kind,
        "valid_from": raw.get("valid_from"),
        "valid_to": raw.get("valid_to"),
        "name": clean_names(require(raw, "name", f"{where} {code}"), f"{where} {code}"),
    }


def match_shapes(names: dict[str, str], shapes: list[dict[str, Any]]) -> list[str]:
    """The ``name`` of every feature that carries one of ``names`` in any language."""
    keys = {normalise_name(n) for n in names.values()}
    return [
        str(props.get("name"))
        for props in shapes
        if keys & {normalise_name(str(props.get(f) or "")) for f in SHAPE_NAME_FIELDS}
    ]


def _attach_shapes(
    rows: dict[str, dict[str, Any]], shapes: list[dict[str, Any]], report: LoadReport
) -> None:
    for code, row in rows.items():
        if row["valid_to"] is not None:
            continue  # a former unit has no 2022 shape
        matches = match_shapes(row["name"], shapes)
        if len(matches) == 1:
            row["shape_name"] = matches[0]
        else:
            report.warn(f"region {code}: {len(matches)} shapes match {row['name']['en']!r}")


def load_regions(
    data: dict[str, Any], path: Path, report: LoadReport, shapes: list[dict[str, Any]] | None
) -> None:
    items = data.get("regions")
    if not isinstance(items, list):
        raise ReferenceDataError(f"{path}: 'regions' must be a list")
    rows: dict[str, dict[str, Any]] = {}
    for i, raw in enumerate(items):
        row = _row(raw, f"{path}: region #{i + 1}")
        rows[row["code"]] = row
    if shapes is None:
        report.warn("regions: geo/kz-regions-2022.geojson not found; shape names left as they are")
    else:
        _attach_shapes(rows, shapes, report)
    sync(Region.objects.all(), lambda r: r.code, rows, report.kind("region"))
