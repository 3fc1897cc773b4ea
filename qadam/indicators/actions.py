"""Every write to indicators: imports of Open SDG repositories and kz-stats tables, and
the secretariat's links between indicators and recommendations.

An import replaces a dataset's series and observations in one transaction, so a failed
import leaves the previous data whole, and re-running an unchanged import writes nothing.
Rows the readers cannot use are never stored; they go, with reasons, to the run's report.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qadam.audit.actions import record
from qadam.indicators.models import (
    Dataset,
    ImportRun,
    Indicator,
    IndicatorLink,
    Observation,
    Series,
)
from qadam.lib import opensdg
from qadam.registry.models import Recommendation
from qadam.taxonomy.models import Region, Term

BULK = 5000
# A run's report keeps every problem up to this many; counts per code are always whole.
MAX_REPORTED_PROBLEMS = 5000
MAX_ROWS_PER_PROBLEM = 200
DATASET_NAMES: dict[str, dict[str, str]] = {
    "kazstat-sdg": {
        "en": "SDG indicators of the Bureau of National Statistics",
        "ru": "Индикаторы ЦУР Бюро национальной статистики",
        "kk": "Ұлттық статистика бюросының ТДМ индикаторлары",
    },
    "kz-stats": {
        "en": "Regional statistics (kz-stats)",
        "ru": "Региональная статистика (kz-stats)",
        "kk": "Өңірлік статистика (kz-stats)",
    },
}
CREDITS = {
    Dataset.Kind.OPENSDG: "Bureau of National Statistics of the Republic of Kazakhstan, "
    "Open SDG data (sdg-data-kazstat), MIT licence.",
    Dataset.Kind.KZ_STATS: "Bureau of National Statistics of the Republic of Kazakhstan, "
    "repackaged by the open-data-kazakhstan project.",
}

Progress = Callable[[int], None]


class ImportSourceError(ValidationError):
    """The source cannot be read at all: a missing folder, an unreachable URL."""


def region_codes() -> set[str]:
    return set(Region.objects.values_list("code", flat=True))


def default_origin(kind: str) -> str:
    folder = "kazstat-sdg" if kind == Dataset.Kind.OPENSDG else "kz-stats"
    return str(Path(settings.QADAM_DATA_DIR) / folder)


def do_queue_import(
    actor: Any, kind: str, origin: str, dataset_code: str = "", force: bool = False
) -> ImportRun:
    """Record an import to run in the background (tasks.import_indicators)."""
    _require(actor, "indicators.import")
    run = ImportRun.objects.create(
        kind=kind,
        origin=origin,
        dataset_code=dataset_code or _default_code(kind),
        force=force,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(actor, "indicators.import.queue", run, {"origin": origin, "kind": kind})
    return run


def do_import(actor: Any, run: ImportRun, progress: Progress | None = None) -> ImportRun:
    """Read the run's source and replace its dataset's data; the run keeps the report."""
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING, progress=0)
    try:
        repository = _read(run, progress)
    except (opensdg.SourceError, OSError) as exc:
        _finish(run, ImportRun.Status.FAILED, error=str(exc))
        raise ImportSourceError(str(exc)) from exc
    fingerprint = _fingerprint(repository)
    dataset = Dataset.objects.filter(code=run.dataset_code).first()
    counts = _counts(repository)
    if dataset and dataset.fingerprint == fingerprint and not run.force:
        _finish(run, ImportRun.Status.UNCHANGED, repository, counts)
        return run
    with transaction.atomic():
        dataset = _store(run, repository, fingerprint)
        record(actor, "indicators.import", dataset, {"origin": run.origin, "counts": counts})
    _finish(run, ImportRun.Status.DONE, repository, counts)
    return run


def _require(actor: Any, perm: str) -> None:
    """None is the system (a command line, a job); a person needs the permission."""
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied


def do_fail_import(run: ImportRun, error: str) -> None:
    _finish(run, ImportRun.Status.FAILED, error=error)


def _default_code(kind: str) -> str:
    return "kazstat-sdg" if kind == Dataset.Kind.OPENSDG else "kz-stats"


def _read(run: ImportRun, progress: Progress | None) -> opensdg.Repository:
    regions = region_codes()
    if run.kind == Dataset.Kind.KZ_STATS:
        from qadam.lib import kzstats

        return kzstats.read_kz_stats(Path(run.origin), regions=regions)
    if run.origin.startswith(("http://", "https://")):
        source: opensdg.Source = opensdg.HttpSource(run.origin)
    else:
        path = Path(run.origin)
        if not path.is_dir():
            raise opensdg.SourceError(_("%(path)s: no such folder.") % {"path": run.origin})
        source = opensdg.LocalSource(path)
    return opensdg.read_repository(source, regions=regions, progress=progress)


def _fingerprint(repository: opensdg.Repository) -> str:
    digest = hashlib.sha256()
    for data in repository.indicators:
        digest.update(repr((data.code, sorted(data.labels.items()))).encode())
        for row in data.rows:
            digest.update(repr(row).encode())
    return digest.hexdigest()


def _counts(repository: opensdg.Repository) -> dict[str, Any]:
    summary = repository.summary()
    actions = Counter(p.action for p in repository.problems)
    return {
        "indicators": summary["indicators"],
        "observations": summary["rows_kept"],
        "set_aside": summary["rows_set_aside"],
        "flagged": summary["rows_flagged"],
        "corrected": actions.get("corrected", 0),
        "files_set_aside": summary["files_set_aside"],
        "by_code": summary["problems_by_code"],
        "set_aside_by_code": summary["set_aside_by_code"],
        "flagged_by_flag": summary["flagged_by_flag"],
        "skipped": summary["skipped"],
    }


def _finish(
    run: ImportRun,
    status: str,
    repository: opensdg.Repository | None = None,
    counts: dict[str, Any] | None = None,
    error: str = "",
) -> None:
    run.status = status
    run.progress = 100 if status != ImportRun.Status.FAILED else run.progress
    run.error = error
    run.finished_at = timezone.now()
    if counts is not None:
        run.counts = counts
    if repository is not None:
        run.problems = [_problem_dict(p) for p in repository.problems[:MAX_REPORTED_PROBLEMS]]
    run.save()


def _problem_dict(problem: opensdg.Problem) -> dict[str, Any]:
    return {
        "file": problem.file,
        "row": problem.row,
        "field": problem.field,
        "code": problem.code,
        "message": problem.message,
        "action": problem.action,
        # One problem may stand for many rows (every empty value of a file).
        "rows": list(problem.rows[:MAX_ROWS_PER_PROBLEM]),
        "row_count": problem.row_count,
    }


# -- storing -----------------------------------------------------------------------------


def _store(run: ImportRun, repository: opensdg.Repository, fingerprint: str) -> Dataset:
    dataset, _created = Dataset.objects.update_or_create(
        code=run.dataset_code,
        defaults={
            "kind": run.kind,
            "name": DATASET_NAMES.get(run.dataset_code, {"en": run.dataset_code}),
            "origin": run.origin,
            "credit": CREDITS.get(Dataset.Kind(run.kind), ""),
            "fingerprint": fingerprint,
            "imported_at": timezone.now(),
        },
    )
    Series.objects.filter(indicator__dataset=dataset).delete()
    sdg_terms = _sdg_terms()
    for data in repository.indicators:
        indicator = _store_indicator(dataset, data, sdg_terms)
        _store_series(indicator, data.rows, data.series_labels)
    return dataset


def _sdg_terms() -> dict[str, Term]:
    return {t.code: t for t in Term.objects.filter(taxonomy__code="sdg-indicator")}


def sdg_term_for(code: str, terms: dict[str, Term]) -> Term | None:
    """The global SDG indicator of a national code: 4-4-1-1 reports on 4.4.1."""
    parts = code.split("-")
    while len(parts) >= 3:
        term = terms.get(".".join(parts))
        if term is not None:
            return term
        parts = parts[:-1]
    return None


def _store_indicator(
    dataset: Dataset, data: opensdg.IndicatorData, sdg_terms: dict[str, Term]
) -> Indicator:
    years = [r.year for r in data.rows]
    labels = data.labels
    indicator, _created = Indicator.objects.update_or_create(
        dataset=dataset,
        code=data.code,
        defaults={
            "sdg": sdg_term_for(data.code, sdg_terms),
            "title": {lang: v.get("title", "") for lang, v in labels.items() if v.get("title")},
            "unit": {lang: v.get("unit", "") for lang, v in labels.items() if v.get("unit")},
            "meta": data.meta,
            "breaks": [list(b) for b in data.breaks],
            "has_regions": any(r.region for r in data.rows),
            "first_year": min(years) if years else None,
            "last_year": max(years) if years else None,
            "sort_key": _sort_key(data.code),
        },
    )
    return indicator


def _sort_key(code: str) -> str:
    """3-2-1 before 3-10-1 before 17-8-1; names (kz-…) after the numbered ones."""
    parts = code.split("-")
    return ".".join(p.zfill(3) if p.isdigit() else p for p in parts)[:40]


# Open SDG codes that mean "all of them": _T total, _Z not applicable.
TOTAL_CODES = frozenset({"_T", "_Z"})


def is_total(disaggregation: dict[str, str]) -> bool:
    """The headline series: no breakdown, or only "total" codes (3-2-1's SEX=_T)."""
    return all(value in TOTAL_CODES for value in disaggregation.values())


def _store_series(
    indicator: Indicator,
    rows: Iterable[opensdg.Row],
    labels: dict[str, dict[str, str]],
) -> None:
    by_key: dict[str, Series] = {}
    observations: list[Observation] = []
    for row in rows:
        key = opensdg.series_key(row.series, row.unit, row.disaggregation)
        series = by_key.get(key)
        if series is None:
            series = by_key[key] = Series(
                indicator=indicator,
                key=key,
                series_code=row.series,
                unit_code=row.unit,
                disaggregation=dict(row.disaggregation),
                label=labels.get(key, {}),
                is_total=is_total(row.disaggregation),
            )
        observations.append(
            Observation(
                series=series,
                region=row.region,
                year=row.year,
                value=row.value,
                flags=",".join(row.flags),
            )
        )
    Series.objects.bulk_create(by_key.values(), batch_size=BULK)
    Observation.objects.bulk_create(observations, batch_size=BULK)


# -- links -------------------------------------------------------------------------------


def do_link_recommendation(
    actor: Any, indicator: Indicator, recommendation: Recommendation, note: str = ""
) -> IndicatorLink:
    _require(actor, "indicators.link")
    with transaction.atomic():
        link, created = IndicatorLink.objects.get_or_create(
            indicator=indicator,
            recommendation=recommendation,
            defaults={"note": note, "created_by": actor},
        )
        if created:
            record(actor, "indicators.link", indicator, {"recommendation": recommendation.pk})
    return link


def do_unlink_recommendation(actor: Any, link: IndicatorLink) -> None:
    _require(actor, "indicators.link")
    with transaction.atomic():
        record(
            actor, "indicators.unlink", link.indicator, {"recommendation": link.recommendation_id}
        )
        link.delete()
