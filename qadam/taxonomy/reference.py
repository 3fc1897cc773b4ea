"""Resolve names found in sources to reference rows: states, institutions, terms.

Importers call these for every row, so each resolver builds an in-memory index
once (one query) and then answers without touching the database. Matching ignores
case, diacritics, punctuation, "&" versus "and", extra spaces and a leading "the":
"Cote d'Ivoire", "Côte d’Ivoire" and "the Côte d'Ivoire" are one key.

Two ways to use them:

* an importer builds its own resolver per run: ``StateResolver().resolve(name)``,
  which always sees the current data;
* quick callers use the module functions (``resolve_state`` ...), backed by a
  per-process cache that saves and deletes through the ORM clear; a bulk load
  (``load_reference``) clears it too. Call ``clear_caches()`` after changing
  reference rows any other way (raw SQL, a rolled-back test transaction).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from qadam.taxonomy.models import Institution, State, Taxonomy, Term

T = TypeVar("T")

# Names in the UPR Info export that are not States; they resolve to None by design.
NON_STATE_NAMES = frozenset({"(Unknown)", "Unknown"})

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_APOSTROPHE_RE = re.compile(r"'")
_NON_WORD_RE = re.compile(r"[\W_]+")
_LEADING_THE_RE = re.compile(r"^the\s+")


def normalise_name(text: str) -> str:
    """The matching key of a name: folded, unaccented, punctuation-free."""
    text = html.unescape(text or "").translate(_QUOTES).replace("&", " and ")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = _APOSTROPHE_RE.sub("", text)  # "d'Ivoire" → "divoire", like "d’Ivoire"
    text = _NON_WORD_RE.sub(" ", text).strip()
    return _LEADING_THE_RE.sub("", text)


class NameIndex(Generic[T]):
    """Normalised name → object, where a better-ranked spelling wins.

    Ranks: 0 for codes, 1 for official names, 2 for aliases. When two different
    objects claim one key at the same rank, the key is ambiguous and resolves to
    nothing rather than to a guess.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[int, T | None]] = {}
        self.ambiguous: dict[str, set[str]] = {}

    def add(self, text: str, obj: T, rank: int) -> None:
        key = normalise_name(text)
        if not key:
            return
        current = self._entries.get(key)
        if current is None or rank < current[0]:
            self._entries[key] = (rank, obj)
            self.ambiguous.pop(key, None)
        elif rank == current[0] and current[1] is not obj:
            claimants = self.ambiguous.setdefault(key, set())
            if current[1] is not None:
                claimants.add(str(current[1]))
            claimants.add(str(obj))
            self._entries[key] = (rank, None)

    def get(self, text: str) -> T | None:
        entry = self._entries.get(normalise_name(text))
        return entry[1] if entry else None


# --- States --------------------------------------------------------------------


def state_spellings(state: State) -> Iterable[tuple[str, int]]:
    yield state.iso3, 0
    if state.iso2:
        yield state.iso2, 0
    for name in state.name.values():
        yield name, 1
    for alias in state.aliases:
        yield alias, 2


class StateResolver:
    """Resolve a State from any spelling UPR Info or UN documents use."""

    def __init__(self, states: Iterable[State] | None = None) -> None:
        self.index: NameIndex[State] = NameIndex()
        for state in State.objects.all() if states is None else states:
            for text, rank in state_spellings(state):
                self.index.add(text, state, rank)

    def resolve(self, name: str) -> State | None:
        if name.strip() in NON_STATE_NAMES:
            return None
        return self.index.get(name)


# --- Institutions ----------------------------------------------------------------

# Parenthesised remarks that plans append to an institution: "APS (as agreed)".
_PARENTHESES_RE = re.compile(r"\([^)]*\)")
# The country named in an official name, in any of the three languages.
_COUNTRY_RE = re.compile(
    r"\b(of the republic of kazakhstan|of the rk|республики казахстан|рк"
    r"|қазақстан республикасының|қр)\b"
)
# Separators in a list of institutions; "and" only splits what does not resolve whole.
_LIST_RE = re.compile(r"[,;/\n]+")
_AND_RE = re.compile(r"\s+(?:and|и|және)\s+")


def _strip_country(text: str) -> str:
    return " ".join(_COUNTRY_RE.sub(" ", normalise_name(text)).split())


