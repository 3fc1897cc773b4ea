"""`qadam train`, `models`, `classify`, `label` and `find_overlaps`, through call_command,
on the tiny synthetic model of conftest.py."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from qadam.labelling import engine
from qadam.labelling.actions import do_continue_run, do_decide_suggestions, do_start_run
from qadam.labelling.models import LabellingRun, ModelVersion, OverlapGroup
from qadam.labelling.tests.conftest import TAXONOMY, Scene
from qadam.registry.models import Label
from qadam.registry.tests import factories as f


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def test_classify_writes_the_documented_shape(trained: Scene, tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"id": "a", "text": "Provide safe drinking water to villages"},
            {"id": 7, "text": "Reduce overcrowding in prisons", "lang": "en"},
        ],
    )
    run("classify", "--input", str(source), "--output", str(tmp_path / "out.jsonl"))
    lines = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [x["id"] for x in lines] == ["a", 7]
    assert lines[0]["model_version"] == trained.version.name
    assert lines[0]["labels"][0]["taxonomy"] == TAXONOMY
    assert lines[0]["labels"][0]["term"] == "Access to clean water"  # the exact name
    assert 0 < lines[0]["labels"][0]["score"] <= 1
    assert set(lines[1]) == {"id", "labels", "model_version"}


def test_classify_notes_empty_and_foreign_texts(trained: Scene, tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl", [{"id": 1, "text": ""}, {"id": 2, "text": "饮用水和卫生设施"}]
    )
    run("classify", "--input", str(source), "--output", str(tmp_path / "out.jsonl"))
    lines = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [(x["labels"], x["notes"]) for x in lines] == [
        ([], ["empty"]),
        ([], ["unsupported-script"]),
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 2: not valid JSON"),
        ('{"text": "no id"}', "line 2, field id: missing"),
        ('{"id": 2}', "line 2, field text: missing or not a string"),
        ('{"id": 2, "text": "x", "lang": "de"}', "line 2, field lang: 'de' is not en, ru or kk"),
        ("[1, 2]", "line 2: expected a JSON object"),
    ],
)
def test_classify_names_the_file_line_and_field_of_bad_input(
    trained: Scene, tmp_path: Path, line: str, message: str
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": 1, "text": "water"}, line])
    with pytest.raises(CommandError, match=message):
        run("classify", "--input", str(source), "--output", str(tmp_path / "out.jsonl"))
    assert not (tmp_path / "out.jsonl").exists()


def test_classify_without_a_model_says_to_train_first(
    db: None, model_dir: Path, tmp_path: Path
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": 1, "text": "water"}])
    with pytest.raises(CommandError, match="run `qadam train` first"):
        run("classify", "--input", str(source), "--output", str(tmp_path / "out.jsonl"))


def test_classify_with_a_corrupt_model_names_the_file(
    trained: Scene, model_dir: Path, tmp_path: Path
) -> None:
    weights = model_dir / trained.version.name / "linear" / f"{TAXONOMY}.npz"
    weights.write_bytes(b"broken")
    engine.forget_loaded()  # a fresh process, as the command would be
    source = write_jsonl(tmp_path / "in.jsonl", [{"id": 1, "text": "water"}])
    with pytest.raises(CommandError, match=rf"{TAXONOMY}\.npz.*qadam train"):
        run("classify", "--input", str(source), "--output", str(tmp_path / "out.jsonl"))


def test_train_again_then_roll_back_to_the_first_version(
    trained: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qadam.labelling.actions import do_train

    second = do_train(None, data_dir=None)
    assert ModelVersion.objects.get(active=True) == second
    out = run("models", "--activate", trained.version.name)
    assert f"{trained.version.name} is now active" in out
    assert ModelVersion.objects.get(active=True) == trained.version
    listing = run("models")
    assert f"* {trained.version.name}" in listing and f"  {second.name}" in listing


def test_rolling_back_to_an_unknown_version_is_refused(trained: Scene) -> None:
    with pytest.raises(CommandError, match="no model version named 'nope'"):
        run("models", "--activate", "nope")


def test_label_command_suggests_with_reasons_and_the_model_version(trained: Scene) -> None:
    doc = f.document("A/HRC/SYN/CMD")
    rec = f.recommendation("Guarantee clean drinking water in every village", doc, "300.1")
    out = run("label", "--document", str(doc.pk), "--verbosity", "0")
    assert "1 recommendations" in out
    [label] = Label.objects.filter(recommendation=rec, provenance=Label.Provenance.MODEL)
    assert (label.term.code, label.source, label.status) == (
        "water",
        trained.version.name,
        Label.Status.SUGGESTED,
    )
    assert label.reasons and label.reasons[0]["kind"] == "terms"


def test_a_decision_survives_a_later_labelling_run(trained: Scene) -> None:
    suggestion = Label.objects.get(recommendation=trained.water_rec, term__code="water")
    do_decide_suggestions(trained.admin, [suggestion], accept=False)
    run("label", "--verbosity", "0")
    again = Label.objects.filter(recommendation=trained.water_rec, term__code="water")
    assert [(x.status, x.decided_by) for x in again] == [(Label.Status.REJECTED, trained.admin)]


def test_a_stopped_run_resumes_where_it_stopped_without_duplicates(trained: Scene) -> None:
    run_ = do_start_run(trained.admin)
    do_continue_run(run_, batch=10, limit=1)  # a worker killed after one batch
    assert (run_.status, run_.done) == (LabellingRun.Status.RUNNING, 10)
    out = run("label", "--resume", str(run_.pk), "--verbosity", "0")
    run_.refresh_from_db()
    assert run_.status == LabellingRun.Status.DONE and run_.done == run_.total
    assert f"labelling run {run_.pk}" in out
    pairs = list(
        Label.objects.filter(provenance=Label.Provenance.MODEL).values_list(
            "recommendation_id", "term_id", "source"
        )
    )
    assert len(pairs) == len(set(pairs))


def test_find_overlaps_groups_the_same_demand_once(db: None) -> None:
    doc = f.document("A/HRC/SYN/OVL")
    a = f.recommendation("Ratify the Optional Protocol to the Convention against Torture", doc, "1")
    b = f.recommendation(
        "Ratify the Optional Protocol to the Convention against Torture (OPCAT)", doc, "2"
    )
    f.recommendation("Build schools in rural districts", doc, "3")
    assert "1 new overlap groups" in run("find_overlaps")
    assert "0 new overlap groups" in run("find_overlaps")
    [group] = OverlapGroup.objects.all()
    assert set(group.members.values_list("pk", flat=True)) == {a.pk, b.pk}
