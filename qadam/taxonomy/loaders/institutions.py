"""Institutions of Kazakhstan, from ``data/institutions-kz.yaml``.

institutions:
  - code: MLSP                 # the acronym plans use; the natural key
    kind: ministry
    active: true               # optional; false for a former body
    name: {en: ..., ru: ..., kk: ...}
    aliases: [...]             # other acronyms and former names
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qadam.taxonomy.loaders.base import (
    LoadReport,
    ReferenceDataError,
    check_keys,
    clean_list,
    clean_names,
    require,
    sync,
)
from qadam.taxonomy.models import Institution
from qadam.taxonomy.reference import InstitutionResolver

KINDS = {choice.value for choice in Institution.Kind}


def _row(raw: dict[str, Any], where: str) -> dict[str, Any]:
    check_keys(raw, {"code", "kind", "active", "name", "aliases"}, where)
    code = str(require(raw, "code", where))
    kind = str(require(raw, "kind", where))
    if kind not in KINDS:
        raise ReferenceDataError(f"{where} {code}: kind must be one of {sorted(KINDS)}")
    return {
        "code": code,
        "kind": kind,
        "active": bool(raw.get("active", True)),
        "name": clean_names(require(raw, "name", f"{where} {code}"), f"{where} {code}"),
        "aliases": clean_list(raw.get("aliases")),
    }


def load_institutions(data: dict[str, Any], path: Path, report: LoadReport) -> None:
    items = data.get("institutions")
    if not isinstance(items, list):
        raise ReferenceDataError(f"{path}: 'institutions' must be a list")
    rows: dict[str, dict[str, Any]] = {}
    for i, raw in enumerate(items):
        row = _row(raw, f"{path}: institution #{i + 1}")
        if row["code"].casefold() in {code.casefold() for code in rows}:
            raise ReferenceDataError(f"{path}: {row['code']} listed twice")
        rows[row["code"]] = row
    # Two institutions claiming one spelling would make plans ambiguous: say so.
    resolver = InstitutionResolver(Institution(**row) for row in rows.values())
    for key, claimants in sorted(resolver.index.ambiguous.items()):
        report.warn(f"institutions: {key!r} names several bodies: {', '.join(sorted(claimants))}")
    sync(Institution.objects.all(), lambda inst: inst.code, rows, report.kind("institution"))
