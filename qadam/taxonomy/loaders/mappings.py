"""Mappings between the terms of two taxonomies, from a YAML file.

    mappings:
      source: upr-info-issue      # taxonomy of the source terms
      target: ohchr-theme         # taxonomy of the target terms
      items:
        - {source: death-penalty, target: death-penalty, relation: exact, note: ...}
      unmapped:                   # optional: source terms deliberately left out
        - {source: other, note: ...}

Mappings are edited in the admin as well, so a load creates missing pairs and
leaves existing ones as they are; ``reset=True`` restores the file's relation and
note. No pair is ever deleted by a load.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qadam.taxonomy.loaders.base import LoadReport, ReferenceDataError, check_keys, require, sync
from qadam.taxonomy.models import Term, TermMapping

RELATIONS = {choice.value for choice in TermMapping.Relation}


def _terms(taxonomy: str, path: Path) -> dict[str, Term]:
    terms = {t.code: t for t in Term.objects.filter(taxonomy__code=taxonomy)}
    if not terms:
        raise ReferenceDataError(f"{path}: taxonomy {taxonomy!r} has no terms; load it first")
    return terms


def _lookup(terms: dict[str, Term], code: str, where: str) -> Term:
    term = terms.get(code)
    if term is None:
        raise ReferenceDataError(f"{where}: unknown term {code!r}")
    return term


def _rows(
    data: dict[str, Any], sources: dict[str, Term], targets: dict[str, Term], path: Path
) -> dict[tuple[int, int], dict[str, Any]]:
    rows: dict[tuple[int, int], dict[str, Any]] = {}
    for i, item in enumerate(require(data, "items", str(path))):
        where = f"{path}: mapping #{i + 1}"
        check_keys(item, {"source", "target", "relation", "note"}, where)
        relation = str(item.get("relation") or TermMapping.Relation.EXACT)
        if relation not in RELATIONS:
            raise ReferenceDataError(f"{where}: relation must be one of {sorted(RELATIONS)}")
        source = _lookup(sources, str(require(item, "source", where)), where)
        target = _lookup(targets, str(require(item, "target", where)), where)
        if (source.pk, target.pk) in rows:
            raise ReferenceDataError(f"{where}: duplicate pair {source.code} → {target.code}")
        rows[(source.pk, target.pk)] = {
            "source": source,
            "target": target,
            "relation": relation,
            "note": " ".join(str(item.get("note") or "").split()),
        }
    for item in data.get("unmapped") or []:
        _lookup(sources, str(require(item, "source", f"{path}: unmapped")), f"{path}: unmapped")
    return rows


def load_mappings(data: dict[str, Any], path: Path, report: LoadReport, reset: bool) -> None:
    spec = data.get("mappings")
    if not isinstance(spec, dict):
        raise ReferenceDataError(f"{path}: 'mappings' must be a mapping")
    check_keys(spec, {"source", "target", "items", "unmapped"}, str(path))
    sources = _terms(str(require(spec, "source", str(path))), path)
    targets = _terms(str(require(spec, "target", str(path))), path)
    rows = _rows(spec, sources, targets, path)
    queryset = TermMapping.objects.filter(source__in=sources.values(), target__in=targets.values())
    counts = report.kind("term mapping")
    if not reset:
        # Pairs that exist keep their admin-edited relation and note.
        existing = set(queryset.values_list("source_id", "target_id"))
        counts.unchanged += len(existing & rows.keys())
        rows = {key: row for key, row in rows.items() if key not in existing}
    sync(queryset, lambda m: (m.source_id, m.target_id), rows, counts)
