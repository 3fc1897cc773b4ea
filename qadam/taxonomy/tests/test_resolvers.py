"""The resolvers and their matching rules, on small hand-made data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qadam.taxonomy.loaders.base import dotted_sort_key
from qadam.taxonomy.models import Institution, State, Taxonomy, Term
from qadam.taxonomy.reference import (
    InstitutionResolver,
    NameIndex,
    StateResolver,
    clear_caches,
    normalise_name,
    resolve_institution,
    resolve_state,
    resolve_term,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Côte d'Ivoire", "cote d’ivoire"),
        ("The Gambia", "Gambia"),
        ("Antigua & Barbuda", "Antigua and Barbuda"),
        ("Guinea-Bissau", "Guinea Bissau"),
        ("  Bosnia   and\tHerzegovina ", "bosnia and herzegovina"),
        ("&#40;Unknown&#41;", "(unknown)"),
        ("Türkiye", "Turkiye"),
    ],
)
def test_normalise_name_folds_spellings(a: str, b: str) -> None:
    assert normalise_name(a) == normalise_name(b)


def test_normalise_name_keeps_kazakh_letters_apart() -> None:
    assert normalise_name("Қазақстан") != normalise_name("Казахстан")
    assert normalise_name("Netherlands") != normalise_name("Theherlands")


def test_dotted_sort_key_orders_numbers_then_letters() -> None:
    codes = ["1.a", "1.10", "1.2", "1.b", "1.9", "1.1"]
    assert sorted(codes, key=dotted_sort_key) == ["1.1", "1.2", "1.9", "1.10", "1.a", "1.b"]
    assert dotted_sort_key("17.19.2") < dotted_sort_key("17.a")


def test_name_index_prefers_codes_and_refuses_ties() -> None:
    index: NameIndex[str] = NameIndex()
    index.add("MES", "Emergencies", 0)
    index.add("MES", "Education and Science", 2)  # an alias never beats a code
    index.add("Ministry", "A", 1)
    index.add("Ministry", "B", 1)
    assert index.get("mes") == "Emergencies"
    assert index.get("Ministry") is None
    assert index.ambiguous == {"ministry": {"A", "B"}}


def test_state_resolver_needs_no_query_per_call() -> None:
    states = [
        State(iso3="CIV", iso2="CI", name={"en": "Côte d'Ivoire"}, aliases=["Ivory Coast"]),
        State(
            iso3="NLD",
            iso2="NL",
            name={"en": "Netherlands (Kingdom of the)"},
            aliases=["Netherlands"],
        ),
    ]
    resolver = StateResolver(states)
    assert resolver.resolve("COTE D'IVOIRE") is states[0]
    assert resolver.resolve("the Netherlands") is states[1]
    assert resolver.resolve("nl") is states[1]
    assert resolver.resolve("(Unknown)") is None
    assert resolver.resolve("Atlantis") is None


def test_institution_resolver_reads_plan_cells() -> None:
    mia = Institution(
        pk=1,
        code="MIA",
        name={"en": "Ministry of Internal Affairs", "ru": "Министерство внутренних дел"},
        aliases=["МВД"],
    )
    gpo = Institution(pk=2, code="GPO", name={"en": "General Prosecutor's Office"})
    resolver = InstitutionResolver([mia, gpo])
    assert resolver.resolve("mia") is mia
    assert resolver.resolve("Министерство внутренних дел Республики Казахстан") is mia
    assert resolver.resolve("Ministry of Internal Affairs of the Republic of Kazakhstan") is mia
    assert resolver.resolve("GPO (as agreed)") is gpo
    assert resolver.find_all("МВД, GPO (по согласованию)") == [mia, gpo]
    assert resolver.find_all("MIA and GPO") == [mia, gpo]
    assert resolver.find_all("nobody") == []


@pytest.mark.django_db
def test_module_helpers_cache_and_forget() -> None:
    clear_caches()
    State.objects.create(iso3="KAZ", iso2="KZ", name={"en": "Kazakhstan"})
    assert resolve_state("Kazakhstan") is not None
    with CaptureQueriesContext(connection) as queries:
        for _ in range(100):
            resolve_state("Kazakhstan")
    assert len(queries) == 0
    # Saving through the ORM clears the cache, so a new alias resolves at once.
    State.objects.create(iso3="UZB", iso2="UZ", name={"en": "Uzbekistan"}, aliases=["Özbekiston"])
    state = resolve_state("Ozbekiston")
    assert state is not None and state.iso3 == "UZB"
    Institution.objects.create(code="MJ", name={"en": "Ministry of Justice"}, kind="ministry")
    assert resolve_institution("Ministry of Justice") is not None
    clear_caches()


@pytest.mark.django_db
def test_resolve_term_reads_coded_labels() -> None:
    clear_caches()
    goals = Taxonomy.objects.create(code="sdg-goal", name={"en": "Goals"})
    Term.objects.create(
        taxonomy=goals,
        code="16",
        name={"en": "Promote peaceful societies"},
        aliases=["Peace, justice and strong institutions"],
    )
    themes = Taxonomy.objects.create(code="ohchr-theme", name={"en": "Themes"})
    Term.objects.create(
        taxonomy=themes,
        code="A12",
        name={"en": "Ratification"},
        aliases=["Acceptance of international norms"],
    )
    term = resolve_term("sdg-goal", "- 16 - PEACE, JUSTICE AND STRONG INSTITUTIONS")
    assert term is not None and term.code == "16"
    term = resolve_term("ohchr-theme", "A12 Acceptance of international norms")
    assert term is not None and term.code == "A12"
    assert resolve_term("ohchr-theme", "16") is None  # a code of another taxonomy
    assert resolve_term("no-such-taxonomy", "A12") is None
    clear_caches()
