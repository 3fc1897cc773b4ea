"""Read an Open SDG data repository (kazstat-sdg) into clean rows and a report of quirks.

The Bureau of National Statistics publishes Kazakhstan's SDG data in the Open SDG
layout: ``data/indicator_<code>.csv`` (columns Year, disaggregations such as SEX or
AGE, REF_AREA, UNIT_MEASURE, SERIES, Value), ``meta/<code>.yml`` and
``indicator-config/<code>.yml`` (metadata whose values are often translation
references such as ``global_indicators.3-1-1-title``) and ``translations/{en,ru,kk}``.

The reader is pure: it takes a ``Source`` (a folder or a static web site) and returns
a ``Repository`` of rows and problems; it never touches a database. Every row it does
not keep, and every row it keeps with a doubt, is a ``Problem`` that names the file,
the CSV line (header = 1), the field, the bad value and what was done. Problems that
share a cause within a file (say 600 city codes) are one problem listing the rows.

Listing indicators works over plain static HTTP, which has no directory listing: the
codes come from the ``<code>-title`` keys of ``translations/<lang>/global_indicators.yml``
and ``national_indicators.yml`` (in kazstat-sdg these name every data file), plus
the ``meta/``, ``indicator-config/`` and ``data/`` listings when the source can list.

Curated knowledge (a unit that is wrong, a break in a series) lives in
``data/known-quirks.yaml``, each entry with its evidence.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence, Sized
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import yaml

from qadam.lib.records import ImportFormatError
from qadam.lib.tabular import decode_utf8

LANGS = ("en", "ru", "kk")
KNOWN_QUIRKS_PATH = Path(__file__).resolve().parent / "data" / "known-quirks.yaml"
QUIRKS_FORMAT = "qadam-known-quirks/1"

# What happened to the rows a problem is about.
SET_ASIDE = "set-aside"  # not imported
FLAGGED = "flagged"  # imported with a flag on the row
CORRECTED = "corrected"  # imported after a correction (curated or mechanical)
NOTED = "noted"  # nothing changed in any row: a fact about the file worth knowing
ACTIONS = (SET_ASIDE, FLAGGED, CORRECTED, NOTED)
# Problems about a whole file: a set-aside one counts a file, not rows.
FILE_CODES = frozenset({"unreadable", "bad-header", "empty-file"})

# Open SDG column roles; every other named column is a disaggregation.
YEAR, VALUE, REF_AREA, UNIT, SERIES = "Year", "Value", "REF_AREA", "UNIT_MEASURE", "SERIES"
RENAMED_COLUMNS = {"Units": UNIT}
IGNORED_COLUMNS = {"GeoCode": "it repeats the region as a KZ01-KZ18 code; REF_AREA is used"}
# Disaggregations with a closed code list: a value outside it is a slipped cell.
CLOSED_COLUMNS = ("SEX", "URBANISATION")
ALWAYS_VALID_CODES = {"_T", "_Z"}  # SDMX "total" and "not applicable"
PERCENT_UNIT = "PT"
TOTAL_LABEL = {"en": "Total", "ru": "Всего", "kk": "Барлығы"}

_CODE = re.compile(r"^\d{1,2}(-[0-9a-z]+){2,}$")
_YEAR = re.compile(r"^\d{4}$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_REFERENCE = re.compile(r"^([A-Za-z_]+)\.(\S(?:.*\S)?)$", re.DOTALL)
_ROWS_SHOWN = 12
_FETCH_BATCH = 24

Progress = Callable[[int], None]
# libyaml's loader when PyYAML was built with it: parsing the metadata and translations is
# most of the reading time, and the C loader is about ten times faster.
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Safe YAML parsing (no Python objects), with libyaml when available."""
    return yaml.load(text, Loader=_YAML_LOADER)


# --- results -----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One observation. ``region`` '' is the national total; ``flags`` are kept doubts."""

    indicator: str
    series: str
    unit: str
    disaggregation: dict[str, str]
    region: str
    year: int
    value: float
    flags: tuple[str, ...] = ()

    def __hash__(self) -> int:
        # The dict field would make the generated hash fail; rows go in sets and dict keys.
        cells = tuple(sorted(self.disaggregation.items()))
        return hash((self.indicator, self.series, self.unit, cells, self.region, self.year))


@dataclass(frozen=True)
class Problem:
    """A quirk found in a file. ``row`` is the CSV line (header = 1), 0 for the whole
    file; ``rows`` lists every line when one problem stands for several."""

    file: str
    row: int
    field: str
    code: str
    message: str
    action: str
    rows: tuple[int, ...] = ()

    def __str__(self) -> str:
        return self.message

    @property
    def row_count(self) -> int:
        return len(self.rows) if self.rows else (1 if self.row else 0)


@dataclass
class IndicatorData:
    """An indicator's kept rows with its metadata and labels in en/ru/kk."""

    code: str
    rows: list[Row] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)  # meta/ merged with indicator-config/
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # {lang: {title, unit, ...}}
    # {lang: {column: {code: label}}} for the codes its rows use (SERIES, UNIT_MEASURE, SEX...)
    value_labels: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    series_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # {series_key: {lang}}
    breaks: list[tuple[int, str]] = field(default_factory=list)  # breaks its rows do have
    source_file: str = ""
    label_gaps: list[str] = field(default_factory=list)  # references or codes with no label


@dataclass
class Repository:
    indicators: list[IndicatorData] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_read: list[str] = field(default_factory=list)
    # How the indicator codes were found: {"translations": 312, "meta": 277, ...}.
    discovery: dict[str, int] = field(default_factory=dict)
    # Values skipped without a problem each (kz-stats "-"), counted per file.
    skipped: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        set_aside: Counter[str] = Counter()
        files_set_aside = 0
        for problem in self.problems:
            if problem.action == SET_ASIDE and problem.code in FILE_CODES:
                files_set_aside += 1
            elif problem.action == SET_ASIDE:
                set_aside[problem.code] += problem.row_count
        flags: Counter[str] = Counter()
        rows = [row for data in self.indicators for row in data.rows]
        for row in rows:
            flags.update(row.flags)
        return {
            "indicators": len(self.indicators),
            "indicators_with_rows": sum(1 for d in self.indicators if d.rows),
            "rows_kept": len(rows),
            "rows_flagged": sum(1 for row in rows if row.flags),
            "rows_set_aside": sum(set_aside.values()),
            "set_aside_by_code": dict(set_aside.most_common()),
            "files_set_aside": files_set_aside,
            "flagged_by_flag": dict(flags.most_common()),
            "problems_by_action": dict(Counter(p.action for p in self.problems)),
            "problems_by_code": dict(Counter(p.code for p in self.problems).most_common()),
            "files_read": len(self.files_read),
            "skipped": dict(self.skipped),
            "discovery": dict(self.discovery),
        }


