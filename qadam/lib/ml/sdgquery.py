"""Boolean SDG query systems (Aurora, Elsevier, Auckland, SIRIS, OSDG) evaluated over plain text.

Two query languages are parsed into one small AST:

* ``scopus``: Aurora's Scopus syntax. Precedence follows the Scopus help, tightest first:
  OR, then W/n and PRE/n, then AND (also implied by juxtaposition), then AND NOT. ``n`` is the
  maximum number of words *between* the two operands.
* ``lucene``: the corpustools dialect text2sdg hands its Elsevier, Auckland, SIRIS and OSDG
  queries to. Juxtaposition means OR, ``NOT`` means AND NOT, ``<…>`` and ``"…"`` are multi-word
  strings, ``~n`` after one asks for its parts within a distance of ``n`` positions.

Text and query strings are split into words the same way (runs of letters and digits,
lower-cased), so "under-five" in a query matches "under five" and "under-five" in a text.
See docs/sdg-queries.md for the systems, semantics and measured speed.
"""

from __future__ import annotations

import bisect
import csv
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np

Syntax = Literal["scopus", "lucene"]
Span = tuple[int, int]
GOALS: tuple[str, ...] = tuple(str(n) for n in range(1, 18))
DEFAULT_SYSTEMS: tuple[str, ...] = (
    "aurora",
    "text2sdg-aurora",
    "elsevier",
    "auckland",
    "siris",
    "sdgo",
)

_WORD_RE = re.compile(r"[^\W_]+")
_QUERY_WORD_RE = re.compile(r"(?:[^\W_]|[*?])+")


class QuerySyntaxError(ValueError):
    """A query that cannot be parsed, located by system, query id and character offset."""

    def __init__(self, system: str, query_id: str, position: int, message: str) -> None:
        self.system = system
        self.query_id = query_id
        self.position = position
        self.message = message
        super().__init__(f"{system} query {query_id}, position {position}: {message}")


def tokenize_text(text: str) -> list[str]:
    """Lower-cased words of ``text``; punctuation, hyphens and apostrophes separate words."""
    return _WORD_RE.findall(text.replace("’", "'").lower())


# --------------------------------------------------------------------------- documents


class Document:
    """A text indexed once so that every query over it is a few dict and bisect look-ups."""

    __slots__ = ("_cache", "index", "tokens", "vocab")

    def __init__(self, text: str) -> None:
        self.tokens = tokenize_text(text)
        self.index: dict[str, list[int]] = {}
        for pos, token in enumerate(self.tokens):
            self.index.setdefault(token, []).append(pos)
        self.vocab = sorted(self.index)
        self._cache: dict[str, list[int]] = {}

    def positions(self, pattern: str) -> list[int]:
        """Sorted positions of the words matching ``pattern`` (which may hold * and ?)."""
        found = self._cache.get(pattern)
        if found is None:
            found = self._lookup(pattern)
            self._cache[pattern] = found
        return found

    def _lookup(self, pattern: str) -> list[int]:
        prefix, regex = _wildcard(pattern)
        if regex is None and prefix == pattern:
            return self.index.get(pattern, [])
        words = self.words_with_prefix(prefix)
        if regex is not None:
            words = [w for w in words if regex.fullmatch(w)]
        if len(words) == 1:
            return self.index[words[0]]
        return sorted(p for w in words for p in self.index[w])

    def words_with_prefix(self, prefix: str) -> list[str]:
        lo = bisect.bisect_left(self.vocab, prefix)
        hi = bisect.bisect_left(self.vocab, prefix + "\U0010ffff")
        return self.vocab[lo:hi]


@cache
def _wildcard(pattern: str) -> tuple[str, re.Pattern[str] | None]:
    """Literal prefix of ``pattern`` and, unless a plain ``prefix*``, a regex for the rest."""
    cut = min((i for i, c in enumerate(pattern) if c in "*?"), default=len(pattern))
    prefix = pattern[:cut]
    rest = pattern[cut:]
    if rest in ("", "*"):
        return prefix, None
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return prefix, re.compile(body)


def word_matches(pattern: str, word: str) -> bool:
    prefix, regex = _wildcard(pattern)
    if regex is not None:
        return regex.fullmatch(word) is not None
    return word == pattern if prefix == pattern else word.startswith(prefix)


