"""Parse the UPR Info database CSV export (sessions 1–20, 2008–2014).

Header: ``To,To-Rgrp,To-Org,Text,From,From-Rgrp,From-Org,Response,Action,Issue,Session``.
One row is one recommendation from one State (``From``) to the State under
review (``To``). UPR Info has no recommendation numbers, so ``number`` is "".

Issues. The ``Issue`` cell lists UPR Info issues separated by a bare comma
("Rights of the Child,Women's rights"). None of the 54 issue names in the real
export contains a comma: UPR Info writes "Asylum-seekers - refugees",
"HIV - Aids", "CP rights - general" with " - " instead. To stay safe should a
name ever carry a comma, the cell is split only on a comma *not* followed by a
space (", " would be prose inside a name).

Names. State names are HTML-unescaped ("Bosnia & Herzegovina" stays as UPR
Info spells it; resolving it to a State is the importer's job). A ``From`` of
"&#40;Unknown&#41;" (9 rows, session 1) means UPR Info does not know the
recommending State: the record gets no recommending State.

Duplicates. Rows are not rejected as duplicates: without numbers, two
identical rows may be two recommendations (a State can repeat itself), and the
UPR Info count (35,667) includes them. Identical rows are listed in
``ParseResult.document["duplicate_rows"]`` as "row (same as row)" pairs.
"""

from __future__ import annotations

import html
import re

from qadam.lib.records import (
    ImportFormatError,
    LabelRef,
    ParsedRecommendation,
    ParseResult,
    RowProblem,
)
from qadam.lib.states_text import allowed_responses_message, normalise_response
from qadam.lib.tabular import Table, read_csv

COLUMNS = (
    "To",
    "To-Rgrp",
    "To-Org",
    "Text",
    "From",
    "From-Rgrp",
    "From-Org",
    "Response",
    "Action",
    "Issue",
    "Session",
)
ACTION_CATEGORIES = ("1", "2", "3", "4", "5")
UNKNOWN = "(Unknown)"
_ISSUE_SEPARATOR = re.compile(r",(?!\s)")


def parse_upr_info(
    data: bytes, filename: str, state: str | None = None, sessions: set[str] | None = None
) -> ParseResult:
    """Records for every row, or only for ``state`` (the ``To`` column) and ``sessions``."""
    table = _read(data, filename)
    col = {name: table.require(name) for name in COLUMNS}
    wanted_state = state.strip().casefold() if state else None
    result = ParseResult(problems=list(table.problems))
    builder = _RowBuilder(filename)
    seen: dict[tuple[str, ...], int] = {}
    duplicates: list[str] = []
    for number, cells in table.rows:
        if wanted_state and unescape(cells[col["To"]]).casefold() != wanted_state:
            continue
        if sessions is not None and cells[col["Session"]].strip() not in sessions:
            continue
        record = builder.build(number, cells, col, result.problems)
        if record is None:
            continue
        key = tuple(c.strip() for c in cells)
        if key in seen:
            duplicates.append(f"{number} (same as {seen[key]})")
        seen.setdefault(key, number)
        result.records.append(record)
    result.document = _document_facts(result.records, duplicates)
    return result


def regional_groups(data: bytes, filename: str = "recommendations.csv") -> dict[str, str]:
    """State name → UN regional group as UPR Info gives it (``To-Rgrp``/``From-Rgrp``).

    Includes UPR Info's "Observer" group (Holy See, Palestine); skips unknown
    names and groups. The first group seen for a State wins.
    """
    table = _read(data, filename)
    pairs = [(table.require("To"), table.require("To-Rgrp"))]
    pairs.append((table.require("From"), table.require("From-Rgrp")))
    groups: dict[str, str] = {}
    for _, cells in table.rows:
        for name_col, group_col in pairs:
            name, group = unescape(cells[name_col]), unescape(cells[group_col])
            if _known(name) and _known(group):
                groups.setdefault(name, group)
    return groups


def unescape(value: str) -> str:
    """HTML-unescape and trim; cheap for the common case without "&"."""
    value = value.strip()
    return html.unescape(value).strip() if "&" in value else value


def _known(value: str) -> bool:
    return bool(value) and value != UNKNOWN


def _read(data: bytes, filename: str) -> Table:
    if data.startswith(b"PK"):
        raise ImportFormatError(filename, "this is a zip/XLSX file; UPR Info exports are CSV")
    return read_csv(data, filename)


class _RowBuilder:
    """Turns rows into records, sharing label and name objects across rows (35k rows)."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self._labels: dict[str, LabelRef] = {}
        self._names: dict[str, str] = {}

    def build(
        self, number: int, cells: list[str], col: dict[str, int], problems: list[RowProblem]
    ) -> ParsedRecommendation | None:
        text = cells[col["Text"]].strip()
        response = normalise_response(cells[col["Response"]])
        action = cells[col["Action"]].strip()
        session = cells[col["Session"]].strip()
        found = _row_problems(text, cells[col["Response"]], response, action, session)
        if found:
            problems.extend(RowProblem(self.filename, number, f, m) for f, m in found)
            return None
        sender = self.name(cells[col["From"]])
        return ParsedRecommendation(
            row=number,
            text=text,
            response=response or "",
            recommending_states=[sender] if _known(sender) else [],
            labels=self.issues(cells[col["Issue"]]),
            state_under_review=self.name(cells[col["To"]]),
            mechanism="UPR",
            session=session,
            action_category=action,
        )

    def name(self, raw: str) -> str:
        if raw not in self._names:
            name = unescape(raw)
            self._names[raw] = name if _known(name) else ""
        return self._names[raw]

    def issues(self, cell: str) -> list[LabelRef]:
        labels: list[LabelRef] = []
        for part in _ISSUE_SEPARATOR.split(cell):
            term = unescape(part)
            if not term:
                continue
            if term not in self._labels:
                self._labels[term] = LabelRef("upr-info-issue", term, "upr-info")
            if self._labels[term] not in labels:
                labels.append(self._labels[term])
        return labels


def _row_problems(
    text: str, raw_response: str, response: str | None, action: str, session: str
) -> list[tuple[str, str]]:
    problems = []
    if not text:
        problems.append(("Text", "the recommendation text is empty"))
    if response is None:
        problems.append(("Response", allowed_responses_message(raw_response)))
    if action and action not in ACTION_CATEGORIES:
        problems.append(("Action", f"action category {action!r} is not one of 1–5"))
    if not session.isdigit():
        problems.append(("Session", f"session {session!r} is not a session number"))
    return problems


def _document_facts(records: list[ParsedRecommendation], duplicates: list[str]) -> dict[str, str]:
    facts: dict[str, str] = {"source": "UPR Info database export"}
    states = {r.state_under_review for r in records}
    sessions = {r.session for r in records}
    if len(states) == 1:
        facts["state_under_review"] = states.pop()
    if len(sessions) == 1:
        facts["session"] = sessions.pop()
    if duplicates:
        facts["duplicate_rows"] = ", ".join(duplicates)
    return facts
