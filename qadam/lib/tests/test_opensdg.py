"""The Open SDG reader: synthetic repositories for every quirk, then the real kazstat-sdg.

Synthetic repositories are written under tmp_path in folders named "synthetic-*";
the real one is read from QADAM_DATA_DIR (skipped when it is missing), locally and
through a loopback HTTP server.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from qadam.lib import opensdg
from qadam.lib.opensdg import HttpSource, LocalSource, Problem, Repository, read_repository

REGIONS = {
    "KZAKM", "KZAKT", "KZALM", "KZATY", "KZZAP", "KZZHA", "KZKAR", "KZKUS", "KZKZY", "KZMAN",
    "KZPAV", "KZSEV", "KZVOS", "KZYUZ", "KZONT", "KZABY", "KZZHS", "KZULU", "KZNS", "KZALA",
    "KZSHY",
}  # fmt: skip

TRANSLATIONS: dict[str, dict[str, dict[str, str]]] = {
    "en": {
        "global_indicators": {"1-2-1-title": "Poverty (global)", "3-1-1-title": "Maternal deaths"},
        "national_indicators": {"1-2-1-title": "Below the subsistence minimum"},
        "UNIT_MEASURE": {"PT": "Percent", "TNG": "tenge", "PERSONS": "persons"},
        "SEX": {"SEX": "Sex", "F": "Female", "M": "Male"},
        "URBANISATION": {"URBANISATION": "Area", "U": "urban", "R": "rural"},
        "SERIES": {"S_A": "Series A", "S_B": "Series B"},
        "REF_AREA": {"KZAKM": "Akmola", "KZBOR": "SKFM Borovoe"},
        "comments_limitations": {"3-1-1": "Synthetic limitation."},
    },
    "ru": {
        "global_indicators": {"1-2-1-title": "Бедность (глоб.)", "3-1-1-title": "Материнская"},
        "national_indicators": {"1-2-1-title": "Ниже прожиточного минимума"},
        "UNIT_MEASURE": {"PT": "Процент", "TNG": "тенге"},
        "SEX": {"F": "Женщины", "M": "Мужчины"},
        "URBANISATION": {"U": "город", "R": "село"},
        "SERIES": {"S_A": "Серия А"},
        "REF_AREA": {"KZBOR": "Боровое"},
    },
    "kk": {
        "global_indicators": {"1-2-1-title": "Кедейлік", "3-1-1-title": "Ана өлімі"},
        "UNIT_MEASURE": {"PT": "Пайыз"},
        "SEX": {"F": "Әйелдер", "M": "Ерлер"},
    },
}


def write_repo(
    root: Path, data: dict[str, str], meta: dict[str, dict[str, Any]] | None = None
) -> Path:
    """A synthetic Open SDG repository: translations above, ``data`` as CSV texts by code."""
    for lang, groups in TRANSLATIONS.items():
        folder = root / "translations" / lang
        folder.mkdir(parents=True, exist_ok=True)
        for group, labels in groups.items():
            (folder / f"{group}.yml").write_text(yaml.safe_dump(labels, allow_unicode=True))
    (root / "data").mkdir(exist_ok=True)
    for code, text in data.items():
        (root / "data" / f"indicator_{code}.csv").write_text(text, encoding="utf-8")
    for name in ("meta", "indicator-config"):
        (root / name).mkdir(exist_ok=True)
    for code, fields in (meta or {}).items():
        (root / "meta" / f"{code}.yml").write_text(yaml.safe_dump(fields, allow_unicode=True))
    return root


def read(root: Path, **kwargs: Any) -> Repository:
    return read_repository(LocalSource(root), regions=kwargs.pop("regions", REGIONS), **kwargs)


def one(repo: Repository, code: str, file_code: str | None = None) -> Problem:
    found = [
        p
        for p in repo.problems
        if p.code == code and (file_code is None or p.file == f"data/indicator_{file_code}.csv")
    ]
    assert len(found) == 1, [str(p) for p in repo.problems]
    return found[0]


def rows_of(repo: Repository, code: str) -> list[opensdg.Row]:
    return next(d for d in repo.indicators if d.code == code).rows


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    return tmp_path / "synthetic-sdg"


# --- clean data, labels, metadata --------------------------------------------------


def test_clean_rows_labels_and_meta(synthetic: Path) -> None:
    csv = "Year,SEX,REF_AREA,UNIT_MEASURE,Value\n2015,,,PT,1.5\n2015,F,KZAKM,PT,2\n"
    meta = {"3-1-1": {"indicator_name": "global_indicators.3-1-1-title",
                      "comments_limitations": "comments_limitations.3-1-1",
                      "computation_units": "data.тенге", "tier": 1}}  # fmt: skip
    repo = read(write_repo(synthetic, {"3-1-1": csv}, meta))
    data = repo.indicators[0]
    assert data.rows == [
        opensdg.Row("3-1-1", "", "PT", {}, "", 2015, 1.5),
        opensdg.Row("3-1-1", "", "PT", {"SEX": "F"}, "KZAKM", 2015, 2.0),
    ]
    assert repo.problems == []
    assert data.meta["tier"] == 1
    assert data.labels["en"]["title"] == "Maternal deaths"
    assert data.labels["ru"]["title"] == "Материнская"
    assert data.labels["kk"]["title"] == "Ана өлімі"
    assert data.labels["en"]["comments_limitations"] == "Synthetic limitation."
    assert data.labels["en"]["unit"] == "Percent" and data.labels["kk"]["unit"] == "Пайыз"
    assert data.value_labels["ru"]["SEX"] == {"F": "Женщины"}
    assert data.series_labels[opensdg.series_key("", "PT", {"SEX": "F"})]["en"] == "Female"
    assert data.series_labels[opensdg.series_key("", "PT", {})]["ru"] == "Всего"
    assert "kk: no label for SERIES" not in " ".join(data.label_gaps)


def test_title_falls_back_to_national_then_global(synthetic: Path) -> None:
    repo = read(write_repo(synthetic, {"1-2-1": "Year,Value\n2010,3\n"}))
    labels = repo.indicators[0].labels
    assert labels["en"]["title"] == "Below the subsistence minimum"
    assert labels["kk"]["title"] == "Кедейлік"  # no national title in kk
    assert labels["en"]["global_title"] == "Poverty (global)"


def test_header_only_files_are_indicators_without_rows(synthetic: Path) -> None:
    repo = read(write_repo(synthetic, {"3-1-1": "Year,Value\n"}))
    assert [d.code for d in repo.indicators] == ["3-1-1"] and repo.indicators[0].rows == []
    assert repo.summary()["indicators_with_rows"] == 0


# --- regions -----------------------------------------------------------------------


def test_number_in_ref_area_from_a_short_row(synthetic: Path) -> None:
    csv = "Year,UNIT_MEASURE,REF_AREA,Value\n2019,PT,32.8\n2019,PT,KZAKM,29.7\n"
    repo = read(write_repo(synthetic, {"4-c-1-2": csv}))
    problem = one(repo, "bad-ref-area")
    assert (problem.row, problem.field, problem.action) == (2, "REF_AREA", "set-aside")
    assert "'32.8'" in problem.message and "3 cells for 4 columns" in problem.message
    assert "indicator_4-c-1-2.csv, row 2" in problem.message
    assert [r.region for r in rows_of(repo, "4-c-1-2")] == ["KZAKM"]


def test_typo_gets_a_hint_only_when_unambiguous(synthetic: Path) -> None:
    csv = "Year,REF_AREA,Value\n2020,KZAP,1\n2020,KZAK,2\n2020,KZZAP,3\n"
    repo = read(write_repo(synthetic, {"8-3-1-1": csv}))
    typo = [p for p in repo.problems if p.code == "unknown-region"]
    assert len(typo) == 1 and "did you mean KZZAP?" in typo[0].message and typo[0].row == 2
    ambiguous = [p for p in repo.problems if "'KZAK'" in p.message]
    assert ambiguous[0].code == "not-first-level" and "did you mean" not in ambiguous[0].message
    assert [r.region for r in rows_of(repo, "8-3-1-1")] == ["KZZAP"]


def test_city_and_untranslated_codes_are_not_first_level(synthetic: Path) -> None:
    csv = "Year,REF_AREA,Value\n" + "".join(f"{y},KZBOR,1\n{y},KZUKK,2\n" for y in (2014, 2015))
    repo = read(write_repo(synthetic, {"3-1-1": csv}))
    city, untranslated = sorted(
        (p for p in repo.problems if p.code == "not-first-level"), key=lambda p: p.row
    )
    assert city.rows == (2, 4) and "SKFM Borovoe" in city.message and "first-level" in city.message
    assert untranslated.rows == (3, 5) and "untranslated" in untranslated.message
    assert repo.summary()["set_aside_by_code"] == {"not-first-level": 4}


def test_codes_outside_the_given_regions_are_set_aside(synthetic: Path) -> None:
    csv = "Year,REF_AREA,Value\n2022,KZABY,1\n2022,KZAKM,2\n"
    repo = read(write_repo(synthetic, {"3-1-1": csv}), regions={"KZAKM": "Akmola"})
    assert one(repo, "not-first-level").row == 2
    assert [r.region for r in rows_of(repo, "3-1-1")] == ["KZAKM"]


def test_city_level_indicator_keeps_only_its_first_level_cities(synthetic: Path) -> None:
    csv = "Year,REF_AREA,Value\n2020,KZNS,0.1\n2020,KZAKT,0.2\n2020,KZAYB,0.3\n"
    repo = read(write_repo(synthetic, {"11-6-2": csv}))
    assert one(repo, "city-level").row == 3
    # A near miss of a region (KZABY) is no hint in a city-level indicator.
    assert "did you mean" not in one(repo, "not-first-level").message
    assert [r.region for r in rows_of(repo, "11-6-2")] == ["KZNS"]


# --- disaggregations, values, years, columns --------------------------------------


def test_invalid_disaggregation_values(synthetic: Path) -> None:
    csv = "Year,REF_AREA,URBANISATION,SEX,Value\n2023,KZSHY,U,18.8\n2020,KZMAN,,R,0.1\n2020,,,F,2\n"
    repo = read(write_repo(synthetic, {"8-6-1": csv}))
    number, wrong = sorted((p for p in repo.problems), key=lambda p: p.row)
    assert (number.code, number.field, number.row) == ("bad-disaggregation", "SEX", 2)
    assert "'18.8'" in number.message and "a number" in number.message
    assert wrong.code == "bad-disaggregation" and "'R'" in wrong.message
    assert [r.disaggregation for r in rows_of(repo, "8-6-1")] == [{"SEX": "F"}]


def test_empty_values_are_one_problem_per_file_with_every_row(synthetic: Path) -> None:
    lines = "".join(f"{year},\n" for year in range(1990, 2020))
    repo = read(write_repo(synthetic, {"3-1-1": "Year,Value\n" + lines + "2020,x\n1999x,3\n"}))
    empty = one(repo, "empty-value")
    assert empty.rows == tuple(range(2, 32)) and empty.row_count == 30
    assert "(30 rows)" in empty.message and "…" in empty.message
    assert one(repo, "bad-value").row == 32 and "'x'" in one(repo, "bad-value").message
    assert one(repo, "bad-year").row == 33
    assert repo.summary()["rows_set_aside"] == 32


def test_stray_columns_are_reported_once_per_file(synthetic: Path) -> None:
    data = {
        "1-4-2": "Year,REF_AREA,Value,,\n2012,,6.08,,\n2013,KZAKM,7,,\n",
        "17-3-1-2": "Year,UNIT_MEASURE,REF_AREA,GeoCode,Value\n2013,PT,KZAKM,KZ03,1.0\n",
        "16-6-2-2": "Year,Units,Value\n2020,PT,57.4\n",
    }
    repo = read(write_repo(synthetic, data))
    assert one(repo, "stray-column").action == "noted"
    assert "2 column(s) without a name" in one(repo, "stray-column").message
    assert "GeoCode" in one(repo, "ignored-column").message
    assert one(repo, "renamed-column").file.endswith("16-6-2-2.csv")
    assert rows_of(repo, "16-6-2-2")[0].unit == "PT"
    assert len(rows_of(repo, "1-4-2")) == 2 and rows_of(repo, "17-3-1-2")[0].disaggregation == {}


def test_rows_with_extra_cells_and_bad_headers(synthetic: Path) -> None:
    data = {"3-1-1": "Year,Value\n2010,1,oops\n2011,2,\n", "3-1-2": "Year,Amount\n2010,1\n"}
    repo = read(write_repo(synthetic, data))
    assert one(repo, "long-row").row == 2 and "'oops'" in one(repo, "long-row").message
    assert len(rows_of(repo, "3-1-1")) == 1
    header = one(repo, "bad-header")
    assert header.row == 0 and "no Value column" in header.message
    assert repo.summary()["files_set_aside"] == 1


def test_non_utf8_file_is_set_aside_whole(synthetic: Path) -> None:
    root = write_repo(synthetic, {})
    (root / "data" / "indicator_3-1-1.csv").write_bytes(
        "Year,Value\n2010,1\n2011,é\n".encode("cp1252")
    )
    problem = one(read(root), "unreadable")
    assert problem.row == 3 and "UTF-8" in problem.message


def test_spaces_inside_a_known_code_and_glued_series(synthetic: Path) -> None:
    csv = (
        "Year,SERIES,REF_AREA,Value\n"
        "2010,S_A,,1\n2010,S_A,KZZAP,2\n2011,S_ B,,3\n2012,S_AKZZAP,,0\n"
    )
    repo = read(write_repo(synthetic, {"1-5-2": csv}))
    spaces = one(repo, "code-spaces")
    assert (spaces.action, spaces.row) == ("corrected", 4) and "'S_B'" in spaces.message
    glued = one(repo, "glued-series")
    assert glued.row == 5 and "'S_A'" in glued.message and "KZZAP" in glued.message
    assert [r.series for r in rows_of(repo, "1-5-2")] == ["S_A", "S_A", "S_B"]


# --- duplicates, units, overlaps, breaks -------------------------------------------


def test_identical_duplicates_keep_one_and_conflicts_drop_all(synthetic: Path) -> None:
    csv = (
        "Year,UNIT_MEASURE,REF_AREA,Value\n"
        "2022,SQ_METER,KZZHS,18.9\n2022,SQ_METER,KZULU,21.8\n"
        "2022,SQ_METER,KZZHS,19.3\n2022,SQ_METER,KZULU,21.8 \n2022,SQ_METER,KZAKM,20\n"
    )
    repo = read(write_repo(synthetic, {"11-3-1": csv}))
    conflict = one(repo, "duplicate-conflict")
    assert conflict.rows == (2, 4) and "row 2: 18.9; row 4: 19.3" in conflict.message
    repeat = one(repo, "duplicate")
    assert repeat.rows == (5,) and "repeats row 3" in repeat.message
    assert [(r.region, r.value) for r in rows_of(repo, "11-3-1")] == [
        ("KZULU", 21.8),
        ("KZAKM", 20),
    ]


def test_curated_unit_correction_and_percent_over_100(synthetic: Path) -> None:
    data = {
        "8-5-1": "Year,UNIT_MEASURE,REF_AREA,Value\n2014,PT,,837.0\n2015,PT,,880\n",
        "16-6-1": "Year,UNIT_MEASURE,Value\n2019,PT,109.6\n2020,PT,99\n",
    }
    repo = read(write_repo(synthetic, data))
    fix = one(repo, "unit-corrected")
    assert fix.action == "corrected" and fix.rows == (2, 3) and "TNG" in fix.message
    assert "known-quirks.yaml" in fix.message and "data.тенге" in fix.message  # its source
    assert {r.unit for r in rows_of(repo, "8-5-1")} == {"TNG"}
    assert repo.indicators[0].code == "8-5-1" and repo.indicators[0].labels["ru"]["unit"] == "тенге"
    over = one(repo, "pt-over-100")
    assert over.file.endswith("16-6-1.csv") and over.rows == (2,)
    assert [r.flags for r in rows_of(repo, "16-6-1")] == [("pt-over-100",), ()]


def test_south_kazakhstan_overlap_transition_and_mislabels(synthetic: Path) -> None:
    csv = "Year,AGE,REF_AREA,Value\n" + "".join(
        f"{year},{age},{region},1\n"
        for year, age, region in [
            (2016, "", "KZONT"), (2016, "", "KZYUZ"), (2015, "", "KZONT"),  # history
            (2018, "Y15", "KZONT"),  # transition year, no successor: kept
            (2018, "", "KZONT"),  # beside KZYUZ 2018: mislabel
            (2018, "", "KZYUZ"), (2020, "Y15", "KZONT"),  # years later: mislabel
        ]
    )  # fmt: skip
    repo = read(write_repo(synthetic, {"5-5-2": csv}))
    flags = {
        (r.year, r.region, tuple(r.disaggregation.values())): r.flags
        for r in rows_of(repo, "5-5-2")
    }
    assert flags[(2016, "KZONT", ())] == ("overlap",)
    assert flags[(2015, "KZONT", ())] == ()
    assert flags[(2018, "KZONT", ("Y15",))] == ("kzont-after-2017",)
    assert (2018, "KZONT", ()) not in flags and (2020, "KZONT", ("Y15",)) not in flags
    assert one(repo, "overlap").rows == (2,)
    late = sorted(p.rows for p in repo.problems if p.code == "kzont-after-2017")
    assert late == [(5,), (6,), (8,)]


def test_border_break_2022_only_for_series_with_earlier_values(synthetic: Path) -> None:
    csv = "Year,REF_AREA,Value\n" + "".join(
        f"{y},{r},1\n" for y, r in [(2021, "KZALM"), (2022, "KZALM"), (2023, "KZALM"),
                                    (2022, "KZKAR"), (2021, ""), (2022, ""), (2022, "KZABY")]
    )  # fmt: skip
    repo = read(write_repo(synthetic, {"3-1-1": csv}))
    problem = one(repo, "border-break-2022")
    assert problem.rows == (3, 4) and problem.action == "flagged"
    flagged = [(r.year, r.region) for r in rows_of(repo, "3-1-1") if r.flags]
    assert flagged == [(2022, "KZALM"), (2023, "KZALM")]
    assert repo.indicators[0].breaks == [(2022, "border-break-2022")]


def test_method_break_and_breaks_for(synthetic: Path) -> None:
    csv = "Year,Value\n2017,2.7\n2018,4.3\n2019,4.3\n"
    repo = read(write_repo(synthetic, {"1-2-1": csv}))
    problem = one(repo, "method-break-2018")
    assert problem.rows == (3, 4) and "55 %" in problem.message
    assert "astanatimes.com" in problem.message
    flags = [r.flags for r in rows_of(repo, "1-2-1")]
    assert flags == [(), ("method-break-2018",), ("method-break-2018",)]
    assert opensdg.breaks_for("1-2-1") == [(2018, "method-break-2018")]
    assert opensdg.breaks_for("3-1-1") == []
    assert opensdg.breaks_for("3-1-1", "KZALM") == [(2022, "border-break-2022")]
    assert opensdg.breaks_for("1-2-1", "KZVOS") == [
        (2018, "method-break-2018"),
        (2022, "border-break-2022"),
    ]


# --- known quirks ------------------------------------------------------------------


def test_every_curated_quirk_says_why_and_where() -> None:
    quirks = opensdg.load_known_quirks()
    groups = (quirks.unit_corrections, quirks.city_level, quirks.successions, quirks.breaks,
              quirks.model_years)  # fmt: skip
    notes = [(e.why, e.source) for group in groups for e in group]
    assert len(notes) >= 6 and all(why and source for why, source in notes)


def test_a_quirk_without_a_source_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "synthetic-quirks.yaml"
    path.write_text(
        "format: qadam-known-quirks/1\n"
        "unit_corrections:\n  - {indicator: '8-5-1', from: PT, to: TNG, why: tenge}\n"
    )
    with pytest.raises(opensdg.QuirksError, match="unit_corrections #1: 'source' is required"):
        opensdg.load_known_quirks(path)


def test_quirks_can_be_replaced(synthetic: Path, tmp_path: Path) -> None:
    path = tmp_path / "synthetic-quirks.yaml"
    path.write_text(
        "format: qadam-known-quirks/1\nunit_corrections:\n"
        "  - {indicator: '3-1-1', from: PERSONS, to: TH_PEOPLE, why: synthetic, source: test}\n"
    )
    csv = "Year,UNIT_MEASURE,Value\n2017,PERSONS,2\n2018,PERSONS,3\n"
    repo = read(
        write_repo(synthetic, {"1-2-1": csv, "3-1-1": csv}), quirks=opensdg.load_known_quirks(path)
    )
    assert {r.unit for r in rows_of(repo, "3-1-1")} == {"TH_PEOPLE"}
    assert all(not r.flags for r in rows_of(repo, "1-2-1"))  # no method break in these quirks


# --- sources -----------------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if "broken" in self.path:
            self.send_error(500, "synthetic failure")
            return
        super().do_GET()


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 drops connections under parallel fetches (1 s SYN retries).
    request_queue_size = 128


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = _Server(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_http_source_absent_error_and_scheme(synthetic: Path, serve: Any) -> None:
    root = write_repo(synthetic, {"3-1-1": "Year,Value\n2010,1\n"})
    source = HttpSource(serve(root), timeout=5)
    assert source.read("data/indicator_3-1-1.csv") == b"Year,Value\n2010,1\n"
    assert source.read("data/indicator_9-9-9.csv") is None
    assert source.listdir("data") is None
    with pytest.raises(opensdg.SourceError, match=r"http://127\.0\.0\.1:\d+/broken\.csv: HTTP 500"):
        source.read("broken.csv")
    with pytest.raises(opensdg.SourceError, match=r"127\.0\.0\.1:9/x\.csv: cannot fetch"):
        HttpSource("http://127.0.0.1:9/", timeout=2).read("x.csv")
    with pytest.raises(ValueError, match="only http and https"):
        HttpSource("ftp://example.org/")
    with pytest.raises(ValueError, match="not a relative path"):
        LocalSource(root).read("../secret")


def test_codes_found_only_by_listing_are_missed_over_http(synthetic: Path, serve: Any) -> None:
    data = {
        "3-1-1": "Year,Value\n2010,1\n",
        "1-2-1": "Year,Value\n2010,1\n",
        "9-9-9": "Year,Value\n2010,1\n",
    }
    root = write_repo(synthetic, data)
    local = read(root)
    remote = read_repository(HttpSource(serve(root)), regions=REGIONS)
    assert [d.code for d in local.indicators] == ["1-2-1", "3-1-1", "9-9-9"]
    assert [d.code for d in remote.indicators] == ["1-2-1", "3-1-1"]
    assert local.discovery["only_by_listing"] == 1 and remote.discovery["only_by_listing"] == 0


def test_progress_reaches_100(synthetic: Path) -> None:
    seen: list[int] = []
    read(write_repo(synthetic, {"3-1-1": "Year,Value\n2010,1\n"}), progress=seen.append)
    assert seen and seen[-1] == 100 and seen == sorted(seen)


# --- the real kazstat-sdg ----------------------------------------------------------


def data_dir() -> Path:
    """QADAM_DATA_DIR as the settings give it; without Django (-p no:django) as they would."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        return Path(settings.QADAM_DATA_DIR)
    except ImproperlyConfigured:
        repo = Path(__file__).resolve().parents[3]
        return Path(os.environ.get("QADAM_DATA_DIR", repo.parent / "shared" / "data"))