# --------------------------------------------------------------------------- AST


@dataclass(frozen=True, slots=True)
class Term:
    """One word; ``*`` stands for any run of characters, ``?`` for exactly one."""

    pattern: str

    def spans(self, doc: Document) -> list[Span]:
        return [(p, p) for p in doc.positions(self.pattern)]

    def holds(self, doc: Document) -> bool:
        return bool(doc.positions(self.pattern))


@dataclass(frozen=True, slots=True)
class Phrase:
    """Parts on consecutive positions (each part is usually a Term)."""

    parts: tuple[Node, ...]
    words: tuple[str, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # A plain multi-word string, the common case, is matched on positions alone.
        plain = all(isinstance(part, Term) for part in self.parts)
        words = tuple(part.pattern for part in self.parts if isinstance(part, Term))
        object.__setattr__(self, "words", words if plain else ())

    def spans(self, doc: Document) -> list[Span]:
        if self.words:
            return self._word_spans(doc)
        current = self.parts[0].spans(doc)
        for part in self.parts[1:]:
            if not current:
                return []
            by_start: dict[int, list[int]] = {}
            for start, end in part.spans(doc):
                by_start.setdefault(start, []).append(end)
            current = [(s, e2) for s, e in current for e2 in by_start.get(e + 1, ())]
        return current

    def _word_spans(self, doc: Document) -> list[Span]:
        starts = doc.positions(self.words[0])
        for offset, word in enumerate(self.words[1:], 1):
            if not starts:
                return []
            following = set(doc.positions(word))
            starts = [p for p in starts if p + offset in following]
        last = len(self.words) - 1
        return [(p, p + last) for p in starts]

    def holds(self, doc: Document) -> bool:
        return bool(self.spans(doc))


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]

    def spans(self, doc: Document) -> list[Span]:
        found: list[Span] = []
        for child in self.children:
            spans = child.spans(doc)
            if not spans:
                return []
            found.extend(spans)
        return found

    def holds(self, doc: Document) -> bool:
        return all(child.holds(doc) for child in self.children)


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]

    def spans(self, doc: Document) -> list[Span]:
        found: list[Span] = []
        for child in self.children:
            found.extend(child.spans(doc))
        return found

    def holds(self, doc: Document) -> bool:
        return any(child.holds(doc) for child in self.children)


@dataclass(frozen=True, slots=True)
class Not:
    """``positive AND NOT negative``: the negative part vetoes the whole text."""

    positive: Node
    negative: Node

    def spans(self, doc: Document) -> list[Span]:
        found = self.positive.spans(doc)
        if found and self.negative.holds(doc):
            return []
        return found

    def holds(self, doc: Document) -> bool:
        return self.positive.holds(doc) and not self.negative.holds(doc)


@dataclass(frozen=True, slots=True)
class Near:
    """Both operands with at most ``between`` words between them; ``ordered`` = left first."""

    left: Node
    right: Node
    between: int
    ordered: bool = False

    def spans(self, doc: Document) -> list[Span]:
        lefts = self.left.spans(doc)
        if not lefts:
            return []
        rights = self.right.spans(doc)
        if not rights:
            return []
        limit = self.between + 1
        return sorted(
            {
                (min(a0, b0), max(a1, b1))
                for a0, a1 in lefts
                for b0, b1 in rights
                if self._close(a0, a1, b0, b1, limit)
            }
        )

    def holds(self, doc: Document) -> bool:
        return bool(self.spans(doc))

    def _close(self, a0: int, a1: int, b0: int, b1: int, limit: int) -> bool:
        if 0 < b0 - a1 <= limit:
            return True
        return not self.ordered and 0 < a0 - b1 <= limit


@dataclass(frozen=True, slots=True)
class Always:
    """A Scopus filter (PUBYEAR, LIMIT-TO, …) that plain text cannot check, so it holds."""

    def spans(self, doc: Document) -> list[Span]:
        return [(-1, -1)]

    def holds(self, doc: Document) -> bool:
        return True


Node = Term | Phrase | And | Or | Not | Near | Always


def atoms(node: Node) -> Iterable[Term | Phrase]:
    """Words and phrases that can make ``node`` match (not those under a NOT)."""
    if isinstance(node, Term | Phrase):
        yield node
    elif isinstance(node, And | Or):
        for child in node.children:
            yield from atoms(child)
    elif isinstance(node, Not):
        yield from atoms(node.positive)
    elif isinstance(node, Near):
        yield from atoms(node.left)
        yield from atoms(node.right)


