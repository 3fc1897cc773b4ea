"""Any taxonomy, from a YAML file: the format every future taxonomy uses.

    translation_note: ...          # optional, documentation only
    taxonomies:
      - code: upr-info-issue       # Taxonomy.code (a slug); the natural key
        name: {en: ..., ru: ..., kk: ...}
        version: "2015"            # optional
        source: ...                # optional; credit the source here
        description: ...           # optional
        facet: issue               # optional; the recommendation-list filter it fills
        sort_order: 30             # optional
        ordered: true              # optional; keep the file's term order
        parent_taxonomy: ...       # optional; where `parent` codes live (default: here)
        terms:
          - code: death-penalty    # Term.code, unique within the taxonomy
            name: {en: ..., ru: ..., kk: ...}
            aliases: [...]         # optional; other spellings found in sources
            parent: ...            # optional; the parent term's code
            seen_in: [...]         # optional; documentation only

See docs/reference-data.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
from qadam.taxonomy.models import Taxonomy, Term

TAXONOMY_KEYS = {
    "code",
    "name",
    "version",
    "source",
    "description",
    "facet",
    "sort_order",
    "ordered",
    "parent_taxonomy",
    "terms",
}
TERM_KEYS = {"code", "name", "aliases", "parent", "seen_in", "note"}


@dataclass
class TermSpec:
    code: str
    name: dict[str, str]
    aliases: list[str] = field(default_factory=list)
    parent: str = ""
    sort_key: str = ""


@dataclass
class TaxonomySpec:
    code: str
    name: dict[str, str]
    terms: list[TermSpec]
    version: str = ""
    source: str = ""
    description: str = ""
    facet: str = ""
    sort_order: int = 0
    parent_taxonomy: str = ""

    def row(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "version": self.version,
            "source": self.source,
            "description": " ".join(self.description.split()),
            "facet": self.facet,
            "sort_order": self.sort_order,
        }


def _term(raw: Any, index: int, ordered: bool, where: str) -> TermSpec:
    if not isinstance(raw, dict):
        raise ReferenceDataError(f"{where}: each term must be a mapping")
    check_keys(raw, TERM_KEYS, where)
    code = str(require(raw, "code", where)).strip()
    return TermSpec(
        code=code,
        name=clean_names(require(raw, "name", f"{where} {code}"), f"{where} {code}"),
        aliases=clean_list(raw.get("aliases")),
        parent=str(raw.get("parent") or "").strip(),
        sort_key=f"{index:04d}" if ordered else "",
    )


def parse_taxonomy(raw: Any, where: str) -> TaxonomySpec:
    if not isinstance(raw, dict):
        raise ReferenceDataError(f"{where}: each taxonomy must be a mapping")
    check_keys(raw, TAXONOMY_KEYS, where)
    code = str(require(raw, "code", where))
    where = f"{where} {code}"
    ordered = bool(raw.get("ordered"))
    terms = [
        _term(t, i, ordered, f"{where} term #{i + 1}")
        for i, t in enumerate(require(raw, "terms", where))
    ]
    codes = [t.code for t in terms]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise ReferenceDataError(f"{where}: duplicate term code(s) {', '.join(duplicates)}")
    return TaxonomySpec(
        code=code,
        name=clean_names(require(raw, "name", where), where),
        terms=terms,
        version=str(raw.get("version") or ""),
        source=str(raw.get("source") or ""),
        description=str(raw.get("description") or ""),
        facet=str(raw.get("facet") or ""),
        sort_order=int(raw.get("sort_order") or 0),
        parent_taxonomy=str(raw.get("parent_taxonomy") or ""),
    )


def parse_taxonomy_file(data: dict[str, Any], path: Path) -> list[TaxonomySpec]:
    items = data.get("taxonomies")
    if not isinstance(items, list) or not items:
        raise ReferenceDataError(f"{path}: 'taxonomies' must be a non-empty list")
    return [parse_taxonomy(raw, f"{path}: taxonomy #{i + 1}") for i, raw in enumerate(items)]


def _levels(terms: list[TermSpec], local: bool) -> list[list[TermSpec]]:
    """Terms in waves, parents before children, when parents live in this taxonomy."""
    if not local:
        return [terms]
    by_code = {t.code: t for t in terms}
    depth: dict[str, int] = {}

    def depth_of(term: TermSpec, seen: tuple[str, ...] = ()) -> int:
        if term.code in seen:
            raise ReferenceDataError(f"term {term.code}: parent cycle {' → '.join(seen)}")
        if term.code not in depth:
            parent = by_code.get(term.parent)
            depth[term.code] = 0 if parent is None else depth_of(parent, (*seen, term.code)) + 1
        return depth[term.code]

    waves: dict[int, list[TermSpec]] = {}
    for term in terms:
        waves.setdefault(depth_of(term), []).append(term)
    return [waves[d] for d in sorted(waves)]


def _parents(spec: TaxonomySpec) -> dict[str, Term]:
    if not spec.parent_taxonomy:
        return {}
    return {t.code: t for t in Term.objects.filter(taxonomy__code=spec.parent_taxonomy)}


def sync_taxonomy(spec: TaxonomySpec, report: LoadReport) -> Taxonomy:
    """Create or update one taxonomy and its terms (never deleting a term)."""
    rows = {spec.code: spec.row()}
    taxonomy = sync(
        Taxonomy.objects.filter(code=spec.code), lambda t: t.code, rows, report.kind("taxonomy")
    )[spec.code]
    parents = _parents(spec)
    local = not spec.parent_taxonomy
    queryset = Term.objects.filter(taxonomy=taxonomy)
    for wave in _levels(spec.terms, local):
        term_rows = {}
        for term in wave:
            parent = parents.get(term.parent) if term.parent else None
            if term.parent and parent is None:
                raise ReferenceDataError(
                    f"taxonomy {spec.code}, term {term.code}: unknown parent {term.parent!r}"
                )
            term_rows[term.code] = {
                "taxonomy": taxonomy,
                "code": term.code,
                "name": term.name,
                "aliases": term.aliases,
                "parent": parent,
                "sort_key": term.sort_key,
            }
        synced = sync(queryset, lambda t: t.code, term_rows, report.kind("term"))
        if local:
            parents.update({code: synced[code] for code in term_rows})
    return taxonomy