def _real_root() -> Path:
    root = data_dir() / "kazstat-sdg"
    if not (root / "data").is_dir():
        pytest.skip(f"{root} is missing (QADAM_DATA_DIR)")
    return root


def _real_regions() -> set[str]:
    path = Path(opensdg.__file__).parent.parent / "taxonomy" / "data" / "regions-kz.yaml"
    return {r["code"] for r in yaml.safe_load(path.read_text(encoding="utf-8"))["regions"]}


@pytest.fixture(scope="module")
def real() -> Repository:
    return read_repository(LocalSource(_real_root()), regions=_real_regions())


def _problems(repo: Repository, code: str, indicator: str) -> list[Problem]:
    return [
        p for p in repo.problems if p.code == code and p.file == f"data/indicator_{indicator}.csv"
    ]


def test_real_repository_is_found_whole(real: Repository) -> None:
    assert len(real.indicators) == 273  # every data/indicator_*.csv (plus one .xlsx, not read)
    assert real.discovery["translations"] >= 273 and real.discovery["only_by_listing"] == 0
    assert real.discovery["data_other_files"] == 1
    assert len(real.summary()["set_aside_by_code"]) >= 8
    assert real.summary()["rows_kept"] > 40000


@pytest.mark.parametrize(
    ("code", "indicator", "text"),
    [
        ("bad-ref-area", "4-c-1-2", "'32.8'"),
        ("unknown-region", "8-3-1-1", "did you mean KZZAP?"),
        ("bad-disaggregation", "8-6-1", "SEX '18.8'"),
        ("duplicate-conflict", "11-3-1", "Year 2022 × REF_AREA KZZHS"),
        ("duplicate", "5-5-2", "repeat an earlier row"),
        ("unit-corrected", "8-5-1", "unit set to TNG"),
        ("not-first-level", "11-6-2", "city Aksay"),
        ("not-first-level", "11-6-2", "untranslated"),
        ("city-level", "11-6-2", "KZAKT"),
        ("overlap", "8-6-1", "KZONT"),
        ("kzont-after-2017", "5-5-2", "mislabel"),
        ("border-break-2022", "3-1-1", "KZALM, KZKAR, KZVOS"),
        ("method-break-2018", "1-2-1", "subsistence minimum"),
        ("stray-column", "5-5-2", "without a name"),
        ("ignored-column", "2-3-1", "GeoCode"),
        ("code-spaces", "9-1-2", "_L_KZ_090102_1I"),
        ("glued-series", "1-5-2", "KZZAP"),
    ],
)
def test_real_quirks_are_each_reported(
    real: Repository, code: str, indicator: str, text: str
) -> None:
    found = _problems(real, code, indicator)
    assert any(text in p.message for p in found), [p.message for p in found][:3]


