"""Read the kz-stats tables (Bureau of National Statistics series repackaged by the
open-data-kazakhstan project) into the same rows and problems as ``opensdg``.

Four tables become four indicators:

* ``kz-life-expectancy``: life expectancy at birth by region, 1999-2022, in years. Two
  layouts exist: the wide ``llife.csv`` (a region per line, a year per column, "-" for
  no value) and the long ``life_X_piv.csv``. The long one is read: it has the shape of
  the other tables, and the project's own script (Life_Expc/scripts/life_X_piv.py)
  made it from the wide one by dropping the "-" cells. The wide one is compared with
  it value by value; any disagreement is reported.
* ``kz-cash-income``: average per-capita nominal cash income, tenge per month, by
  region, 2000-2020; dates such as 2006-12-31 become the year 2006.
* ``kz-population``: population by region, 2000-2050, of which only 2000-2023 are the
  Bureau's figures (see known-quirks.yaml: model_years).
* ``kz-hospitals``: number of hospital organisations by region, 2003-2022.

Region names are Russian or Kazakh, in any case, short ("Акмолинская") or long
("АКМОЛИНСКАЯ ОБЛАСТЬ"), with "г." or "город" for cities and footnote marks
("Туркестанская*", "Туркестанская 1"). They are matched to REF_AREA codes through the
en/ru/kk names of ``qadam/taxonomy/data/regions-kz.yaml`` plus a few aliases.

South Kazakhstan. Before Shymkent became a city of republican significance, the
tables give the whole old region under the name "Туркестанская*" (footnoted): the
population of "Туркестанская 1" is 2.84 million in 2016 and 1.97 million in 2017, the
first year with a separate Shymkent. So a Turkistan row of a year before the table's
first Shymkent year is South Kazakhstan Region (KZONT), and is reported as corrected.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from qadam.lib.opensdg import (
    CORRECTED,
    NOTED,
    SET_ASIDE,
    Draft,
    FileReport,
    IndicatorData,
    KnownQuirks,
    Problem,
    Repository,
    Row,
    applied_breaks,
    finish_drafts,
    load_known_quirks,
    series_key,
)
from qadam.lib.records import ImportFormatError
from qadam.lib.tabular import decode_utf8, header_key

REGIONS_YAML = Path(__file__).resolve().parent.parent / "taxonomy" / "data" / "regions-kz.yaml"
LIFE_LONG = "average-life-expectancy__Life_Expc_data_life_X_piv.csv"
LIFE_WIDE = "average-life-expectancy__Life_Expc_data_llife.csv"
CASH = "average-per-capita-nominal-cash-income__data_output.csv"
POPULATION = "population-projections-by-regions__data_csv_final.csv"
HOSPITALS = "average-life-expectancy__Hosp_Amount_data_Hosp_piv.csv"

MISSING = "-"
CREDIT = "Credit the Bureau of National Statistics of the Republic of Kazakhstan."


@dataclass(frozen=True)
class TableSpec:
    code: str
    file: str
    region: str  # header names
    year: str
    value: str
    unit: str
    repository: str  # open-data-kazakhstan/<repository>
    path: str  # the file inside it


TABLES = (
    TableSpec(
        "kz-life-expectancy", LIFE_LONG, "Регион", "Год",
        "Ожидаемый возраст населения при рождении", "YEAR",
        "average-life-expectancy", "Life_Expc/data/life_X_piv.csv",
    ),
    TableSpec(
        "kz-cash-income", CASH, "region", "date", "value", "KZT",
        "average-per-capita-nominal-cash-income", "data/output.csv",
    ),
    TableSpec(
        "kz-population", POPULATION, "Область", "Год", "Население", "PERSONS",
        "population-projections-by-regions", "data/csv_final.csv",
    ),
    TableSpec(
        "kz-hospitals", HOSPITALS, "Регион", "Год", "Число больничных органзаций", "NUMBER",
        "average-life-expectancy", "Hosp_Amount/data/Hosp_piv.csv",
    ),
)  # fmt: skip

# Qadam's translations of the titles and units (the tables are in Russian only).
TITLES = {
    "kz-life-expectancy": {
        "en": "Life expectancy at birth",
        "ru": "Ожидаемая продолжительность жизни при рождении",
        "kk": "Туған кездегі күтілетін өмір сүру ұзақтығы",
    },
    "kz-cash-income": {
        "en": "Average per capita nominal cash income",
        "ru": "Среднедушевые номинальные денежные доходы населения",
        "kk": "Халықтың жан басына шаққандағы орташа номиналды ақшалай табысы",
    },
    "kz-population": {
        "en": "Population",
        "ru": "Численность населения",
        "kk": "Халық саны",
    },
    "kz-hospitals": {
        "en": "Number of hospital organisations",
        "ru": "Число больничных организаций",
        "kk": "Аурухана ұйымдарының саны",
    },
}
UNITS = {
    "YEAR": {"en": "years", "ru": "лет", "kk": "жыл"},
    "KZT": {"en": "tenge per month", "ru": "тенге в месяц", "kk": "айына теңге"},
    "PERSONS": {"en": "persons", "ru": "человек", "kk": "адам"},
    "NUMBER": {"en": "number", "ru": "единиц", "kk": "бірлік"},
}
TOTAL = {"en": "Total", "ru": "Всего", "kk": "Барлығы"}

# Names the yaml does not give: short Russian forms of the 2022 regions, old names of
# Astana, the usual abbreviations. Keys are normalised (see normalise_region_name).
ALIASES = {
    "жетысу": "KZZHS",
    "улытау": "KZULU",
    "нур-султан": "KZNS",
    "нұр-сұлтан": "KZNS",
    "акмола": "KZNS",
    "вко": "KZVOS",
    "зко": "KZZAP",
    "ско": "KZSEV",
    "юко": "KZONT",
}
NATIONAL_NAMES = {
    "республика казахстан",
    "казахстан",
    "қазақстан республикасы",
    "қазақстан",
    "republic of kazakhstan",
    "kazakhstan",
    "всего",
}
_CITY_WORDS = {"г", "г.", "город", "қ.", "қаласы", "city"}
_REGION_WORDS = {"область", "обл", "обл.", "облысы", "region", "oblast"}
_FOOTNOTE = re.compile(r"(\s*\*+|\s+\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})(-\d{2}-\d{2})?$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


# --- region names ------------------------------------------------------------------


def load_region_names(path: Path | str = REGIONS_YAML) -> dict[str, dict[str, str]]:
    """{code: {lang: name}} from a regions-kz.yaml file."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return {str(r["code"]): dict(r.get("name") or {}) for r in data.get("regions") or []}


