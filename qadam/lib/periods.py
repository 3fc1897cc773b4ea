"""Read a plan's implementation timeframe into a period of dates.

Government plans write deadlines as text, in English, Russian or Kazakh: "By the
end of 2023", "August 2022", "IV квартал 2023 года", "2023 жылдың соңына дейін".
``parse_timeframe`` turns such a text into a ``Period`` (first and last day,
precision, the original text) or returns None when it cannot be sure.

How it stays sure: the text is split into tokens, and every token must be
understood, either as part of a date (a year, a month, a quarter, an ordinal...)
or as one of a short list of connecting words ("by", "the end of", "до конца",
"года", "дейін"). One unknown word, or a combination that does not form one
period ("2022 and 2024", a quarter with a month), gives None, never a guess:
the importer then rejects the row and names the field.

A deadline "by" a period is the whole period: "By the end of 2023" is
2023-01-01..2023-12-31, and the deadline is its end. Recurring timeframes
("annually", "ежегодно", "жыл сайын", "on an ongoing basis") have no single
deadline: they come back with ``recurring=True`` and, unless years are named
("annually in 2022-2024"), no dates.

Pure Python: no Django here.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

# From most to least precise; "recurring" is a timeframe without a single deadline.
PRECISIONS = ("day", "month", "quarter", "half", "year", "years", "recurring")


@dataclass(frozen=True)
class Period:
    """A timeframe as dates: ``start``..``end`` inclusive, with the text it came from."""

    start: date | None
    end: date | None
    precision: str
    text: str
    recurring: bool = False

    @property
    def deadline(self) -> date | None:
        """The date by which the work is due: the period's last day."""
        return self.end

    def to_json(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "precision": self.precision,
            "text": self.text,
            "recurring": self.recurring,
        }


# --- vocabulary ------------------------------------------------------------------

_EN_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
# Russian and Kazakh months change their endings ("декабря", "желтоқсанға"): stems.
_MONTH_STEMS = (
    ("январ", 1), ("феврал", 2), ("март", 3), ("апрел", 4), ("июн", 6), ("июл", 7),
    ("август", 8), ("сентябр", 9), ("октябр", 10), ("ноябр", 11), ("декабр", 12),
    ("қаңтар", 1), ("ақпан", 2), ("наурыз", 3), ("сәуір", 4), ("мамыр", 5),
    ("маусым", 6), ("шілде", 7), ("тамыз", 8), ("қыркүйек", 9), ("қазан", 10),
    ("қараша", 11), ("желтоқсан", 12),
)  # fmt: skip
_RU_MAY = {"май", "мая", "мае"}

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4,
    "бірінші": 1, "екінші": 2, "үшінші": 3, "төртінші": 4,
}  # fmt: skip
_ORDINAL_STEMS = (("перв", 1), ("втор", 2), ("трет", 3), ("четверт", 4))

_QUARTER_WORDS = {"q", "quarter", "qtr"}
_QUARTER_STEMS = ("квартал", "тоқсан")
_HALF_WORDS = {"h", "half", "жарты"}
_HALF_STEMS = ("полугоди", "жартыжыл")

_RECURRING_WORDS = {
    "annually", "annual", "yearly", "quarterly", "monthly", "regularly", "periodically",
    "every", "each", "ongoing", "continuously", "continuous", "constantly", "permanently",
    "permanent", "сайын", "тұрақты", "үнемі", "жүйелі",
}  # fmt: skip
_RECURRING_STEMS = (
    "ежегодн", "ежеквартальн", "ежемесячн", "ежеполугодн", "постоянн", "регулярн", "кажд",
)  # fmt: skip

