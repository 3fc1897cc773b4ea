"""Shared machinery of the reference loaders: the report, YAML reading and upserts.

Every loader turns a source into plain rows (dicts of field values) and hands them
to ``sync``, which compares them with what the database holds and writes only the
difference, in bulk. That is what makes a second run fast and a no-op.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from django.db import models

M = TypeVar("M", bound=models.Model)
K = TypeVar("K", bound=Hashable)

# The C loader parses the SDG translation files several times faster.
YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Fields holding lists of spellings: the loader adds missing entries and never
# removes one, so aliases added in the admin survive a reload.
MERGED_LIST_FIELDS = frozenset({"aliases"})


@dataclass
class KindCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated


@dataclass
class LoadReport:
    """Counts per kind of row, plus warnings a curator should read."""

    counts: dict[str, KindCounts] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)

    def kind(self, name: str) -> KindCounts:
        return self.counts.setdefault(name, KindCounts())

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    @property
    def changed(self) -> bool:
        return any(c.changed for c in self.counts.values())

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {
            name: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged}
            for name, c in self.counts.items()
        }


class ReferenceDataError(Exception):
    """A curated file or a source file is malformed; the message names the file."""


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=YamlLoader)  # a safe loader, C or Python
    except yaml.YAMLError as exc:
        raise ReferenceDataError(f"{path}: invalid YAML: {exc}") from exc


def require(mapping: dict[str, Any], key: str, where: str) -> Any:
    if key not in mapping or mapping[key] in (None, ""):
        raise ReferenceDataError(f"{where}: missing {key!r}")
    return mapping[key]


def check_keys(mapping: dict[str, Any], allowed: Iterable[str], where: str) -> None:
    """Reject unknown keys, so that a typo in a curated file is not silently ignored."""
    if not isinstance(mapping, dict):
        raise ReferenceDataError(f"{where}: expected a mapping, got {mapping!r}")
    unknown = set(mapping) - set(allowed)
    if unknown:
        raise ReferenceDataError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")


def clean_names(raw: Any, where: str) -> dict[str, str]:
    """A {language: text} mapping with blank entries dropped and spaces collapsed."""
    if not isinstance(raw, dict):
        raise ReferenceDataError(f"{where}: name must be a mapping of language to text")
    names = {str(lang): " ".join(str(text).split()) for lang, text in raw.items() if text}
    if not names.get("en"):
        raise ReferenceDataError(f"{where}: an English name (name.en) is required")
    return names


def clean_list(raw: Any) -> list[str]:
    return [" ".join(str(item).split()) for item in raw or [] if str(item).strip()]


_NUMBER_RE = re.compile(r"\d+")


def dotted_sort_key(code: str) -> str:
    """Sort key for dotted codes: "1.10" after "1.9", letters ("1.a") after numbers."""
    parts = []
    for part in code.split("."):
        parts.append(part.zfill(3) if _NUMBER_RE.fullmatch(part) else part.lower())
    return ".".join(parts)


def merge_list(current: list[str], wanted: list[str]) -> list[str]:
    return list(current) + [item for item in wanted if item not in current]


def _current(obj: models.Model, name: str) -> Any:
    # Compare foreign keys by id, so that no related row is fetched.
    fld = obj._meta.get_field(name)
    if isinstance(fld, models.Field) and fld.is_relation:
        return getattr(obj, fld.attname)
    return getattr(obj, name)


def _wanted(obj: models.Model, name: str, value: Any) -> Any:
    fld = obj._meta.get_field(name)
    if fld.is_relation:
        return value.pk if isinstance(value, models.Model) else value
    return value


def apply_row(obj: models.Model, row: dict[str, Any]) -> list[str]:
    """Set ``row`` on ``obj``; return the names of the fields that changed."""
    changed = []
    for name, value in row.items():
        current = _current(obj, name)
        if name in MERGED_LIST_FIELDS:
            value = merge_list(current or [], value)
        if current != _wanted(obj, name, value):
            setattr(obj, name, value)
            changed.append(name)
    return changed


def sync(
    queryset: models.QuerySet[M],
    key: Callable[[M], K],
    rows: dict[K, dict[str, Any]],
    counts: KindCounts,
) -> dict[K, M]:
    """Create or update ``rows`` (natural key → field values) against ``queryset``.

    Rows already in the database but not in ``rows`` are left alone: reference data
    is never deleted by a load, because recommendations may point at it.
    """
    model = queryset.model
    existing = {key(obj): obj for obj in queryset}
    to_create: list[M] = []
    to_update: list[M] = []
    fields: set[str] = set()
    for natural_key, row in rows.items():
        obj = existing.get(natural_key)
        if obj is None:
            obj = model(**row)
            to_create.append(obj)
            existing[natural_key] = obj
            continue
        changed = apply_row(obj, row)
        if changed:
            to_update.append(obj)
            fields.update(changed)
        else:
            counts.unchanged += 1
    if to_create:
        model._default_manager.bulk_create(to_create, batch_size=500)
        counts.created += len(to_create)
    if to_update:
        model._default_manager.bulk_update(to_update, sorted(fields), batch_size=500)
        counts.updated += len(to_update)
    return existing
