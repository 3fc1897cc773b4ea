"""SdgScorer trained on the real SDG titles only (no query phrases, no OHCHR lists), so it
trains in seconds; the full model is measured by bench/accuracy_sdg.py."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from qadam.lib.ml.sdg import SdgScorer
from qadam.lib.ml.types import SDG_GOAL, SDG_TARGET, ModelFileError

REPO = Path(__file__).resolve().parents[3]
DATA = Path(os.environ.get("QADAM_DATA_DIR", REPO / ".." / "shared" / "data"))
TITLES = DATA / "sdg" / "translations"

pytestmark = pytest.mark.skipif(not TITLES.is_dir(), reason="needs the SDG titles (QADAM_DATA_DIR)")

SENTENCES = [
    ("End violence against women and girls and eliminate child marriage", "en", "5"),
    ("Обеспечить всеобщий доступ к безопасной питьевой воде и санитарии", "ru", "6"),
    ("Барлық балаларға тегін және сапалы бастауыш және орта білім беру", "kk", "4"),
]


@pytest.fixture(scope="module")
def scorer(tmp_path_factory: pytest.TempPathFactory) -> SdgScorer:
    data_dir = tmp_path_factory.mktemp("data")
    (data_dir / "sdg").mkdir()
    (data_dir / "sdg" / "translations").symlink_to(TITLES)
    return SdgScorer.train(data_dir)


@pytest.mark.parametrize(("text", "lang", "goal"), SENTENCES)
def test_an_obvious_sentence_lands_on_its_goal_with_a_reason(scorer, text, lang, goal):
    probs = scorer.goal_probabilities([text], [lang])
    assert probs.shape == (1, 17)
    assert str(int(np.argmax(probs[0])) + 1) == goal
    suggestions = scorer.suggest([text], [lang])[0]
    top = next(s for s in suggestions if s.taxonomy == SDG_GOAL)
    assert top.term == goal
    assert top.reasons
    assert {r.kind for r in top.reasons} >= {"title"}


def test_language_is_guessed_when_not_given(scorer):
    text, _, goal = SENTENCES[2]
    suggestions = scorer.suggest([text])[0]
    assert suggestions[0].term == goal
    title = next(r for r in suggestions[0].reasons if r.kind == "title")
    assert any(ch in title.detail for ch in "әғқңөұүі")


def test_target_probabilities_follow_the_goal(scorer):
    probs = scorer.target_probabilities([SENTENCES[0][0]])
    assert probs.shape == (1, len(scorer.targets)) == (1, 169)
    assert scorer.targets[int(np.argmax(probs[0]))].startswith("5.")
    targets = [s for s in scorer.suggest([SENTENCES[0][0]])[0] if s.taxonomy == SDG_TARGET]
    assert targets and targets[0].term.startswith("5.")


def test_save_and_load_give_identical_probabilities(scorer, tmp_path):
    paths = scorer.save(tmp_path)
    assert all(p.exists() for p in paths)
    loaded = SdgScorer.load(tmp_path)
    texts = [s[0] for s in SENTENCES]
    for method in ("goal_probabilities", "target_probabilities"):
        expected = getattr(scorer, method)(texts)
        np.testing.assert_array_equal(getattr(loaded, method)(texts), expected)
    np.testing.assert_array_equal(loaded.thresholds, scorer.thresholds)


def test_load_from_an_empty_folder_names_the_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="sdg-scorer"):
        SdgScorer.load(tmp_path)


def test_load_of_a_corrupt_file_names_it(scorer, tmp_path):
    scorer.save(tmp_path)
    (tmp_path / "sdg-scorer.npz").write_bytes(b"not a zip")
    with pytest.raises(ModelFileError, match=r"sdg-scorer\.npz"):
        SdgScorer.load(tmp_path)
    scorer.save(tmp_path)
    (tmp_path / "sdg-scorer.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(ModelFileError, match=r"sdg-scorer\.json"):
        SdgScorer.load(tmp_path)


def test_empty_text_gives_no_suggestions(scorer):
    assert scorer.suggest(["", "   ", "12345"]) == [[], [], []]
    assert scorer.suggest([]) == []
    assert scorer.goal_probabilities([""]).sum() == 0
