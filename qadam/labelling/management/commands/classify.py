"""``qadam classify --input texts.jsonl --output labels.jsonl``.

Reads one JSON object per line, ``{"id", "text", "lang"?}``, and writes one per line,
``{"id", "labels": [{"taxonomy", "term", "score"}], "model_version"}``, plus ``notes``
when labelling said less than it could (empty text, unsupported script, truncated, no
training examples in the text's language). Thresholds are applied; scores are
calibrated probabilities. Bad lines stop the command before anything is written, with
the file, line and field named."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qadam.labelling import engine
from qadam.lib.ml.types import ModelFileError

BATCH = 2000


class Command(BaseCommand):
    help = "Label texts from a JSONL file with the active model version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, help="JSONL file, or - for stdin")
        parser.add_argument("--output", required=True, help="JSONL file, or - for stdout")

    def handle(self, *args: Any, **opts: Any) -> None:
        rows = _read(opts["input"])
        try:
            bundle = engine.active_bundle()
        except engine.NoModel:
            raise CommandError("no model version is active yet: run `qadam train` first") from None
        except ModelFileError as exc:
            raise CommandError(str(exc)) from exc
        names = engine.output_terms(bundle.taxonomies)
        with _open_out(opts["output"]) as out:
            for start in range(0, len(rows), BATCH):
                batch = rows[start : start + BATCH]
                results = engine.classify([r["text"] for r in batch], [r["lang"] for r in batch])
                for row, result in zip(batch, results, strict=True):
                    out.write(json.dumps(_line(row, result, names, bundle.version)) + "\n")


def _line(
    row: dict[str, Any], result: Any, names: dict[tuple[str, str], str], version: str
) -> dict[str, Any]:
    line: dict[str, Any] = {
        "id": row["id"],
        "labels": [
            {
                "taxonomy": s.taxonomy,
                "term": names.get((s.taxonomy, s.term), s.term),
                "score": s.score,
            }
            for s in result.suggestions
        ],
        "model_version": version,
    }
    if result.notes:
        line["notes"] = result.notes
    return line


def _read(name: str) -> list[dict[str, Any]]:
    label = "<stdin>" if name == "-" else name
    rows = [_parse(label, n, raw) for n, raw in _lines(name)]
    if not rows:
        raise CommandError(f"{label}: no texts to classify")
    return rows


def _lines(name: str) -> Iterator[tuple[int, str]]:
    try:
        stream = sys.stdin if name == "-" else Path(name).open(encoding="utf-8")  # noqa: SIM115
        with stream:
            for n, raw in enumerate(stream, start=1):
                if raw.strip():
                    yield n, raw
    except FileNotFoundError:
        raise CommandError(f"{name}: no such file") from None
    except UnicodeDecodeError as exc:
        raise CommandError(f"{name}: not UTF-8 ({exc.reason})") from None


def _parse(label: str, n: int, raw: str) -> dict[str, Any]:
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CommandError(f"{label}, line {n}: not valid JSON ({exc.msg})") from None
    if not isinstance(obj, dict):
        raise CommandError(f"{label}, line {n}: expected a JSON object")
    if "id" not in obj:
        raise CommandError(f"{label}, line {n}, field id: missing")
    if not isinstance(obj.get("text"), str):
        raise CommandError(f"{label}, line {n}, field text: missing or not a string")
    lang = obj.get("lang")
    if lang is not None and lang not in ("en", "ru", "kk"):
        raise CommandError(f"{label}, line {n}, field lang: {lang!r} is not en, ru or kk")
    return {"id": obj["id"], "text": obj["text"], "lang": lang}


def _open_out(name: str) -> IO[str]:
    if name == "-":
        return open(sys.stdout.fileno(), "w", encoding="utf-8", closefd=False)
    return Path(name).open("w", encoding="utf-8")
