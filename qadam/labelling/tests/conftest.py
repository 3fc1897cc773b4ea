"""A tiny trained model and synthetic suggestions, shared by the labelling tests.

Everything here is invented: one synthetic taxonomy ("syn-topic") with three terms,
each with enough confirmed, imported examples for the linear labeller to learn."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from qadam.labelling import engine, linking
from qadam.labelling.models import ModelVersion
from qadam.registry.models import Label, Recommendation
from qadam.registry.tests import factories as f
from qadam.taxonomy.models import Term

TAXONOMY = "syn-topic"
TOPICS: dict[str, tuple[str, list[str]]] = {
    "water": (
        "Access to clean water",
        [
            "Ensure access to safe drinking water and sanitation in rural villages",
            "Improve the water supply and sanitation networks for rural households",
            "Guarantee clean drinking water to every village and school",
            "Invest in water pipes, wells and sanitation for remote villages",
            "Protect rivers and drinking water from industrial pollution",
            "Extend piped drinking water and sewage systems to rural areas",
            "Monitor the quality of drinking water in villages",
            "Provide safe water and toilets in rural schools and clinics",
            "Reduce water losses in old pipes and secure the drinking water supply",
            "Adopt a plan for rural water supply and sanitation",
            "Make drinking water affordable for poor rural households",
            "Repair village wells and water pipes damaged by floods",
            "Ensure sanitation and hygiene with clean water in villages",
            "Measure access to drinking water by region and village",
            "Fund rural water and sanitation infrastructure",
        ],
    ),
    "prisons": (
        "Conditions of detention",
        [
            "Improve conditions of detention in prisons and pre-trial facilities",
            "Reduce overcrowding in prisons and detention centres",
            "Ensure independent monitoring of prisons and places of detention",
            "Provide medical care to prisoners in detention facilities",
            "Investigate deaths in custody in prisons",
            "Separate pre-trial detainees from convicted prisoners in prisons",
            "Train prison staff on the rights of detainees",
            "Allow visits to detainees in prisons by families and lawyers",
            "Close the worst prisons and improve detention conditions",
            "Limit solitary confinement of prisoners in detention",
            "Grant the national preventive mechanism access to every prison",
            "Improve food and sanitation for prisoners in detention",
            "Publish statistics on prisoners and detention facilities",
            "Use alternatives to detention to reduce the prison population",
            "Protect detainees in prisons from violence by guards",
        ],
    ),
    "schools": (
        "Right to education",
        [
            "Ensure inclusive education for all children in schools",
            "Build more schools and train teachers in rural regions",
            "Guarantee free primary education and school enrolment for girls",
            "Reduce school dropout among children of migrant families",
            "Provide textbooks and teachers in minority languages at school",
            "Include human rights education in the school curriculum",
            "Make schools accessible to children with disabilities",
            "Increase the education budget and teacher salaries",
            "Ensure preschool education for every child",
            "Combat bullying of children in schools",
            "Offer secondary education to children in remote areas",
            "Train teachers in inclusive education methods",
            "Improve the quality of school education in villages",
            "Grant scholarships so that poor children stay in school",
            "Monitor school attendance of children from poor families",
        ],
    ),
}


@dataclass
class Scene:
    admin: Any
    version: ModelVersion
    terms: dict[str, Term]
    examples: dict[str, list[Recommendation]]
    # Unlabelled recommendations the model suggests for, with their suggestions.
    water_rec: Recommendation
    prison_rec: Recommendation


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    # Test databases roll back and reuse ids and version names: forget what was loaded.
    f.forget_caches()
    linking.reset()
    engine.forget_loaded()
    yield
    f.forget_caches()
    linking.reset()
    engine.forget_loaded()


@pytest.fixture
def model_dir(settings: Any, tmp_path: Path) -> Path:
    settings.QADAM_MODEL_DIR = tmp_path / "models"
    return Path(settings.QADAM_MODEL_DIR)


def build_examples() -> tuple[dict[str, Term], dict[str, list[Recommendation]]]:
    doc = f.document("A/HRC/SYN/LAB")
    terms = {code: f.term(TAXONOMY, code, {"en": name}) for code, (name, _) in TOPICS.items()}
    examples: dict[str, list[Recommendation]] = {}
    for code, (_, texts) in TOPICS.items():
        for n, text in enumerate(texts, 1):
            rec = f.recommendation(text, doc, f"{code[:2]}.{n}")
            f.label(rec, terms[code], source="synthetic-import")
            examples.setdefault(code, []).append(rec)
    return terms, examples


@pytest.fixture
def trained(personas: dict[str, Any], model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Scene:
    """A trained, active tiny model and two unlabelled recommendations it labelled."""
    from qadam.labelling.actions import do_suggest, do_train

    # The SDG scorer reads the shared data folder and takes seconds: not needed here.
    monkeypatch.setattr("qadam.lib.ml.bundle._sdg_available", lambda: False)
    terms, examples = build_examples()
    admin = personas["admin"]
    version = do_train(admin, data_dir=None)
    doc = f.document("A/HRC/SYN/NEW")
    water = f.recommendation(
        "Bring safe drinking water and sanitation to rural villages", doc, "200.1"
    )
    prison = f.recommendation(
        "Improve detention conditions and reduce overcrowding in prisons", doc, "200.2"
    )
    do_suggest([water, prison], engine.active_bundle())
    return Scene(admin, version, terms, examples, water, prison)


def suggestion(
    rec: Recommendation,
    term: Term,
    score: float = 0.8,
    source: str = "syn-model-1",
    reasons: list[dict[str, Any]] | None = None,
) -> Label:
    """A pending model suggestion written directly, for tests that need no model."""
    return Label.objects.create(
        recommendation=rec,
        term=term,
        provenance=Label.Provenance.MODEL,
        source=source,
        score=score,
        status=Label.Status.SUGGESTED,
        reasons=reasons
        if reasons is not None
        else [
            {"kind": "terms", "detail": "torture, detention", "weight": 1.2, "ref": ""},
            {"kind": "title", "detail": "Prohibition of torture", "weight": 0.4, "ref": ""},
        ],
    )
