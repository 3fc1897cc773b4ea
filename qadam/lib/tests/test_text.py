import pytest

from qadam.lib.text import (
    capitalise_first,
    collapse_whitespace,
    fold_typography,
    normalise_for_match,
    similarity,
    strip_latin_accents,
    token_set_ratio,
    tokens,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ratify the OP-CAT.", "ratify the op-cat"),
        ("  Ratify   the\nOP–CAT ;  ", "ratify the op-cat"),
        ("Kazakhstan’s “non-traditional” groups", 'kazakhstan\'s "non-traditional" groups'),
        ("Côte d’Ivoire", "cote d'ivoire"),
        ("ﬁnancial ﬂows", "financial flows"),  # ligatures from PDF extraction
        ("Adopt a law — soon", "adopt a law-soon"),
        ("self - determination", "self-determination"),
        ("(Brazil);", "(brazil)"),
        ("", ""),
    ],
)
def test_normalise_for_match(raw, expected):
    assert normalise_for_match(raw) == expected


def test_normalise_equal_texts_from_different_sources():
    report = "Take effective measures to ensure freedom of expression;"
    upr_info = "take effective measures to ensure freedom of expression. "
    assert normalise_for_match(report) == normalise_for_match(upr_info)


def test_fold_typography_keeps_case_and_letters():
    assert fold_typography("“Ratify” – now’s ﬁne") == '"Ratify" - now\'s fine'


def test_strip_latin_accents_leaves_cyrillic_letters_whole():
    assert strip_latin_accents("Élaborer à Genève") == "Elaborer a Geneve"
    assert strip_latin_accents("Қазақстан й ё") == "Қазақстан й ё"


def test_collapse_whitespace():
    assert collapse_whitespace(" a\t b\n\n c\u00a0d ") == "a b c d"


def test_similarity():
    a = "Abolish the death penalty for all crimes"
    assert similarity(a, a.upper() + ".") == 1.0
    assert similarity(a, "Abolish the death penalty for all crime") > 0.95
    assert similarity(a, "Ratify the Convention on the Rights of Persons with Disabilities") < 0.5
    assert similarity("", "") == 1.0


def test_token_set_ratio_spots_a_split_recommendation():
    whole = "Ratify the OP-CAT and establish a national preventive mechanism"
    assert token_set_ratio("Ratify the OP-CAT", whole) == 1.0
    assert token_set_ratio("Combat trafficking", whole) == 0.0
    assert token_set_ratio("", "") == 1.0


def test_tokens():
    assert tokens("Ratify OP-CAT (Chile);") == ["ratify", "op", "cat", "chile"]


def test_capitalise_first():
    assert capitalise_first("to ratify ICCPR") == "To ratify ICCPR"
    assert capitalise_first("“to ratify”") == "“To ratify”"
    assert capitalise_first("") == ""
