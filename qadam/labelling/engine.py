"""The bridge between the database and qadam.lib.ml: training data, versions on disk, and
the active model, loaded once per process and reloaded when the active version changes.
Writes go through labelling.actions; this module only reads the database."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings

from qadam.lib.i18n import pick
from qadam.lib.ml.bundle import Bundle, Examples, Labelled, Progress
from qadam.lib.ml.types import BUILT_IN, ModelFileError
from qadam.lib.ohchr_docx import parse_ohchr_list
from qadam.lib.text import normalise_for_match
from qadam.lib.upr_info import parse_upr_info
from qadam.registry.models import Label, Recommendation
from qadam.taxonomy.models import Term
from qadam.taxonomy.reference import TermResolver

OHCHR_LISTS = ("slovenia-upr20-cycle2.docx", "slovenia-upr34-cycle3.docx")
# Labels that are facts: imported from a source, set by a person, or a suggestion a person
# accepted. Undecided and rejected suggestions never teach the next model.
TRUSTED = {"status": Label.Status.CONFIRMED}
_FROM_DB = "_database"  # a marker key among a text's taxonomies


class NoModel(Exception):
    """No trained model version is active yet."""


def model_dir() -> Path:
    return Path(settings.QADAM_MODEL_DIR)


def version_folder(name: str) -> Path:
    return model_dir() / name


# ----- training data --------------------------------------------------------------------
def collect_examples(
    data_dir: Path | None, progress: Progress = lambda m: None
) -> tuple[dict[str, Examples], dict[str, int]]:
    """Every trusted label in the database, plus the built-in taxonomies' labelled data
    in QADAM_DATA_DIR. A text already in the database is not read twice from files."""
    by_text: dict[str, dict[str, set[str]]] = {}
    texts: dict[str, str] = {}
    sources = {"database": _from_database(by_text, texts)}
    progress(f"database: {sources['database']} labelled recommendations")
    if data_dir is not None:
        resolver = TermResolver(BUILT_IN)
        sources["upr-info"] = _from_upr_info(data_dir, resolver, by_text, texts)
        sources["ohchr-lists"] = _from_ohchr_lists(data_dir, resolver, by_text, texts)
        progress(f"files: {sources['upr-info']} UPR Info rows, {sources['ohchr-lists']} OHCHR")
    examples: dict[str, Examples] = {}
    for key, per_taxonomy in by_text.items():
        for taxonomy, terms in per_taxonomy.items():
            if taxonomy == _FROM_DB:
                continue
            examples.setdefault(taxonomy, Examples()).add(texts[key], terms)
    return examples, sources


def _take(
    by_text: dict[str, dict[str, set[str]]],
    texts: dict[str, str],
    text: str,
    labels: Iterable[tuple[str, str]],
    from_file: bool,
) -> bool:
    key = normalise_for_match(text)
    # The database's labels for a text win: they may hold a person's corrections.
    if not key or (from_file and by_text.get(key, {}).get(_FROM_DB)):
        return False
    texts.setdefault(key, text)
    entry = by_text.setdefault(key, {})
    for taxonomy, code in labels:
        entry.setdefault(taxonomy, set()).add(code)
    if not from_file:
        entry[_FROM_DB] = {"yes"}
    return True


def _from_database(by_text: dict[str, dict[str, set[str]]], texts: dict[str, str]) -> int:
    rows = (
        Label.objects.filter(**TRUSTED)
        .values_list("recommendation_id", "term__taxonomy__code", "term__code")
        .order_by("recommendation_id")
    )
    per_rec: dict[int, list[tuple[str, str]]] = {}
    for rec_id, taxonomy, code in rows.iterator(chunk_size=5000):
        per_rec.setdefault(rec_id, []).append((taxonomy, code))
    recs = Recommendation.objects.filter(pk__in=list(per_rec)).values_list("pk", "text")
    taken = 0
    for pk, text in recs.iterator(chunk_size=2000):
        body = pick(text, "en").text
        taken += bool(body) and _take(by_text, texts, body, per_rec[pk], from_file=False)
    return taken


def _from_upr_info(
    data_dir: Path,
    resolver: TermResolver,
    by_text: dict[str, dict[str, set[str]]],
    texts: dict[str, str],
) -> int:
    path = data_dir / "upr-info" / "recommendations.csv"
    if not path.exists():
        return 0
    parsed = parse_upr_info(path.read_bytes(), path.name)
    return sum(_take_record(r, resolver, by_text, texts) for r in parsed.records)


def _from_ohchr_lists(
    data_dir: Path,
    resolver: TermResolver,
    by_text: dict[str, dict[str, set[str]]],
    texts: dict[str, str],
) -> int:
    taken = 0
    for name in OHCHR_LISTS:
        path = data_dir / "ohchr-thematic-lists" / name
        if path.exists():
            parsed = parse_ohchr_list(path.read_bytes(), name)
            taken += sum(_take_record(r, resolver, by_text, texts) for r in parsed.records)
    return taken


def _take_record(
    record: Any,
    resolver: TermResolver,
    by_text: dict[str, dict[str, set[str]]],
    texts: dict[str, str],
) -> bool:
    labels = []
    for ref in record.labels:
        term = resolver.resolve(ref.taxonomy, ref.term)
        if term is not None:
            labels.append((ref.taxonomy, term.code))
    return bool(labels) and _take(by_text, texts, record.text, labels, from_file=True)


# ----- the active model -----------------------------------------------------------------
_loaded: dict[str, Bundle] = {}
_lock = threading.Lock()


def active_version_name() -> str | None:
    from qadam.labelling.models import ModelVersion

    return (
        ModelVersion.objects.filter(active=True, status=ModelVersion.Status.READY)
        .values_list("name", flat=True)
        .first()
    )


def active_bundle() -> Bundle:
    """The active version, loaded once per process. Raises NoModel or ModelFileError."""
    name = active_version_name()
    if name is None:
        raise NoModel
    return load_version(name)


def load_version(name: str) -> Bundle:
    """A version's bundle, loaded and checksummed once per process: a labelling run
    asks for it every batch."""
    with _lock:
        if name not in _loaded:
            if len(_loaded) >= 2:  # the active version and one being run or rolled back to
                _loaded.clear()
            _loaded[name] = Bundle.load(version_folder(name))
        return _loaded[name]


def forget_loaded() -> None:
    with _lock:
        _loaded.clear()


def classify(texts: Sequence[str], langs: Sequence[str | None] | None = None) -> list[Labelled]:
    return active_bundle().classify(
        texts, langs, max_chars=settings.QADAM_MAX_LABEL_CHARS, reasons=True
    )


def term_ids(taxonomies: Iterable[str]) -> dict[tuple[str, str], int]:
    """(taxonomy code, term code) -> term id, for writing suggestions as labels."""
    rows = Term.objects.filter(taxonomy__code__in=list(taxonomies)).values_list(
        "taxonomy__code", "code", "pk"
    )
    return {(t, c): pk for t, c, pk in rows}


__all__ = ["ModelFileError", "NoModel", "active_bundle", "classify", "collect_examples"]


def output_terms(taxonomies: Iterable[str]) -> dict[tuple[str, str], str]:
    """How `qadam classify` and the API name a term: SDG codes as codes ("5.2"), the
    other taxonomies by their exact English name, as the source data spells it."""
    names: dict[tuple[str, str], str] = {}
    for taxonomy, code, name in Term.objects.filter(
        taxonomy__code__in=list(taxonomies)
    ).values_list("taxonomy__code", "code", "name"):
        sdg = taxonomy.startswith("sdg-")
        names[(taxonomy, code)] = code if sdg else (name or {}).get("en") or code
    return names
