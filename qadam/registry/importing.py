"""Turn parsed recommendation files into registry rows.

Parsers (``qadam.lib``) read bytes into ``ParsedRecommendation`` records; this
module resolves names to reference rows and writes documents, recommendations,
states, clusters and labels in bulk, inside the caller's transaction. It is
idempotent: every row has a natural key (document symbol + number, or + a hash
of the normalised text when the source has no numbers), so a re-run updates in
place and reports "unchanged".
"""

from __future__ import annotations

import csv
import hashlib
import importlib
import io
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connections, models, router
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qadam.lib.records import (
    ImportFormatError,
    ParsedRecommendation,
    ParseResult,
    RowProblem,
)
from qadam.lib.tabular import sniff_delimiter
from qadam.lib.text import normalise_for_match
from qadam.registry.models import Cluster, Label, Recommendation, SourceDocument
from qadam.taxonomy.models import Mechanism, Session, State, Taxonomy, Term
from qadam.taxonomy.reference import StateResolver


@dataclass(frozen=True)
class Kind:
    code: str
    parser: str  # dotted path of the parse function in qadam.lib
    document_kind: str
    label: str | Promise
    extensions: tuple[str, ...]
    # UPR Info has one row per recommending State: rows with the same text are one
    # recommendation. Elsewhere one row is one recommendation, and a repeated
    # number or text is an error in the file.
    merges_rows: bool = False


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind(
            "upr-report",
            "qadam.lib.upr_report.parse_upr_report",
            SourceDocument.Kind.WG_REPORT,
            gettext_lazy("UPR Working Group report (text)"),
            (".txt",),
        ),
        Kind(
            "upr-info",
            "qadam.lib.upr_info.parse_upr_info",
            SourceDocument.Kind.DATABASE,
            gettext_lazy("UPR Info database export (CSV)"),
            (".csv",),
            merges_rows=True,
        ),
        Kind(
            "ohchr-list",
            "qadam.lib.ohchr_docx.parse_ohchr_list",
            SourceDocument.Kind.THEMATIC_LIST,
            gettext_lazy("OHCHR thematic list (DOCX)"),
            (".docx",),
        ),
        Kind(
            "uhri",
            "qadam.lib.uhri.parse_uhri",
            SourceDocument.Kind.DATABASE,
            gettext_lazy("Universal Human Rights Index export (CSV/XLSX)"),
            (".csv", ".xlsx"),
        ),
        Kind(
            "template",
            "qadam.lib.template.parse_template",
            SourceDocument.Kind.OTHER,
            gettext_lazy("Qadam template (CSV/XLSX)"),
            (".csv", ".xlsx"),
        ),
    )
}


def check_size(data: bytes, filename: str) -> None:
    limit = settings.QADAM_MAX_IMPORT_BYTES
    if len(data) > limit:
        raise ImportFormatError(
            filename,
            _("the file is %(size)d bytes, over the limit of %(limit)d bytes")
            % {"size": len(data), "limit": limit},
        )


def check_csv_complete(data: bytes, filename: str) -> None:
    """Refuse a CSV cut short: the csv module reads one silently, last cell and all.

    Two signs: the file ends inside a quoted cell (an odd number of quotes), or it
    ends without a line break on a row with fewer cells than the header. Other
    files (XLSX, not UTF-8, binary) are left to the parser, which names the fault.
    """
    if data.startswith(b"PK") or b"\x00" in data[:65536]:
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return
    delimiter = sniff_delimiter(text)
    if text.count('"') % 2:
        row, column = _open_quote_cell(text, delimiter)
        raise ImportFormatError(
            filename,
            _(
                "the file ends inside a quoted cell that opens here: it looks truncated, or a "
                "quote is out of place"
            ),
            row=row,
            field=column,
        )
    if text.endswith(("\n", "\r")):
        return
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header, last = rows[0], rows[-1]
    if len(rows) > 1 and len(last) < len(header):
        raise ImportFormatError(
            filename,
            _(
                "the last row has %(cells)d of the %(columns)d cells of the header and the file "
                "ends without a line break: it looks truncated"
            )
            % {"cells": len(last), "columns": len(header)},
            row=len(rows),
            field=header[len(last) - 1].strip(),
        )


