"""Every write to quality-of-life standards: saving a version (from the editor, a YAML
file or the shipped default) and storing an evaluation. Each runs in one transaction
and writes the audit log."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from qadam.audit.actions import record
from qadam.lib import qol as engine
from qadam.qol.models import Evaluation, Standard, StandardVersion
from qadam.qol.panel import build_panel, data_fingerprint

DEFAULT_STANDARD = Path(__file__).resolve().parent / "data" / "default-standard.yaml"
MAX_YAML_BYTES = 512 * 1024


class StandardInvalid(ValidationError):
    """The document cannot be a standard; ``messages`` name each problem by its path."""


def _require(actor: Any, perm: str) -> None:
    """None is the system (a command line, a job); a person needs the permission."""
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied


def parse_yaml(text: str, name: str = "standard.yaml") -> engine.Standard:
    """The standard in ``text``, or StandardInvalid naming the file and the problem."""
    if len(text.encode()) > MAX_YAML_BYTES:
        raise StandardInvalid(_("%(name)s: the file is larger than 512 KB.") % {"name": name})
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise StandardInvalid(
            _("%(where)s: not valid YAML (%(problem)s).")
            % {"where": where, "problem": getattr(exc, "problem", "") or exc}
        ) from exc
    try:
        return engine.parse_standard(doc)
    except engine.StandardError as exc:
        raise StandardInvalid([f"{name}: {e}" for e in exc.errors]) from exc


def do_save_version(
    actor: Any, text: str, note: str = "", name: str = "standard.yaml"
) -> StandardVersion:
    """A new version of the standard the document names (created if new). Saving the
    same document as the latest version again is a no-op: re-runs are idempotent."""
    _require(actor, "qol.edit_standard")
    standard_spec = parse_yaml(text, name)
    document = standard_spec.to_document()
    with transaction.atomic():
        standard, _created = Standard.objects.get_or_create(
            code=standard_spec.code, defaults={"title": dict(standard_spec.title)}
        )
        latest = standard.latest()
        if latest is not None and latest.document == document:
            return latest
        standard.title = dict(standard_spec.title)
        standard.save(update_fields=["title"])
        number = (standard.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = StandardVersion.objects.create(
            standard=standard,
            number=number,
            document=document,
            yaml=text,
            note=note,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        record(
            actor,
            "qol.version.save",
            version,
            {"note": note, "changes": _changes(latest.document if latest else None, document)},
        )
    return version


def do_load_default(actor: Any = None) -> StandardVersion:
    return do_save_version(
        actor,
        DEFAULT_STANDARD.read_text(encoding="utf-8"),
        note="Qadam's default standard",
        name=DEFAULT_STANDARD.name,
    )


def _changes(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """What moved between two versions, as "components[2].weight: 1 → 2" lines."""
    if before is None:
        return ["created"]
    out: list[str] = []
    _diff(before, after, "", out)
    return out[:200]


def _diff(a: Any, b: Any, path: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            _diff(a.get(key), b.get(key), f"{path}.{key}" if path else str(key), out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(f"{path}: {a!r} → {b!r}")


def do_queue_evaluation(actor: Any, version: StandardVersion) -> Evaluation:
    _require(actor, "qol.evaluate")
    evaluation = Evaluation.objects.create(
        version=version, created_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    record(actor, "qol.evaluate.queue", evaluation, {"version": version.number})
    return evaluation


def do_evaluate(evaluation: Evaluation) -> Evaluation:
    """Compute verdicts for every region and year, and the uncertainty of the latest
    year with verdicts; store them with the data's fingerprint."""
    Evaluation.objects.filter(pk=evaluation.pk).update(status=Evaluation.Status.RUNNING)
    started = time.perf_counter()
    result = compute(evaluation.version, seed=evaluation.seed, draws=evaluation.draws)
    with transaction.atomic():
        evaluation.results = result["results"]
        evaluation.uncertainty = result["uncertainty"]
        evaluation.year = result["year"]
        evaluation.data_fingerprint = result["fingerprint"]
        evaluation.seconds = time.perf_counter() - started
        evaluation.status = Evaluation.Status.DONE
        evaluation.finished_at = timezone.now()
        evaluation.save()
        record(None, "qol.evaluate", evaluation, {"year": evaluation.year})
    return evaluation


def fresh_evaluation(version: StandardVersion) -> Evaluation | None:
    """The version's stored evaluation if it was computed on the data as it is now."""
    return version.evaluations.filter(
        status=Evaluation.Status.DONE, data_fingerprint=data_fingerprint()
    ).first()


def do_fail_evaluation(evaluation: Evaluation, error: str) -> None:
    Evaluation.objects.filter(pk=evaluation.pk).update(
        status=Evaluation.Status.FAILED, error=error, finished_at=timezone.now()
    )


def compute(
    version: StandardVersion,
    *,
    seed: int = 20251,
    draws: int = 1000,
    year: int | None = None,
    spec: engine.Standard | None = None,
) -> dict[str, Any]:
    """Verdicts (every region and year) and uncertainty (one year), as plain data."""
    spec = spec or engine.parse_standard(version.document)
    data = build_panel(spec)
    evaluation = engine.evaluate(spec, data.panel)
    rows = [_plain(r) for r in evaluation.rows()]
    year = year or latest_year(rows)
    uncertainty: dict[str, Any] = {}
    if year is not None and draws > 0:
        u = engine.uncertainty(spec, data.panel, year, draws=draws, seed=seed)
        uncertainty = {
            "year": year,
            "draws": draws,
            "seed": seed,
            "rows": [_plain(r) for r in u.rows()],
            "sobol": _plain(u.sobol),
        }
    return {
        "results": rows,
        "uncertainty": uncertainty,
        "year": year,
        "fingerprint": data.fingerprint,
        "found": data.found,
    }


def latest_year(rows: list[dict[str, Any]]) -> int | None:
    """The latest year in which the most regions have a verdict."""
    counts: dict[int, int] = {}
    for row in rows:
        if row.get("sufficient") is not None:
            counts[row["year"]] = counts.get(row["year"], 0) + 1
    if not counts:
        return None
    best = max(counts.values())
    return max(y for y, n in counts.items() if n == best)


def _plain(value: Any) -> Any:
    """JSON-ready: numpy numbers become floats and ints, NaN becomes None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value