def test_real_kazap_and_unit_decisions(real: Repository) -> None:
    (kzap,) = _problems(real, "unknown-region", "8-3-1-1")
    assert kzap.rows == (1536, 1992, 2240) and kzap.action == "set-aside"
    earnings = next(d for d in real.indicators if d.code == "8-5-1")
    assert {r.unit for r in earnings.rows} == {"TNG"} and earnings.labels["en"]["unit"] == "tenge"
    poverty = next(d for d in real.indicators if d.code == "1-2-1")
    national = {r.year: r for r in poverty.rows if not r.region and not r.disaggregation}
    assert national[2017].flags == () and "method-break-2018" in national[2018].flags
    assert poverty.breaks == [(2018, "method-break-2018"), (2022, "border-break-2022")]
    regions = {r.region for d in real.indicators for r in d.rows}
    assert regions <= _real_regions() | {""}


@pytest.fixture(scope="module")
def real_over_http() -> Iterator[Repository]:
    handler = functools.partial(_QuietHandler, directory=str(_real_root()))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/"
        yield read_repository(HttpSource(url, timeout=10), regions=_real_regions())
    finally:
        server.shutdown()
        server.server_close()


def test_real_over_http_equals_local(real: Repository, real_over_http: Repository) -> None:
    assert [d.code for d in real_over_http.indicators] == [d.code for d in real.indicators]
    for local, remote in zip(real.indicators, real_over_http.indicators, strict=True):
        assert remote.rows == local.rows, local.code
        assert (remote.meta, remote.labels) == (local.meta, local.labels), local.code
    assert real_over_http.problems == real.problems
    assert real_over_http.discovery["data_files"] == 273
    assert "data" not in real_over_http.discovery  # no listing over HTTP
