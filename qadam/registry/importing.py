"""Turn parsed recommendation files into registry rows.

Parsers (``qadam.lib``) read bytes into ``ParsedRecommendation`` records; this
module resolves names to reference rows and writes documents, recommendations,
states, clusters and labels in bulk, inside the caller's transaction. It is
idempotent: every row has a natural key (document symbol + number, or + a hash
of the normalised text when the source has no numbers), so a re-run updates in
place and reports "unchanged".
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from qadam.lib.records import (
    ImportFormatError,
    ParsedRecommendation,
    ParseResult,
    RowProblem,
)
from qadam.lib.text import normalise_for_match
from qadam.registry.models import Cluster, Label, Recommendation, SourceDocument
from qadam.taxonomy.models import Mechanism, Session, State, Taxonomy, Term
from qadam.taxonomy.reference import StateResolver


@dataclass(frozen=True)
class Kind:
    code: str
    parser: str  # dotted path of the parse function in qadam.lib
    document_kind: str
    label: str
    extensions: tuple[str, ...]


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("upr-report", "qadam.lib.upr_report.parse_upr_report",
             SourceDocument.Kind.WG_REPORT, "UPR Working Group report (text)", (".txt",)),
        Kind("upr-info", "qadam.lib.upr_info.parse_upr_info",
             SourceDocument.Kind.DATABASE, "UPR Info database export (CSV)", (".csv",)),
        Kind("ohchr-list", "qadam.lib.ohchr_docx.parse_ohchr_list",
             SourceDocument.Kind.THEMATIC_LIST, "OHCHR thematic list (DOCX)", (".docx",)),
        Kind("uhri", "qadam.lib.uhri.parse_uhri",
             SourceDocument.Kind.DATABASE, "Universal Human Rights Index export (CSV/XLSX)",
             (".csv", ".xlsx")),
        Kind("template", "qadam.lib.template.parse_template",
             SourceDocument.Kind.OTHER, "Qadam template (CSV/XLSX)", (".csv", ".xlsx")),
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


def parse(kind: str, data: bytes, filename: str, options: dict[str, Any]) -> ParseResult:
    """Run the kind's parser after the checks every kind shares."""
    if kind not in KINDS:
        raise ImportFormatError(filename, _("unknown import kind %(kind)s") % {"kind": kind})
    check_size(data, filename)
    if not data.strip():
        raise ImportFormatError(filename, _("the file is empty"))
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
            state = self.states.resolve(name)
            if state is None:
                problems.append(self._problem(
                    rec, "recommending_states", _("unknown state %(name)r") % {"name": name}))
            else:
                states.append(state)
        terms = []
        for label in rec.labels:
            term = self.terms.resolve(label.taxonomy, label.term)
            if term is None:
                problems.append(self._problem(
                    rec, "labels",
                    _("unknown term %(term)r in taxonomy %(taxonomy)s")
                    % {"term": label.term, "taxonomy": label.taxonomy}))
            else:
                terms.append((term, label.source))
        mech_code = (rec.mechanism or doc_facts.get("mechanism") or "").upper()
        if not mech_code and self.kind.code in ("upr-report", "upr-info", "ohchr-list"):
            mech_code = "UPR"
        mechanism = self.mechanisms.get(mech_code)
        if mechanism is None:
            problems.append(self._problem(
                rec, "mechanism", _("unknown mechanism %(code)r") % {"code": mech_code}))
        sur_name = rec.state_under_review or doc_facts.get("state_under_review", "")
        sur = self.states.resolve(sur_name) if sur_name else None
        if sur_name and sur is None:
            problems.append(self._problem(
                rec, "state_under_review", _("unknown state %(name)r") % {"name": sur_name}))
        resolved = {
            "states": states, "terms": terms, "mechanism": mechanism, "sur": sur,
            "session": rec.session or doc_facts.get("session", ""),
        }
        return resolved, problems

    def _session(self, mechanism: Mechanism, number: str) -> Session | None:
        if not number or not number.isdigit():
            return None
        session, _created = Session.objects.get_or_create(mechanism=mechanism, number=int(number))
        return session

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
        self.matcher = ExistingMatcher(list(self.existing.values()))
        self.clusters = {c.name: c for c in Cluster.objects.filter(document=document)}

    def write(self, items: list[tuple[ParsedRecommendation, dict[str, Any]]]) -> None:
        merged = self._merge_same_key(items)
        created: list[Recommendation] = []
        updated: list[Recommendation] = []
        for key, (rec, resolved, extra_states, dup_rows) in merged.items():
            obj = self.existing.get(key) or self._match_numbered(rec)
            if obj is None:
                obj = self._new(key, rec, resolved)
                created.append(obj)
                self.report.rows.append(RowOutcome(rec.row, "created", rec.number))
            else:
                changed = self._apply(obj, rec, resolved)
                outcome = "updated" if changed else "unchanged"
                if changed:
                    updated.append(obj)
                self.report.rows.append(RowOutcome(rec.row, outcome, obj.number))
            for row in dup_rows:
                self.report.rows.append(RowOutcome(
                    row, "skipped", rec.number,
                    _("same recommendation as row %(row)d; states merged") % {"row": rec.row}))
            resolved["obj"] = obj
            resolved["states"] = list({s.pk: s for s in resolved["states"] + extra_states}.values())
        Recommendation.objects.bulk_create(created, batch_size=500)
        Recommendation.objects.bulk_update(
            updated,
            ["text", "response", "response_text", "action_category", "source_of_position",
             "search_text", "session", "state_under_review", "mechanism", "number"],
            batch_size=500,
        )
        self._write_relations([v[1] for v in merged.values()], [v[0] for v in merged.values()])

    def _merge_same_key(
        self, items: list[tuple[ParsedRecommendation, dict[str, Any]]]
    ) -> dict[str, tuple[ParsedRecommendation, dict[str, Any], list[State], list[int]]]:
        """One row per state in UPR Info: fold rows with the same text into one."""
        merged: dict[str, tuple[ParsedRecommendation, dict[str, Any], list[State], list[int]]] = {}
        for rec, resolved in items:
            key = rec.number if rec.number else text_key(rec.text)
            if key in merged:
                first = merged[key]
                first[2].extend(resolved["states"])
                first[1]["terms"].extend(resolved["terms"])
                first[3].append(rec.row)
            else:
                merged[key] = (rec, resolved, [], [])
        return merged

    def _match_numbered(self, rec: ParsedRecommendation) -> Recommendation | None:
        """A numberless row (UPR Info) may be the same as a numbered one (the report)."""
        if rec.number:
            return None
        match = self.matcher.find(rec.text)
        if match is None and self.existing:
            self.report.mismatches.append(
                _("row %(row)d has no counterpart in %(doc)s: %(text)s")
                % {"row": rec.row, "doc": self.doc.symbol, "text": rec.text[:120]})
        return match

    def _new(self, key: str, rec: ParsedRecommendation, resolved: dict[str, Any]) -> Recommendation:
        obj = Recommendation(document=self.doc, key=key, number=rec.number)
        self._apply(obj, rec, resolved)
        self.existing[key] = obj
        return obj

    def _apply(self, obj: Recommendation, rec: ParsedRecommendation, resolved: dict[str, Any]) -> bool:
        before = _snapshot(obj)
        lang = rec.language or "en"
        if rec.number or not obj.text.get(lang):
            obj.text = {**obj.text, lang: rec.text.strip()}
        obj.original_language = obj.original_language or lang
        if rec.response and (obj.response in ("", "pending") or rec.number):
            obj.response = rec.response
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
        through = Recommendation.recommending_states.through
        links = [through(recommendation_id=r["obj"].pk, state_id=s.pk)
                 for r in resolved_list for s in r["states"]]
        through.objects.bulk_create(links, ignore_conflicts=True, batch_size=1000)
        labels = [
            Label(recommendation=r["obj"], term=term, provenance=Label.Provenance.IMPORTED,
                  source=source, status=Label.Status.CONFIRMED)
            for r in resolved_list for term, source in r["terms"]
        ]
        Label.objects.bulk_create(labels, ignore_conflicts=True, batch_size=1000)
        self._write_clusters(resolved_list, recs)

    def _write_clusters(
        self, resolved_list: list[dict[str, Any]], recs: list[ParsedRecommendation]
    ) -> None:
        through = Recommendation.clusters.through
        links = []
        for resolved, rec in zip(resolved_list, recs, strict=True):
            if not rec.cluster:
                continue
            cluster = self.clusters.get(rec.cluster)
            if cluster is None:
                cluster = Cluster.objects.create(document=self.doc, name=rec.cluster[:500])
                self.clusters[rec.cluster] = cluster
            links.append(through(recommendation_id=resolved["obj"].pk, cluster_id=cluster.pk))
        through.objects.bulk_create(links, ignore_conflicts=True)


class ExistingMatcher:
    """Finds the numbered recommendation whose text a numberless row repeats."""

    def __init__(self, existing: Iterable[Recommendation]) -> None:
        from qadam.lib.upr_match import best_match

        self._best_match = best_match
        self.candidates = [r for r in existing if r.number]
        self.texts = [normalise_for_match(" ".join(r.text.values())) for r in self.candidates]

    def find(self, text: str) -> Recommendation | None:
        if not self.candidates:
            return None
        index = self._best_match(normalise_for_match(text), self.texts)
        return None if index is None else self.candidates[index]


def _snapshot(obj: Recommendation) -> tuple[Any, ...]:
    return (
        dict(obj.text), obj.response, obj.response_text, obj.action_category,
        obj.source_of_position, obj.mechanism_id, obj.session_id, obj.state_under_review_id,
    )


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None