def anchors(node: Node) -> frozenset[str] | None:
    """Patterns of which at least one must occur in any text ``node`` matches.

    None means no such set exists (a bare filter), so the query is always a candidate.
    """
    if isinstance(node, Term):
        return frozenset([node.pattern])
    if isinstance(node, Or):
        union: set[str] = set()
        for child in node.children:
            found = anchors(child)
            if found is None:
                return None
            union |= found
        return frozenset(union)
    if isinstance(node, Not):
        return anchors(node.positive)
    children = (
        node.parts
        if isinstance(node, Phrase)
        else node.children
        if isinstance(node, And)
        else (node.left, node.right)
        if isinstance(node, Near)
        else ()
    )
    options = [s for s in (anchors(c) for c in children) if s is not None]
    return min(options, key=_anchor_cost) if options else None


def _anchor_cost(patterns: frozenset[str]) -> tuple[int, int]:
    # Short wildcard prefixes ("a*") hit many words, so prefer sets of precise anchors.
    vague = sum(1 for p in patterns if len(_wildcard(p)[0]) < 3 and p != _wildcard(p)[0])
    return vague, len(patterns)


# --------------------------------------------------------------------------- lexer


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # WORD PHRASE LP RP LANGLE RANGLE SLOP AND OR NOT NEAR PRE ALWAYS END
    text: str
    pos: int
    number: int = 0


