"""Load Qadam's reference data: curated YAML in ``taxonomy/data`` plus QADAM_DATA_DIR.

``load_reference`` runs every step in order (or the ones named in ``only``) and
returns a ``LoadReport``. It does not open a transaction: ``actions.do_load_reference``
does, and audits the result. A step is a name ("sdg") or a YAML file; a YAML file
is dispatched on its top-level key (taxonomies, mappings, mechanisms, states,
institutions, regions), so a new taxonomy needs a file, not code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qadam.taxonomy.loaders.base import KindCounts, LoadReport, ReferenceDataError, read_yaml
from qadam.taxonomy.loaders.institutions import load_institutions
from qadam.taxonomy.loaders.mappings import load_mappings
from qadam.taxonomy.loaders.mechanisms import load_mechanisms
from qadam.taxonomy.loaders.regions import load_regions
from qadam.taxonomy.loaders.sdg import load_sdg
from qadam.taxonomy.loaders.sources import (
    UprInfoFacts,
    read_region_shapes,
    read_upr_info,
)
from qadam.taxonomy.loaders.states import load_states
from qadam.taxonomy.loaders.taxonomies import TaxonomySpec, parse_taxonomy_file, sync_taxonomy

__all__ = [
    "CURATED_DIR",
    "STEPS",
    "STEP_NAMES",
    "KindCounts",
    "LoadReport",
    "ReferenceDataError",
    "load_file",
    "load_reference",
    "resolve_step",
]

CURATED_DIR = Path(__file__).resolve().parent.parent / "data"

# The full load, in dependency order: mappings need both taxonomies' terms.
STEPS = (
    "sdg",
    "mechanisms.yaml",
    "upr-info-issues.yaml",
    "ohchr-themes.yaml",
    "mapping-upr-info-ohchr.yaml",
    "states.yaml",
    "institutions-kz.yaml",
    "regions-kz.yaml",
)


@dataclass
class LoadContext:
    """What the steps share: the data dir, options and lazily read source facts."""

    data_dir: Path
    report: LoadReport
    reset_mappings: bool = False
    _cache: dict[str, Any] = field(default_factory=dict)

    def upr_info(self) -> UprInfoFacts | None:
        if "upr_info" not in self._cache:
            self._cache["upr_info"] = read_upr_info(self.data_dir)
        return self._cache["upr_info"]  # type: ignore[no-any-return]

    def region_shapes(self) -> list[dict[str, Any]] | None:
        if "shapes" not in self._cache:
            self._cache["shapes"] = read_region_shapes(self.data_dir)
        return self._cache["shapes"]  # type: ignore[no-any-return]


def _check_upr_info_issues(spec: TaxonomySpec, ctx: LoadContext) -> None:
    facts = ctx.upr_info()
    if facts is None:
        return
    names = {term.name["en"] for term in spec.terms}
    for missing in sorted(set(facts.issues) - names):
        ctx.report.warn(f"UPR Info issue {missing!r} is not in the upr-info-issue taxonomy")
    for extra in sorted(names - set(facts.issues)):
        ctx.report.warn(f"upr-info-issue {extra!r} does not occur in the UPR Info export")


# Checks of a taxonomy against the source it claims to mirror.
TAXONOMY_CHECKS: dict[str, Callable[[TaxonomySpec, LoadContext], None]] = {
    "upr-info-issue": _check_upr_info_issues,
}


def _load_taxonomies(data: dict[str, Any], path: Path, ctx: LoadContext) -> None:
    for spec in parse_taxonomy_file(data, path):
        check = TAXONOMY_CHECKS.get(spec.code)
        if check is not None:
            check(spec, ctx)
        sync_taxonomy(spec, ctx.report)


HANDLERS: dict[str, Callable[[dict[str, Any], Path, LoadContext], None]] = {
    "taxonomies": _load_taxonomies,
    "mappings": lambda d, p, c: load_mappings(d, p, c.report, c.reset_mappings),
    "mechanisms": lambda d, p, c: load_mechanisms(d, p, c.report),
    "states": lambda d, p, c: load_states(d, p, c.report, c.upr_info()),
    "institutions": lambda d, p, c: load_institutions(d, p, c.report),
    "regions": lambda d, p, c: load_regions(d, p, c.report, c.region_shapes()),
}


def load_file(path: Path, ctx: LoadContext) -> None:
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ReferenceDataError(f"{path}: expected a mapping at the top level")
    kinds = [key for key in HANDLERS if key in data]
    if len(kinds) != 1:
        raise ReferenceDataError(
            f"{path}: needs exactly one top-level key among {', '.join(HANDLERS)}"
        )
    HANDLERS[kinds[0]](data, path, ctx)


# Short names for --only: "institutions" is institutions-kz.yaml.
STEP_NAMES = {
    "sdg": "sdg",
    "mechanisms": "mechanisms.yaml",
    "upr-info-issues": "upr-info-issues.yaml",
    "ohchr-themes": "ohchr-themes.yaml",
    "mapping": "mapping-upr-info-ohchr.yaml",
    "states": "states.yaml",
    "institutions": "institutions-kz.yaml",
    "regions": "regions-kz.yaml",
}


def resolve_step(name: str) -> str | Path:
    """A step ("institutions", "institutions-kz.yaml") or the path of any YAML file."""
    if name in STEPS:
        return name
    for short, step in STEP_NAMES.items():
        if name.removesuffix(".yaml") in (short, step.removesuffix(".yaml")):
            return step
    path = Path(name)
    if path.is_file():
        return path.resolve()
    raise ReferenceDataError(
        f"unknown step {name!r}: use one of {', '.join(STEP_NAMES)} or the path of a YAML file"
    )


def load_reference(
    data_dir: Path,
    only: Iterable[str] | None = None,
    reset_mappings: bool = False,
) -> LoadReport:
    report = LoadReport()
    ctx = LoadContext(data_dir=Path(data_dir), report=report, reset_mappings=reset_mappings)
    steps = [resolve_step(s) for s in only] if only else list(STEPS)
    for step in steps:
        report.steps.append(str(step))
        if step == "sdg":
            load_sdg(ctx.data_dir, report)
        else:
            load_file(step if isinstance(step, Path) else CURATED_DIR / step, ctx)
    return report
