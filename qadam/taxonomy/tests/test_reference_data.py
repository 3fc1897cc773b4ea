"""The loaded reference data against the real sources in QADAM_DATA_DIR.

The data is loaded once for this module (inside a transaction rolled back at the
end), because every test here only reads it.
"""

from __future__ import annotations

import csv
import glob
import html
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.db import transaction

from qadam.taxonomy.actions import do_load_reference
from qadam.taxonomy.loaders import LoadReport
from qadam.taxonomy.models import Institution, Mechanism, Region, Session, State, Term, TermMapping
from qadam.taxonomy.reference import (
    NON_STATE_NAMES,
    StateResolver,
    TermResolver,
    clear_caches,
    find_institutions,
    normalise_name,
    resolve_institution,
    resolve_state,
)

DATA_DIR = Path(settings.QADAM_DATA_DIR)
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not (DATA_DIR / "sdg").is_dir(), reason="QADAM_DATA_DIR is missing"),
]


@pytest.fixture(scope="module")
def loaded(django_db_setup: None, django_db_blocker: object) -> Iterator[LoadReport]:
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield do_load_reference()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            clear_caches()


def terms(taxonomy: str) -> list[Term]:
    return list(Term.objects.filter(taxonomy__code=taxonomy).select_related("parent"))


def test_load_reports_no_warnings(loaded: LoadReport) -> None:
    assert loaded.warnings == []


def test_sdg_counts_and_hierarchy(loaded: LoadReport) -> None:
    goals, targets = terms("sdg-goal"), terms("sdg-target")
    indicators = terms("sdg-indicator")
    assert [g.code for g in goals] == [str(n) for n in range(1, 18)]
    assert len(targets) == 169
    assert len(indicators) >= 231
    assert all(t.parent is not None and t.code.startswith(t.parent.code + ".") for t in targets)
    assert all(i.parent is not None and i.code.startswith(i.parent.code + ".") for i in indicators)


def test_sdg_targets_sort_numbers_then_letters(loaded: LoadReport) -> None:
    goal_1 = [t.code for t in terms("sdg-target") if t.parent and t.parent.code == "1"]
    assert goal_1 == ["1.1", "1.2", "1.3", "1.4", "1.5", "1.a", "1.b"]
    goal_17 = [t.code for t in terms("sdg-target") if t.parent and t.parent.code == "17"]
    assert goal_17.index("17.10") == goal_17.index("17.9") + 1


def test_sdg_goals_have_russian_and_kazakh_titles(loaded: LoadReport) -> None:
    for goal in terms("sdg-goal"):
        assert goal.name.get("ru") and goal.name.get("kk"), goal.code
        assert goal.name["ru"] != goal.name["en"]
    poverty = Term.objects.get(taxonomy__code="sdg-goal", code="1")
    assert "No poverty" in poverty.aliases