class InstitutionResolver:
    """Resolve an Institution from an acronym, a name or an alias, in en/ru/kk."""

    def __init__(self, institutions: Iterable[Institution] | None = None) -> None:
        self.index: NameIndex[Institution] = NameIndex()
        source = Institution.objects.all() if institutions is None else institutions
        for inst in source:
            self.index.add(inst.code, inst, 0)
            for name in inst.name.values():
                self.index.add(_strip_country(name), inst, 1)
            for alias in inst.aliases:
                self.index.add(_strip_country(alias), inst, 2)

    def resolve(self, text: str) -> Institution | None:
        """One institution named by ``text``, ignoring "(as agreed)"-style remarks."""
        for candidate in (text, _PARENTHESES_RE.sub(" ", text)):
            found = self.index.get(candidate) or self.index.get(_strip_country(candidate))
            if found is not None:
                return found
        return None

    def find_all(self, text: str) -> list[Institution]:
        """Every institution in a list such as "MIA, GPO (as agreed); LEB"."""
        whole = self.resolve(text)
        if whole is not None:
            return [whole]
        found: dict[int, Institution] = {}
        for part in _LIST_RE.split(text):
            inst = self.resolve(part) if part.strip() else None
            pieces: list[Institution | None] = (
                [inst] if inst else [self.resolve(p) for p in _AND_RE.split(part)]
            )
            for piece in pieces:
                if piece is not None:
                    found.setdefault(piece.pk, piece)
        return list(found.values())


# --- Terms -----------------------------------------------------------------------

# "A12 Acceptance of international norms", "16 - PEACE, JUSTICE ...", "- Women".
_CODED_RE = re.compile(r"^([A-Za-z]?\d+(?:\.[0-9a-z]+)*)\s*(?:-\s+|\s)(.+)$")


def term_spellings(term: Term) -> Iterable[tuple[str, int]]:
    yield term.code, 0
    for name in term.name.values():
        yield name, 1
    for alias in term.aliases:
        yield alias, 2


class TermResolver:
    """Resolve (taxonomy code, code or name) to a Term, in any cycle's spelling."""

    def __init__(self, taxonomies: Iterable[str] | None = None) -> None:
        codes = {t.pk: t.code for t in Taxonomy.objects.all()}
        terms = Term.objects.all()
        if taxonomies is not None:
            terms = terms.filter(taxonomy__code__in=list(taxonomies))
        self.indexes: dict[str, NameIndex[Term]] = {}
        for term in terms:
            index = self.indexes.setdefault(codes[term.taxonomy_id], NameIndex())
            for text, rank in term_spellings(term):
                index.add(text, term, rank)

    def resolve(self, taxonomy: str, text: str) -> Term | None:
        index = self.indexes.get(taxonomy)
        if index is None:
            return None
        text = text.strip().lstrip("-•").strip()
        found = index.get(text)
        if found is None and (match := _CODED_RE.match(text)):
            found = index.get(match.group(1)) or index.get(match.group(2))
        return found


# --- Module-level helpers with a per-process cache --------------------------------

_cache: dict[str, Any] = {}


def _cached(name: str, factory: Any) -> Any:
    if name not in _cache:
        _cache[name] = factory()
    return _cache[name]


def clear_caches() -> None:
    """Forget the cached indexes; the next call rebuilds them from the database."""
    _cache.clear()


def resolve_state(name: str) -> State | None:
    """The State a source calls ``name`` ("Iran", "DPR Korea", "Türkiye"...), or None."""
    resolver: StateResolver = _cached("states", StateResolver)
    return resolver.resolve(name)


def resolve_institution(text: str) -> Institution | None:
    """The Institution an acronym or name refers to ("MIA", "APS (as agreed)"), or None."""
    resolver: InstitutionResolver = _cached("institutions", InstitutionResolver)
    return resolver.resolve(text)


def find_institutions(text: str) -> list[Institution]:
    """All institutions named in a plan's lead/co-executor cell, in order."""
    resolver: InstitutionResolver = _cached("institutions", InstitutionResolver)
    return resolver.find_all(text)


def resolve_term(taxonomy: str, text: str) -> Term | None:
    """The Term of ``taxonomy`` that a source label names (code, name or alias)."""
    resolver: TermResolver = _cached("terms", TermResolver)
    return resolver.resolve(taxonomy, text)


@receiver(post_save, dispatch_uid="taxonomy-reference-cache-save")
@receiver(post_delete, dispatch_uid="taxonomy-reference-cache-delete")
def _forget_on_change(sender: type, **kwargs: Any) -> None:
    if sender in (State, Institution, Term, Taxonomy):
        clear_caches()