def normalise_region_name(name: str) -> tuple[str, str]:
    """(core name, "city" | "region" | "") with case, ё, footnote marks and kind words gone."""
    text = name.strip().lower().replace("ё", "е").replace("–", "-")
    text = _FOOTNOTE.sub("", text)
    text = re.sub(r"\s*-\s*", "-", text.replace(".", ". "))
    kind = ""
    words = []
    for word in text.split():
        if word in _CITY_WORDS:
            kind = "city"
        elif word in _REGION_WORDS:
            kind = "region"
        else:
            words.append(word)
    return " ".join(words), kind


class RegionMatcher:
    """Region names to REF_AREA codes: '' for the country, None when unknown or ambiguous."""

    def __init__(
        self, names: Mapping[str, Mapping[str, str]], aliases: Mapping[str, str] = ALIASES
    ) -> None:
        self._index: dict[str, dict[str, set[str]]] = {}
        for code, by_lang in names.items():
            for name in by_lang.values():
                core, kind = normalise_region_name(name)
                self._index.setdefault(core, {}).setdefault(code, set()).add(kind)
        for alias, code in aliases.items():
            self._index.setdefault(alias, {}).setdefault(code, set()).add("")

    def match(self, name: str) -> str | None:
        core, kind = normalise_region_name(name)
        if core in NATIONAL_NAMES:
            return ""
        candidates = self._index.get(core, {})
        if kind:
            exact = [c for c, kinds in candidates.items() if kind in kinds]
            loose = [c for c, kinds in candidates.items() if "" in kinds]
            found = exact or loose
        else:
            found = list(candidates)
        return found[0] if len(found) == 1 else None