def upr_info_rows() -> Iterator[dict[str, str]]:
    with (DATA_DIR / "upr-info" / "recommendations.csv").open(encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def test_upr_info_issues_are_exactly_the_54_of_the_export(loaded: LoadReport) -> None:
    in_export = {i.strip() for row in upr_info_rows() for i in row["Issue"].split(",") if i.strip()}
    loaded_names = {t.name["en"] for t in terms("upr-info-issue")}
    assert len(in_export) == 54
    assert loaded_names == in_export
    assert all(t.name.get("ru") for t in terms("upr-info-issue"))


def test_every_upr_info_state_name_resolves(loaded: LoadReport) -> None:
    names = {html.unescape(row[col]).strip() for row in upr_info_rows() for col in ("To", "From")}
    resolver = StateResolver()
    unresolved = sorted(n for n in names if resolver.resolve(n) is None)
    assert unresolved == sorted(n for n in names if n in NON_STATE_NAMES)
    assert unresolved == ["(Unknown)"]


def test_upr_info_regional_groups_agree(loaded: LoadReport) -> None:
    resolver = StateResolver()
    for row in upr_info_rows():
        state = resolver.resolve(row["To"])
        assert state is not None and state.regional_group == row["To-Rgrp"], row["To"]


def test_states_cover_the_un_and_its_observers(loaded: LoadReport) -> None:
    members = State.objects.exclude(regional_group=State.Group.OBSERVER)
    assert members.count() >= 193
    assert set(State.objects.filter(regional_group="Observer").values_list("iso3", flat=True)) == {
        "VAT",
        "PSE",
    }
    kaz = State.objects.get(iso3="KAZ")
    assert (kaz.iso2, kaz.regional_group) == ("KZ", "Asia")
    assert kaz.name == {"en": "Kazakhstan", "ru": "Казахстан", "kk": "Қазақстан"}


@pytest.mark.parametrize(
    ("spelling", "iso3"),
    [
        ("Iran (Islamic Republic of)", "IRN"),
        ("Venezuela (Bolivarian Republic of)", "VEN"),
        ("Bolivarian Republic of Venezuela", "VEN"),
        ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
        ("Republic of Korea", "KOR"),
        ("Democratic People's Republic of Korea", "PRK"),
        ("Republic of Moldova", "MDA"),
        ("Holy See", "VAT"),
        ("State of Palestine", "PSE"),
        ("Palestine", "PSE"),
        ("Côte d'Ivoire", "CIV"),
        ("Cote d’Ivoire", "CIV"),
        ("Czech Republic", "CZE"),
        ("Czechia", "CZE"),
        ("Türkiye", "TUR"),
        ("Turkey", "TUR"),
        ("The former Yugoslav Republic of Macedonia", "MKD"),
        ("North Macedonia", "MKD"),
        ("Swaziland", "SWZ"),
        ("Eswatini", "SWZ"),
        ("  the   Netherlands ", "NLD"),
        ("Kingdom of the Netherlands", "NLD"),
        ("Российская Федерация", "RUS"),
        ("Қазақстан", "KAZ"),
    ],
)
def test_state_spellings_resolve(loaded: LoadReport, spelling: str, iso3: str) -> None:
    state = resolve_state(spelling)
    assert state is not None and state.iso3 == iso3


@pytest.mark.parametrize(
    "acronym",
    [
        "MIA",
        "GPO",
        "MEAS",
        "MLSP",
        "MIPD",
        "MNE",
        "APS",
        "NCHR",
        "LEB",
        "MJ",
        "MFA",
        "MoE",
        "MSHE",
        "MH",
        "MES",
    ],
)
def test_plan_acronyms_resolve_to_their_code(loaded: LoadReport, acronym: str) -> None:
    inst = resolve_institution(acronym)
    assert inst is not None and inst.code == acronym


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("APS (as agreed)", "APS"),
        ("Ministry of Information and Public Development", "MIPD"),
        ("Ministry of Culture and Information", "MIPD"),
        ("МВД", "MIA"),
        ("Министерство юстиции Республики Казахстан", "MJ"),
        ("Қазақстан Республикасының Әділет министрлігі", "MJ"),
        ("CHR", "NCHR"),
        ("Генеральная прокуратура (по согласованию)", "GPO"),
    ],
)
def test_institution_names_and_aliases_resolve(loaded: LoadReport, text: str, code: str) -> None:
    inst = resolve_institution(text)
    assert inst is not None and inst.code == code


def test_institution_lists_split(loaded: LoadReport) -> None:
    found = find_institutions("MIA, GPO (as agreed); LEB and MJ")
    assert [i.code for i in found] == ["MIA", "GPO", "LEB", "MJ"]
    assert [
        i.code
        for i in find_institutions(
            "Ministry of Digital Development, Innovations and Aerospace Industry"
        )
    ] == ["MDDIAI"]


def test_institutions_have_three_languages(loaded: LoadReport) -> None:
    for inst in Institution.objects.all():
        assert set(inst.name) == {"en", "ru", "kk"}, inst.code
    assert Institution.objects.get(code="MEAS").active is False


def test_twenty_current_regions_each_match_one_shape(loaded: LoadReport) -> None:
    current = Region.objects.filter(valid_to__isnull=True)
    assert current.count() == 20
    shapes = [s for s in current.values_list("shape_name", flat=True)]
    assert all(shapes) and len(set(shapes)) == 20
    assert Region.objects.get(code="KZONT").valid_to == 2017


def test_region_codes_are_those_of_the_kazstat_data(loaded: LoadReport) -> None:
    files_per_code: Counter[str] = Counter()
    for path in glob.glob(str(DATA_DIR / "kazstat-sdg" / "data" / "indicator_*.csv")):
        with open(path, encoding="utf-8-sig") as fh:
            files_per_code.update({row.get("REF_AREA") or "" for row in csv.DictReader(fh)})
    codes = set(Region.objects.values_list("code", flat=True))
    assert codes <= set(files_per_code)
    # A code found in many indicators is a first-level unit (city codes of 11-6-2
    # and typos such as KZAP appear in one).
    widespread = {c for c, n in files_per_code.items() if n >= 20 and c.startswith("KZ")}
    assert widespread == codes