def series_key(series: str, unit: str, disaggregation: Mapping[str, str]) -> str:
    """The key of a series inside an indicator (also used by qadam.indicators)."""
    cells = ";".join(f"{k}={v}" for k, v in sorted(disaggregation.items()))
    return f"{series}|{unit}|{cells}"


# --- sources -----------------------------------------------------------------------


class SourceError(Exception):
    """A file exists but cannot be read: a server error, a timeout, a permission."""


class Source(Protocol):
    def describe(self) -> str: ...

    def read(self, relpath: str) -> bytes | None:
        """The file's bytes, or None when it does not exist."""
        ...

    def read_many(self, relpaths: Sequence[str]) -> dict[str, bytes | None]: ...

    def listdir(self, folder: str) -> list[str] | None:
        """File names in ``folder``, or None when the source cannot list."""
        ...


def _check_relpath(relpath: str) -> str:
    parts = relpath.split("/")
    if relpath.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"not a relative path inside the repository: {relpath!r}")
    return relpath


class LocalSource:
    """A checked-out repository folder."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def describe(self) -> str:
        return str(self.path)

    def read(self, relpath: str) -> bytes | None:
        target = self.path / _check_relpath(relpath)
        try:
            return target.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SourceError(f"{target}: cannot read ({exc.strerror or exc})") from exc

    def read_many(self, relpaths: Sequence[str]) -> dict[str, bytes | None]:
        return {relpath: self.read(relpath) for relpath in relpaths}

    def listdir(self, folder: str) -> list[str] | None:
        target = self.path / _check_relpath(folder)
        if not target.is_dir():
            return []
        return sorted(p.name for p in target.iterdir() if p.is_file())


class HttpSource:
    """A repository served as static files (GitHub Pages, raw.githubusercontent, a CDN).

    A 404 (or 410) means the file is absent; any other failure raises ``SourceError``
    naming the URL. ``workers`` requests run at once in ``read_many``: 4 by default,
    which hides a remote host's latency yet stays within the listen backlog (5) of
    Python's http.server, where more parallel connections stall on 1 s SYN retries.
    """

    def __init__(self, base_url: str, timeout: float = 30.0, workers: int = 4) -> None:
        scheme = urllib.parse.urlsplit(base_url).scheme
        if scheme not in ("http", "https"):
            raise ValueError(f"{base_url}: only http and https URLs can be read")
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = timeout
        self.workers = max(1, workers)

    def describe(self) -> str:
        return self.base_url

    def url(self, relpath: str) -> str:
        return self.base_url + urllib.parse.quote(_check_relpath(relpath))

    def read(self, relpath: str) -> bytes | None:
        url = self.url(relpath)
        request = urllib.request.Request(url, headers={"User-Agent": "qadam-opensdg-reader"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                data: bytes = response.read()
                return data
        except urllib.error.HTTPError as exc:
            if exc.code in (404, 410):
                return None
            raise SourceError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise SourceError(f"{url}: cannot fetch ({reason})") from exc

    def read_many(self, relpaths: Sequence[str]) -> dict[str, bytes | None]:
        if len(relpaths) <= 1 or self.workers == 1:
            return {relpath: self.read(relpath) for relpath in relpaths}
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            return dict(zip(relpaths, pool.map(self.read, relpaths), strict=True))

    def listdir(self, folder: str) -> list[str] | None:
        return None  # static sites have no listing


# --- known quirks ------------------------------------------------------------------


@dataclass(frozen=True)
class UnitCorrection:
    indicator: str
    from_unit: str
    to_unit: str
    why: str
    source: str


@dataclass(frozen=True)
class CityLevel:
    indicator: str
    first_level: frozenset[str]
    why: str
    source: str


@dataclass(frozen=True)
class Succession:
    old: str
    last_year: int
    successors: frozenset[str]
    why: str
    source: str


@dataclass(frozen=True)
class Break:
    indicator: str  # "*" for every indicator
    year: int
    code: str
    regions: frozenset[str]  # empty: the whole indicator breaks
    why: str
    source: str

    def applies_to(self, indicator: str) -> bool:
        return self.indicator in ("*", indicator)


@dataclass(frozen=True)
class ModelYears:
    indicator: str
    from_year: int
    why: str
    source: str


@dataclass(frozen=True)
class KnownQuirks:
    unit_corrections: tuple[UnitCorrection, ...] = ()
    city_level: tuple[CityLevel, ...] = ()
    successions: tuple[Succession, ...] = ()
    breaks: tuple[Break, ...] = ()
    model_years: tuple[ModelYears, ...] = ()


class QuirksError(ValueError):
    """known-quirks.yaml is malformed; the message names the entry."""


def load_known_quirks(path: Path | str | None = None) -> KnownQuirks:
    """Parse a known-quirks file (default: Qadam's curated ``data/known-quirks.yaml``)."""
    if path is None:
        return _default_quirks()
    return _parse_quirks(Path(path))


@cache
def _default_quirks() -> KnownQuirks:
    return _parse_quirks(KNOWN_QUIRKS_PATH)


def _parse_quirks(path: Path) -> KnownQuirks:
    data = load_yaml(path.read_text(encoding="utf-8")) or {}
    if data.get("format") != QUIRKS_FORMAT:
        raise QuirksError(f"{path}: format must be {QUIRKS_FORMAT!r}")
    entries = {name: _entries(data, name, path) for name in _QUIRK_BUILDERS}
    return KnownQuirks(
        **{
            name: tuple(_QUIRK_BUILDERS[name](e, f"{path}: {name} #{i + 1}") for i, e in items)
            for name, items in entries.items()
        }
    )


def _entries(data: dict[str, Any], name: str, path: Path) -> list[tuple[int, dict[str, Any]]]:
    items = data.get(name) or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise QuirksError(f"{path}: {name} must be a list of mappings")
    return list(enumerate(items))


def _need(entry: dict[str, Any], key: str, where: str) -> Any:
    value = entry.get(key)
    if value in (None, "", []):
        raise QuirksError(f"{where}: {key!r} is required")
    return value


def _notes(entry: dict[str, Any], where: str) -> dict[str, str]:
    return {"why": str(_need(entry, "why", where)), "source": str(_need(entry, "source", where))}


def _unit_correction(e: dict[str, Any], where: str) -> UnitCorrection:
    return UnitCorrection(
        str(_need(e, "indicator", where)),
        str(_need(e, "from", where)),
        str(_need(e, "to", where)),
        **_notes(e, where),
    )


def _city_level(e: dict[str, Any], where: str) -> CityLevel:
    codes = frozenset(str(c) for c in _need(e, "first_level", where))
    return CityLevel(str(_need(e, "indicator", where)), codes, **_notes(e, where))


def _succession(e: dict[str, Any], where: str) -> Succession:
    successors = frozenset(str(c) for c in _need(e, "successors", where))
    return Succession(
        str(_need(e, "old", where)),
        int(_need(e, "last_year", where)),
        successors,
        **_notes(e, where),
    )


def _break(e: dict[str, Any], where: str) -> Break:
    regions = frozenset(str(c) for c in e.get("regions") or ())
    return Break(
        str(_need(e, "indicator", where)),
        int(_need(e, "year", where)),
        str(_need(e, "code", where)),
        regions,
        **_notes(e, where),
    )


def _model_years(e: dict[str, Any], where: str) -> ModelYears:
    return ModelYears(
        str(_need(e, "indicator", where)), int(_need(e, "from_year", where)), **_notes(e, where)
    )


_QUIRK_BUILDERS: dict[str, Callable[[dict[str, Any], str], Any]] = {
    "unit_corrections": _unit_correction,
    "city_level": _city_level,
    "successions": _succession,
    "breaks": _break,
    "model_years": _model_years,
}


def breaks_for(
    indicator_code: str, region: str | None = None, *, quirks: KnownQuirks | None = None
) -> list[tuple[int, str]]:
    """Curated breaks of an indicator as (year, reason code), for charts.

    Breaks limited to some regions (the 2022 border break) are included only when
    ``region`` is one of them: a national chart has no border break. For every break
    an indicator's rows actually have, use ``IndicatorData.breaks``.
    """
    quirks = quirks or load_known_quirks()
    found = {
        (b.year, b.code)
        for b in quirks.breaks
        if b.applies_to(indicator_code) and (not b.regions or region in b.regions)
    }
    return sorted(found)


# --- reports -----------------------------------------------------------------------


@dataclass
class _Issue:
    code: str
    action: str
    field: str
    value: str | None
    what: str
    done: str
    rows: list[int]


class FileReport:
    """Collects the problems of one file; the same cause on many rows is one problem."""

    def __init__(self, file: str) -> None:
        self.file = file
        self._issues: dict[tuple[str, ...], _Issue] = {}

    def add(
        self,
        code: str,
        action: str,
        what: str,
        *,
        row: int | Iterable[int] = 0,
        field: str = "",
        value: str | None = None,
        done: str = "",
    ) -> None:
        """``what`` says what is wrong, ``done`` what was done ("" = by ``action``)."""
        key = (code, action, field, repr(value), what, done)
        issue = self._issues.get(key)
        if issue is None:
            issue = self._issues[key] = _Issue(code, action, field, value, what, done, [])
        issue.rows.extend([row] if isinstance(row, int) else row)

    def problems(self) -> list[Problem]:
        out = [self._problem(issue) for issue in self._issues.values()]
        return sorted(out, key=lambda p: (p.row, p.code))

    def _problem(self, issue: _Issue) -> Problem:
        rows = sorted({r for r in issue.rows if r > 0})
        where = self.file + (f", {_rows_text(rows)}" if rows else "")
        if issue.field:
            where += f", {issue.field}"
            if issue.value is not None:
                where += f" {issue.value!r}"
        done = issue.done or _default_done(issue.action, len(rows))
        message = f"{where}: {issue.what}; {done}."
        return Problem(
            self.file, rows[0] if rows else 0, issue.field, issue.code, message, issue.action,
            tuple(rows),
        )  # fmt: skip


def _rows_text(rows: Sequence[int]) -> str:
    if len(rows) == 1:
        return f"row {rows[0]}"
    shown = ", ".join(str(r) for r in rows[:_ROWS_SHOWN])
    more = ", …" if len(rows) > _ROWS_SHOWN else ""
    return f"rows {shown}{more} ({len(rows)} rows)"


def _default_done(action: str, count: int) -> str:
    rows = "the row" if count <= 1 else f"the {count} rows"
    return {
        SET_ASIDE: f"{rows} set aside (not imported)",
        FLAGGED: f"{rows} kept with a flag",
        CORRECTED: f"{rows} corrected and kept",
        NOTED: "nothing changed",
    }[action]


# --- translations ------------------------------------------------------------------


class Translations:
    """translations/<lang>/<group>.yml, loaded once per group when first asked for."""

    def __init__(self, source: Source, files_read: list[str]) -> None:
        self.source = source
        self.files_read = files_read
        self._groups: dict[tuple[str, str], dict[str, str] | None] = {}

    def preload(self, groups: Iterable[str]) -> None:
        wanted = [(lang, g) for g in groups for lang in LANGS if (lang, g) not in self._groups]
        paths = [f"translations/{lang}/{g}.yml" for lang, g in wanted]
        payloads = self.source.read_many(paths)
        for (lang, group), path in zip(wanted, paths, strict=True):
            self._groups[(lang, group)] = self._parse(path, payloads[path])

    def group(self, lang: str, group: str) -> dict[str, str] | None:
        """The group's labels, or None when the file does not exist."""
        if (lang, group) not in self._groups:
            self.preload([group])
        return self._groups[(lang, group)]

    def exists(self, group: str) -> bool:
        return any(self.group(lang, group) is not None for lang in LANGS)

    def label(self, lang: str, group: str, key: str) -> str | None:
        labels = self.group(lang, group) or {}
        text = labels.get(key)
        return text if text else None

    def _parse(self, path: str, data: bytes | None) -> dict[str, str] | None:
        if data is None:
            return None
        self.files_read.append(path)
        try:
            parsed = load_yaml(data.decode("utf-8-sig"))
        except (yaml.YAMLError, UnicodeDecodeError):
            return {}
        if not isinstance(parsed, dict):
            return {}
        return {str(k): str(v).strip() for k, v in parsed.items() if v is not None}

    def resolve(self, lang: str, value: Any) -> str | None:
        """A metadata value in ``lang``: references are looked up, plain text is kept.

        Unknown groups such as ``data.тенге`` (sdg-build's built-in group, absent from
        the repository) fall back to the key, as Open SDG shows it.
        """
        if not isinstance(value, str) or not value.strip():
            return None
        reference = self.reference(value)
        if reference is None:
            return value.strip()
        group, key = reference
        if group == "data" and not self.exists("data"):
            return key
        return self.label(lang, group, key) or self.label("en", group, key)

    def reference(self, value: str) -> tuple[str, str] | None:
        match = _REFERENCE.match(value.strip())
        if not match:
            return None
        group, key = match.group(1), match.group(2)
        if group == "data" or self.exists(group):
            return group, key
        return None


# --- reading a repository ----------------------------------------------------------


@dataclass
class _Context:
    source: Source
    regions: frozenset[str]
    quirks: KnownQuirks
    translations: Translations
    files_read: list[str]


def read_repository(
    source: Source,
    *,
    regions: Collection[str],
    quirks: KnownQuirks | None = None,
    progress: Progress | None = None,
) -> Repository:
    """Every indicator with a data file, its kept rows, and every problem found.

    ``regions`` holds the first-level REF_AREA codes Qadam stores (a set, or a mapping
    keyed by code); a row of any other code is set aside. ``progress`` gets a percentage.
    """
    files_read: list[str] = []
    context = _Context(
        source,
        frozenset(regions),
        quirks or load_known_quirks(),
        Translations(source, files_read),
        files_read,
    )
    context.translations.preload(("global_indicators", "national_indicators", "REF_AREA"))
    codes, discovery = discover_codes(source, context.translations)
    repository = Repository(files_read=files_read, discovery=discovery)
    for done, batch in enumerate(_batches(codes, _FETCH_BATCH), start=1):
        for data, problems in _read_batch(context, batch):
            repository.indicators.append(data)
            repository.problems.extend(problems)
        if progress:
            progress(min(100, round(100 * done * _FETCH_BATCH / max(1, len(codes)))))
    repository.discovery["data_files"] = len(repository.indicators)
    repository.files_read.sort()
    return repository


def _batches(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def code_sort_key(code: str) -> tuple[tuple[int, str], ...]:
    """3-2-1 before 3-10-1 before 17-8-1; letters (3-a-1) after digits."""
    return tuple((int(p), "") if p.isdigit() else (10**6, p) for p in code.split("-"))


def discover_codes(source: Source, translations: Translations) -> tuple[list[str], dict[str, int]]:
    """Candidate indicator codes, and how many each index gave."""
    found: dict[str, set[str]] = {"translations": set()}
    for lang in LANGS:
        for group in ("global_indicators", "national_indicators"):
            for key in translations.group(lang, group) or {}:
                code = key.removesuffix("-title")
                if key.endswith("-title") and _CODE.match(code):
                    found["translations"].add(code)
    listings = {"meta": ("meta", ".yml", ""), "indicator-config": ("indicator-config", ".yml", "")}
    listings["data"] = ("data", ".csv", "indicator_")
    for name, (folder, suffix, prefix) in listings.items():
        files = source.listdir(folder)
        if files is None:
            continue
        found[name] = {
            f.removeprefix(prefix).removesuffix(suffix)
            for f in files
            if f.startswith(prefix) and f.endswith(suffix)
        }
    everything = set().union(*found.values())
    discovery = {name: len(codes) for name, codes in found.items()}
    data_files = source.listdir("data")
    if data_files is not None:
        # e.g. kazstat-sdg's indicator_3-1-1.xlsx beside indicator_3-1-1.csv: not read.
        others = [f for f in data_files if not (f.startswith("indicator_") and f.endswith(".csv"))]
        discovery["data_other_files"] = len(others)
    discovery["candidates"] = len(everything)
    discovery["only_by_listing"] = len(everything - found["translations"])
    return sorted(everything, key=code_sort_key), discovery


def _read_batch(
    context: _Context, codes: Sequence[str]
) -> Iterable[tuple[IndicatorData, list[Problem]]]:
    source = context.source
    data_files = source.read_many([data_path(code) for code in codes])
    present = {code: raw for code in codes if (raw := data_files[data_path(code)]) is not None}
    metas = source.read_many(
        [p for code in present for p in (f"meta/{code}.yml", f"indicator-config/{code}.yml")]
    )
    for code, payload in present.items():
        context.files_read.append(data_path(code))
        report = FileReport(data_path(code))
        meta = _merged_meta(code, metas, report, context.files_read)
        rows = read_indicator_csv(code, payload, context, report)
        data = IndicatorData(code=code, rows=rows, meta=meta, source_file=data_path(code))
        _label(data, context.translations)
        data.breaks = applied_breaks(code, rows, context.quirks)
        yield data, report.problems()


def data_path(code: str) -> str:
    return f"data/indicator_{code}.csv"


def _merged_meta(
    code: str, files: Mapping[str, bytes | None], report: FileReport, files_read: list[str]
) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in (f"meta/{code}.yml", f"indicator-config/{code}.yml"):
        payload = files.get(path)
        if payload is None:
            continue
        files_read.append(path)
        try:
            parsed = load_yaml(payload.decode("utf-8-sig"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            report.add("bad-metadata", NOTED, f"{path} is not readable YAML ({exc})")
            continue
        if isinstance(parsed, dict):
            merged.update({str(k): v for k, v in parsed.items() if str(k)})
    # The importer stores meta as JSON: YAML dates and the like become text.
    result: dict[str, Any] = json.loads(json.dumps(merged, default=str))
    return result


# --- one CSV -----------------------------------------------------------------------


@dataclass
class Draft:
    line: int
    series: str
    unit: str
    disaggregation: dict[str, str]
    region: str
    year: int
    value: float
    flags: list[str] = field(default_factory=list)

    def key(self) -> tuple[Any, ...]:
        return (self.series, self.unit, tuple(sorted(self.disaggregation.items())), self.region)

    def row(self, indicator: str) -> Row:
        return Row(
            indicator, self.series, self.unit, self.disaggregation, self.region, self.year,
            self.value, tuple(self.flags),
        )  # fmt: skip


@dataclass
class _Columns:
    year: int
    value: int
    region: int | None
    unit: int | None
    series: int | None
    disaggregations: list[tuple[int, str]]
    width: int


def read_indicator_csv(
    code: str, payload: bytes, context: _Context, report: FileReport
) -> list[Row]:
    """The kept rows of one data file; everything else goes to ``report``."""
    records = _records(payload, report)
    if not records:
        return []
    columns = _columns(records[0][1], report)
    if columns is None:
        return []
    checker = _RowChecker(code, columns, context, report, records)
    drafts = [d for d in (checker.check(line, cells) for line, cells in records[1:]) if d]
    return finish_drafts(code, drafts, context.quirks, report)


def finish_drafts(
    code: str, drafts: list[Draft], quirks: KnownQuirks, report: FileReport
) -> list[Row]:
    """Corrections, duplicates, overlaps and breaks, shared by both readers."""
    _correct_units(code, drafts, quirks, report)
    drafts = _drop_duplicates(drafts, report)
    drafts = _apply_successions(drafts, quirks, report)
    _flag_breaks(code, drafts, quirks, report)
    _flag_percent_over_100(drafts, report)
    return [d.row(code) for d in drafts]


def _records(payload: bytes, report: FileReport) -> list[tuple[int, list[str]]]:
    if not payload.strip():
        report.add("empty-file", NOTED, "the file is empty (no header)")
        return []
    try:
        text = decode_utf8(payload, report.file)
        reader = csv.reader(io.StringIO(text, newline=""))
        # Line numbers are CSV records from 1 (the header), as a spreadsheet shows them.
        return [(line, cells) for line, cells in enumerate(reader, start=1)]
    except ImportFormatError as exc:
        report.add("unreadable", SET_ASIDE, exc.message, row=exc.row, done="file set aside")
    except csv.Error as exc:
        report.add("unreadable", SET_ASIDE, f"not a readable CSV ({exc})", done="file set aside")
    return []


def _columns(raw_header: list[str], report: FileReport) -> _Columns | None:
    header = [RENAMED_COLUMNS.get(h.strip(), h.strip()) for h in raw_header]
    _report_odd_columns(raw_header, report)
    missing = [name for name in (YEAR, VALUE) if name not in header]
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if missing or repeated:
        what = (
            f"no {' or '.join(missing)} column" if missing else f"column {repeated[0]} twice"
        ) + f" in the header ({', '.join(repr(h) for h in raw_header)})"
        report.add("bad-header", SET_ASIDE, what, done="file set aside")
        return None
    roles = {YEAR, VALUE, REF_AREA, UNIT, SERIES, *IGNORED_COLUMNS}
    return _Columns(
        year=header.index(YEAR),
        value=header.index(VALUE),
        region=header.index(REF_AREA) if REF_AREA in header else None,
        unit=header.index(UNIT) if UNIT in header else None,
        series=header.index(SERIES) if SERIES in header else None,
        disaggregations=[(i, h) for i, h in enumerate(header) if h and h not in roles],
        width=len(header),
    )


def _report_odd_columns(raw_header: list[str], report: FileReport) -> None:
    names = [h.strip() for h in raw_header]
    blanks = names.count("")
    if blanks:
        report.add(
            "stray-column", NOTED,
            f"{blanks} column(s) without a name (trailing commas in the header) ignored",
            row=1,
        )  # fmt: skip
    for name in names:
        if name in RENAMED_COLUMNS:
            report.add(
                "renamed-column", NOTED, f"column {name!r} read as {RENAMED_COLUMNS[name]}", row=1
            )
        if name in IGNORED_COLUMNS:
            report.add("ignored-column", NOTED, f"column {name!r} ignored: {IGNORED_COLUMNS[name]}",
                       row=1)  # fmt: skip


class _RowChecker:
    """Turns one CSV record into a draft row, or reports why it cannot."""

    def __init__(
        self,
        code: str,
        columns: _Columns,
        context: _Context,
        report: FileReport,
        records: list[tuple[int, list[str]]],
    ) -> None:
        self.code = code
        self.columns = columns
        self.context = context
        self.report = report
        self.tr = context.translations
        self.city_level = next((c for c in context.quirks.city_level if c.indicator == code), None)
        self.closed = {c: self._closed_codes(c) for _, c in columns.disaggregations}
        self.series_seen = self._series_values(records)
        self.short_hint = ""

    def _closed_codes(self, column: str) -> frozenset[str] | None:
        if column not in CLOSED_COLUMNS or not self.tr.exists(column):
            return None
        codes = {k for lang in LANGS for k in self.tr.group(lang, column) or {} if k != column}
        return frozenset(codes | ALWAYS_VALID_CODES)

    def _series_values(self, records: list[tuple[int, list[str]]]) -> frozenset[str]:
        index = self.columns.series
        if index is None:
            return frozenset()
        return frozenset(c[index].strip() for _, c in records[1:] if len(c) > index)

    def check(self, line: int, raw: list[str]) -> Draft | None:
        cells = [c.strip() for c in raw]
        if not any(cells):
            return None  # a blank line
        if not self._fits(line, cells):
            return None
        width = self.columns.width
        self.short_hint = ""
        if len(cells) < width:
            self.short_hint = (
                f" (the row has {len(cells)} cells for {width} columns: its cells have "
                "probably slid left)"
            )
            cells += [""] * (width - len(cells))
        return self._build(line, cells)

    def _fits(self, line: int, cells: list[str]) -> bool:
        extra = [c for c in cells[self.columns.width :] if c]
        if extra:
            self.report.add(
                "long-row", SET_ASIDE,
                f"the row has {len(cells)} cells for {self.columns.width} columns "
                f"(extra: {', '.join(repr(c) for c in extra)})",
                row=line,
            )  # fmt: skip
            return False
        return True

    def _build(self, line: int, cells: list[str]) -> Draft | None:
        """The first check that fails reports the row; the others are not run."""
        year = self._year(line, cells[self.columns.year])
        if year is None:
            return None
        region = self._region(line, self._cell(cells, self.columns.region))
        if region is None:
            return None
        series = self._code(line, SERIES, self._cell(cells, self.columns.series))
        if not self._series_ok(line, series, region):
            return None
        disaggregation = self._disaggregation(line, cells)
        if disaggregation is None:
            return None
        value = self._value(line, cells[self.columns.value])
        if value is None:
            return None
        unit = self._code(line, UNIT, self._cell(cells, self.columns.unit))
        return Draft(line, series, unit, disaggregation, region, year, value)

    @staticmethod
    def _cell(cells: list[str], index: int | None) -> str:
        return cells[index] if index is not None else ""

    def _year(self, line: int, text: str) -> int | None:
        if _YEAR.match(text) and 1900 <= int(text) <= 2100:
            return int(text)
        what = "empty Year" if not text else "not a year (four digits expected)"
        self.report.add("bad-year", SET_ASIDE, what + self.short_hint, row=line, field=YEAR,
                        value=text)  # fmt: skip
        return None

    def _value(self, line: int, text: str) -> float | None:
        if not text:
            self.report.add("empty-value", SET_ASIDE, "empty Value" + self.short_hint, row=line,
                            field=VALUE)  # fmt: skip
            return None
        number = float(text) if _NUMBER.match(text) else math.nan
        if math.isfinite(number):
            return number
        self.report.add("bad-value", SET_ASIDE, "not a number" + self.short_hint, row=line,
                        field=VALUE, value=text)  # fmt: skip
        return None

    def _region(self, line: int, code: str) -> str | None:
        if not code:
            return ""
        verdict = self._region_verdict(code)
        if verdict is None:
            return code
        problem_code, what = verdict
        self.report.add(problem_code, SET_ASIDE, what + self.short_hint, row=line,
                        field=REF_AREA, value=code)  # fmt: skip
        return None

    def _region_verdict(self, code: str) -> tuple[str, str] | None:
        """None when the code is a region Qadam stores, else (problem code, reason)."""
        regions = self.context.regions
        if _NUMBER.match(code):
            return "bad-ref-area", "a number, not a region code"
        city_level = self.city_level
        if city_level and code in regions and code not in city_level.first_level:
            return "city-level", (
                f"indicator {self.code} is reported per monitored city, so a region code here "
                "stands for a city's stations, not a region-wide value (known-quirks.yaml)"
            )
        if code in regions:
            return None
        name = self._region_name(code)
        if name:
            return "not-first-level", (
                f"{name}: a city or settlement code, not a first-level region "
                "(Qadam stores first-level regions only)"
            )
        # In a city-level indicator only its first-level cities are worth a hint.
        hint = did_you_mean(code, city_level.first_level if city_level else regions)
        if hint:
            return "unknown-region", f"not a region code (did you mean {hint}?)"
        return "not-first-level", (
            "an untranslated code, not a first-level region (Qadam stores first-level regions only)"
        )

    def _region_name(self, code: str) -> str:
        for lang in LANGS:
            name = self.tr.label(lang, "REF_AREA", code)
            if name:
                return name
        return ""

    def _code(self, line: int, column: str, text: str) -> str:
        """A code cell; spaces inside a code that is known without them are removed."""
        if not text or not re.search(r"\s", text):
            return text
        joined = re.sub(r"\s+", "", text)
        if any(self.tr.label(lang, column, joined) for lang in LANGS):
            self.report.add(
                "code-spaces", CORRECTED, f"spaces inside a code; read as {joined!r}",
                row=line, field=column, value=text,
            )  # fmt: skip
            return joined
        return text

    def _series_ok(self, line: int, series: str, region: str) -> bool:
        """A SERIES with a region code glued on (``..._1AKZZAP`` beside ``..._1A``)."""
        if not series or region or series in (self.tr.group("en", SERIES) or {}):
            return True
        for code in self.context.regions:
            stem = series.removesuffix(code)
            if stem != series and stem in self.series_seen:
                self.report.add(
                    "glued-series", SET_ASIDE,
                    f"looks like series {stem!r} with the region code {code} glued on "
                    "(and REF_AREA empty)",
                    row=line, field=SERIES, value=series,
                )  # fmt: skip
                return False
        return True

    def _disaggregation(self, line: int, cells: list[str]) -> dict[str, str] | None:
        out: dict[str, str] = {}
        for index, column in self.columns.disaggregations:
            value = self._code(line, column, cells[index])
            if not value:
                continue
            problem = self._disaggregation_problem(column, value)
            if problem:
                self.report.add("bad-disaggregation", SET_ASIDE, problem + self.short_hint,
                                row=line, field=column, value=value)  # fmt: skip
                return None
            out[column] = value
        return out

    def _disaggregation_problem(self, column: str, value: str) -> str:
        if _NUMBER.match(value):
            return f"a number, not a {column} code"
        closed = self.closed.get(column)
        if closed is not None and value not in closed:
            return f"not a {column} code (known: {', '.join(sorted(closed))})"
        return ""


def did_you_mean(code: str, candidates: Iterable[str]) -> str:
    """The one candidate within one edit (insert, delete, replace, swap); '' if none or many."""
    near = [c for c in candidates if _one_edit(code, c)]
    return near[0] if len(near) == 1 else ""


def _one_edit(a: str, b: str) -> bool:
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) != 2:
            return len(diff) == 1
        i, j = diff
        return j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


# --- corrections, duplicates, overlaps, breaks -------------------------------------


def _correct_units(code: str, drafts: list[Draft], quirks: KnownQuirks, report: FileReport) -> None:
    for fix in quirks.unit_corrections:
        if fix.indicator != code:
            continue
        lines = [d.line for d in drafts if d.unit == fix.from_unit]
        for draft in drafts:
            if draft.unit == fix.from_unit:
                draft.unit = fix.to_unit
        if lines:
            report.add(
                "unit-corrected", CORRECTED,
                f"unit {fix.from_unit} is wrong: {fix.why} (source: {fix.source})",
                row=lines, field=UNIT, value=fix.from_unit,
                done=f"unit set to {fix.to_unit} on {_count(lines)} (known-quirks.yaml)",
            )  # fmt: skip


def _count(items: Sized) -> str:
    return "1 row" if len(items) == 1 else f"{len(items)} rows"


def _drop_duplicates(drafts: list[Draft], report: FileReport) -> list[Draft]:
    """Identical copies keep the first row; conflicting copies are all set aside."""
    groups: dict[tuple[Any, ...], list[Draft]] = defaultdict(list)
    for draft in drafts:
        groups[(*draft.key(), draft.year)].append(draft)
    dropped: set[int] = set()
    repeats: list[tuple[Draft, Draft]] = []
    for copies in groups.values():
        if len(copies) < 2:
            continue
        if len({d.value for d in copies}) == 1:
            repeats.extend((copy, copies[0]) for copy in copies[1:])
            dropped.update(id(d) for d in copies[1:])
            continue
        values = "; ".join(f"row {d.line}: {d.value:g}" for d in copies)
        report.add(
            "duplicate-conflict", SET_ASIDE,
            f"{_observation_text(copies[0])} has different values ({values})",
            row=[d.line for d in copies], field=VALUE,
            done=f"all {len(copies)} copies set aside (no way to tell which is right)",
        )  # fmt: skip
        dropped.update(id(d) for d in copies)
    if repeats:
        _report_repeats(sorted(repeats, key=lambda pair: pair[0].line), report)
    return [d for d in drafts if id(d) not in dropped]


def _report_repeats(repeats: list[tuple[Draft, Draft]], report: FileReport) -> None:
    copy, first = repeats[0]
    if len(repeats) == 1:
        what = (
            f"{_observation_text(copy)}: repeats row {first.line} exactly "
            f"(the same value {copy.value:g})"
        )
        done = f"row {first.line} kept, the repeat set aside"
    else:
        pairs = ", ".join(f"row {c.line} = row {f.line}" for c, f in repeats[:8])
        more = ", …" if len(repeats) > 8 else ""
        what = (
            f"{len(repeats)} rows repeat an earlier row exactly (same year, region, series, "
            f"unit, disaggregation and value), e.g. {_observation_text(copy)}: {pairs}{more}"
        )
        done = "the first copies kept, the repeats set aside"
    report.add("duplicate", SET_ASIDE, what, row=[c.line for c, _ in repeats], done=done)


def _observation_text(draft: Draft) -> str:
    parts = [f"Year {draft.year}", f"REF_AREA {draft.region or '(national)'}"]
    if draft.series:
        parts.append(f"SERIES {draft.series}")
    if draft.unit:
        parts.append(f"UNIT_MEASURE {draft.unit}")
    parts.extend(f"{k} {v}" for k, v in draft.disaggregation.items())
    return " × ".join(parts)


def _series_of(draft: Draft) -> tuple[Any, ...]:
    return draft.key()[:3]


def _apply_successions(drafts: list[Draft], quirks: KnownQuirks, report: FileReport) -> list[Draft]:
    for succession in quirks.successions:
        drafts = _apply_succession(drafts, succession, report)
    return drafts


def _apply_succession(drafts: list[Draft], rule: Succession, report: FileReport) -> list[Draft]:
    """The old unit beside its successors.

    Up to ``last_year`` its rows are history: kept, flagged "overlap" when successors
    have values for the same series and year. The year after, alone in its series, it
    is read as the transition year in old borders: kept, flagged. Any other later row
    is a mislabel and is set aside.
    """
    successor_years: dict[tuple[Any, ...], set[int]] = defaultdict(set)
    for draft in drafts:
        if draft.region in rule.successors:
            successor_years[_series_of(draft)].add(draft.year)
    groups: dict[str, list[Draft]] = {"overlap": [], "transition": [], "beside": [], "later": []}
    for draft in drafts:
        if draft.region != rule.old:
            continue
        beside = draft.year in successor_years[_series_of(draft)]
        if draft.year <= rule.last_year:
            group = "overlap" if beside else ""
        elif beside:
            group = "beside"
        else:
            group = "transition" if draft.year == rule.last_year + 1 else "later"
        if group:
            groups[group].append(draft)
    _report_succession(rule, groups, report)
    dropped = {id(d) for d in groups["beside"] + groups["later"]}
    return [d for d in drafts if id(d) not in dropped]


def _report_succession(
    rule: Succession, groups: dict[str, list[Draft]], report: FileReport
) -> None:
    old, last, successors = rule.old, rule.last_year, "/".join(sorted(rule.successors))
    late_code = f"{old.lower()}-after-{last}"
    _flag(groups["overlap"], "overlap")
    _flag(groups["transition"], late_code)
    texts = {
        "overlap": (
            "overlap",
            FLAGGED,
            f"{old} rows up to {last} are history, but the same series also has {successors} "
            "values for those years (back-calculated on the new borders): the same territory "
            "is counted twice, never add them up",
            f"{_count(groups['overlap'])} kept, flagged 'overlap'",
        ),
        "transition": (
            late_code,
            FLAGGED,
            f"{old} no longer existed after {last}, but the same series has no {successors} "
            f"value in {last + 1}: read as the transition year in the old borders",
            f"{_count(groups['transition'])} kept, flagged '{late_code}'",
        ),
        "beside": (
            late_code,
            SET_ASIDE,
            f"{old} no longer existed after {last}, yet the same series has {successors} "
            "values for those years: the code is a mislabel",
            "",
        ),
        "later": (
            late_code,
            SET_ASIDE,
            f"{old} no longer existed after {last}: a value for {last + 2} or later cannot be "
            "the old region, the code is a mislabel",
            "",
        ),
    }
    for name, (code, action, what, done) in texts.items():
        rows = groups[name]
        if rows:
            report.add(code, action, what, row=[d.line for d in rows], field=REF_AREA,
                       value=old, done=done)  # fmt: skip


def _flag(drafts: Iterable[Draft], flag: str) -> None:
    for draft in drafts:
        if flag not in draft.flags:
            draft.flags.append(flag)


def _flag_breaks(code: str, drafts: list[Draft], quirks: KnownQuirks, report: FileReport) -> None:
    for rule in quirks.breaks:
        if not rule.applies_to(code):
            continue
        hit = _break_rows(drafts, rule)
        if not hit:
            continue
        _flag(hit, rule.code)
        scope = f" of {', '.join(sorted(rule.regions))}" if rule.regions else ""
        report.add(
            rule.code, FLAGGED,
            f"a break in {rule.year}{scope}: {rule.why} (source: {rule.source})",
            row=[d.line for d in hit],
            done=f"{_count(hit)} from {rule.year} kept, flagged '{rule.code}' "
            "(not comparable with earlier years)",
        )  # fmt: skip


def _break_rows(drafts: list[Draft], rule: Break) -> list[Draft]:
    if not rule.regions:
        return [d for d in drafts if d.year >= rule.year]
    years: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for draft in drafts:
        if draft.region in rule.regions:
            years[draft.key()].append(draft.year)
    broken = {k for k, ys in years.items() if min(ys) < rule.year <= max(ys)}
    return [d for d in drafts if d.key() in broken and d.year >= rule.year]


def applied_breaks(code: str, rows: Iterable[Row], quirks: KnownQuirks) -> list[tuple[int, str]]:
    """The curated breaks an indicator's rows actually carry, for its charts."""
    flags = {flag for row in rows for flag in row.flags}
    return sorted(
        {(b.year, b.code) for b in quirks.breaks if b.applies_to(code) and b.code in flags}
    )


def _flag_percent_over_100(drafts: list[Draft], report: FileReport) -> None:
    over = [d for d in drafts if d.unit == PERCENT_UNIT and d.value > 100]
    if not over:
        return
    _flag(over, "pt-over-100")
    top = max(over, key=lambda d: d.value)
    report.add(
        "pt-over-100", FLAGGED,
        f"{_count(over)} labelled PT (percent) "
        f"{'holds a value' if len(over) == 1 else 'hold values'} above 100 (highest {top.value:g} "
        f"in row {top.line}): a percentage above 100 may be legitimate (growth, budget "
        "execution) or a mislabelled unit",
        row=[d.line for d in over], field=UNIT, value=PERCENT_UNIT,
        done="kept, flagged 'pt-over-100'",
    )  # fmt: skip


# --- labels ------------------------------------------------------------------------


def _label(data: IndicatorData, tr: Translations) -> None:
    """Titles, units and code labels in every language, through the translations."""
    columns = _used_codes(data.rows)
    tr.preload(c for c in columns if c != "REF_AREA")
    for lang in LANGS:
        data.labels[lang] = _indicator_labels(data, tr, lang)
        data.value_labels[lang] = {
            column: {
                code: tr.label(lang, column, code) or tr.label("en", column, code) or code
                for code in sorted(codes)
            }
            for column, codes in columns.items()
        }
    data.series_labels = _series_labels(data)
    data.label_gaps = _label_gaps(data, tr, columns)


def _used_codes(rows: Iterable[Row]) -> dict[str, set[str]]:
    used: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row.series:
            used[SERIES].add(row.series)
        if row.unit:
            used[UNIT].add(row.unit)
        for column, value in row.disaggregation.items():
            used[column].add(value)
    return dict(used)


def _indicator_labels(data: IndicatorData, tr: Translations, lang: str) -> dict[str, str]:
    labels: dict[str, str] = {}
    for key, value in data.meta.items():
        if isinstance(value, str) and tr.reference(value):
            text = tr.resolve(lang, value)
            if text:
                labels[key] = text
    national = tr.label(lang, "national_indicators", f"{data.code}-title")
    world = tr.label(lang, "global_indicators", f"{data.code}-title")
    title = labels.get("indicator_name") or national or world
    if title:
        labels["title"] = title
    if national:
        labels["national_title"] = national
    if world:
        labels["global_title"] = world
    unit = _unit_label(data, tr, lang)
    if unit:
        labels["unit"] = unit
    return labels


def _unit_label(data: IndicatorData, tr: Translations, lang: str) -> str:
    """The label of the one unit the rows use, else the configured computation unit."""
    units = {row.unit for row in data.rows if row.unit}
    if len(units) == 1:
        (unit,) = units
        return tr.label(lang, UNIT, unit) or tr.label("en", UNIT, unit) or unit
    return tr.resolve(lang, data.meta.get("computation_units")) or ""


def _series_labels(data: IndicatorData) -> dict[str, dict[str, str]]:
    several_units = len({row.unit for row in data.rows}) > 1
    out: dict[str, dict[str, str]] = {}
    for row in data.rows:
        key = series_key(row.series, row.unit, row.disaggregation)
        if key not in out:
            out[key] = {lang: _series_label(data, row, lang, several_units) for lang in LANGS}
    return out


def _series_label(data: IndicatorData, row: Row, lang: str, with_unit: bool) -> str:
    labels = data.value_labels[lang]
    parts = [labels[SERIES][row.series]] if row.series else []
    parts += [labels[column][value] for column, value in row.disaggregation.items()]
    text = ", ".join(parts) or TOTAL_LABEL[lang]
    if with_unit and row.unit:
        text += f" ({labels[UNIT][row.unit]})"
    return text


def _label_gaps(data: IndicatorData, tr: Translations, columns: dict[str, set[str]]) -> list[str]:
    gaps = [
        f"{lang}: no label for {column} {code!r}"
        for column, codes in sorted(columns.items())
        for code in sorted(codes)
        for lang in LANGS
        if not tr.label(lang, column, code)
    ]
    for key, value in data.meta.items():
        reference = tr.reference(value) if isinstance(value, str) else None
        if reference and reference[0] != "data":
            missing = [lang for lang in LANGS if not tr.label(lang, *reference)]
            if missing:
                gaps.append(f"{', '.join(missing)}: {key} {value!r} has no text")
    return gaps