# --- reading -----------------------------------------------------------------------


def read_kz_stats(
    folder: Path | str,
    *,
    regions: Collection[str],
    names: Mapping[str, Mapping[str, str]] | None = None,
    quirks: KnownQuirks | None = None,
) -> Repository:
    """The four kz-stats indicators, with every problem found.

    ``regions`` holds the REF_AREA codes Qadam stores; ``names`` ({code: {lang: name}})
    defaults to qadam/taxonomy/data/regions-kz.yaml.
    """
    folder = Path(folder)
    quirks = quirks or load_known_quirks()
    matcher = RegionMatcher(names if names is not None else load_region_names())
    repository = Repository()
    for spec in TABLES:
        report = FileReport(spec.file)
        payload = _read_file(folder, spec.file, report)
        drafts = _drafts(spec, payload, matcher, frozenset(regions), report, repository)
        drafts = _drop_model_years(spec, _old_south(drafts, report), quirks, report)
        rows = finish_drafts(spec.code, drafts, quirks, report)
        if payload is not None:
            repository.files_read.append(spec.file)
        repository.indicators.append(_indicator(spec, rows, quirks))
        repository.problems.extend(report.problems())
    life = next(d for d in repository.indicators if d.code == "kz-life-expectancy")
    repository.problems.extend(cross_check_life_expectancy(folder, life, matcher))
    if (folder / LIFE_WIDE).is_file():
        repository.files_read.append(LIFE_WIDE)
    return repository


def _read_file(folder: Path, name: str, report: FileReport) -> bytes | None:
    try:
        return (folder / name).read_bytes()
    except FileNotFoundError:
        report.add("missing-file", SET_ASIDE, f"no such file in {folder}", done="nothing read")
    return None


def _table(payload: bytes, report: FileReport) -> list[list[str]]:
    try:
        text = decode_utf8(payload, report.file)
    except ImportFormatError as exc:
        report.add("unreadable", SET_ASIDE, exc.message, row=exc.row, done="file set aside")
        return []
    return list(csv.reader(io.StringIO(text, newline="")))


def _drafts(
    spec: TableSpec,
    payload: bytes | None,
    matcher: RegionMatcher,
    regions: frozenset[str],
    report: FileReport,
    repository: Repository,
) -> list[Draft]:
    records = _table(payload, report) if payload is not None else []
    if not records:
        return []
    header = [header_key(h) for h in records[0]]
    wanted = (spec.region, spec.year, spec.value)
    missing = [name for name in wanted if header_key(name) not in header]
    if missing:
        report.add(
            "bad-header", SET_ASIDE,
            f"no column {', '.join(repr(m) for m in missing)} in the header "
            f"({', '.join(repr(h) for h in records[0])})",
            done="file set aside",
        )  # fmt: skip
        return []
    columns = [header.index(header_key(name)) for name in wanted]
    reader = _TableRows(spec, matcher, regions, report)
    drafts = [reader.draft(line, cells, columns) for line, cells in enumerate(records[1:], 2)]
    if reader.missing:
        repository.skipped[spec.file] = reader.missing
    return [d for d in drafts if d is not None]


