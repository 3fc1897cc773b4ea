"""The kz-stats reader: synthetic tables for the quirks, then the real tables.

Synthetic tables are written under tmp_path in a folder named "synthetic-kz-stats";
the real ones are read from QADAM_DATA_DIR (skipped when it is missing).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from qadam.lib import kzstats
from qadam.lib.kzstats import RegionMatcher, normalise_region_name, read_kz_stats
from qadam.lib.opensdg import Repository
from qadam.lib.tests.test_opensdg import data_dir

NAMES = kzstats.load_region_names()
REGIONS = set(NAMES)

LIFE_HEADER = "Регион,Год,Ожидаемый возраст населения при рождении\n"
HOSPITAL_HEADER = "Регион,Год,Число больничных органзаций\n"


def write_tables(root: Path, **overrides: str) -> Path:
    """Synthetic kz-stats tables in the real layouts; ``overrides`` replace whole files."""
    tables = {
        kzstats.LIFE_LONG: LIFE_HEADER
        + "Республика Казахстан ,2016,72.41\nТуркестанская*,2016,72.58\nТуркестанская*,2017,72.45\n"
        "г. Шымкент,2017,74.34\nАкмолинская,2016,70.91\nАбай,2022,73.8\nЖетісу,2022,73.1\n"
        "Восточно-Казахстанская,2021,70.1\nВосточно-Казахстанская,2022,73.9\n",
        kzstats.LIFE_WIDE: ",2016,2017,2022\nРеспублика Казахстан ,72.41,-,-\n"
        "Туркестанская*,72.58,72.45,-\nг. Шымкент,-,74.34,-\nАкмолинская,70.91,-,-\n"
        "Абай,-,-,73.8\nЖетісу,-,-,73.1\n",
        kzstats.CASH: "region,date,value\nРЕСПУБЛИКА КАЗАХСТАН,2016-12-31,76575\n"
        "ЮЖНО-КАЗАХСТАНСКАЯ ОБЛАСТЬ,2017-12-31,42683\nТУРКЕСТАНСКАЯ ОБЛАСТЬ,2018-12-31,43937\n"
        "Г.ШЫМКЕНТ,2018-12-31,58470\nГ.АЛМАТЫ,2018-12-31,90000\nАЛМАТЫ,2018-12-31,1\n",
        kzstats.POPULATION: ",Область,Год,Население\n0,Республика Казахстан ,2023,19766807.0\n"
        "1,Ұлытау,2023,221426.0\n2,Улытау,2024,221000.0\n3,г. Астана,2023,1354507.0\n",
        kzstats.HOSPITALS: HOSPITAL_HEADER + "Республика Казахстан,2003,1029.0\n"
        "город Алматы,2003,-\nНарния,2003,5\nАкмолинская,20x3,5\nАкмолинская,2004,\n",
    }
    tables.update(overrides)
    root.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def synthetic(tmp_path: Path) -> Repository:
    return read_kz_stats(write_tables(tmp_path / "synthetic-kz-stats"), regions=REGIONS)


def rows(repo: Repository, code: str) -> dict[tuple[str, int], float]:
    data = next(d for d in repo.indicators if d.code == code)
    return {(r.region, r.year): r.value for r in data.rows}


# --- names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Акмолинская", ("акмолинская", "")),
        ("АКМОЛИНСКАЯ ОБЛАСТЬ", ("акмолинская", "region")),
        ("Г.АЛМАТЫ", ("алматы", "city")),
        ("г. Астана", ("астана", "city")),
        ("Алматы қаласы", ("алматы", "city")),
        ("Туркестанская**", ("туркестанская", "")),
        ("Туркестанская 1", ("туркестанская", "")),
        ("Западно - Казахстанская", ("западно-казахстанская", "")),
        ("Республика Казахстан ", ("республика казахстан", "")),
    ],
)
def test_normalise_region_name(name: str, expected: tuple[str, str]) -> None:
    assert normalise_region_name(name) == expected


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Республика Казахстан ", ""),
        ("РЕСПУБЛИКА КАЗАХСТАН", ""),
        ("Акмолинская", "KZAKM"),
        ("г. Алматы", "KZALA"),
        ("город Алматы", "KZALA"),
        ("Алматинская", "KZALM"),
        ("Алматы облысы", "KZALM"),
        ("Абай", "KZABY"),
        ("Жетісу", "KZZHS"),
        ("Жетысу", "KZZHS"),
        ("Ұлытау", "KZULU"),
        ("Улытау", "KZULU"),
        ("Южно-Казахстанская", "KZONT"),
        ("ТУРКЕСТАНСКАЯ ОБЛАСТЬ", "KZYUZ"),
        ("Туркестанская*", "KZYUZ"),
        ("Г.ШЫМКЕНТ", "KZSHY"),
        ("Нур-Султан", "KZNS"),
        ("Shymkent", "KZSHY"),
        ("Алматы", None),  # the city or the region: ambiguous
        ("Нарния", None),
    ],
)
def test_region_matcher(name: str, code: str | None) -> None:
    assert RegionMatcher(NAMES).match(name) == code


# --- synthetic tables --------------------------------------------------------------


def test_life_expectancy_rows_and_old_south_kazakhstan(synthetic: Repository) -> None:
    life = rows(synthetic, "kz-life-expectancy")
    assert life[("", 2016)] == 72.41 and life[("KZABY", 2022)] == 73.8
    # Before the table's first Shymkent year (2017), "Туркестанская*" is the old region.
    assert life[("KZONT", 2016)] == 72.58 and life[("KZYUZ", 2017)] == 72.45
    corrected = [p for p in synthetic.problems if p.code == "old-borders"]
    assert len(corrected) == 1 and corrected[0].rows == (3,) and corrected[0].action == "corrected"
    assert "2016-2016" in corrected[0].message and "(2017)" in corrected[0].message


def test_border_break_is_flagged_in_kz_stats_too(synthetic: Repository) -> None:
    life = next(d for d in synthetic.indicators if d.code == "kz-life-expectancy")
    flagged = [(r.region, r.year) for r in life.rows if r.flags]
    assert flagged == [("KZVOS", 2022)] and life.breaks == [(2022, "border-break-2022")]


def test_cash_income_dates_become_years(synthetic: Repository) -> None:
    cash = rows(synthetic, "kz-cash-income")
    assert cash[("", 2016)] == 76575 and cash[("KZONT", 2017)] == 42683
    assert cash[("KZYUZ", 2018)] == 43937 and cash[("KZSHY", 2018)] == 58470
    assert cash[("KZALA", 2018)] == 90000
    ambiguous = [p for p in synthetic.problems if p.code == "unknown-region" and p.row == 7]
    assert ambiguous and "'АЛМАТЫ'" in ambiguous[0].message and ambiguous[0].file == kzstats.CASH


def test_population_keeps_official_years_only(synthetic: Repository) -> None:
    population = rows(synthetic, "kz-population")
    assert population == {("", 2023): 19766807, ("KZULU", 2023): 221426, ("KZNS", 2023): 1354507}
    model = next(p for p in synthetic.problems if p.code == "model-forecast")
    assert model.rows == (4,) and "LinearRegression" in model.message
    meta = next(d for d in synthetic.indicators if d.code == "kz-population").meta
    assert meta["official_until"] == 2023


def test_hospitals_unmatched_names_bad_cells_and_dashes(synthetic: Repository) -> None:
    assert rows(synthetic, "kz-hospitals") == {("", 2003): 1029}
    by_code = {p.code: p for p in synthetic.problems if p.file == kzstats.HOSPITALS}
    assert set(by_code) == {"unknown-region", "bad-year", "empty-value"}
    assert by_code["unknown-region"].row == 4 and "'Нарния'" in by_code["unknown-region"].message
    assert by_code["bad-year"].row == 5 and "'20x3'" in by_code["bad-year"].message
    assert by_code["empty-value"].row == 6
    # "-" is the tables' own "no value": counted, not a problem.
    assert synthetic.skipped == {kzstats.HOSPITALS: 1}


def test_labels_units_and_source_metadata(synthetic: Repository) -> None:
    by_code = {d.code: d for d in synthetic.indicators}
    assert [d.code for d in synthetic.indicators] == [
        "kz-life-expectancy", "kz-cash-income", "kz-population", "kz-hospitals",
    ]  # fmt: skip
    income = by_code["kz-cash-income"]
    assert income.labels["kk"]["unit"] == "айына теңге" and {r.unit for r in income.rows} == {"KZT"}
    assert {d.rows[0].unit for d in synthetic.indicators} == {"YEAR", "KZT", "PERSONS", "NUMBER"}
    for data in synthetic.indicators:
        assert set(data.labels) == {"en", "ru", "kk"} and all(
            v["title"] for v in data.labels.values()
        )
        assert "Bureau of National Statistics" in data.meta["credit"]
        assert data.meta["origin"].startswith("open-data-kazakhstan/")


def test_wide_and_long_life_tables_disagreeing_are_reported(tmp_path: Path) -> None:
    wide = ",2016,2017\nРеспублика Казахстан ,72.5,-\nАкмолинская,70.91,71.0\nАтлантида,1,2\n"
    root = write_tables(tmp_path / "synthetic-kz-stats", **{kzstats.LIFE_WIDE: wide})
    repo = read_kz_stats(root, regions=REGIONS)
    checks = [p for p in repo.problems if p.file == kzstats.LIFE_WIDE]
    messages = " | ".join(p.message for p in checks)
    assert "national 2016: the wide table has 72.5, the long table (read) has 72.41" in messages
    assert "KZAKM 2017: the wide table has 71.0, the long table (read) has nothing" in messages
    assert "'Атлантида'" in messages and all(p.action == "noted" for p in checks)


def test_missing_table_and_missing_column(tmp_path: Path) -> None:
    root = write_tables(
        tmp_path / "synthetic-kz-stats", **{kzstats.CASH: "регион,дата,сумма\nX,2000,1\n"}
    )
    (root / kzstats.HOSPITALS).unlink()
    repo = read_kz_stats(root, regions=REGIONS)
    codes = {(p.file, p.code) for p in repo.problems}
    assert (kzstats.CASH, "bad-header") in codes and (kzstats.HOSPITALS, "missing-file") in codes
    assert repo.summary()["files_set_aside"] == 1


def test_regions_outside_the_given_set(tmp_path: Path) -> None:
    repo = read_kz_stats(write_tables(tmp_path / "synthetic-kz-stats"), regions=REGIONS - {"KZABY"})
    problem = next(p for p in repo.problems if p.code == "not-in-regions")
    assert "'Абай'" in problem.message and "KZABY" in problem.message


# --- the real tables ---------------------------------------------------------------


def _real_folder() -> Path:
    folder = data_dir() / "kz-stats"
    if not (folder / kzstats.LIFE_LONG).is_file():
        pytest.skip(f"{folder} is missing (QADAM_DATA_DIR)")
    return folder


@pytest.fixture(scope="module")
def real() -> Repository:
    return read_kz_stats(_real_folder(), regions=REGIONS)


@pytest.mark.parametrize(
    ("region", "year", "value"),
    [("", 1999, 65.63), ("", 2022, 74.44), ("KZAKM", 1999, 64.38), ("KZABY", 2022, 73.8),
     ("KZSHY", 2017, 74.34), ("KZONT", 2016, 72.58), ("KZYUZ", 2018, 72.95), ("KZNS", 1999, 67.6)],
)  # fmt: skip
def test_real_life_expectancy_matches_the_csv(
    real: Repository, region: str, year: int, value: float
) -> None:
    assert rows(real, "kz-life-expectancy")[(region, year)] == value


def test_real_life_tables_agree(real: Repository) -> None:
    assert [p for p in real.problems if p.code == "cross-check"] == []
    assert len(rows(real, "kz-life-expectancy")) == 417


def test_real_every_region_name_is_matched_or_reported(real: Repository) -> None:
    matcher = RegionMatcher(NAMES)
    messages = " ".join(p.message for p in real.problems)
    names = kzstats.region_names_in(_real_folder())
    assert set(names) == {*(t.file for t in kzstats.TABLES), kzstats.LIFE_WIDE}
    for file, found in names.items():
        for name in found:
            assert matcher.match(name) is not None or repr(name) in messages, (file, name)
    assert not [p for p in real.problems if p.code in ("unknown-region", "not-in-regions")]


def test_real_series_and_decisions(real: Repository) -> None:
    summary = real.summary()
    assert summary["indicators_with_rows"] == 4
    assert summary["set_aside_by_code"] == {"model-forecast": 567}  # population 2024-2050
    population = rows(real, "kz-population")
    assert max(year for _, year in population) == 2023 and population[("KZONT", 2016)] == 2840871
    cash = rows(real, "kz-cash-income")
    assert min(y for _, y in cash) == 2000 and max(y for _, y in cash) == 2020
    assert cash[("KZONT", 2017)] == 42683 and ("KZYUZ", 2017) not in cash
    hospitals = rows(real, "kz-hospitals")
    assert hospitals[("KZONT", 2017)] == 117 and hospitals[("KZYUZ", 2018)] == 40


def test_real_wide_table_shape(real: Repository) -> None:
    text = (_real_folder() / kzstats.LIFE_WIDE).read_text(encoding="utf-8")
    wide = list(csv.reader(io.StringIO(text)))
    assert wide[0][1] == "1999" and wide[0][-1] == "2022" and len(wide) == 22
