"""UN Member and observer States, from ``data/states.yaml`` and pycountry.

pycountry gives the ISO codes and the ru/kk names (its ISO 3166 gettext
catalogues); the YAML gives the regional group, UN-style overrides and the extra
spellings sources use. The UPR Info export, when present, is a check: its groups
must agree and every State name in it must resolve.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path
from typing import Any

import pycountry

from qadam.taxonomy.loaders.base import (
    LoadReport,
    ReferenceDataError,
    check_keys,
    clean_list,
    require,
    sync,
)
from qadam.taxonomy.loaders.sources import UprInfoFacts
from qadam.taxonomy.models import State
from qadam.taxonomy.reference import NON_STATE_NAMES, StateResolver, normalise_name

GROUPS = {choice.value for choice in State.Group}
LANGUAGES = ("ru", "kk")


@cache
def _catalogue(language: str) -> gettext.NullTranslations:
    # A language pycountry lacks falls back to no translation, not to an error.
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def _translate(text: str, language: str) -> str:
    translated = _catalogue(language).gettext(text)
    # Some catalogue entries carry Russian stress marks ("Респу́блика").
    return translated.replace("\u0301", "") if translated != text else ""


def _pycountry_names(country: Any) -> tuple[dict[str, str], list[str]]:
    """Names by language, and every other spelling pycountry knows."""
    names = {"en": country.name}
    spellings = [country.name]
    for attr in ("official_name", "common_name"):
        value = getattr(country, attr, None)
        if value:
            spellings.append(value)
    for lang in LANGUAGES:
        for i, spelling in enumerate(spellings[:2]):
            translated = _translate(spelling, lang)
            if translated and i == 0:
                names[lang] = translated
            if translated:
                spellings.append(translated)
    return names, spellings


def _row(raw: dict[str, Any], where: str) -> dict[str, Any]:
    check_keys(raw, {"iso3", "group", "name", "aliases"}, where)
    iso3 = str(require(raw, "iso3", where)).upper()
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        raise ReferenceDataError(f"{where}: {iso3} is not an ISO 3166-1 code")
    group = str(require(raw, "group", where))
    if group not in GROUPS:
        raise ReferenceDataError(f"{where}: group must be one of {sorted(GROUPS)}")
    names, spellings = _pycountry_names(country)
    names.update({k: " ".join(str(v).split()) for k, v in (raw.get("name") or {}).items()})
    keys = {normalise_name(n) for n in names.values()}
    aliases = []
    for spelling in [*clean_list(raw.get("aliases")), *spellings]:
        if normalise_name(spelling) not in keys:
            keys.add(normalise_name(spelling))
            aliases.append(spelling)
    return {
        "iso3": iso3,
        "iso2": country.alpha_2,
        "name": names,
        "regional_group": group,
        "aliases": aliases,
    }


def _check_upr_info(
    rows: dict[str, dict[str, Any]], facts: UprInfoFacts, report: LoadReport
) -> None:
    """Every UPR Info State name must resolve, and to a State of the same group."""
    resolver = StateResolver(State(**row) for row in rows.values())
    for name, groups in sorted(facts.state_groups.items()):
        if name in NON_STATE_NAMES:
            continue
        state = resolver.resolve(name)
        if state is None:
            report.warn(f"UPR Info State {name!r} does not resolve; add an alias in states.yaml")
            continue
        group = groups.most_common(1)[0][0]
        if group and group != state.regional_group:
            report.warn(f"UPR Info puts {name!r} in {group}, states.yaml in {state.regional_group}")


def load_states(
    data: dict[str, Any], path: Path, report: LoadReport, facts: UprInfoFacts | None
) -> None:
    items = data.get("states")
    if not isinstance(items, list):
        raise ReferenceDataError(f"{path}: 'states' must be a list")
    rows: dict[str, dict[str, Any]] = {}
    for i, raw in enumerate(items):
        row = _row(raw, f"{path}: state #{i + 1}")
        if row["iso3"] in rows:
            raise ReferenceDataError(f"{path}: {row['iso3']} listed twice")
        rows[row["iso3"]] = row
    if facts is not None:
        _check_upr_info(rows, facts, report)
    sync(State.objects.all(), lambda s: s.iso3, rows, report.kind("state"))