_SCOPUS_LEX = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<always>PUBYEAR\s*(?:[<>]=?|=|AFT|BEF|IS)\s*\d+
      |(?:LIMIT-TO|EXCLUDE)\s*\((?:[^()]|\([^()]*\))*\))
  | (?P<field>(?:TITLE-ABS-KEY|TITLE-ABS|TITLE|ABS|KEY|AUTHKEY|ALL)(?=\s*\())
  | (?P<andnot>AND\s+NOT\b)
  | (?P<op>AND\b|OR\b|NOT\b)
  | (?P<near>[Ww]/(?P<wn>\d+))
  | (?P<pre>PRE/(?P<pn>\d+))
  | (?P<lp>\()
  | (?P<rp>\))
  | (?P<phrase>"[^"]*"|“[^”"]*[”"]|"[^"“”]*”|\{[^}]*\})
  | (?P<word>[^\s()"“”{}]+)
    """,
    re.VERBOSE,
)

_LUCENE_LEX = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<andnot>AND\s+NOT\b)
  | (?P<op>AND\b|OR\b|NOT\b)
  | (?P<near>NEAR/(?P<wn>\d+))
  | (?P<lp>\()
  | (?P<rp>\))
  | (?P<langle><)
  | (?P<rangle>>)
  | (?P<slop>~(?P<sn>\d+)|~s\b)
  | (?P<phrase>"(?:[^"\\]|\\.)*"|\{[^}]*\})
  | (?P<word>(?:[^\s()"<>{}~\\]|\\.)+)
    """,
    re.VERBOSE,
)


def _lex(text: str, syntax: Syntax, where: tuple[str, str]) -> list[_Token]:
    lexer = _SCOPUS_LEX if syntax == "scopus" else _LUCENE_LEX
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        m = lexer.match(text, pos)
        if m is None:
            raise QuerySyntaxError(*where, pos, f"unexpected character {text[pos]!r}")
        token = _token(m, syntax)
        if token is not None:
            tokens.append(token)
        pos = m.end()
    tokens.append(_Token("END", "", len(text)))
    return tokens


def _token(m: re.Match[str], syntax: Syntax) -> _Token | None:
    kind = m.lastgroup or ""
    start, text = m.start(), m.group()
    if kind in ("ws", "field"):
        return None
    if kind in ("op", "andnot"):
        # Scopus's NOT and corpustools' AND NOT are the other dialect's spelling of AND NOT.
        if kind == "andnot" or text == "NOT":
            return _Token("ANDNOT" if syntax == "scopus" else "NOT", text, start)
        return _Token(text, text, start)
    if kind in ("near", "pre"):
        number = int(m.group("wn") or m.group("pn"))
        return _Token("NEAR" if kind == "near" else "PRE", text, start, number)
    if kind == "slop":
        return _Token("SLOP", text, start, int(m.group("sn") or 0))
    if kind == "phrase":
        return _Token("PHRASE", text[1:-1], start)
    return _Token(kind.upper(), text, start)


# --------------------------------------------------------------------------- parser

# Binary operator levels, loosest first; the level that juxtaposition joins at is marked.
_LEVELS: dict[Syntax, tuple[tuple[frozenset[str], bool], ...]] = {
    "scopus": (
        (frozenset({"ANDNOT"}), False),
        (frozenset({"AND"}), True),
        (frozenset({"NEAR", "PRE"}), False),
        (frozenset({"OR"}), False),
    ),
    "lucene": (
        (frozenset({"OR"}), True),
        (frozenset({"AND", "NOT"}), False),
        (frozenset({"NEAR", "PRE"}), False),
    ),
}
_OPERAND_START = frozenset({"WORD", "PHRASE", "LP", "LANGLE", "ALWAYS"})


class _Parser:
    def __init__(self, text: str, syntax: Syntax, system: str, query_id: str) -> None:
        self.where = (system, query_id)
        self.syntax = syntax
        self.tokens = _lex(text, syntax, self.where)
        self.i = 0
        self.levels = _LEVELS[syntax]

    def error(self, message: str, token: _Token | None = None) -> QuerySyntaxError:
        return QuerySyntaxError(*self.where, (token or self.peek()).pos, message)

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node:
        if self.peek().kind == "END":
            raise self.error("empty query")
        node = self.expr(0, implicit=True)
        if self.peek().kind != "END":
            raise self.error(f"unexpected {self.peek().text!r}")
        return node

    def expr(self, level: int, implicit: bool) -> Node:
        if level == len(self.levels):
            return self.primary()
        ops, joins = self.levels[level]
        node = self.expr(level + 1, implicit)
        while True:
            token = self.peek()
            if token.kind in ops:
                self.take()
            elif not (joins and implicit and token.kind in _OPERAND_START):
                return node
            right = self.expr(level + 1, implicit)
            node = self.combine(token, node, right)

    def combine(self, token: _Token, left: Node, right: Node) -> Node:
        kind = token.kind
        if kind in ("ANDNOT", "NOT"):
            return Not(left, right)
        if kind in ("NEAR", "PRE"):
            return Near(left, right, token.number, ordered=kind == "PRE")
        if kind == "OR" or (kind in _OPERAND_START and self.syntax == "lucene"):
            return Or(_flat(Or, left, right))
        return And(_flat(And, left, right))

    def primary(self) -> Node:
        token = self.take()
        if token.kind in ("WORD", "PHRASE"):
            return self.slop(self.words(token))
        if token.kind == "ALWAYS":
            return Always()
        if token.kind == "LP":
            node = self.expr(0, implicit=True)
            self.expect("RP", "missing ')'")
            return node
        if token.kind == "LANGLE":
            return self.slop(self.angle(token))
        if token.kind == "END":
            raise self.error("query ends where an operand was expected", token)
        raise self.error(f"unexpected {token.text!r} where an operand was expected", token)

    def expect(self, kind: str, message: str) -> None:
        if self.peek().kind != kind:
            raise self.error(message)
        self.take()

    def angle(self, opening: _Token) -> Node:
        parts: list[Node] = []
        while self.peek().kind not in ("RANGLE", "END"):
            if self.peek().kind == "WORD" and not _QUERY_WORD_RE.search(self.peek().text):
                self.take()  # "&" in <sanitation & hygiene> is punctuation, as in the text
                continue
            parts.append(self.expr(0, implicit=False))
        if self.peek().kind != "RANGLE":
            raise self.error("missing '>'", opening)
        self.take()
        if not parts:
            raise self.error("empty <>", opening)
        return _sequence(parts)

    def words(self, token: _Token) -> Node:
        text = re.sub(r"\\(.)", r"\1", token.text) if self.syntax == "lucene" else token.text
        words = _QUERY_WORD_RE.findall(text.replace("’", "'").lower())
        words = [w for w in words if w.strip("*?")]
        if not words:
            raise self.error(f"no words in {token.text!r}", token)
        return _sequence([Term(w) for w in words])

    def slop(self, node: Node) -> Node:
        token = self.peek()
        if token.kind != "SLOP":
            return node
        self.take()
        if not isinstance(node, Phrase) or token.number == 0:
            return node  # "~s" (case) or slop on one word changes nothing here
        # corpustools' ~n is a distance in positions, n-1 words between.
        parts = node.parts
        near: Node = parts[0]
        for part in parts[1:]:
            near = Near(near, part, max(token.number - 1, 0))
        return near


def _sequence(parts: Sequence[Node]) -> Node:
    return parts[0] if len(parts) == 1 else Phrase(tuple(parts))


def _flat(kind: type[And] | type[Or], left: Node, right: Node) -> tuple[Node, ...]:
    children: list[Node] = []
    for node in (left, right):
        if isinstance(node, And | Or) and isinstance(node, kind):
            children.extend(node.children)
        else:
            children.append(node)
    return tuple(children)


def _unescape(text: str) -> str:
    # SIRIS ships some phrases R-escaped: \"el ni\u00f1o\" for "el niño".
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return text.replace('\\"', '"')


def parse_query(text: str, syntax: Syntax, system: str = "", query_id: str = "") -> Node:
    """Parse one query string into an AST, raising QuerySyntaxError on bad input."""
    return _Parser(_unescape(text), syntax, system, query_id).parse()


# --------------------------------------------------------------------------- query sets


@dataclass(frozen=True, slots=True)
class Query:
    system: str
    query_id: str
    goal: str
    target: str | None
    text: str
    node: Node


@dataclass(frozen=True)
class QueryHit:
    system: str
    query_id: str
    goal: str
    target: str | None
    matched: tuple[str, ...]  # text words matching the query's (non-negated) terms, in order


def _goal(label: str) -> str:
    """'SDG-05' -> '5'."""
    return str(int(label.rsplit("-", 1)[-1]))


def _parse_rows(
    rows: Iterable[tuple[str, str, str | None, str]], system: str, syntax: Syntax
) -> list[Query]:
    return [
        Query(system, qid, goal, target, text, parse_query(text, syntax, system, qid))
        for qid, goal, target, text in rows
    ]


def load_aurora_xml(folder: Path) -> list[Query]:
    """Aurora v5.0: one query per query line, each line belonging to one target."""
    rows: list[tuple[str, str, str | None, str]] = []
    ns = {"aqd": "http://aurora-network.global/queries/namespace/"}
    for goal in GOALS:
        root = ET.parse(folder / f"query_SDG{goal}.xml").getroot()
        for definition in root.iter(f"{{{ns['aqd']}}}query-definition"):
            sub = (definition.findtext("aqd:subquery-identifier", "", ns) or "").strip()
            target = _aurora_target(definition) or None
            lines = definition.iterfind("aqd:query-lines/aqd:query-line", ns)
            for n, line in enumerate(lines, 1):
                rows.append(
                    (f"{goal}.{sub}.{n}", goal, target, " ".join((line.text or "").split()))
                )
    return _parse_rows(rows, "aurora", "scopus")


def _aurora_target(definition: ET.Element) -> str:
    for element in definition:
        if element.tag.endswith("identifier") and element.get("type") == "uri":
            target = (element.text or "").strip().rsplit("/", 1)[-1]
            # Aurora writes 3.c as 3c in one place.
            return re.sub(r"^(\d+)([a-z])$", r"\1.\2", target)
    return ""


def load_text2sdg_csv(path: Path, system: str, syntax: Syntax) -> list[Query]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [
            (row["query_id"], _goal(row["sdg"]), None, row["query"])
            for row in csv.DictReader(handle)
        ]
    return _parse_rows(rows, system, syntax)


# name -> (file under text2sdg/, syntax); "aurora" is read from the Aurora XML instead.
TEXT2SDG_SYSTEMS: dict[str, tuple[str, Syntax]] = {
    "text2sdg-aurora": ("aurora_queries.csv", "scopus"),
    "elsevier": ("elsevier_queries.csv", "lucene"),
    "auckland": ("auckland_queries.csv", "lucene"),
    "siris": ("siris_queries.csv", "lucene"),
    "sdgo": ("sdgo_queries.csv", "lucene"),
}


def load_system(data_dir: Path, system: str) -> list[Query]:
    """All queries of one system; ``data_dir`` is the shared data root."""
    folder = data_dir / "sdg-queries"
    if system == "aurora":
        return load_aurora_xml(folder / "aurora")
    if system not in TEXT2SDG_SYSTEMS:
        known = ", ".join(("aurora", *TEXT2SDG_SYSTEMS))
        raise ValueError(f"unknown SDG query system {system!r} (known: {known})")
    filename, syntax = TEXT2SDG_SYSTEMS[system]
    return load_text2sdg_csv(folder / "text2sdg" / filename, system, syntax)


class QuerySet:
    """All queries of one or more systems, pre-indexed by the words that can trigger them."""

    def __init__(self, queries: Sequence[Query], systems: Sequence[str]) -> None:
        self.queries = tuple(queries)
        self.systems = tuple(systems)
        self._exact: dict[str, list[int]] = {}
        self._wild: dict[str, list[tuple[str, int]]] = {}  # literal prefix[:3] -> patterns
        self._always: list[int] = []
        self._word_cache: dict[str, tuple[int, ...]] = {}
        for i, query in enumerate(self.queries):
            self._index(i, anchors(query.node))

    @classmethod
    def load(cls, data_dir: Path, systems: Sequence[str] = DEFAULT_SYSTEMS) -> QuerySet:
        return cls([q for s in systems for q in load_system(Path(data_dir), s)], systems)

    def _index(self, i: int, patterns: frozenset[str] | None) -> None:
        if patterns is None:
            self._always.append(i)
            return
        for pattern in patterns:
            prefix, regex = _wildcard(pattern)
            if regex is None and prefix == pattern:
                self._exact.setdefault(pattern, []).append(i)
            else:
                self._wild.setdefault(prefix[:3], []).append((pattern, i))

    def _triggered_by(self, word: str) -> tuple[int, ...]:
        found = self._word_cache.get(word)
        if found is None:
            ids = list(self._exact.get(word, ()))
            for key in {word[:n] for n in range(4)}:
                ids.extend(i for p, i in self._wild.get(key, ()) if word_matches(p, word))
            found = tuple(ids)
            if len(self._word_cache) < 500_000:
                self._word_cache[word] = found
        return found

    def candidates(self, doc: Document) -> list[int]:
        ids = set(self._always)
        for word in doc.vocab:
            ids.update(self._triggered_by(word))
        return sorted(ids)

    def match(self, text: str) -> list[QueryHit]:
        doc = Document(text)
        return [self._hit(self.queries[i], doc) for i in self._matching(doc)]

    def _matching(self, doc: Document) -> list[int]:
        return [i for i in self.candidates(doc) if self.queries[i].node.holds(doc)]

    def _hit(self, query: Query, doc: Document) -> QueryHit:
        spans = (span for atom in atoms(query.node) for span in atom.spans(doc))
        positions = sorted({p for start, end in spans for p in range(start, end + 1)})
        matched = tuple(dict.fromkeys(doc.tokens[p] for p in positions))
        return QueryHit(query.system, query.query_id, query.goal, query.target, matched)

    def goal_counts(self, text: str) -> dict[str, dict[str, int]]:
        """goal -> system -> number of that system's queries the text hits."""
        counts: dict[str, dict[str, int]] = {}
        doc = Document(text)
        for i in self._matching(doc):
            query = self.queries[i]
            per_system = counts.setdefault(query.goal, {})
            per_system[query.system] = per_system.get(query.system, 0) + 1
        return counts

    def feature_names(self) -> list[str]:
        return [f"{system}:{goal}" for system in self.systems for goal in GOALS]

    def features(self, texts: Iterable[str]) -> np.ndarray:
        """Hit counts, one row per text, columns ``feature_names()`` (system-major)."""
        column = {(s, g): k for k, (s, g) in enumerate((s, g) for s in self.systems for g in GOALS)}
        rows: list[np.ndarray] = []
        for text in texts:
            row = np.zeros(len(column), dtype=np.int32)
            doc = Document(text)
            for i in self._matching(doc):
                row[column[(self.queries[i].system, self.queries[i].goal)]] += 1
            rows.append(row)
        return np.vstack(rows) if rows else np.zeros((0, len(column)), dtype=np.int32)

    def count_by_system(self) -> dict[str, int]:
        counts = dict.fromkeys(self.systems, 0)
        for query in self.queries:
            counts[query.system] += 1
        return counts
