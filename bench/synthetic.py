"""Synthetic registry data for the scale benchmark, resampled from real UPR Info rows.

Every record is a real UPR Info recommendation (text, recommending State, State
under review, session, response, action category and UPR Info issues) drawn at
random with replacement, then marked as synthetic: it goes into a document whose
symbol starts with ``SYNTHETIC/`` and is titled as benchmark data, it gets a
number of its own, and two labels with source ``synthetic``: one random OHCHR
human-rights theme and one random SDG goal (UPR Info has neither).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from qadam.lib.records import LabelRef, ParsedRecommendation, ParseResult
from qadam.lib.upr_info import parse_upr_info

TITLE = "SYNTHETIC benchmark data, resampled from the UPR Info export (not a real document)"
SOURCE = "synthetic"


@dataclass
class Source:
    records: list[ParsedRecommendation]
    themes: list[str]  # OHCHR theme codes
    goals: list[str]  # SDG goal codes


def load_source(csv_path: Path, themes: list[str], goals: list[str]) -> Source:
    result = parse_upr_info(csv_path.read_bytes(), csv_path.name)
    return Source(result.records, themes, goals)


def batch(source: Source, run: int, size: int, rng: random.Random) -> ParseResult:
    """``size`` resampled records for import run ``run``, one document per review."""
    by_review: dict[tuple[str, str], list[ParsedRecommendation]] = defaultdict(list)
    for original in rng.choices(source.records, k=size):
        by_review[(original.session, original.state_under_review)].append(original)
    records = []
    for (session, state), originals in sorted(by_review.items()):
        symbol = f"SYNTHETIC/{run:02d}/{session}/{state}"[:120]
        for number, original in enumerate(originals, start=1):
            records.append(_resampled(original, symbol, number, len(records) + 1, source, rng))
    return ParseResult(records=records, document={"title": TITLE, "source": SOURCE})


def _resampled(
    original: ParsedRecommendation,
    symbol: str,
    number: int,
    row: int,
    source: Source,
    rng: random.Random,
) -> ParsedRecommendation:
    labels = list(original.labels)
    if source.themes:
        labels.append(LabelRef("ohchr-theme", rng.choice(source.themes), SOURCE))
    if source.goals:
        labels.append(LabelRef("sdg-goal", rng.choice(source.goals), SOURCE))
    return replace(
        original,
        row=row,
        number=str(number),
        document_symbol=symbol,
        labels=labels,
        recommending_states=list(original.recommending_states),
    )