_YEAR_WORDS = {
    "year", "years", "год", "года", "годы", "годов", "году", "гг", "г",
    "жыл", "жылы", "жылдың", "жылғы", "жылдар", "жылдары", "жылдарда", "жылға", "ж", "жж",
}  # fmt: skip
_END_WORDS = {"end", "конца", "конец", "концу", "соңына", "соңы", "соңында", "аяғына", "аяғы"}
_CURRENT_WORDS = {"current", "this", "текущего", "текущий", "текущем", "этого", "ағымдағы", "осы"}
# Words that may sit between the two years of a range ("2024 to 2026", "с 2022 по 2024").
_RANGE_WORDS = {"to", "through", "till", "until", "по", "до", "дейін"}
# Connecting words that carry no date: they are allowed and ignored.
_FILLER = {
    # English
    "by", "the", "of", "up", "in", "during", "within", "course", "not", "no", "later",
    "than", "before", "deadline", "on", "an", "a", "basis", "from", "st", "nd", "rd", "th",
    "calendar",
    # Russian (ordinal endings "1-е", "2-го", "4-й" included)
    "в", "во", "течение", "не", "позднее", "позже", "срок", "к", "на", "протяжении", "с",
    "со", "е", "й", "го", "ого", "ое", "ый", "основе", "period", "период",
    # Kazakh (ordinal ending "1-ші" included)
    "ішінде", "бойы", "бойында", "аралығында", "мерзімі", "ші", "шы", "негізде",
}  # fmt: skip

# --- tokens -------------------------------------------------------------------------

_DASHES = str.maketrans({"–": "-", "—": "-", "−": "-", "‒": "-", "ё": "е"})
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_DOTTED_DATE = re.compile(r"(?<!\d)(\d{1,2})[./](\d{1,2})[./](\d{4})(?!\d)")
_MONTH_YEAR = re.compile(r"(?<!\d)(\d{1,2})[./](\d{4})(?!\d)")
_TOKEN = re.compile(r"\x00[dm]\d+|\d+|[^\W\d_]+|-")


@dataclass(frozen=True)
class _Token:
    kind: str  # date, monthyear, year, num, dash, month, ord, quarter, half, ...
    value: object = None


def parse_timeframe(text: str, today: date | None = None) -> Period | None:
    """The period a timeframe text names, or None when it cannot be read for sure.

    ``today`` dates phrases without a year ("by the end of the year"); an importer
    passes the plan's adoption date, so that an old plan is not read as this year's.
    """
    original = " ".join((text or "").split())
    if not original:
        return None
    tokens = _tokenise(original)
    if tokens is None:
        return None
    return _interpret(tokens, original, today)


def _tokenise(text: str) -> list[_Token] | None:
    """Tokens of ``text``, or None when a word is not part of the vocabulary."""
    folded = text.casefold().translate(_DASHES)
    found: list[_Token] = []

    def keep(kind: str, value: object) -> str:
        found.append(_Token(kind, value))
        return f" \x00{kind[0]}{len(found) - 1} "

    def full_date(year: str, month: str, day: str) -> str:
        value = _safe_date(int(year), int(month), int(day))
        return keep("date", value) if value else " \x01 "

    folded = _ISO_DATE.sub(lambda m: full_date(m[1], m[2], m[3]), folded)
    folded = _DOTTED_DATE.sub(lambda m: full_date(m[3], m[2], m[1]), folded)
    folded = _MONTH_YEAR.sub(
        lambda m: keep("monthyear", (int(m[2]), int(m[1]))) if 1 <= int(m[1]) <= 12 else " \x01 ",
        folded,
    )
    if "\x01" in folded:  # a date-shaped text that is no date: 31.02.2023
        return None
    tokens: list[_Token] = []
    for word in _TOKEN.findall(folded):
        token = found[int(word[2:])] if word.startswith("\x00") else _classify(word)
        if token is None:
            return None
        if token.kind != "filler":
            tokens.append(token)
    return tokens


def _classify(word: str) -> _Token | None:
    if word == "-":
        return _Token("dash")
    if word.isdigit():
        return _classify_number(word)
    if set(word) <= {"і", "i", "v"}:  # Roman numerals, Kazakh texts write І in Cyrillic
        roman = _ROMAN.get(word.replace("і", "i"))
        return _Token("ord", roman) if roman else None
    for kind, lookup in _LOOKUPS:
        value = lookup(word)
        if value is not None:
            return _Token(kind, value)
    return None


