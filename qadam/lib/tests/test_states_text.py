import pytest

from qadam.lib.records import LabelRef
from qadam.lib.states_text import (
    normalise_response,
    parse_sdg,
    sdg_labels,
    split_recommendation,
    split_states,
    strip_bullet,
)


@pytest.mark.parametrize(
    ("text", "states"),
    [
        ("140.7 Ratify the Convention (Maldives) (Portugal);", ["Maldives", "Portugal"]),
        ("Ratify the Convention (Brazil, Chile)", ["Brazil", "Chile"]),
        ("(Maldives) (Portugal)", ["Maldives", "Portugal"]),
        ("Ratify it (Iran (Islamic Republic of));", ["Iran (Islamic Republic of)"]),
        (
            "Ratify ICRMW (Senegal, Sierra Leone, Venezuela (Bolivarian Republic of),"
            "Peru, Uruguay);",
            ["Senegal", "Sierra Leone", "Venezuela (Bolivarian Republic of)", "Peru", "Uruguay"],
        ),
        ("Establish conventions (Nigeria).", ["Nigeria"]),
        ("Do more (Côte d’Ivoire)", ["Côte d’Ivoire"]),
        (
            "Do more (the former Yugoslav Republic of Macedonia);",
            ["the former Yugoslav Republic of Macedonia"],
        ),
        ("Do more (France) (France)", ["France"]),
        ("No parentheses at all", []),
        ("", []),
    ],
)
def test_split_states(text, states):
    assert split_states(text) == states


def test_a_treaty_number_before_the_states_stays_in_the_text():
    text, states = split_recommendation(
        "Ratify the Protocol to the Forced Labour Convention, 1930 (No. 29) "
        "(United Kingdom of Great Britain and Northern Ireland);"
    )
    assert text == "Ratify the Protocol to the Forced Labour Convention, 1930 (No. 29)"
    assert states == ["United Kingdom of Great Britain and Northern Ireland"]


def test_an_acronym_before_the_states_stays_in_the_text():
    text, states = split_recommendation(
        "Ratify the Convention on Migrant Workers (ICRMW) (Iran (Islamic Republic of)); "
    )
    assert text == "Ratify the Convention on Migrant Workers (ICRMW)"
    assert states == ["Iran (Islamic Republic of)"]


def test_merged_formulations_give_every_state_and_keep_the_inner_ones_in_the_text():
    text, states = split_recommendation(
        "Complete the ratification (Ukraine); Increase efforts towards ratification (Slovakia);"
    )
    assert states == ["Ukraine", "Slovakia"]
    assert text == "Complete the ratification (Ukraine); Increase efforts towards ratification"


def test_a_semicolon_inside_the_text_is_not_a_new_formulation():
    text, states = split_recommendation(
        "Strengthen the strategy against discrimination (2017–2021); and policies against "
        "hate speech (Bolivarian Republic of Venezuela);"
    )
    assert states == ["Bolivarian Republic of Venezuela"]
    assert "(2017–2021)" in text


def test_inner_parentheses_that_are_not_states_are_not_taken():
    _, states = split_recommendation("Act (see para. 3); then act more (Peru)")
    assert states == ["Peru"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Supported", "supported"),
        ("Accepted", "supported"),
        (" accepted ", "supported"),
        ("Noted", "noted"),
        ("supported-in-part", "supported-in-part"),
        ("Supported in part", "supported-in-part"),
        ("Partially supported", "supported-in-part"),
        ("Pending", "pending"),
        ("", ""),
        ("maybe", None),
    ],
)
def test_normalise_response(value, expected):
    assert normalise_response(value) == expected


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("16", ("sdg-goal", "16")),
        ("16.3", ("sdg-target", "16.3")),
        ("16.a", ("sdg-target", "16.a")),
        ("17.10", ("sdg-target", "17.10")),
        ("- 16 - PEACE, JUSTICE AND STRONG INSTITUTIONS", ("sdg-goal", "16")),
        ("- 1.4 - Equal rights to economic resources", ("sdg-target", "1.4")),
        ("SDG 5", ("sdg-goal", "5")),
        ("Goal 5: Gender equality", ("sdg-goal", "5")),
        ("05", ("sdg-goal", "5")),
        ("99", None),
        ("0", None),
        ("18", None),
        ("x.y", None),
        ("16.3.1", None),  # an indicator, not a target
        ("peace", None),
    ],
)
def test_parse_sdg(item, expected):
    assert parse_sdg(item) == expected


def test_a_target_label_brings_its_goal_once():
    labels = sdg_labels([("sdg-goal", "4"), ("sdg-target", "4.5"), ("sdg-target", "4.1")], "x")
    assert labels == [
        LabelRef("sdg-goal", "4", "x"),
        LabelRef("sdg-target", "4.5", "x"),
        LabelRef("sdg-target", "4.1", "x"),
    ]


def test_strip_bullet():
    assert strip_bullet("- Women & girls ") == "Women & girls"
    assert strip_bullet("•\u00a0Children") == "Children"
    assert strip_bullet("Right-to-know") == "Right-to-know"
