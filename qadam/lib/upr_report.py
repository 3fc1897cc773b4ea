"""Extract recommendations from the raw text of a UPR Working Group report.

A Working Group report (A/HRC/<session>/<n>) ends with a section "Conclusions and/or
recommendations". Its numbered paragraphs are lead-ins ("The following
recommendations enjoy the support of X:", "... will be examined by X ...", "... did
not enjoy the support of X and would thus be noted:"), each followed by its list of
recommendations with the recommending States in parentheses. The section ends with
the standard paragraph "All conclusions and/or recommendations contained in the
present report reflect the position of the submitting State(s) ...".

Numbering: cycle-1 reports (2008-2011) number a lead-in ``86.`` and its items ``1.``,
``2.`` ... afresh in each paragraph; cycle-2 reports (2012-2016) number them
``124.1``, ``124.2`` (sometimes ``70.55.``). Both become ``124.15`` (paragraph.item).
A dotted number that breaks the paragraph but continues the item sequence (``128.12``
between ``129.11`` and ``129.13``) is a typo and read as the next item; a gap in the
item numbers is reported as a RowProblem, since it usually means a lost item.

Responses come from the lead-in wording (``classify_response``); the lead-in is kept
as response_text. Early reports say nothing in the lead-in ("the following
recommendations were made to X:") and put the status in the next paragraph ("The
response of X to these recommendations will be included in the outcome report"),
which is then used and appended. Lists introduced as anything but recommendations
("announced the following voluntary commitments:") are skipped.

One numbered item may hold several recommendations (cycle 1, and some cycle-2
reports): "Ratify X (Brazil); consider ratifying X (Chile, Peru);". A group of
known State names closes a recommendation, so each part becomes its own record; the
parts share the item's number (the document numbers the item, not the parts) and
keep their own row. A State group followed only by "," or "and" and a continuing
word is an inline attribution inside one recommendation ("Consider (Slovenia,
Latvia) issuing a standing invitation (Uruguay)"), and identical parts ("Ratify the
OP-CAT (Chile); Ratify the OP-CAT (Togo)") are one recommendation of several States.
Text after the last State group that starts a new sentence without States of its
own ("(United Kingdom). COMMENTS: ...") is a comment: appended to response_text.

Early reports (2008-2009) also dispose of recommendations by citing dialogue
paragraphs ("The recommendations noted in paragraphs 35 (b) and 80 above did not
enjoy the support of X"): those are read from the cited paragraph, numbered
``35 (b)`` / ``80``, with the speaking State as recommending State.

The text comes from PDF extraction: lines wrap anywhere, numbers may stand alone on
their line, and page headers, page numbers, ``GE.xx-xxxxx`` job numbers and
footnotes interrupt the flow; they are dropped. A file with no such section, or
whose section never reaches the closing paragraph (truncated), raises
ImportFormatError naming the file and, for a truncated one, the last row and item
read: a partial list would silently pass for a complete one.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from qadam.lib.encoding import decode_legacy
from qadam.lib.records import ImportFormatError, ParsedRecommendation, ParseResult, RowProblem
from qadam.lib.text import (
    capitalise_first,
    collapse_whitespace,
    normalise_for_match,
    strip_latin_accents,
)

# --------------------------------------------------------------------------- patterns

_CONCLUSIONS = r"conclusions\s+and(?:\s*/\s*or)?\s+recommendations"
_HEADING = re.compile(
    rf"^[\s*]*(?:[IVX]+\s*\.?\s*)?{_CONCLUSIONS}[\s*\d.:]*$", re.IGNORECASE | re.MULTILINE
)
_CLOSING = re.compile(
    rf"All\s+(?:the\s+)?{_CONCLUSIONS}\s+(?:contained|set\s+out|included|made)\s+in",
    re.IGNORECASE,
)
_CLOSING_END = re.compile(r"endorsed\s+by\s+the\s+Working\s+Group\s+as\s+a\s+whole", re.I)
_DOT_LEADER = re.compile(r"\.{4,}|…")  # table of contents
_ANNEX = re.compile(r"^\s*(?:Annex|ANNEX)\b")

_SYMBOL = re.compile(r"\bA/HRC/\d+/\d+(?:/Add\.\d+)?(?:/Corr\.\d+)?")
_SESSION = re.compile(r"held\s+its\s+([a-z]+(?:[\s-][a-z]+)?|\d+(?:st|nd|rd|th)?)\s+session", re.I)
_REVIEW_OF = re.compile(r"\breview\s+of\s+(?:the\s+)?([A-Z][^\n.,;]*?)\s+was\s+held", re.S)
_REPORT_TITLE = re.compile(r"Report\s+of\s+the\s+Working\s+Group\s+on\s+the\s+Universal", re.I)
_FRONT_MATTER_END = re.compile(r"^\s*(?:Contents|Introduction|1\s?\.)", re.I | re.M)
_MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
_DATE = re.compile(r"\b(\d{1,2})\s+(" + "|".join(_MONTHS) + r")\s+((?:19|20)\d\d)\b", re.I)

# A paragraph or cycle-1 item number at the start of a line: "86." / "1. Text" / "72.All".
_PLAIN_NUMBER = re.compile(r"^\s*(\d{1,3})\s?\.(?!\d)\s*(.*)$")
# A cycle-2 item: "124.15 Text", "70.55. Text".
_DOTTED_NUMBER = re.compile(r"^\s*(\d{1,3})\.(\d{1,3})\.?(?=\s|$)\s*(.*)$")

_NOISE = (
    re.compile(r"^\s*(?:\d{1,3}\s+)?GE\.\d{2}-\d+.{0,30}$"),  # Geneva job number (+ page)
    re.compile(r"^\s*\*\d{5,}\*\s*$"),  # job-number barcode "*1407677*"
    re.compile(r"^\s*Please\s+recycle\W*$", re.I),
    re.compile(r"^\s*A/HRC/\S+(?:\s+(?:page|Page)\s+\d+)?\s*$"),  # running header
    re.compile(r"^\s*(?:page\s+)?\d{1,3}\s*$", re.I),  # page number
    re.compile(r"^\s*-\s*\d{1,3}\s*-\s*$"),  # "- 12 -"
    re.compile(r"^\s*\*+(?:\s|$)"),  # asterisk footnotes ("** ... not been edited")
    re.compile(r"^\s*_{3,}\s*$|^\s*-{3,}\s*$"),  # footnote rule
)
_LONE_ASTERISKS = re.compile(r"^\s*\*+\s*$")
# A line that ends a recommendation: its States and a final ";" or ".".
_COMPLETE_ITEM = re.compile(r"\)\s*\d{0,2}\s*[;.]\s*\d{0,2}\s*$")
# A footnote body, "4 The recommendation as read ...", and its marker "(Canada)4;".
_FOOTNOTE_LINE = re.compile(r"^\s*(\d{1,2})\s+[A-Z\"“‘']")
_FOOTNOTE_MARKER = re.compile(r"(?:\)|[a-z”\"])(\d{1,2})(?=\s*[;.,:]|\s*$)|[;.](\d{1,2})\s*$")

# Response wording in a lead-in paragraph. Negations first: "did not enjoy the
# support" contains "enjoy the support".
_NOTED = re.compile(
    r"did\s+not\s+(?:enjoy|receive|have|obtain)|not\s+(?:be\s+)?(?:accepted|supported)|"
    r"(?:would|will|are|were|is|be)\s+(?:thus\s+)?noted|\bnoted\s+by\b|takes?\s+note|"
    r"\brejected\b|\brejects?\b|does\s+not\s+accept|not\s+enjoy",
    re.I,
)
_PARTLY = re.compile(
    r"(?:partially|partly|in\s+part)\s+(?:support|accept)|"
    r"(?:support|accept)\w*\s+(?:partially|partly|in\s+part)",
    re.I,
)
_PENDING = re.compile(
    r"will\s+be\s+examined|will\s+(?:provide|give)\s+(?:its\s+)?responses?|will\s+respond|"
    r"response\s+of\s+.{1,120}?\s+will\s+be\s+included|responses?\s+.{0,80}in\s+due\s+(?:time|course)",
    re.I | re.S,
)
_SUPPORTED = re.compile(
    r"enjoy(?:s|ed)?\s+(?:the\s+|its\s+)?support|\baccepted\b|\baccepts?\b|"
    r"\bsupported\s+by\b|\bsupports\b|\bagreed\s+to\b",
    re.I,
)
# Lists in the section that are not recommendations.
_OTHER_LIST = re.compile(
    r"\bfollowing\s+(?:[a-z]+\s+){0,2}?(?:commitments?|pledges?|comments?|observations?|"
    r"remarks?|questions?|documents?|members?|statements?)\b",
    re.I,
)
_RECOMMEND = re.compile(r"recommendation", re.I)
_REFERS_BACK = re.compile(r"\b(?:these|above|said|listed\s+above|those)\b", re.I)

RESPONSE_WORDING = {"noted": _NOTED, "pending": _PENDING, "supported": _SUPPORTED}


# ---------------------------------------------------------------------- data shapes


@dataclass
class _Line:
    row: int  # 1-based line number in the decoded file
    text: str


@dataclass
class _Block:
    """A numbered paragraph of the section, or one numbered item in it."""

    kind: str  # "para" or "item"
    para: int
    item: int
    lines: list[_Line] = field(default_factory=list)

    @property
    def row(self) -> int:
        return self.lines[0].row if self.lines else 0

    @property
    def text(self) -> str:
        return collapse_whitespace(" ".join(line.text for line in self.lines))


@dataclass
class _Paragraph:
    head: _Block
    items: list[_Block] = field(default_factory=list)


@dataclass
class _Context:
    """What every record of one file shares, and where its problems go."""

    filename: str
    document: dict[str, str]
    problems: list[RowProblem] = field(default_factory=list)

    def record(self, **fields: Any) -> ParsedRecommendation:
        return ParsedRecommendation(
            state_under_review=self.document.get("state_under_review", ""),
            mechanism="UPR",
            session=self.document.get("session", ""),
            document_symbol=self.document.get("symbol", ""),
            **fields,
        )


# -------------------------------------------------------------------------- public


def parse_upr_report(data: bytes, filename: str) -> ParseResult:
    """Parse the raw text of a UPR Working Group report into recommendations.

    Raises ImportFormatError for files that are not text, are empty, have no
    "Conclusions and/or recommendations" section, or stop before its closing
    paragraph (truncated: the error names the last row and recommendation read).
    """
    text = decode_legacy(data, filename)
    if not text.strip():
        raise ImportFormatError(filename, "empty file")
    lines = text.split("\n")
    context = _Context(filename, document_facts(text))
    start, end, after = _section_bounds(text, lines, filename)
    paragraphs = _paragraphs(_blocks(_clean_lines(lines, start, end)))
    _attach_orphans(paragraphs, lines, after)
    records: list[ParsedRecommendation] = []
    for paragraph, response, response_text in _recommendation_lists(paragraphs):
        for item in paragraph.items:
            records.extend(_records(item, context, response, response_text))
    records.extend(_referenced_recommendations(paragraphs, lines, start, context))
    if not records:
        raise ImportFormatError(
            filename,
            "the Conclusions and/or recommendations section lists no recommendations",
            row=start + 1,
            field="section",
        )
    _check_numbering(paragraphs, context)
    return ParseResult(records, context.problems, context.document)


def document_facts(text: str) -> dict[str, str]:
    """Symbol, State under review, Working Group session and date, where found."""
    facts: dict[str, str] = {}
    head = text[:6000]
    symbol = _SYMBOL.search(head) or _most_common(_SYMBOL.finditer(text))
    if symbol:
        facts["symbol"] = symbol.group()
    state = state_under_review(text)
    if state:
        facts["state_under_review"] = state
    session = _SESSION.search(text)
    if session:
        number = ordinal_to_int(session.group(1))
        if number:
            facts["session"] = str(number)
    # The issue date sits in the masthead; later dates are of sessions and resolutions.
    masthead = _FRONT_MATTER_END.search(head)
    found = _DATE.search(head, 0, masthead.start() if masthead else len(head))
    if found:
        day, month, year = found.groups()
        iso = date(int(year), _MONTHS.index(month.lower()) + 1, int(day)).isoformat()
        facts["date"] = iso
    return facts


def state_under_review(text: str) -> str:
    """The reviewed State as the report names it.

    The title block says "Report of the Working Group on the Universal Periodic
    Review" and then the State, sometimes in capitals; the first paragraph says
    "The review of <State> was held at ...". The title wins; capitals are restored
    from a mixed-case spelling elsewhere in the text.
    """
    title = _REPORT_TITLE.search(text[:8000])
    if title:
        name = _name_after_title(text, title.end())
        if name:
            return re.sub(r"^the\s+", "", _mixed_case(name, text), flags=re.I)
    review = _REVIEW_OF.search(text)
    return collapse_whitespace(review.group(1)) if review else ""


_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
    "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16,
    "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
    "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60}


def ordinal_to_int(word: str) -> int:
    """'twentieth' -> 20, 'thirty-second' -> 32, '7th' -> 7; 0 when not an ordinal."""
    word = word.strip().lower()
    digits = re.fullmatch(r"(\d+)(?:st|nd|rd|th)?", word)
    if digits:
        return int(digits.group(1))
    if word in _ORDINALS:
        return _ORDINALS[word]
    parts = re.split(r"[\s-]+", word)
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in _ORDINALS:
        unit = _ORDINALS[parts[1]]
        return _TENS[parts[0]] + unit if unit < 10 else 0
    return 0


def classify_response(text: str) -> str:
    """'supported', 'supported-in-part', 'noted', 'pending' or '' from lead-in wording."""
    if _PARTLY.search(text):
        return "supported-in-part"
    for response, pattern in RESPONSE_WORDING.items():
        if pattern.search(text):
            return response
    return ""


# --------------------------------------------------------------- document facts


def _most_common(matches: Iterable[re.Match[str]]) -> re.Match[str] | None:
    found = list(matches)
    if not found:
        return None
    best, _ = Counter(match.group() for match in found).most_common(1)[0]
    return next(match for match in found if match.group() == best)


def _name_after_title(text: str, offset: int) -> str:
    for raw in text[offset:].split("\n")[1:8]:
        line = raw.strip().strip("*").strip()
        if not line or raw.lstrip().startswith("*") or _is_noise(raw):
            continue
        if len(line) > 80 or re.search(r"\d|contents|\.\.\.", line, re.I):
            return ""
        return line
    return ""


def _mixed_case(name: str, text: str) -> str:
    if not name.isupper():
        return name
    spelled = re.findall(re.escape(name), text, re.I)
    mixed = [found for found in spelled if not found.isupper()]
    if mixed:
        return Counter(mixed).most_common(1)[0][0]
    small = {"of", "and", "the", "de"}
    words = name.lower().split()
    return " ".join(w if i and w in small else w.capitalize() for i, w in enumerate(words))


# ------------------------------------------------------------------------ section


def _section_bounds(text: str, lines: list[str], filename: str) -> tuple[int, int, int]:
    """Line indexes (0-based) of the section heading, of the closing paragraph and of
    the first line after it.

    The heading is the last one before the closing paragraph, so that a table of
    contents line that lost its dot leaders is not taken for it.
    """
    starts = [_line_index(text, m.start()) for m in _HEADING.finditer(text)]
    starts = [index for index in starts if not _DOT_LEADER.search(lines[index])]
    if not starts:
        raise ImportFormatError(
            filename,
            'no "Conclusions and/or recommendations" section: not a UPR Working Group report?',
            field="section",
        )
    offset = sum(len(line) + 1 for line in lines[: starts[0] + 1])
    closing = _CLOSING.search(text, offset)
    if closing is None:
        _raise_truncated(lines, starts[-1], filename)
    assert closing is not None
    end = _line_index(text, closing.start())
    start = max(index for index in starts if index < end)
    closing_end = _CLOSING_END.search(text, closing.end(), closing.end() + 600)
    after = _line_index(text, closing_end.end()) + 1 if closing_end else end + 1
    return start, end, after


def _line_index(text: str, offset: int) -> int:
    return text.count("\n", 0, offset)


def _raise_truncated(lines: list[str], start: int, filename: str) -> None:
    blocks = _blocks(_clean_lines(lines, start, len(lines)))
    items = [block for block in blocks if block.kind == "item"]
    last = items[-1] if items else (blocks[-1] if blocks else None)
    where = f"; the last recommendation read is {last.para}.{last.item}" if items and last else ""
    raise ImportFormatError(
        filename,
        "truncated: the Conclusions and/or recommendations section (from row "
        f'{start + 1}) has no closing paragraph ("All conclusions and/or recommendations '
        f'... reflect the position ...")' + where,
        row=last.lines[-1].row if last and last.lines else start + 1,
        field="section",
    )


def _is_noise(line: str) -> bool:
    return any(pattern.search(line) for pattern in _NOISE)


def _clean_lines(lines: list[str], start: int, end: int) -> list[_Line]:
    """The section's lines without blanks, page furniture and footnote bodies.

    A footnote body starts with its number ("4 The recommendation as read ...").
    It is told apart from a wrapped line starting with a number because that
    number was used as a marker ("(Canada)4;") or because the line before it
    completed a recommendation. A lone "**" line is a footnote mark whose text
    is on the next line.
    """
    body = lines[start + 1 : end]
    markers = {
        int(number)
        for line in body
        for match in _FOOTNOTE_MARKER.finditer(line)
        for number in match.groups()
        if number
    }
    kept: list[_Line] = []
    skip_next = False
    for index, line in enumerate(body, start=start + 2):
        if not line.strip():
            continue
        if skip_next or _is_noise(line):
            skip_next = bool(_LONE_ASTERISKS.match(line))
            continue
        if _is_footnote(line, markers, kept[-1].text if kept else ""):
            continue
        kept.append(_Line(index, line.replace("\t", " ")))
    return kept


def _is_footnote(line: str, markers: set[int], previous: str) -> bool:
    footnote = _FOOTNOTE_LINE.match(line)
    if not footnote or _PLAIN_NUMBER.match(line):
        return False
    return int(footnote.group(1)) in markers or bool(_COMPLETE_ITEM.search(previous))


# ------------------------------------------------------------------ segmentation


def _blocks(lines: list[_Line]) -> list[_Block]:
    """Split the section into numbered paragraphs and items."""
    segmenter = _Segmenter(lines)
    for index, line in enumerate(lines):
        segmenter.feed(index, line)
    return segmenter.blocks


class _Segmenter:
    """Reads numbers at line starts in context.

    A plain number is a new paragraph when it follows the current paragraph number,
    and a cycle-1 item when it follows the last item number; when it could be both,
    the text decides (an item ends with its States in parentheses). A dotted number
    is an item of its paragraph; one that breaks the paragraph but continues the item
    sequence is a typo (``128.12`` between ``129.11`` and ``129.13``); one of an
    earlier paragraph that fills a hole there was displaced by extraction.
    """

    def __init__(self, lines: list[_Line]) -> None:
        self.lines = lines
        self.blocks: list[_Block] = []
        self.para, self.last_item, self.dotted = 0, 0, False
        self.seen: dict[int, set[int]] = {}

    def feed(self, index: int, line: _Line) -> None:
        start = self._dotted(line.text) or self._plain(line.text, index)
        if start is None:
            if self.blocks:
                self.blocks[-1].lines.append(line)
            return
        kind, number, item, rest = start
        if kind == "para":
            self.para, self.last_item, self.dotted = number, 0, False
            self.blocks.append(_Block("para", number, 0, [_Line(line.row, rest)]))
            return
        if kind == "displaced":
            self.seen[number].add(item)
            self.blocks.append(_Block("item", number, item, [_Line(line.row, rest)]))
            return
        self.dotted = self.dotted or kind == "dotted"
        if number != self.para:  # a dotted item of a paragraph whose lead-in we missed
            self.para = number
            self.blocks.append(_Block("para", number, 0, []))
        self.last_item = item
        self.seen.setdefault(number, set()).add(item)
        self.blocks.append(_Block("item", number, item, [_Line(line.row, rest)]))

    def _dotted(self, text: str) -> tuple[str, int, int, str] | None:
        match = _DOTTED_NUMBER.match(text)
        if not match:
            return None
        number, item, rest = int(match.group(1)), int(match.group(2)), match.group(3)
        para, last_item = self.para, self.last_item
        plausible_para = para == 0 or number == para or para < number <= para + 3
        if plausible_para and item >= 1 and (number != para or item > last_item):
            return "dotted", number, item, rest
        if self.dotted and item == last_item + 1:
            return "dotted", para, item, rest
        earlier = self.seen.get(number)
        if number < para and earlier and item not in earlier and item < max(earlier):
            return "displaced", number, item, rest
        return None

    def _plain(self, text: str, index: int) -> tuple[str, int, int, str] | None:
        match = _PLAIN_NUMBER.match(text)
        if not match or _DOTTED_NUMBER.match(text):
            return None
        number, rest = int(match.group(1)), match.group(2)
        para, last_item = self.para, self.last_item
        as_para = para == 0 or para < number <= para + 3
        as_item = para > 0 and not self.dotted and last_item < number <= last_item + 3
        if as_para and as_item:
            as_para = not _ends_like_item(_peek(rest, self.lines, index))
            as_item = not as_para
        if as_para:
            return "para", number, 0, rest
        if as_item:
            return "item", para, number, rest
        return None


def _peek(rest: str, lines: list[_Line], index: int) -> str:
    """The text of the block that would start at ``lines[index]``."""
    parts = [rest]
    for line in lines[index + 1 :]:
        if _PLAIN_NUMBER.match(line.text) or _DOTTED_NUMBER.match(line.text):
            break
        parts.append(line.text)
    return collapse_whitespace(" ".join(parts))


_ITEM_END = re.compile(r"\)\s*\d{0,2}\s*[;.,]?\s*\d{0,2}\s*$")


def _ends_like_item(text: str) -> bool:
    return bool(_ITEM_END.search(text)) and not _CLOSING.search(text)


def _paragraphs(blocks: list[_Block]) -> list[_Paragraph]:
    """Paragraphs with their items, in item order (displaced items moved home)."""
    paragraphs: list[_Paragraph] = []
    by_number: dict[int, _Paragraph] = {}
    for block in blocks:
        if block.kind == "para":
            paragraphs.append(_Paragraph(block))
            by_number[block.para] = paragraphs[-1]
        elif paragraphs:
            by_number.get(block.para, paragraphs[-1]).items.append(block)
    for paragraph in paragraphs:
        paragraph.items.sort(key=lambda item: item.item)
    return paragraphs


def _attach_orphans(paragraphs: list[_Paragraph], lines: list[str], after: int) -> None:
    """Recommendations that PDF extraction moved after the closing paragraph.

    Seen in practice: a lead-in ending with ":" has no items, and its lone
    recommendation turns up after "All conclusions ...", before the annex. Only
    that unambiguous case is repaired.
    """
    empty = [p for p in paragraphs if not p.items and p.head.text.endswith(":")]
    if len(empty) != 1 or not _is_recommendation_list(empty[0].head.text):
        return
    tail: list[_Line] = []
    for index in range(after, min(len(lines), after + 40)):
        if _ANNEX.match(lines[index]):
            break
        if lines[index].strip() and not _is_noise(lines[index]):
            tail.append(_Line(index + 1, lines[index]))
    text = collapse_whitespace(" ".join(line.text for line in tail))
    if tail and _ends_like_item(text) and len(text) < 2000:
        head = empty[0].head
        empty[0].items.append(_Block("item", head.para, 1, tail))


# ---------------------------------------------------------------------- responses


def _is_recommendation_list(lead_in: str) -> bool:
    """A lead-in introducing recommendations, not "the following voluntary
    commitments", pledges or comments. The lead-in need not say "recommendations"
    ("The following enjoy the support of X"), and may be empty when extraction
    lost it: numbered items in this section are recommendations by default.
    """
    return not _OTHER_LIST.search(lead_in)


def _recommendation_lists(
    paragraphs: list[_Paragraph],
) -> Iterable[tuple[_Paragraph, str, str]]:
    """Each list of recommendations with its response and the wording behind it.

    Early reports say nothing in the lead-in ("the following recommendations were
    made to X:") and give the status in the next paragraph ("The response of X to
    these recommendations will be included in the outcome report").
    """
    for index, paragraph in enumerate(paragraphs):
        if not paragraph.items or not _is_recommendation_list(paragraph.head.text):
            continue
        lead_in = paragraph.head.text
        response = classify_response(lead_in)
        if not response:
            follow_up = _follow_up(paragraphs[index + 1 :])
            if follow_up:
                response = classify_response(follow_up)
                lead_in = f"{lead_in} {follow_up}"
        yield paragraph, response, lead_in


def _follow_up(rest: list[_Paragraph]) -> str:
    for paragraph in rest:
        if paragraph.items:
            return ""
        text = paragraph.head.text
        if _REFERS_BACK.search(text) and classify_response(text):
            return text
    return ""


# ------------------------------------------------------------------------ records


def _records(
    item: _Block, context: _Context, response: str, response_text: str
) -> list[ParsedRecommendation]:
    rows = [line.row for line in item.lines]
    offsets: list[int] = []
    joined = ""
    for line in item.lines:
        offsets.append(len(joined))
        joined += collapse_whitespace(line.text) + " "
    parts, note = _split_item(joined)
    parts = _merge_repeated(parts)
    if note:  # e.g. "COMMENTS: The Government ..." after the last recommendation
        response_text = f"{response_text} {note}".strip()
    records = []
    for part in parts:
        row = rows[max(0, bisect.bisect_right(offsets, part.offset) - 1)]
        if _is_displaced_quote(part.text):
            context.problems.append(
                RowProblem(
                    context.filename,
                    row,
                    "text",
                    f"dropped displaced footnote text {part.text[:80]!r}",
                )
            )
            continue
        records.append(
            context.record(
                row=row,
                text=capitalise_first(part.text),
                number=f"{item.para}.{item.item}",
                response=response,
                response_text=response_text,
                recommending_states=part.states,
            )
        )
    return records


def _merge_repeated(parts: list[_Part]) -> list[_Part]:
    """'Ratify the OP-CAT (Chile); Ratify the OP-CAT (Togo);' is one recommendation
    made by two States, as '(Chile, Togo)' would be."""
    merged: dict[str, _Part] = {}
    for part in parts:
        key = normalise_for_match(part.text)
        if key in merged:
            kept = merged[key]
            kept.states.extend(state for state in part.states if state not in kept.states)
        else:
            merged[key] = _Part(part.offset, part.text, list(part.states))
    return list(merged.values())


def _is_displaced_quote(text: str) -> bool:
    """The tail of a footnote quoting the recommendation "as read during the
    interactive dialogue", which PDF extraction moved into the list: it starts in
    the middle of a sentence and closes a quotation it never opened."""
    closing = max(text.find("”"), text.find('"'))
    opening = min((i for i in (text.find("“"), text.find('"')) if i >= 0), default=-1)
    return text[:1].islower() and closing >= 0 and (opening < 0 or opening >= closing)


# ------------------------------------------------- recommendations cited by paragraph

# Early reports (2008-2009) list only the supported recommendations and dispose of
# the others by citing the interactive-dialogue paragraphs where they were made:
# "The recommendations noted in paragraphs 35 (b), 38 (a), (b) and 80 above did not
# enjoy the support of Burkina Faso." The cited paragraph names the speaking State
# first and marks each recommendation with a letter: "France recommended that
# Burkina Faso (a) adopt legislation abolishing it."

_REFERENCE_START = re.compile(r"\bparagraphs?\s+", re.I)
_REFERENCE_TOKEN = re.compile(r"\s*(?:,|and\b|(\d{1,3})(?!\d)(?!\.\d)|\(([a-z]{1,3})\))")
_LETTER_MARK = re.compile(r"(?:^|(?<=[\s:;,]))\(([a-z])\)(?=\s)")
_NOT_A_MARK = re.compile(r"(?:\d|article|paragraph|para\.?)\s*$", re.I)
_SENTENCE_END = re.compile(r"\.\s+(?=[A-Z])|\.\s*$")
_RECOMMEND_VERB = re.compile(r"\b(?:recommend|encourag|urg)\w*\s+(?:that\s+|to\s+)?", re.I)
_VERB_BEFORE_MARK = re.compile(r"\brecommend\w*\s+that\s*$", re.I)
_DANGLING = re.compile(r"(?:[\s,;]+|\s+(?:and|or)(?:\s+that)?|\s+that)+$", re.I)


def parse_paragraph_references(text: str) -> list[tuple[int, str]]:
    """'paragraphs 35 (b), 38 (a) and (c), 80' -> [(35, 'b'), (38, 'a'), (38, 'c'), (80, '')]."""
    references: list[tuple[int, str]] = []
    for start in _REFERENCE_START.finditer(text):
        position, current, lettered = start.end(), 0, False
        while token := _REFERENCE_TOKEN.match(text, position):
            position = token.end()
            number, letter = token.groups()
            if number:
                if current and not lettered:
                    references.append((current, ""))
                current, lettered = int(number), False
            elif letter and current:
                references.append((current, letter))
                lettered = True
        if current and not lettered:
            references.append((current, ""))
    return references


def _referenced_recommendations(
    paragraphs: list[_Paragraph], lines: list[str], start: int, context: _Context
) -> list[ParsedRecommendation]:
    first = paragraphs[0].head.para if paragraphs else 0
    seen: set[tuple[int, str]] = set()
    records: list[ParsedRecommendation] = []
    for paragraph in paragraphs:
        text = paragraph.head.text
        response = classify_response(text)
        if paragraph.items or not response or not _RECOMMEND.search(text):
            continue
        for number, letter in parse_paragraph_references(text):
            if number >= first or (number, letter) in seen:
                continue  # a paragraph of this section, or cited twice
            seen.add((number, letter))
            for row, recommendation, state in _cited_recommendations(
                lines, start, number, letter, context
            ):
                records.append(
                    context.record(
                        row=row,
                        text=recommendation,
                        number=f"{number} ({letter})" if letter else str(number),
                        response=response,
                        response_text=text,
                        recommending_states=[state] if state else [],
                    )
                )
    return records


def _cited_recommendations(
    lines: list[str], start: int, number: int, letter: str, context: _Context
) -> list[tuple[int, str, str]]:
    """(row, text, State) of the recommendation(s) a section paragraph cites.

    A letter is looked up as a "(b)" mark; a paragraph cited without a letter, or
    whose marks were lost in extraction, yields its "recommended that ..." clauses
    (the n-th clause for letter n).
    """
    body = _body_paragraph(lines, start, number)
    label = f"{number} ({letter})" if letter else str(number)
    if not body:
        context.problems.append(
            RowProblem(context.filename, start + 1, "number", f"cited paragraph {label} not found")
        )
        return []
    offsets, joined = _join_with_offsets(body)
    joined = re.sub(rf"^\s*{number}\s?\.\s*", "", joined)
    spans = _cited_spans(joined, letter)
    if not spans:
        context.problems.append(
            RowProblem(context.filename, body[0].row, "text", f"no recommendation {label} found")
        )
    state = _leading_state(joined)
    found = []
    for begin, end in spans:
        clause = collapse_whitespace(_LETTER_MARK.sub(" ", joined[begin:end]))
        text = _strip_subject(clause, context.document.get("state_under_review", ""))
        row = body[max(0, bisect.bisect_right(offsets, begin) - 1)].row
        found.append((row, capitalise_first(_DANGLING.sub("", text).rstrip(" .")), state))
    return found


def _cited_spans(text: str, letter: str) -> list[tuple[int, int]]:
    if letter:
        span = _lettered_span(text, letter)
        if span:
            return [span]
        if _letter_marks(text):
            return []
        clauses = _recommending_clauses(text)
        index = ord(letter) - ord("a")
        return clauses[index : index + 1]
    return _recommending_clauses(text)


def _body_paragraph(lines: list[str], start: int, number: int) -> list[_Line]:
    """The lines of paragraph ``number`` before the section (its number checked
    against the paragraph before it, since lists inside paragraphs restart at 1)."""
    numbered = [
        (index, int(match.group(1)))
        for index, line in enumerate(lines[:start])
        if (match := _PLAIN_NUMBER.match(line))
    ]
    candidates = [k for k, (_, n) in enumerate(numbered) if n == number]
    if not candidates:
        return []
    best = next((k for k in candidates if k and numbered[k - 1][1] == number - 1), candidates[0])
    first = numbered[best][0]
    after = [index for index, n in numbered[best + 1 :] if number < n <= number + 2]
    last = after[0] if after else min(start, first + 60)
    return _clean_lines(lines, first - 1, last)


def _join_with_offsets(body: list[_Line]) -> tuple[list[int], str]:
    offsets: list[int] = []
    joined = ""
    for line in body:
        offsets.append(len(joined))
        joined += collapse_whitespace(line.text) + " "
    return offsets, joined


def _letter_marks(text: str) -> list[re.Match[str]]:
    return [
        mark for mark in _LETTER_MARK.finditer(text) if not _NOT_A_MARK.search(text[: mark.start()])
    ]


def _lettered_span(text: str, letter: str) -> tuple[int, int] | None:
    marks = _letter_marks(text)
    for index, mark in enumerate(marks):
        if mark.group(1) != letter:
            continue
        end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
        sentence = _SENTENCE_END.search(text, mark.end())
        if sentence:
            end = min(end, sentence.start())
        # "recommended that (a) polygamy be eliminated": the clause needs its verb.
        verb = _VERB_BEFORE_MARK.search(text, 0, mark.start())
        return (verb.start() if verb else mark.end()), end
    return None


def _recommending_clauses(text: str) -> list[tuple[int, int]]:
    """From each "recommended ..." verb to the end of its sentence."""
    spans = []
    for verb in _RECOMMEND_VERB.finditer(text):
        sentence = _SENTENCE_END.search(text, verb.start())
        spans.append((verb.start(), sentence.start() if sentence else len(text)))
    return spans


def _strip_subject(text: str, state: str) -> str:
    """'recommended that Zambia report ...' -> 'report ...'; 'Zambia develop' -> 'develop'.

    "recommended that" stays when another subject follows, as in "recommended that
    polygamy be eliminated", which is how UPR Info words such recommendations too.
    """
    text = _LEADING_JUNK.sub("", text.strip())
    verb = _RECOMMEND_VERB.match(text)
    rest = text[verb.end() :] if verb else re.sub(r"^that\s+", "", text, flags=re.I)
    subjects = [s for s in (state, f"the {state}", "the Government", "the State") if s]
    for subject in subjects:
        if rest.lower().startswith(subject.lower() + " "):
            return re.sub(r"^to\s+", "", rest[len(subject) + 1 :])
    if verb and not re.search(r"\bthat\s*$", verb.group()):
        return rest  # "recommended to ratify ..."
    return text


def _leading_state(text: str) -> str:
    """The State a dialogue paragraph opens with: 'The Russian Federation noted ...'."""
    words = re.sub(r"^(?:The|the)\s+", "", text.strip()).split()
    for size in range(min(8, len(words)), 0, -1):
        candidate = " ".join(words[:size]).rstrip(",;:.")
        if is_state_name(candidate):
            return candidate
    return ""


def _check_numbering(paragraphs: list[_Paragraph], context: _Context) -> None:
    """Report gaps in item numbering: a sign that a recommendation was lost."""
    for paragraph in paragraphs:
        expected = 1
        for item in paragraph.items:
            if item.item > expected:
                missing = ", ".join(
                    f"{paragraph.head.para}.{n}" for n in range(expected, item.item)
                )
                context.problems.append(
                    RowProblem(context.filename, item.row, "number", f"no recommendation {missing}")
                )
            expected = item.item + 1


# ------------------------------------------------------------- State parentheses

# A parenthesised group, allowing one level of nesting: "(Iran (Islamic Republic of))".
_GROUP = re.compile(r"\(((?:[^()]|\([^()]*\))*)\)")
# What may sit between a State group and the next recommendation of a cluster:
# footnote digits, a separator and a connective ("(Brazil); and consider ...").
_SEPARATOR_AFTER = re.compile(
    r"\s*\d{0,2}\s*([;,/.:]?)\s*\d{0,2}[\s,;]*(?:(?:and|also|as\s+well\s+as)\s+)?"
)


@dataclass
class _Part:
    offset: int  # where the part starts in the item text
    text: str
    states: list[str]


def split_recommendations(text: str) -> list[tuple[str, list[str]]]:
    """Split one numbered item into (text, States) recommendations.

    A group of known State names in parentheses ends a recommendation; when more
    text follows, it is the next recommendation of a cycle-1 cluster: "Ratify X
    (Brazil); consider ratifying X (Chile, Peru)". The item's final group is read
    as States whenever it looks like names, so unknown names still work there.
    """
    parts, _ = _split_item(text)
    return [(capitalise_first(part.text), part.states) for part in parts]


def split_states(text: str) -> tuple[str, list[str]]:
    """'Ratify X (Maldives) (Portugal);' -> ('Ratify X', ['Maldives', 'Portugal'])."""
    part = _last_part(text, 0)
    return capitalise_first(_clean_text(part.text)), part.states


# Words that continue a sentence rather than start a recommendation. After a State
# group followed only by a comma or "and", they mean the group was an inline
# attribution inside one recommendation: "Consider (Slovenia, Latvia) issuing a
# standing invitation (Uruguay)", "... (Chile) and the Optional Protocol thereto
# (Mexico)".
_CONTINUATIONS = frozenset((
    "to", "the", "of", "as", "and", "or", "in", "with", "for", "on", "at", "by", "its",
    "their", "his", "her", "a", "an", "that", "which", "who", "including", "particularly",
    "especially", "notably", "from", "into", "through", "within", "under", "regarding",
    "concerning", "while", "where", "when", "so", "such", "than", "thereto", "this",
    "these", "those",
))  # fmt: skip
_STRONG_SEPARATORS = (";", ".", ":", "/")
_MIN_WORDS = 4  # a shorter head is a fragment ("Consider", "Complete the accession")


def _split_item(text: str) -> tuple[list[_Part], str]:
    """The recommendations of an item, and any comment after the last one."""
    parts: list[_Part] = []
    begin, cursor, separator_before = 0, 0, ""
    head, carried = "", list[str]()  # text and States gathered for the part being built
    for match in _GROUP.finditer(text):
        if match.start() < cursor:
            continue
        separator = _SEPARATOR_AFTER.match(text, match.end())
        assert separator is not None  # every part of the pattern is optional
        after = text[separator.end() :]
        if not after.strip(" ;,.:0123456789") or after.startswith("("):
            continue  # the item's last group, or a chain "(Maldives) (Portugal)"
        chain_start, states = _state_chain(text, match, cursor, known_only=True)
        if not states:
            continue
        head += text[cursor:chain_start]
        if _starts_new_recommendation(head, separator.group(1), after):
            parts.append(_Part(begin, _clean_text(head), carried + states))
            begin = cursor = separator.end()
            separator_before, head, carried = separator.group(1), "", []
        else:
            carried += states
            cursor = match.end()
    rest = _last_part(text, cursor)
    last = _Part(begin, _clean_text(head + rest.text), carried + rest.states)
    if parts and not last.states and separator_before in (".", ":"):
        return [part for part in parts if part.text], collapse_whitespace(rest.text)
    return [part for part in [*parts, last] if part.text], ""


def _starts_new_recommendation(head: str, separator: str, after: str) -> bool:
    if separator in _STRONG_SEPARATORS:
        return True
    first = after.split(maxsplit=1)[0].lower() if after.split() else ""
    return len(head.split()) >= _MIN_WORDS and first not in _CONTINUATIONS


def _last_part(text: str, begin: int) -> _Part:
    """The text from ``begin`` (raw, uncleaned) and the States of its final group."""
    tail = re.sub(r"[\s;.,:\d]+$", "", text)
    final = None
    for match in _GROUP.finditer(tail, begin):
        final = match
    if final is not None and final.end() == len(tail):
        chain_start, states = _state_chain(tail, final, begin, known_only=False)
        if states:
            return _Part(begin, text[begin:chain_start], states)
    return _Part(begin, text[begin:], [])


def _state_chain(
    text: str, last: re.Match[str], floor: int, known_only: bool
) -> tuple[int, list[str]]:
    """The States of ``last`` and of the adjacent groups before it: "(A) (B)"."""
    names = parse_state_group(last.group(1), known_only)
    if not names:
        return last.start(), []
    start = last.start()
    groups = [m for m in _GROUP.finditer(text, floor, last.start()) if m.end() <= start]
    for previous in reversed(groups):
        if text[previous.end() : start].strip():
            break
        earlier = parse_state_group(previous.group(1), known_only=True)
        if not earlier:
            break
        names = earlier + names
        start = previous.start()
    return start, names


_TRAILING_FOOTNOTE = re.compile(r"\s+\d{1,2}$")


def parse_state_group(content: str, known_only: bool = False) -> list[str]:
    """'Brazil, Chile' -> ['Brazil', 'Chile']; [] when it is not a list of States.

    Separators are commas, semicolons, slashes and "and" (but not the "and" inside
    "Trinidad and Tobago"). Each name must be a known State, or, unless
    ``known_only``, at least look like a proper name.
    """
    names: list[str] = []
    for chunk in _split_outside_parens(content, ",;/"):
        chunk = _TRAILING_FOOTNOTE.sub("", chunk.strip())  # "(Korea 1)"
        if not chunk:
            continue
        if is_state_name(chunk):
            names.append(chunk)
            continue
        pieces = [piece.strip() for piece in re.split(r"\s+and\s+", chunk)]
        if len(pieces) > 1 and all(is_state_name(piece) for piece in pieces):
            names.extend(pieces)
        elif not known_only and _looks_like_name(chunk):
            names.append(chunk)
        else:
            return []
    return names


def _split_outside_parens(text: str, separators: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += (char == "(") - (char == ")")
        if char in separators and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


_NAME_WORD = re.compile(r"^(?:[A-ZÀ-Þ][\w’'.-]*|of|and|the|de|del|d’\w+|d'\w+|\(|\))$")


def _looks_like_name(chunk: str) -> bool:
    words = chunk.replace("(", " ( ").replace(")", " ) ").split()
    if not words or len(words) > 9 or re.search(r"\d", chunk):
        return False
    if chunk.isupper():  # acronyms such as CEDAW, ILO (UK and USA are known names)
        return False
    return chunk[0].isupper() and all(_NAME_WORD.match(word) for word in words)


def is_state_name(name: str) -> bool:
    """A State (or UPR observer) name in any usual UN or ISO spelling."""
    return _state_key(name) in _known_states()


def _state_key(name: str) -> str:
    folded = strip_latin_accents(name).casefold()
    folded = re.sub(r"\bthe\b", " ", folded)
    return re.sub(r"[^a-z]", "", folded)


# Spellings used in UN documents that ISO 3166 (pycountry) lacks or words differently.
_UN_NAMES = (
    "United Kingdom of Great Britain and Northern Ireland", "United Kingdom", "UK",
    "United States of America", "United States", "USA", "Russian Federation", "Russia",
    "Holy See", "State of Palestine", "Palestine", "Republic of Korea",
    "Democratic People's Republic of Korea", "Republic of Moldova", "Moldova",
    "the former Yugoslav Republic of Macedonia", "North Macedonia", "Macedonia",
    "Libyan Arab Jamahiriya", "Libya", "Syrian Arab Republic", "Syria",
    "Lao People's Democratic Republic", "Laos", "Viet Nam", "Vietnam",
    "Côte d'Ivoire", "Cote d'Ivoire", "Ivory Coast", "Cape Verde", "Cabo Verde",
    "Swaziland", "Eswatini", "Czech Republic", "Czechia", "Turkey", "Türkiye",
    "Brunei", "Brunei Darussalam", "Micronesia", "Federated States of Micronesia",
    "Micronesia (Federated States of)", "Democratic Republic of the Congo", "Congo",
    "Republic of the Congo", "Iran", "Islamic Republic of Iran", "Iran (Islamic Republic of)",
    "Venezuela", "Bolivarian Republic of Venezuela", "Venezuela (Bolivarian Republic of)",
    "Bolivia", "Plurinational State of Bolivia", "Bolivia (Plurinational State of)",
    "Tanzania", "United Republic of Tanzania", "Netherlands", "Kingdom of the Netherlands",
    "Timor-Leste", "East Timor", "Myanmar", "Burma", "Sovereign Military Order of Malta",
    "European Union", "Serbia and Montenegro", "Kosovo", "Taiwan", "Sudan", "South Sudan",
    "Bosnia and Herzegovina", "Trinidad and Tobago", "Antigua and Barbuda",
    "Saint Kitts and Nevis", "Saint Vincent and the Grenadines", "Sao Tome and Principe",
    "Papua New Guinea", "Guinea-Bissau", "Equatorial Guinea", "Central African Republic",
)  # fmt: skip


@cache
def _known_states() -> frozenset[str]:
    import pycountry  # only needed once, for the name list

    names: set[str] = set(_UN_NAMES)
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                names.update(_spellings(value))
    for name in list(names):
        # "Bolivia (Plurinational State of)" <-> "Plurinational State of Bolivia"
        inverted = re.fullmatch(r"(.+?)\s*\((.+ of)\s*\)", name)
        if inverted:
            names.add(f"{inverted.group(2)} {inverted.group(1)}")
    return frozenset(_state_key(name) for name in names)


def _spellings(name: str) -> list[str]:
    """ISO writes 'Korea, Republic of'; UN documents write 'Republic of Korea'."""
    spellings = [name, re.sub(r"\s*\(.*\)", "", name)]
    inverted = re.fullmatch(r"(.+?),\s*(.+)", name)
    if inverted:
        spellings += [f"{inverted.group(2)} {inverted.group(1)}", inverted.group(1)]
    return spellings


# ----------------------------------------------------------------------- text


_LEADING_JUNK = re.compile(r"^[\s;,.:/]*(?:(?:and|also|as\s+well\s+as)\s+)?")
_TRAILING_JUNK = re.compile(r"[\s;,:]+$|(?<=[^.])\.$")


def _clean_text(text: str) -> str:
    """Recommendation text without the separators and connectives around it."""
    text = collapse_whitespace(text)
    text = _LEADING_JUNK.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = _TRAILING_JUNK.sub("", text).rstrip()
    return text