def _classify_number(word: str) -> _Token | None:
    number = int(word)
    if len(word) == 4 and 1900 <= number <= 2100:
        return _Token("year", number)
    if len(word) <= 2 and 1 <= number <= 31:
        return _Token("num", number)
    return None


def _month(word: str) -> int | None:
    if word in _EN_MONTHS:
        return _EN_MONTHS[word]
    if word in _RU_MAY:
        return 5
    return next((n for stem, n in _MONTH_STEMS if word.startswith(stem)), None)


def _ordinal(word: str) -> int | None:
    if word in _ORDINALS:
        return _ORDINALS[word]
    return next((n for stem, n in _ORDINAL_STEMS if word.startswith(stem)), None)


def _is(words: set[str], stems: tuple[str, ...] = ()) -> Callable[[str], object]:
    def check(word: str) -> bool | None:
        return True if word in words or (stems and word.startswith(stems)) else None

    return check


# Checked in order: a month before an ordinal ("мая" is no ordinal), range words
# before fillers ("до" between two years makes a range).
_LOOKUPS: tuple[tuple[str, Callable[[str], object]], ...] = (
    ("month", _month),
    ("ord", _ordinal),
    ("quarter", _is(_QUARTER_WORDS, _QUARTER_STEMS)),
    ("half", _is(_HALF_WORDS, _HALF_STEMS)),
    ("recurring", _is(_RECURRING_WORDS, _RECURRING_STEMS)),
    ("yearword", _is(_YEAR_WORDS)),
    ("end", _is(_END_WORDS)),
    ("current", _is(_CURRENT_WORDS)),
    ("to", _is(_RANGE_WORDS)),
    ("filler", _is(_FILLER)),
)


# --- meaning ------------------------------------------------------------------------


def _interpret(tokens: list[_Token], text: str, today: date | None) -> Period | None:
    kinds = [t.kind for t in tokens]
    if "recurring" in kinds:
        return _recurring(tokens, text)
    # Words that only connect may appear anywhere; everything else must be used.
    meaningful = [t for t in tokens if t.kind not in ("dash", "to", "yearword", "end")]
    shape = sorted(t.kind for t in meaningful)
    for wanted, build in _SHAPES:
        if shape == wanted:
            return build(tokens, meaningful, text, today)
    return None


def _values(tokens: list[_Token], kind: str) -> list[object]:
    return [t.value for t in tokens if t.kind == kind]


def _one_date(tokens: list[_Token], used: list[_Token], text: str, _: date | None) -> Period:
    day = used[0].value
    assert isinstance(day, date)
    return Period(day, day, "day", text)


def _two_dates(
    tokens: list[_Token], used: list[_Token], text: str, _: date | None
) -> Period | None:
    first, last = (t.value for t in used)
    assert isinstance(first, date) and isinstance(last, date)
    if not _joined(tokens, "date") or first >= last:
        return None
    return Period(first, last, "day", text)


def _numeric_month(
    tokens: list[_Token], used: list[_Token], text: str, _: date | None
) -> Period | None:
    value = used[0].value
    assert isinstance(value, tuple)
    year, month = value
    return _month_period(year, month, text)


def _month_year(
    tokens: list[_Token], used: list[_Token], text: str, _: date | None
) -> Period | None:
    (month,), (year,) = _values(used, "month"), _values(used, "year")
    assert isinstance(month, int) and isinstance(year, int)
    return _month_period(year, month, text)


def _day_month_year(
    tokens: list[_Token], used: list[_Token], text: str, _: date | None
) -> Period | None:
    (day,), (month,), (year,) = _values(used, "num"), _values(used, "month"), _values(used, "year")
    assert isinstance(day, int) and isinstance(month, int) and isinstance(year, int)
    value = _safe_date(year, month, day)
    return Period(value, value, "day", text) if value else None


def _quarter(tokens: list[_Token], used: list[_Token], text: str, _: date | None) -> Period | None:
    number = _part_number(used)
    (year,) = _values(used, "year")
    assert isinstance(year, int)
    if number is None or not 1 <= number <= 4:
        return None
    first_month = 3 * number - 2
    return Period(date(year, first_month, 1), _month_end(year, first_month + 2), "quarter", text)