def _open_quote_cell(text: str, delimiter: str) -> tuple[int, str]:
    """Row (header = 1) and column of the quoted cell that the file never closes."""
    opened, inside = 0, False
    for index, char in enumerate(text):
        if char == '"':
            inside = not inside
            if inside:
                opened = index
    rows = list(csv.reader(io.StringIO(text[:opened], newline=""), delimiter=delimiter))
    header = rows[0] if rows else []
    if not rows or text[:opened].endswith(("\n", "\r")):
        return len(rows) + 1, header[0].strip() if header else ""
    column = len(rows[-1]) - 1
    name = header[column].strip() if len(rows) > 1 and column < len(header) else ""
    return len(rows), name or _("column %(number)d") % {"number": column + 1}


# Options a run stores that are filters for a kind's parser (the rest, such as
# skip_invalid, are for the importer).
PARSER_OPTIONS: dict[str, tuple[str, ...]] = {"upr-info": ("state", "sessions")}


def parser_options(kind: str, options: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of the kind's parser, from a run's stored (JSON) options."""
    out: dict[str, Any] = {}
    for name in PARSER_OPTIONS.get(kind, ()):
        value = options.get(name)
        if not value:
            continue
        out[name] = {str(v) for v in value} if name == "sessions" else str(value)
    return out


def parse(kind: str, data: bytes, filename: str, options: dict[str, Any]) -> ParseResult:
    """Run the kind's parser after the checks every kind shares.

    ``options`` are the parser's keyword arguments (see ``parser_options``).
    """
    if kind not in KINDS:
        raise ImportFormatError(filename, _("unknown import kind %(kind)s") % {"kind": kind})
    check_size(data, filename)
    if not data.strip():
        raise ImportFormatError(filename, _("the file is empty"))
    if ".csv" in KINDS[kind].extensions:
        check_csv_complete(data, filename)
    module_name, func_name = KINDS[kind].parser.rsplit(".", 1)
    func: Callable[..., ParseResult] = getattr(importlib.import_module(module_name), func_name)
    return func(data, filename, **options)


@dataclass
class RowOutcome:
    row: int
    outcome: str  # created / updated / unchanged / skipped / rejected
    number: str = ""
    reason: str = ""
    field: str = ""

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v or k in ("row", "outcome")}


@dataclass
class ImportReport:
    filename: str
    kind: str
    rows: list[RowOutcome] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0, "rejected": 0}
        for r in self.rows:
            out[r.outcome] = out.get(r.outcome, 0) + 1
        return out

    @property
    def rejected(self) -> list[RowOutcome]:
        return [r for r in self.rows if r.outcome == "rejected"]

    def reject(self, problem: RowProblem) -> None:
        self.rows.append(
            RowOutcome(problem.row, "rejected", reason=problem.message, field=problem.field)
        )


def _part_keys(keys: Iterable[str], number: str) -> list[str]:
    return [k for k in keys if k == number or k.startswith(number + "#")]


def _part_key(keys: Iterable[str], number: str) -> str:
    """A cycle-1 report gives one number to several recommendations (one per part of
    a cluster, each with its own text and States): the second is "95.3#2", and so on.
    """
    return f"{number}#{len(_part_keys(keys, number)) + 1}"


def text_key(text: str) -> str:
    """Identity of a numberless recommendation: a hash of its normalised text."""
    return "t:" + hashlib.sha1(normalise_for_match(text).encode()).hexdigest()[:20]


class TermResolver:
    """Resolves (taxonomy, code-or-name) to a Term with one query per import."""

    def __init__(self) -> None:
        self.index: dict[tuple[str, str], Term] = {}
        taxonomies = {t.pk: t.code for t in Taxonomy.objects.all()}
        for term in Term.objects.all():
            tax = taxonomies[term.taxonomy_id]
            names = [term.code, *term.name.values(), *term.aliases]
            for name in names:
                if name:
                    self.index.setdefault((tax, self._fold(name)), term)

    @staticmethod
    def _fold(name: str) -> str:
        return " ".join(name.casefold().replace("&", "and").split())

    def resolve(self, taxonomy: str, term: str) -> Term | None:
        return self.index.get((taxonomy, self._fold(term)))


class Importer:
    """Writes one ParseResult. Call inside ``transaction.atomic``."""

    def __init__(
        self,
        kind: str,
        filename: str,
        progress: Callable[[int], None] | None = None,
        skip_invalid: bool = False,
    ) -> None:
        self.kind = KINDS[kind]
        self.report = ImportReport(filename=filename, kind=kind)
        self.progress = progress or (lambda pct: None)
        self.skip_invalid = skip_invalid
        self.states = StateResolver()
        self.terms = TermResolver()
        self.mechanisms = {m.code.upper(): m for m in Mechanism.objects.all()}
        self.documents: dict[str, SourceDocument] = {}
        # Every row names its session: one lookup per session, not per row.
        self.sessions: dict[tuple[int, int], Session] = {}
        self.state_names: dict[str, State | None] = {}
        self.term_names: dict[tuple[str, str], Term | None] = {}

    # -- resolution -------------------------------------------------------
    def _problem(self, rec: ParsedRecommendation, fld: str, message: str) -> RowProblem:
        return RowProblem(self.report.filename, rec.row, fld, message)

    def _resolve_row(
        self, rec: ParsedRecommendation, doc_facts: dict[str, str]
    ) -> tuple[dict[str, Any], list[RowProblem]]:
        problems: list[RowProblem] = []
        if not rec.text.strip():
            problems.append(self._problem(rec, "text", _("the recommendation text is empty")))
        states = []
        for name in rec.recommending_states:
            state = self._state(name)
            if state is None:
                problems.append(
                    self._problem(
                        rec, "recommending_states", _("unknown state “%(name)s”") % {"name": name}
                    )
                )
            else:
                states.append(state)
        terms = []
        for label in rec.labels:
            term = self._term(label.taxonomy, label.term)
            if term is None:
                problems.append(
                    self._problem(
                        rec,
                        "labels",
                        _("unknown term “%(term)s” in taxonomy %(taxonomy)s")
                        % {"term": label.term, "taxonomy": label.taxonomy},
                    )
                )
            else:
                terms.append((term, label.source))
        mech_code = (rec.mechanism or doc_facts.get("mechanism") or "").upper()
        if not mech_code and self.kind.code in ("upr-report", "upr-info", "ohchr-list"):
            mech_code = "UPR"
        mechanism = self.mechanisms.get(mech_code)
        if not mech_code:
            problems.append(
                self._problem(
                    rec,
                    "mechanism",
                    _(
                        "the mechanism is missing: name the body that made the recommendation "
                        "(UPR, CESCR, CEDAW, ...)"
                    ),
                )
            )
        elif mechanism is None:
            problems.append(
                self._problem(
                    rec, "mechanism", _("unknown mechanism “%(code)s”") % {"code": mech_code}
                )
            )
        sur_name = rec.state_under_review or doc_facts.get("state_under_review", "")
        sur = self._state(sur_name) if sur_name else None
        if sur_name and sur is None:
            problems.append(
                self._problem(
                    rec, "state_under_review", _("unknown state “%(name)s”") % {"name": sur_name}
                )
            )
        resolved = {
            "states": states,
            "terms": terms,
            "mechanism": mechanism,
            "sur": sur,
            "session": rec.session or doc_facts.get("session", ""),
        }
        return resolved, problems

    def _term(self, taxonomy: str, name: str) -> Term | None:
        key = (taxonomy, name)
        if key not in self.term_names:
            self.term_names[key] = self.terms.resolve(taxonomy, name)
        return self.term_names[key]

    def _state(self, name: str) -> State | None:
        # A file names the same few hundred States over and over.
        if name not in self.state_names:
            self.state_names[name] = self.states.resolve(name)
        return self.state_names[name]

    def _session(self, mechanism: Mechanism, number: str) -> Session | None:
        if not number or not number.isdigit():
            return None
        key = (mechanism.pk, int(number))
        if key not in self.sessions:
            self.sessions[key], _created = Session.objects.get_or_create(
                mechanism=mechanism, number=int(number)
            )
        return self.sessions[key]

    def _document(
        self, rec: ParsedRecommendation, resolved: dict[str, Any], facts: dict[str, str]
    ) -> SourceDocument:
        mechanism: Mechanism = resolved["mechanism"]
        sur: State | None = resolved["sur"]
        session = self._session(mechanism, resolved["session"])
        symbol = rec.document_symbol or facts.get("symbol", "")
        if not symbol:
            symbol = self._joined_symbol(mechanism, session, sur)
        if symbol in self.documents:
            return self.documents[symbol]
        doc, _created = SourceDocument.objects.get_or_create(
            symbol=symbol,
            defaults={
                "kind": self.kind.document_kind,
                "mechanism": mechanism,
                "session": session,
                "state_under_review": sur,
                "title": facts.get("title", ""),
                "date": _parse_date(facts.get("date", "")),
                "language": rec.language or "en",
            },
        )
        self.documents[symbol] = doc
        self.report.documents.append(symbol)
        return doc

    def _joined_symbol(
        self, mechanism: Mechanism, session: Session | None, sur: State | None
    ) -> str:
        """A source without symbols joins the report of the same review, if we have one."""
        if session is not None and sur is not None:
            report = SourceDocument.objects.filter(
                kind=SourceDocument.Kind.WG_REPORT, session=session, state_under_review=sur
            ).first()
            if report is not None:
                return report.symbol
        parts = [self.kind.code, mechanism.code]
        parts += [sur.iso3 if sur else "ALL", str(session.number) if session else "-"]
        return ":".join(parts)

    # -- writing ----------------------------------------------------------
    def run(self, result: ParseResult) -> ImportReport:
        for problem in result.problems:
            self.report.reject(problem)
        rows: list[tuple[ParsedRecommendation, dict[str, Any], SourceDocument]] = []
        total = max(len(result.records), 1)
        for i, rec in enumerate(result.records):
            resolved, problems = self._resolve_row(rec, result.document)
            if problems:
                for p in problems:
                    self.report.reject(p)
                continue
            rows.append((rec, resolved, self._document(rec, resolved, result.document)))
            if i % 500 == 0:
                self.progress(int(40 * i / total))
        by_doc: dict[int, list[tuple[ParsedRecommendation, dict[str, Any]]]] = {}
        docs: dict[int, SourceDocument] = {}
        for rec, resolved, doc in rows:
            by_doc.setdefault(doc.pk, []).append((rec, resolved))
            docs[doc.pk] = doc
        for n, (doc_id, items) in enumerate(by_doc.items()):
            DocumentWriter(self, docs[doc_id]).write(items)
            self.progress(40 + int(60 * (n + 1) / max(len(by_doc), 1)))
        self.report.rows.sort(key=lambda r: r.row)
        return self.report


class DocumentWriter:
    """Upserts one document's recommendations in bulk."""

    def __init__(self, importer: Importer, document: SourceDocument) -> None:
        self.importer = importer
        self.report = importer.report
        self.doc = document
        self.existing = {r.key: r for r in Recommendation.objects.filter(document=document)}
        # A document without recommendations has no links either: nothing to look up.
        self.had_rows = bool(self.existing)
        self.matcher = ExistingMatcher(list(self.existing.values()))
        self.clusters = {c.name: c for c in Cluster.objects.filter(document=document)}

    def write(self, items: list[tuple[ParsedRecommendation, dict[str, Any]]]) -> None:
        merged = self._merge_same_key(items)
        matched = self._match_numbered(
            [rec for key, (rec, *_rest) in merged.items() if key not in self.existing]
        )
        created: list[Recommendation] = []
        updated: list[Recommendation] = []
        for key, (rec, resolved, extra_states, dup_rows) in merged.items():
            obj = self.existing.get(key) or matched.get(rec.row)
            if obj is None:
                obj = self._new(key, rec, resolved)
                created.append(obj)
                outcome = RowOutcome(rec.row, "created", rec.number)
            else:
                changed = self._apply(obj, rec, resolved)
                if changed:
                    updated.append(obj)
                outcome = RowOutcome(rec.row, "updated" if changed else "unchanged", obj.number)
            self.report.rows.append(outcome)
            for row in dup_rows:
                self.report.rows.append(
                    RowOutcome(
                        row,
                        "skipped",
                        rec.number,
                        _("same recommendation as row %(row)d; states merged") % {"row": rec.row},
                    )
                )
            resolved["obj"], resolved["outcome"] = obj, outcome
            resolved["states"] = list({s.pk: s for s in resolved["states"] + extra_states}.values())
        _create_recommendations(created)
        Recommendation.objects.bulk_update(
            updated,
            [
                "text",
                "response",
                "response_text",
                "action_category",
                "source_of_position",
                "search_text",
                "session",
                "state_under_review",
                "mechanism",
                "number",
            ],
            batch_size=500,
        )
        self._write_relations([v[1] for v in merged.values()], [v[0] for v in merged.values()])

    def _merge_same_key(
        self, items: list[tuple[ParsedRecommendation, dict[str, Any]]]
    ) -> dict[str, tuple[ParsedRecommendation, dict[str, Any], list[State], list[int]]]:
        """One row per state in UPR Info: fold rows with the same text into one.

        Other kinds have one row per recommendation, so a repeated number or text
        is a mistake in the file: the later row is rejected.
        """
        merged: dict[str, tuple[ParsedRecommendation, dict[str, Any], list[State], list[int]]] = {}
        for rec, resolved in items:
            key = rec.number if rec.number else text_key(rec.text)
            if key not in merged:
                merged[key] = (rec, resolved, [], [])
            elif self.importer.kind.merges_rows:
                first = merged[key]
                first[2].extend(resolved["states"])
                first[1]["terms"].extend(resolved["terms"])
                first[3].append(rec.row)
            elif rec.number and not self._same_text_as_a_part(merged, rec):
                merged[_part_key(merged, rec.number)] = (rec, resolved, [], [])
            else:
                self._reject_repeat(rec, merged[key][0])
        return merged

    @staticmethod
    def _same_text_as_a_part(merged: dict[str, Any], rec: ParsedRecommendation) -> bool:
        text = normalise_for_match(rec.text)
        return any(
            normalise_for_match(merged[key][0].text) == text
            for key in _part_keys(merged, rec.number)
        )

    def _reject_repeat(self, rec: ParsedRecommendation, first: ParsedRecommendation) -> None:
        if rec.number:
            fld, message = (
                "number",
                _(
                    "recommendation %(number)s, with the same text, is already in row %(row)d; "
                    "each recommendation must appear once"
                )
                % {"number": rec.number, "row": first.row},
            )
        else:
            fld, message = (
                "text",
                _(
                    "the same recommendation text is already in row %(row)d; each "
                    "recommendation must appear once"
                )
                % {"row": first.row},
            )
        self.report.reject(RowProblem(self.report.filename, rec.row, fld, message))

    def _match_numbered(self, recs: list[ParsedRecommendation]) -> dict[int, Recommendation]:
        """Numberless rows (UPR Info) that repeat a numbered recommendation (the report).

        Returns {row: recommendation}; the rows and numbered recommendations left
        without a partner are named in the report's mismatches.
        """
        numberless = [rec for rec in recs if not rec.number]
        if not numberless or not self.matcher.candidates:
            return {}
        found = self.matcher.match([rec.text for rec in numberless])
        for rec, match in zip(numberless, found, strict=True):
            if match is None:
                self.report.mismatches.append(
                    _("row %(row)d has no counterpart in %(doc)s: %(text)s")
                    % {"row": rec.row, "doc": self.doc.symbol, "text": rec.text[:120]}
                )
        paired = {m.pk for m in found if m is not None}
        for candidate in self.matcher.candidates:
            if candidate.pk not in paired:
                self.report.mismatches.append(
                    _("recommendation %(number)s of %(doc)s has no counterpart in this file")
                    % {"number": candidate.number, "doc": self.doc.symbol}
                )
        return {rec.row: m for rec, m in zip(numberless, found, strict=True) if m is not None}

    def _new(self, key: str, rec: ParsedRecommendation, resolved: dict[str, Any]) -> Recommendation:
        obj = Recommendation(document=self.doc, key=key, number=rec.number)
        self._apply(obj, rec, resolved)
        self.existing[key] = obj
        return obj

    def _apply(
        self, obj: Recommendation, rec: ParsedRecommendation, resolved: dict[str, Any]
    ) -> bool:
        before = _snapshot(obj)
        lang = rec.language or "en"
        if rec.number or not obj.text.get(lang):
            obj.text = {**obj.text, lang: rec.text.strip()}
        obj.original_language = obj.original_language or lang
        obj.response = _merged_response(obj.response, rec.response, bool(rec.number))
        if rec.response_text:
            obj.response_text = rec.response_text
        if rec.action_category.isdigit():
            obj.action_category = int(rec.action_category)
        if rec.source_of_position:
            obj.source_of_position = rec.source_of_position
        obj.mechanism = resolved["mechanism"]
        obj.session = self.doc.session
        obj.state_under_review = resolved["sur"] or self.doc.state_under_review
        obj.search_text = normalise_for_match(" ".join(obj.text.values()))
        return obj.pk is None or _snapshot(obj) != before

    def _write_relations(
        self, resolved_list: list[dict[str, Any]], recs: list[ParsedRecommendation]
    ) -> None:
        """Link states, labels and clusters; a row that gains a link counts as updated."""
        known = _KnownLinks(self.doc if self.had_rows else None)
        links = []
        for r in resolved_list:
            for state in r["states"]:
                links.append((r["obj"].pk, state.pk))
                known.note(r, ("state", r["obj"].pk, state.pk))
        through = Recommendation.recommending_states.through
        _insert_ignoring(through, ["recommendation_id", "state_id"], links)
        connection = connections[router.db_for_write(Label)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        labels = []
        for r in resolved_list:
            for term, source in r["terms"]:
                labels.append(
                    (
                        r["obj"].pk,
                        term.pk,
                        Label.Provenance.IMPORTED.value,
                        source,
                        Label.Status.CONFIRMED.value,
                        now,
                    )
                )
                known.note(r, ("label", r["obj"].pk, term.pk, source))
        columns = ["recommendation_id", "term_id", "provenance", "source", "status", "created_at"]
        _insert_ignoring(Label, columns, labels)
        self._write_clusters(resolved_list, recs, known)

    def _write_clusters(
        self,
        resolved_list: list[dict[str, Any]],
        recs: list[ParsedRecommendation],
        known: _KnownLinks,
    ) -> None:
        through = Recommendation.clusters.through
        links = []
        for resolved, rec in zip(resolved_list, recs, strict=True):
            name = rec.cluster.strip()[:500]
            if not name:
                continue
            cluster = self.clusters.get(name)
            if cluster is None:
                cluster = Cluster.objects.create(document=self.doc, name=name)
                self.clusters[name] = cluster
            links.append(through(recommendation_id=resolved["obj"].pk, cluster_id=cluster.pk))
            known.note(resolved, ("cluster", resolved["obj"].pk, cluster.pk))
        through.objects.bulk_create(links, ignore_conflicts=True)


def _insert_ignoring(
    model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """INSERT rows (tuples of column values), skipping those that already exist.

    What bulk_create(ignore_conflicts=True) does, minus a model instance and a Python
    value conversion per cell: for the four labels and one State link of every row,
    those were half of the time of a large import. Columns left out take their
    database default (NULL): give every column that has a Python-side default.
    """
    _insert_rows(model, columns, rows, on_conflict=OnConflict.IGNORE)


def _create_recommendations(objs: list[Recommendation]) -> None:
    """bulk_create(objs), converting only the cells that need it (JSON, dates): Django's
    bulk_create spends more Python time per row than the rest of the importer."""
    connection = connections[router.db_for_write(Recommendation)]
    if not objs or connection.vendor not in ("sqlite", "postgresql"):
        Recommendation.objects.bulk_create(objs, batch_size=500)
        return
    fields = [f for f in Recommendation._meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    text = Recommendation._meta.get_field("text")
    cells = operator.attrgetter(*names)
    at = {name: names.index(name) for name in ("created_at", "updated_at", "text")}
    rows = []
    for obj in objs:
        obj.created_at = obj.updated_at = now  # auto_now_add and auto_now
        row = list(cells(obj))
        row[at["created_at"]] = row[at["updated_at"]] = stamp
        row[at["text"]] = text.get_db_prep_save(obj.text, connection)
        rows.append(tuple(row))
    pks = _insert_rows(Recommendation, [f.column for f in fields], rows, returning="id")
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def _insert_rows(
    model: type[models.Model],
    columns: list[str],
    rows: list[tuple[Any, ...]],
    on_conflict: OnConflict | None = None,
    returning: str = "",
) -> list[Any]:
    """INSERT tuples of column values; the ``returning`` column of each row, in order
    (as bulk_create, which relies on both databases returning rows in insert order)."""
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    qn = connection.ops.quote_name
    head = (
        f"{connection.ops.insert_statement(on_conflict=on_conflict)} "
        f"{qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
    )
    tail = connection.ops.on_conflict_suffix_sql([], on_conflict, [], []) if on_conflict else ""
    if returning:
        tail += f" RETURNING {qn(returning)}"
    out: list[Any] = []
    with connection.cursor() as cursor:
        for body, params in _insert_bodies(connection, model, columns, rows):
            cursor.execute(f"{head}{body} {tail}", params)
            if returning:
                out.extend(row[0] for row in cursor.fetchall())
    return out


def _insert_bodies(
    connection: Any, model: type[models.Model], columns: list[str], rows: list[tuple[Any, ...]]
) -> Iterable[tuple[str, list[Any]]]:
    """The VALUES part of the INSERTs for ``rows``, with parameters, a chunk at a time."""
    if connection.vendor == "postgresql":
        # One array parameter per column: one short statement for thousands of rows,
        # where a VALUES list costs the driver a parse of every placeholder.
        types = [model._meta.get_field(c).db_type(connection) for c in columns]  # type: ignore[union-attr]
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        for start in range(0, len(rows), 5000):
            chunk = rows[start : start + 5000]
            yield f"SELECT * FROM unnest({arrays})", [list(c) for c in zip(*chunk, strict=True)]
        return
    limit = connection.features.max_query_params or 10_000
    per_statement = max(1, min(1000, limit // len(columns)))
    values = "(" + ", ".join(["%s"] * len(columns)) + ")"
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        yield "VALUES " + ", ".join([values] * len(chunk)), [v for row in chunk for v in row]


class _KnownLinks:
    """The links a document already has, to tell "unchanged" from "gained a link"."""

    def __init__(self, document: SourceDocument | None) -> None:
        self.links: set[tuple[Any, ...]] = set()
        if document is None:
            return
        states = Recommendation.recommending_states.through.objects.filter(
            recommendation__document=document
        ).values_list("recommendation_id", "state_id")
        labels = Label.objects.filter(
            recommendation__document=document, provenance=Label.Provenance.IMPORTED
        ).values_list("recommendation_id", "term_id", "source")
        clusters = Recommendation.clusters.through.objects.filter(
            cluster__document=document
        ).values_list("recommendation_id", "cluster_id")
        self.links |= {("state", *t) for t in states}
        self.links |= {("label", *t) for t in labels}
        self.links |= {("cluster", *t) for t in clusters}

    def note(self, resolved: dict[str, Any], link: tuple[Any, ...]) -> None:
        if link in self.links:
            return
        self.links.add(link)
        outcome: RowOutcome = resolved["outcome"]
        if outcome.outcome == "unchanged":
            outcome.outcome = "updated"


class ExistingMatcher:
    """Finds the numbered recommendations whose texts numberless rows repeat."""

    def __init__(self, existing: Iterable[Recommendation]) -> None:
        self.candidates = [r for r in existing if r.number]
        self.texts = [
            r.text.get(r.original_language) or r.text_in("en").text for r in self.candidates
        ]

    def match(self, texts: list[str]) -> list[Recommendation | None]:
        """For each text, its best numbered partner above the matching threshold, if any."""
        from qadam.lib.upr_match import match_records

        if not self.candidates or not texts:
            return [None] * len(texts)
        best: dict[int, tuple[float, int]] = {}
        for pair in match_records(self.texts, texts).pairs:
            if pair.score > best.get(pair.upr_info, (-1.0, 0))[0]:
                best[pair.upr_info] = (pair.score, pair.report)
        return [self.candidates[best[j][1]] if j in best else None for j in range(len(texts))]


def _merged_response(current: str, new: str, numbered_source: bool) -> str:
    """The response to keep when a source says ``new``.

    A source with numbers (the report) has the last word on a final response; a
    source without (UPR Info) fills in what is unknown or pending. "Pending" never
    replaces a final response, so that re-importing a report whose responses were
    "to be examined" keeps the responses UPR Info gave since.
    """
    if not new or new == current:
        return current
    if new == "pending":
        return current or new
    return new if numbered_source or current in ("", "pending") else current


def _snapshot(obj: Recommendation) -> tuple[Any, ...]:
    return (
        dict(obj.text),
        obj.response,
        obj.response_text,
        obj.action_category,
        obj.source_of_position,
        obj.mechanism_id,
        obj.session_id,
        obj.state_under_review_id,
    )


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
