"""Timeframes as plans write them, in English, Russian and Kazakh, read into periods."""

from __future__ import annotations

from datetime import date

import pytest

from qadam.lib.periods import PRECISIONS, Period, parse_timeframe

ADOPTED = date(2022, 4, 28)  # decree No. 258: the reference for year-less phrases

D = date


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        # English, as in the 2022 Follow-up Plan and elsewhere
        ("By the end of 2023", D(2023, 1, 1), D(2023, 12, 31), "year"),
        ("By the end of 2022", D(2022, 1, 1), D(2022, 12, 31), "year"),
        ("August 2022", D(2022, 8, 1), D(2022, 8, 31), "month"),
        ("by August 2022", D(2022, 8, 1), D(2022, 8, 31), "month"),
        ("2023", D(2023, 1, 1), D(2023, 12, 31), "year"),
        ("Q3 2024", D(2024, 7, 1), D(2024, 9, 30), "quarter"),
        ("3rd quarter of 2024", D(2024, 7, 1), D(2024, 9, 30), "quarter"),
        ("first half of 2024", D(2024, 1, 1), D(2024, 6, 30), "half"),
        ("H2 2025", D(2025, 7, 1), D(2025, 12, 31), "half"),
        ("2024–2026", D(2024, 1, 1), D(2026, 12, 31), "years"),
        ("2024 to 2026", D(2024, 1, 1), D(2026, 12, 31), "years"),
        ("2022-2023 years", D(2022, 1, 1), D(2023, 12, 31), "years"),
        ("December 31, 2023", D(2023, 12, 31), D(2023, 12, 31), "day"),
        ("31 December 2023", D(2023, 12, 31), D(2023, 12, 31), "day"),
        ("31.12.2023", D(2023, 12, 31), D(2023, 12, 31), "day"),
        ("2023-12-31", D(2023, 12, 31), D(2023, 12, 31), "day"),
        ("01.01.2023 – 30.06.2023", D(2023, 1, 1), D(2023, 6, 30), "day"),
        ("08.2022", D(2022, 8, 1), D(2022, 8, 31), "month"),
        ("May 2023", D(2023, 5, 1), D(2023, 5, 31), "month"),
        ("February 2024", D(2024, 2, 1), D(2024, 2, 29), "month"),
        ("by the end of the year", D(2022, 1, 1), D(2022, 12, 31), "year"),
        # Russian
        ("до конца 2023 года", D(2023, 1, 1), D(2023, 12, 31), "year"),
        ("в течение 2023 года", D(2023, 1, 1), D(2023, 12, 31), "year"),
        ("2023 год", D(2023, 1, 1), D(2023, 12, 31), "year"),
        ("декабрь 2023 года", D(2023, 12, 1), D(2023, 12, 31), "month"),
        ("мая 2023 г.", D(2023, 5, 1), D(2023, 5, 31), "month"),
        ("IV квартал 2023 года", D(2023, 10, 1), D(2023, 12, 31), "quarter"),
        ("3 квартал 2024 г.", D(2024, 7, 1), D(2024, 9, 30), "quarter"),
        ("I полугодие 2024 года", D(2024, 1, 1), D(2024, 6, 30), "half"),
        ("второе полугодие 2024 года", D(2024, 7, 1), D(2024, 12, 31), "half"),
        ("31 декабря 2023 года", D(2023, 12, 31), D(2023, 12, 31), "day"),
        ("не позднее 1 июля 2023 года", D(2023, 7, 1), D(2023, 7, 1), "day"),
        ("2022–2023 годы", D(2022, 1, 1), D(2023, 12, 31), "years"),
        ("с 2022 по 2024 год", D(2022, 1, 1), D(2024, 12, 31), "years"),
        ("до конца текущего года", D(2022, 1, 1), D(2022, 12, 31), "year"),
        # Kazakh (Roman numerals written with the Cyrillic І too)
        ("2023 жылдың соңына дейін", D(2023, 1, 1), D(2023, 12, 31), "year"),
        ("2023 жыл ішінде", D(2023, 1, 1), D(2023, 12, 31), "year"),
        ("2023 жылғы желтоқсан", D(2023, 12, 1), D(2023, 12, 31), "month"),
        ("2023 жылғы желтоқсанға дейін", D(2023, 12, 1), D(2023, 12, 31), "month"),
        ("2023 жылдың IV тоқсаны", D(2023, 10, 1), D(2023, 12, 31), "quarter"),
        ("2023 жылдың ІV тоқсаны", D(2023, 10, 1), D(2023, 12, 31), "quarter"),
        ("2024 жылғы 3-тоқсан", D(2024, 7, 1), D(2024, 9, 30), "quarter"),
        ("2024 жылдың бірінші жартыжылдығы", D(2024, 1, 1), D(2024, 6, 30), "half"),
        ("2023 жылғы 31 желтоқсан", D(2023, 12, 31), D(2023, 12, 31), "day"),
        ("2022-2023 жылдар", D(2022, 1, 1), D(2023, 12, 31), "years"),
    ],
)
def test_timeframes_become_periods(text: str, start: date, end: date, precision: str) -> None:
    period = parse_timeframe(text, today=ADOPTED)
    assert period == Period(start, end, precision, text)
    assert period.deadline == end
    assert precision in PRECISIONS


@pytest.mark.parametrize(
    "text",
    [
        "annually",
        "Annually",
        "yearly",
        "on an ongoing basis",
        "ежегодно",
        "ежеквартально",
        "постоянно",
        "на постоянной основе",
        "жыл сайын",
        "тұрақты",
        "ежегодно, до 25 декабря",
    ],
)
def test_recurring_timeframes_have_no_single_deadline(text: str) -> None:
    period = parse_timeframe(text)
    assert period is not None
    assert period.recurring and period.precision == "recurring"
    assert period.start is None and period.deadline is None


def test_recurring_within_named_years_keeps_them() -> None:
    period = parse_timeframe("annually, 2022–2024")
    assert period == Period(D(2022, 1, 1), D(2024, 12, 31), "years", "annually, 2022–2024", True)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Proposal to the Presidential Administration",
        "soon",
        "after the elections",
        "2022 and 2024",  # two years, but no range
        "2026-2024",  # a range backwards
        "31.02.2023",  # no such day
        "2023-13-01",
        "Q5 2024",
        "third half of 2024",
        "August",  # no year
        "by the end of",
        "15 2023",
        "IV квартал",
        "2023 жылдың соңына дейін және 2024",
        "12345",
        "Q3 2024 and December 2024",
        "квартал декабрь 2023",
    ],
)
def test_unreadable_timeframes_are_none_never_a_guess(text: str) -> None:
    assert parse_timeframe(text, today=ADOPTED) is None


def test_the_original_text_is_kept_with_spaces_tidied() -> None:
    period = parse_timeframe("  By the end\nof 2023 ")
    assert period is not None and period.text == "By the end of 2023"
    assert period.to_json() == {
        "start": "2023-01-01",
        "end": "2023-12-31",
        "precision": "year",
        "text": "By the end of 2023",
        "recurring": False,
    }


def test_year_less_phrases_count_from_the_reference_date() -> None:
    assert parse_timeframe("до конца года", today=D(2019, 3, 1)) == Period(
        D(2019, 1, 1), D(2019, 12, 31), "year", "до конца года"
    )
    # Without a reference date: this year (no crash, no guess beyond the year).
    period = parse_timeframe("by the end of the year")
    assert period is not None and period.precision == "year"
