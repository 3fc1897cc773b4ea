"""A model version on disk: one folder, a manifest, and one component per taxonomy.

SDG goals and targets come from the SDG scorer (queries, titles in three languages and
labelled examples); every other taxonomy with enough labelled examples gets a linear
model. The manifest lists every file with its size and SHA-256, so a truncated or
tampered file is named before it is used.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qadam.lib.ml.inputs import check_text, guess_language
from qadam.lib.ml.linear import LinearLabeller, TermFit
from qadam.lib.ml.types import SDG_GOAL, SDG_TARGET, ModelFileError, Suggestion

FORMAT = "qadam-bundle-1"
MANIFEST = "manifest.json"
SDG_TAXONOMIES = (SDG_GOAL, SDG_TARGET)
MIN_TAXONOMY_EXAMPLES = 20  # below this a taxonomy gets a note, not a model


@dataclass
class Examples:
    """Labelled texts of one taxonomy: parallel lists."""

    texts: list[str] = field(default_factory=list)
    labels: list[set[str]] = field(default_factory=list)

    def add(self, text: str, terms: set[str]) -> None:
        self.texts.append(text)
        self.labels.append(terms)


@dataclass
class Labelled:
    """What labelling says about one text: suggestions, and notes when it says less."""

    suggestions: list[Suggestion]
    notes: list[str]


Progress = Callable[[str], None]


class Bundle:
    def __init__(
        self,
        version: str,
        linear: dict[str, LinearLabeller],
        sdg: Any | None,
        manifest: dict[str, Any],
    ) -> None:
        self.version = version
        self.linear = linear
        self.sdg = sdg
        self.manifest = manifest

    @property
    def taxonomies(self) -> list[str]:
        return sorted({*self.linear, *(SDG_TAXONOMIES if self.sdg else ())})

    # ----- training -------------------------------------------------------------------
    @classmethod
    def train(
        cls,
        version: str,
        examples: dict[str, Examples],
        data_dir: Path | None,
        progress: Progress = lambda message: None,
    ) -> Bundle:
        linear: dict[str, LinearLabeller] = {}
        report: dict[str, Any] = {}
        for taxonomy in sorted(examples):
            if taxonomy in SDG_TAXONOMIES and _sdg_available():
                continue
            ex = examples[taxonomy]
            report[taxonomy] = _describe(ex)
            if len(ex.texts) < MIN_TAXONOMY_EXAMPLES:
                report[taxonomy]["note"] = "too-few-examples"
                continue
            progress(f"{taxonomy}: {len(ex.texts)} examples")
            started = time.monotonic()
            model, fits = LinearLabeller.train(taxonomy, ex.texts, ex.labels)
            linear[taxonomy] = model
            report[taxonomy].update(_fit_report(fits, model, time.monotonic() - started))
        sdg = None
        if _sdg_available() and data_dir is not None:
            progress("sdg: queries, titles and labelled examples")
            sdg, report["sdg"] = _train_sdg(examples, data_dir)
        manifest = {"format": FORMAT, "version": version, "training": report}
        return cls(version, linear, sdg, manifest)

    # ----- labelling ------------------------------------------------------------------
    def classify(
        self,
        texts: Sequence[str],
        langs: Sequence[str | None] | None = None,
        *,
        max_chars: int = 20000,
        reasons: bool = True,
    ) -> list[Labelled]:
        checked = [check_text(t, max_chars) for t in texts]
        out = [Labelled([], [c.problem] if c.problem else []) for c in checked]
        usable = [i for i, c in enumerate(checked) if c.usable]
        body = [checked[i].text for i in usable]
        languages = [
            (langs[i] if langs and langs[i] else None) or guess_language(checked[i].text)
            for i in usable
        ]
        if not body:
            return out
        for model in self.linear.values():
            for k, found in enumerate(model.suggest(body, reasons=reasons)):
                out[usable[k]].suggestions.extend(found)
        if self.sdg is not None and body:
            for k, found in enumerate(self.sdg.suggest(body, languages)):
                out[usable[k]].suggestions.extend(found)
        for k, lang in enumerate(languages):
            out[usable[k]].notes.extend(self._language_notes(lang))
        return out

    def _language_notes(self, lang: str) -> list[str]:
        """Taxonomies whose examples are all in other languages: nothing to say there."""
        notes = []
        for taxonomy, facts in self.manifest.get("training", {}).items():
            seen = facts.get("languages", {}) if isinstance(facts, dict) else {}
            if taxonomy in self.linear and seen and not seen.get(lang):
                notes.append(f"no-{lang}-examples:{taxonomy}")
        return notes

    # ----- files ----------------------------------------------------------------------
    def save(self, folder: Path) -> int:
        """Write every file and the manifest; returns the bytes written."""
        folder.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        for model in self.linear.values():
            written += model.save(folder / "linear")
        if self.sdg is not None:
            written += self.sdg.save(folder / "sdg")
        files = {str(p.relative_to(folder)): _fingerprint(p) for p in written}
        manifest = {**self.manifest, "files": files, "linear": sorted(self.linear)}
        manifest["sdg"] = self.sdg is not None
        (folder / MANIFEST).write_text(
            json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8"
        )
        self.manifest = manifest
        return sum(f["bytes"] for f in files.values())

    @classmethod
    def load(cls, folder: Path) -> Bundle:
        manifest = _read_manifest(folder / MANIFEST)
        for name, expected in manifest.get("files", {}).items():
            _verify(folder / name, expected)
        linear = {t: LinearLabeller.load(folder / "linear", t) for t in manifest.get("linear", [])}
        sdg = None
        if manifest.get("sdg"):
            from qadam.lib.ml.sdg import SdgScorer

            sdg = SdgScorer.load(folder / "sdg")
        return cls(str(manifest.get("version", folder.name)), linear, sdg, manifest)


def _sdg_available() -> bool:
    try:
        from qadam.lib.ml import sdg
    except ImportError:
        return False
    return hasattr(sdg, "SdgScorer")


def _train_sdg(examples: dict[str, Examples], data_dir: Path) -> tuple[Any, dict[str, Any]]:
    from qadam.lib.ml.sdg import SdgScorer

    merged: dict[str, set[str]] = {}
    for taxonomy in SDG_TAXONOMIES:
        ex = examples.get(taxonomy, Examples())
        for text, terms in zip(ex.texts, ex.labels, strict=True):
            merged.setdefault(text, set()).update(terms)
    started = time.monotonic()
    scorer = SdgScorer.train(data_dir, extra_examples=list(merged.items()))
    facts = {"examples": len(merged), "seconds": round(time.monotonic() - started, 1)}
    return scorer, facts


def _describe(ex: Examples) -> dict[str, Any]:
    languages = Counter(guess_language(t) for t in ex.texts)
    return {"examples": len(ex.texts), "languages": dict(languages)}


def _fit_report(fits: list[TermFit], model: LinearLabeller, seconds: float) -> dict[str, Any]:
    scored = [f.f1_out_of_fold for f in fits]
    return {
        "terms": len(model.terms),
        "skipped_terms": model.skipped,
        "mean_f1_out_of_fold": round(sum(scored) / len(scored), 4) if scored else None,
        "per_term": {
            f.term: {
                "positives": f.positives,
                "threshold": round(f.threshold, 4),
                "f1": f.f1_out_of_fold,
            }
            for f in fits
        },
        "seconds": round(seconds, 1),
    }


def _fingerprint(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _verify(path: Path, expected: dict[str, Any]) -> None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelFileError(path, "the model file is missing") from None
    if len(data) != expected.get("bytes") or hashlib.sha256(data).hexdigest() != expected.get(
        "sha256"
    ):
        raise ModelFileError(path, "the model file is corrupt (its checksum does not match)")


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFileError(path, "the model manifest is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(path, f"the model manifest is unreadable ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelFileError(path, "the model manifest has an unknown format")
    return manifest