class _TableRows:
    def __init__(
        self,
        spec: TableSpec,
        matcher: RegionMatcher,
        regions: frozenset[str],
        report: FileReport,
    ) -> None:
        self.spec = spec
        self.matcher = matcher
        self.regions = regions
        self.report = report
        self.missing = 0  # "-" cells: no value, by the tables' own convention

    def draft(self, line: int, raw: list[str], columns: list[int]) -> Draft | None:
        cells = [c.strip() for c in raw]
        if not any(cells):
            return None
        name, year_text, value_text = (cells[i] if i < len(cells) else "" for i in columns)
        region = self._region(line, name, raw[columns[0]] if columns[0] < len(raw) else "")
        year = self._year(line, year_text) if region is not None else None
        if region is None or year is None:
            return None
        if value_text == MISSING:
            self.missing += 1
            return None
        value = self._value(line, value_text)
        if value is None:
            return None
        return Draft(line, "", self.spec.unit, {}, region, year, value)

    def _region(self, line: int, name: str, raw_name: str) -> str | None:
        code = self.matcher.match(name)
        if code is None:
            self.report.add(
                "unknown-region", SET_ASIDE,
                "no region of Kazakhstan has this name (regions-kz.yaml names and aliases)",
                row=line, field=self.spec.region, value=raw_name,
            )  # fmt: skip
            return None
        if code and code not in self.regions:
            self.report.add(
                "not-in-regions", SET_ASIDE,
                f"the name means {code}, which is not among the regions Qadam stores",
                row=line, field=self.spec.region, value=raw_name,
            )  # fmt: skip
            return None
        return code

    def _year(self, line: int, text: str) -> int | None:
        match = _YEAR.match(text)
        if match and 1900 <= int(match.group(1)) <= 2100:
            return int(match.group(1))
        self.report.add(
            "bad-year", SET_ASIDE, "not a year (or a date such as 2006-12-31)",
            row=line, field=self.spec.year, value=text,
        )  # fmt: skip
        return None

    def _value(self, line: int, text: str) -> float | None:
        number = float(text) if _NUMBER.match(text) else math.nan
        if math.isfinite(number):
            return number
        what = "empty value" if not text else "not a number"
        self.report.add("empty-value" if not text else "bad-value", SET_ASIDE, what, row=line,
                        field=self.spec.value, value=text or None)  # fmt: skip
        return None


def _old_south(drafts: list[Draft], report: FileReport) -> list[Draft]:
    """Turkistan rows before the table's first Shymkent year are South Kazakhstan."""
    shymkent_years = [d.year for d in drafts if d.region == "KZSHY"]
    first = min(shymkent_years) if shymkent_years else 2018
    moved = [d for d in drafts if d.region == "KZYUZ" and d.year < first]
    for draft in moved:
        draft.region = "KZONT"
    if moved:
        years = sorted({d.year for d in moved})
        report.add(
            "old-borders", CORRECTED,
            f"Turkistan Region (KZYUZ) values for {years[0]}-{years[-1]} come before the "
            f"table's first separate Shymkent value ({first}), so they cover the old South "
            "Kazakhstan Region, Shymkent included",
            row=[d.line for d in moved],
            done=f"{len(moved)} rows stored as KZONT (South Kazakhstan Region)",
        )  # fmt: skip
    return drafts


def _drop_model_years(
    spec: TableSpec, drafts: list[Draft], quirks: KnownQuirks, report: FileReport
) -> list[Draft]:
    for rule in quirks.model_years:
        if rule.indicator != spec.code:
            continue
        model = [d for d in drafts if d.year >= rule.from_year]
        if model:
            report.add(
                "model-forecast", SET_ASIDE,
                f"values from {rule.from_year} on are not official statistics: {rule.why} "
                f"(source: {rule.source})",
                row=[d.line for d in model], field=spec.year,
            )  # fmt: skip
        drafts = [d for d in drafts if d.year < rule.from_year]
    return drafts