def test_region_names_agree_with_the_kazstat_labels(loaded: LoadReport) -> None:
    # The Bureau's Kazakh labels are short ("Ақмола", "Астана қаласы"): each must be
    # part of our official Kazakh name. (Its Russian labels have typos: "Жымбылская".)
    labels = yaml.safe_load(
        (DATA_DIR / "kazstat-sdg" / "translations" / "kk" / "REF_AREA.yml").read_text("utf-8")
    )
    for region in Region.objects.all():
        label = normalise_name(labels[region.code])
        assert label in normalise_name(region.name["kk"]), region.code


def test_upr_cycles_and_kazakhstan_sessions(loaded: LoadReport) -> None:
    upr = Mechanism.objects.get(code="UPR")
    assert list(upr.cycles.values_list("number", "start_year", "end_year")) == [
        (1, 2008, 2011),
        (2, 2012, 2016),
        (3, 2017, 2022),
        (4, 2022, 2027),
    ]
    sessions = Session.objects.filter(mechanism=upr)
    assert sessions.count() == 50
    dated = {
        s.number: (str(s.start_date), s.cycle.number if s.cycle else None)
        for s in sessions.filter(start_date__isnull=False).select_related("cycle")
    }
    assert dated == {
        7: ("2010-02-01", 1),
        20: ("2014-10-27", 2),
        34: ("2019-11-04", 3),
        48: ("2025-01-20", 4),
    }
    treaty = set(Mechanism.objects.filter(kind="treaty").values_list("code", flat=True))
    assert treaty == {"CCPR", "CESCR", "CERD", "CEDAW", "CAT", "SPT", "CRC", "CMW", "CRPD", "CED"}
    assert all(set(m.name) == {"en", "ru", "kk"} for m in Mechanism.objects.all())


def ohchr_list_labels() -> dict[str, set[str]]:
    """Theme and group labels of the two OHCHR thematic lists, as printed."""
    import docx

    labels: dict[str, set[str]] = {"ohchr-theme": set(), "ohchr-group": set()}
    for path in sorted((DATA_DIR / "ohchr-thematic-lists").glob("*.docx")):
        for row in docx.Document(str(path)).tables[0].rows[1:]:
            cells = [c.text for c in row.cells]
            if cells[0].startswith("Theme:"):
                labels["ohchr-theme"].add(cells[0].removeprefix("Theme:").strip())
                continue
            kind = "ohchr-theme"
            for line in cells[2].splitlines():
                line = line.strip()
                if line.startswith(("Affected persons", "Groups of")):
                    kind = "ohchr-group"
                elif line.startswith("SDGs"):
                    kind = "sdg-goal"
                elif line and kind in labels:
                    labels[kind].add(line)
    return labels


def test_every_ohchr_list_label_resolves(loaded: LoadReport) -> None:
    resolver = TermResolver(["ohchr-theme", "ohchr-group"])
    labels = ohchr_list_labels()
    assert len(labels["ohchr-theme"]) > 60
    for taxonomy, names in labels.items():
        missing = sorted(n for n in names if resolver.resolve(taxonomy, n) is None)
        assert missing == [], taxonomy


@pytest.mark.parametrize(
    ("old", "code"),
    [
        ("A12 Acceptance of international norms", "A12"),
        ("Acceptance of international norms", "A12"),
        ("Ratification of & accession to international instruments", "A12"),
        ("- Prohibition of slavery, trafficking", "D27"),
        ("E32 Right to just and favourable conditions of work", "E31"),
    ],
)
def test_renamed_ohchr_themes_resolve_either_way(loaded: LoadReport, old: str, code: str) -> None:
    term = TermResolver(["ohchr-theme"]).resolve("ohchr-theme", old)
    assert term is not None and term.code == code


def test_ohchr_names_are_translated(loaded: LoadReport) -> None:
    for term in terms("ohchr-theme") + terms("ohchr-group"):
        assert term.name["en"]
    assert sum(1 for t in terms("ohchr-theme") if t.name.get("ru")) == len(terms("ohchr-theme"))


def test_mapping_covers_every_upr_info_issue_but_the_catch_alls(loaded: LoadReport) -> None:
    mapped = set(
        TermMapping.objects.filter(source__taxonomy__code="upr-info-issue").values_list(
            "source__code", flat=True
        )
    )
    issues = {t.code for t in terms("upr-info-issue")}
    assert issues - mapped == {"general", "other"}
    assert not TermMapping.objects.exclude(target__taxonomy__code="ohchr-theme").exists()
    exact = TermMapping.objects.get(source__code="death-penalty", target__code="death-penalty")
    assert exact.relation == TermMapping.Relation.EXACT
