"""SDG goals, targets and indicators from the Open SDG translation files.

``$QADAM_DATA_DIR/sdg/translations/{en,ru,kk}/global_{goals,targets,indicators}.yml``
hold keys such as ``1-title`` (goal), ``1-1-title`` (target), ``1-1-1-title``
(indicator) and ``1-short`` (a goal's short name). Codes become dotted: "1.1.1".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qadam.taxonomy.loaders.base import LoadReport, ReferenceDataError, dotted_sort_key, read_yaml
from qadam.taxonomy.loaders.taxonomies import TaxonomySpec, TermSpec, sync_taxonomy

LANGUAGES = ("en", "ru", "kk")
SOURCE = "Open SDG project, open-sdg/sdg-translations (MIT)"

TAXONOMIES = {
    "sdg-goal": (
        "goals",
        {
            "en": "SDG goals",
            "ru": "Цели в области устойчивого развития",
            "kk": "Тұрақты даму мақсаттары",
        },
        "goal",
    ),
    "sdg-target": (
        "targets",
        {"en": "SDG targets", "ru": "Задачи ЦУР", "kk": "ТДМ міндеттері"},
        "target",
    ),
    "sdg-indicator": (
        "indicators",
        {"en": "SDG indicators", "ru": "Показатели ЦУР", "kk": "ТДМ индикаторлары"},
        "indicator",
    ),
}


@dataclass
class SdgTexts:
    """One file kind (goals, targets or indicators) in every language."""

    titles: dict[str, dict[str, str]] = field(default_factory=dict)  # code → lang → text
    shorts: dict[str, dict[str, str]] = field(default_factory=dict)


def _code(key: str, suffix: str) -> str:
    return key[: -len(suffix)].replace("-", ".")


def read_texts(root: Path, kind: str) -> SdgTexts:
    texts = SdgTexts()
    for lang in LANGUAGES:
        path = root / lang / f"global_{kind}.yml"
        if not path.is_file():
            continue  # a missing language falls back to English at display time
        data: Any = read_yaml(path) or {}
        if not isinstance(data, dict):
            raise ReferenceDataError(f"{path}: expected a mapping of keys to texts")
        for key, text in data.items():
            key = str(key)
            for suffix, target in (("-title", texts.titles), ("-short", texts.shorts)):
                if key.endswith(suffix) and text:
                    target.setdefault(_code(key, suffix), {})[lang] = " ".join(str(text).split())
    return texts


def _parent(code: str) -> str:
    return code.rsplit(".", 1)[0] if "." in code else ""


def _terms(texts: SdgTexts, level: int) -> list[TermSpec]:
    terms = []
    for code, names in texts.titles.items():
        if code.count(".") != level:
            continue
        if not names.get("en"):
            raise ReferenceDataError(f"SDG {code}: no English title")
        # A goal's short names ("No poverty", "NO POVERTY" in OHCHR lists) resolve too.
        aliases = list(dict.fromkeys(texts.shorts.get(code, {}).values()))
        terms.append(TermSpec(code, names, aliases, _parent(code), dotted_sort_key(code)))
    return sorted(terms, key=lambda t: t.sort_key)


def load_sdg(data_dir: Path, report: LoadReport) -> None:
    root = data_dir / "sdg" / "translations"
    if not (root / "en").is_dir():
        report.warn(f"SDG skipped: {root}/en not found (set QADAM_DATA_DIR)")
        return
    for level, (code, (kind, names, facet)) in enumerate(TAXONOMIES.items()):
        spec = TaxonomySpec(
            code=code,
            name=names,
            source=SOURCE,
            facet=facet,
            sort_order=10 + level,
            version="",
            description="",
            terms=_terms(read_texts(root, kind), level),
            parent_taxonomy=list(TAXONOMIES)[level - 1] if level else "",
        )
        if not spec.terms:
            raise ReferenceDataError(f"{root}: no SDG {kind} found")
        sync_taxonomy(spec, report)