def _indicator(spec: TableSpec, rows: list[Row], quirks: KnownQuirks) -> IndicatorData:
    meta: dict[str, Any] = {
        "source_file": spec.file,
        "origin": f"open-data-kazakhstan/{spec.repository} ({spec.path})",
        "origin_url": f"https://github.com/open-data-kazakhstan/{spec.repository}",
        "publisher": "Bureau of National Statistics of the Republic of Kazakhstan (stat.gov.kz)",
        "credit": CREDIT,
        "licence": "no licence declared: official statistics",
        "computation_units": spec.unit,
    }
    model = [m for m in quirks.model_years if m.indicator == spec.code]
    if model:
        meta["official_until"] = model[0].from_year - 1
    labels = {
        lang: {"title": TITLES[spec.code][lang], "unit": UNITS[spec.unit][lang]}
        for lang in ("en", "ru", "kk")
    }
    key = series_key("", spec.unit, {})
    return IndicatorData(
        code=spec.code,
        rows=rows,
        meta=meta,
        labels=labels,
        value_labels={
            lang: {"UNIT_MEASURE": {spec.unit: UNITS[spec.unit][lang]}} for lang in labels
        },
        series_labels={key: dict(TOTAL)} if rows else {},
        breaks=applied_breaks(spec.code, rows, quirks),
        source_file=spec.file,
    )


# --- the wide life-expectancy table ------------------------------------------------


def cross_check_life_expectancy(
    folder: Path | str, life: IndicatorData, matcher: RegionMatcher
) -> list[Problem]:
    """Disagreements between the wide table and the rows read from the long one."""
    report = FileReport(LIFE_WIDE)
    path = Path(folder) / LIFE_WIDE
    if not path.is_file():
        report.add("missing-file", NOTED, "the wide table is absent, nothing to compare")
        return report.problems()
    records = _table(path.read_bytes(), report)
    if not records:
        return report.problems()
    kept = {(row.region, row.year): row.value for row in life.rows}
    years = records[0][1:]
    for line, cells in enumerate(records[1:], start=2):
        if not cells or not cells[0].strip():
            continue
        code = matcher.match(cells[0])
        if code is None:
            report.add("unknown-region", NOTED, "no region of Kazakhstan has this name",
                       row=line, field="region", value=cells[0])  # fmt: skip
            continue
        for year_text, cell in zip(years, cells[1:], strict=False):
            _compare(report, line, code, year_text.strip(), cell.strip(), kept)
    return report.problems()


def _compare(
    report: FileReport,
    line: int,
    code: str,
    year_text: str,
    cell: str,
    kept: Mapping[tuple[str, int], float],
) -> None:
    if not year_text.isdigit():
        return
    year = int(year_text)
    ours = kept.get((code, year)) or kept.get(("KZONT" if code == "KZYUZ" else code, year))
    if cell == MISSING and ours is None:
        return
    theirs = float(cell) if _NUMBER.match(cell) else None
    if theirs is not None and ours is not None and math.isclose(theirs, ours, abs_tol=1e-9):
        return
    report.add(
        "cross-check", NOTED,
        f"{code or 'national'} {year}: the wide table has {cell or 'nothing'}, the long table "
        f"(read) has {'nothing' if ours is None else f'{ours:g}'}",
        row=line, field=year_text,
    )  # fmt: skip


def region_names_in(folder: Path | str) -> dict[str, set[str]]:
    """Every region name of every table read (and of the wide one), for checks."""
    out: dict[str, set[str]] = {}
    for spec in TABLES:
        path = Path(folder) / spec.file
        records = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        index = [header_key(h) for h in records[0]].index(header_key(spec.region))
        out[spec.file] = {r[index] for r in records[1:] if len(r) > index and r[index].strip()}
    wide = list(csv.reader(io.StringIO((Path(folder) / LIFE_WIDE).read_text(encoding="utf-8"))))
    out[LIFE_WIDE] = {r[0] for r in wide[1:] if r and r[0].strip()}
    return out
