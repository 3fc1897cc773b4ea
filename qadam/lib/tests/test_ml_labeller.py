"""The linear labeller, the model bundle and input checks, on synthetic texts made here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qadam.lib.ml.bundle import Bundle, Examples
from qadam.lib.ml.inputs import check_text, guess_language
from qadam.lib.ml.linear import LinearLabeller
from qadam.lib.ml.types import ModelFileError

SYNTHETIC = {
    "water": [f"Ensure safe drinking water and sanitation for village {n}" for n in range(12)],
    "prisons": [f"Improve detention conditions in prison number {n}" for n in range(12)],
    "schools": [f"Build schools and train teachers in district {n}" for n in range(12)],
}


def synthetic_examples() -> Examples:
    ex = Examples()
    for term, texts in SYNTHETIC.items():
        for text in texts:
            ex.add(text, {term})
    ex.add("A rare synthetic topic seen twice", {"rare"})
    ex.add("Another rare synthetic topic", {"rare"})
    return ex


@pytest.fixture(scope="module")
def model() -> LinearLabeller:
    ex = synthetic_examples()
    trained, _ = LinearLabeller.train("syn-topic", ex.texts, ex.labels)
    return trained


def test_a_clear_text_gets_its_term_with_the_words_that_weighed(model: LinearLabeller) -> None:
    [found] = model.suggest(["Bring drinking water and sanitation to rural villages"])
    assert [s.term for s in found] == ["water"]
    assert 0.0 < found[0].score <= 1.0
    assert found[0].reasons[0].kind == "terms"
    assert "water" in found[0].reasons[0].detail


def test_a_term_with_too_few_examples_is_skipped_and_reported(model: LinearLabeller) -> None:
    assert "rare" not in model.terms
    assert model.skipped == {"rare": 2}


def test_saved_and_loaded_models_give_identical_probabilities(
    model: LinearLabeller, tmp_path: Path
) -> None:
    model.save(tmp_path)
    again = LinearLabeller.load(tmp_path, "syn-topic")
    texts = ["water for villages", "prison conditions", ""]
    assert np.allclose(model.probabilities(texts), again.probabilities(texts))


def test_a_missing_model_file_names_the_file_and_the_way_out(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError) as caught:
        LinearLabeller.load(tmp_path, "syn-topic")
    assert "syn-topic.json" in str(caught.value)
    assert "qadam train" in str(caught.value)


def test_a_corrupt_weights_file_is_named(model: LinearLabeller, tmp_path: Path) -> None:
    model.save(tmp_path)
    (tmp_path / "syn-topic.npz").write_bytes(b"not a zip file")
    with pytest.raises(ModelFileError, match=r"syn-topic\.npz.*unreadable"):
        LinearLabeller.load(tmp_path, "syn-topic")


def trained_bundle() -> Bundle:
    return Bundle.train("syn-1", {"syn-topic": synthetic_examples()}, data_dir=None)


def test_a_bundle_round_trips_and_labels_the_same(tmp_path: Path) -> None:
    bundle = trained_bundle()
    assert bundle.save(tmp_path) > 0
    again = Bundle.load(tmp_path)
    text = ["Train teachers and build schools in every district"]
    assert [s.term for s in again.classify(text)[0].suggestions] == ["schools"]
    assert again.version == "syn-1"


def test_a_tampered_bundle_file_fails_its_checksum_by_name(tmp_path: Path) -> None:
    trained_bundle().save(tmp_path)
    weights = tmp_path / "linear" / "syn-topic.npz"
    weights.write_bytes(weights.read_bytes()[:-10])
    with pytest.raises(ModelFileError, match=r"syn-topic\.npz.*checksum"):
        Bundle.load(tmp_path)


def test_a_missing_manifest_suggests_training(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match=r"manifest\.json.*qadam train"):
        Bundle.load(tmp_path)


def test_a_taxonomy_with_too_few_examples_gets_a_note_not_a_model() -> None:
    few = Examples()
    few.add("One synthetic example", {"a"})
    bundle = Bundle.train("syn-2", {"syn-few": few}, data_dir=None)
    assert bundle.linear == {}
    assert bundle.manifest["training"]["syn-few"]["note"] == "too-few-examples"


def test_empty_foreign_and_huge_texts_get_notes_not_crashes() -> None:
    bundle = trained_bundle()
    huge = "drinking water for villages " * 40000  # about 1 MB
    empty, chinese, big = bundle.classify(["  ", "饮用水和卫生设施", huge], max_chars=20000)
    assert (empty.suggestions, empty.notes) == ([], ["empty"])
    assert (chinese.suggestions, chinese.notes) == ([], ["unsupported-script"])
    assert big.notes[0] == "truncated" and [s.term for s in big.suggestions] == ["water"]


def test_russian_text_says_the_model_has_no_russian_examples() -> None:
    [result] = trained_bundle().classify(["Обеспечить доступ к питьевой воде в сёлах"])
    assert "no-ru-examples:syn-topic" in result.notes


def test_language_guess_tells_kazakh_russian_and_english_apart() -> None:
    assert guess_language("Ауыл тұрғындарына таза су беру") == "kk"
    assert guess_language("Обеспечить доступ к воде") == "ru"
    assert guess_language("Ensure access to water") == "en"


def test_check_text_keeps_mixed_scripts_when_most_letters_are_known() -> None:
    assert check_text("Water 水 for all villages", 100).usable
    assert check_text(None, 100).problem == "empty"
    assert json.dumps(check_text("x" * 5, 3).__dict__) == '{"text": "xxx", "problem": "truncated"}'