def _half(tokens: list[_Token], used: list[_Token], text: str, _: date | None) -> Period | None:
    number = _part_number(used)
    (year,) = _values(used, "year")
    assert isinstance(year, int)
    if number not in (1, 2):
        return None
    first_month = 1 if number == 1 else 7
    return Period(date(year, first_month, 1), _month_end(year, first_month + 5), "half", text)


def _part_number(used: list[_Token]) -> int | None:
    """The number of a quarter or half: "Q3", "3rd", "III", "третий", "3-тоқсан"."""
    numbers = _values(used, "ord") + _values(used, "num")
    return numbers[0] if len(numbers) == 1 and isinstance(numbers[0], int) else None


def _year(tokens: list[_Token], used: list[_Token], text: str, _: date | None) -> Period:
    (year,) = _values(used, "year")
    assert isinstance(year, int)
    return Period(date(year, 1, 1), date(year, 12, 31), "year", text)


def _years(tokens: list[_Token], used: list[_Token], text: str, _: date | None) -> Period | None:
    first, last = _values(used, "year")
    assert isinstance(first, int) and isinstance(last, int)
    if not _joined(tokens, "year") or first > last:
        return None
    if first == last:
        return Period(date(first, 1, 1), date(first, 12, 31), "year", text)
    return Period(date(first, 1, 1), date(last, 12, 31), "years", text)


def _this_year(
    tokens: list[_Token], used: list[_Token], text: str, today: date | None
) -> Period | None:
    """ "By the end of the (current) year", "до конца текущего года": the reference year."""
    kinds = {t.kind for t in tokens}
    if "yearword" not in kinds or not kinds & {"end", "current"}:
        return None
    # Without a reference date, today in UTC: a year is wide enough for that.
    year = (today or datetime.now(UTC).date()).year
    return Period(date(year, 1, 1), date(year, 12, 31), "year", text)


def _recurring(tokens: list[_Token], text: str) -> Period | None:
    """ "Annually", "ежегодно", "жыл сайын": no single deadline, unless years are named."""
    # "Annually, by 25 December": the day and month repeat, so only years give dates.
    allowed = {
        "recurring", "yearword", "quarter", "half", "month", "num", "ord", "year", "dash", "to",
        "end", "current",
    }  # fmt: skip
    if any(t.kind not in allowed for t in tokens):
        return None
    years = [v for v in _values(tokens, "year") if isinstance(v, int)]
    if not years:
        return Period(None, None, "recurring", text, recurring=True)
    if len(years) > 2 or (len(years) == 2 and not _joined(tokens, "year")):
        return None
    first, last = years[0], years[-1]
    if first > last:
        return None
    precision = "year" if first == last else "years"
    return Period(date(first, 1, 1), date(last, 12, 31), precision, text, recurring=True)


def _joined(tokens: list[_Token], kind: str) -> bool:
    """Two values of ``kind`` with only a dash or "to"/"по"/"дейін" between them."""
    positions = [i for i, t in enumerate(tokens) if t.kind == kind]
    between = tokens[positions[0] + 1 : positions[1]]
    return bool(between) and all(t.kind in ("dash", "to") for t in between)


_Build = Callable[[list[_Token], list[_Token], str, date | None], Period | None]
# The sorted token kinds (connecting words left out) of each shape, and its reader.
_SHAPES: tuple[tuple[list[str], _Build], ...] = (
    (["date"], _one_date),
    (["date", "date"], _two_dates),
    (["monthyear"], _numeric_month),
    (["month", "year"], _month_year),
    (["month", "num", "year"], _day_month_year),
    (["ord", "quarter", "year"], _quarter),
    (["num", "quarter", "year"], _quarter),
    (["half", "ord", "year"], _half),
    (["half", "num", "year"], _half),
    (["year"], _year),
    (["year", "year"], _years),
    ([], _this_year),
    (["current"], _this_year),
)


# --- dates ---------------------------------------------------------------------------


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _month_period(year: int, month: int, text: str) -> Period | None:
    if not 1 <= month <= 12:
        return None
    return Period(date(year, month, 1), _month_end(year, month), "month", text)
