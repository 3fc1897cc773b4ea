"""The labelling pages through HTTP: the recommendation page's suggestions, the review
queue, model versions, runs, overlap groups and free-text labelling."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qadam.labelling.actions import do_store_overlap_groups, do_suggest
from qadam.labelling.models import LabellingRun, ModelVersion, OverlapGroup
from qadam.labelling.tests.conftest import Scene, suggestion
from qadam.registry.models import Cluster, Label
from qadam.registry.tests import factories as f

pytestmark = pytest.mark.django_db
Clients = Callable[[str], Client]


def detail_url(pk: int) -> str:
    return reverse("registry:recommendation-detail", args=[pk])


@pytest.fixture
def catalogue() -> f.Catalogue:
    """The registry's scene, without its own pending suggestions: each test makes its own."""
    scene = f.build_catalogue()
    Label.objects.filter(provenance="model", status="suggested").delete()
    return scene


@pytest.fixture
def pending(catalogue: f.Catalogue) -> Label:
    """SDG 16 suggested at 82% by "tfidf-v3" for the press-freedom recommendation."""
    return suggestion(catalogue.press, catalogue.goal_16, 0.82, source="tfidf-v3")


# -- the recommendation page -------------------------------------------------------------


def test_the_recommendation_page_shows_suggestions_apart_with_score_model_and_reasons(
    client_for: Clients, pending: Label
) -> None:
    html = client_for("observer").get(detail_url(pending.recommendation_id)).content.decode()
    section = html[html.index('id="suggestions-heading"') : html.index('id="similar-heading"')]
    assert "Peace, justice and strong institutions" in section
    assert "82%" in section and "model tfidf-v3" in section
    labels = html[html.index('id="labels-heading"') : html.index('id="suggestions-heading"')]
    assert "Peace, justice" not in labels  # the pending suggestion is not a label yet
    assert "Set by user aigerim" in labels


def test_reasons_read_as_sentences_and_similar_labelled_recommendations_are_offered(
    client_for: Clients, catalogue: f.Catalogue
) -> None:
    label = suggestion(catalogue.press, catalogue.goal_16, 0.7)
    f.label(catalogue.torture, catalogue.goal_16, source="ohchr")  # a confirmed neighbour
    html = client_for("ngo_member").get(detail_url(label.recommendation_id)).content.decode()
    assert "Words that weighed: torture, detention" in html
    assert "Resembles the title: Prohibition of torture" in html
    assert "Similar recommendations with this label:" in html
    assert f'href="{detail_url(catalogue.torture.pk)}">A/HRC/SYN/20 120.1</a>' in html


@pytest.mark.parametrize("persona", ["anonymous", "outsider"])
def test_people_without_a_role_see_no_suggestions_section(
    client_for: Clients, pending: Label, persona: str
) -> None:
    html = client_for(persona).get(detail_url(pending.recommendation_id)).content.decode()
    assert "Suggested labels" not in html
    assert "tfidf-v3" not in html


@pytest.mark.parametrize(
    ("persona", "buttons"),
    [("admin", True), ("focal_point", False), ("contributor", False), ("observer", False)],
)
def test_only_the_secretariat_gets_accept_and_reject_buttons(
    client_for: Clients, pending: Label, persona: str, buttons: bool
) -> None:
    html = client_for(persona).get(detail_url(pending.recommendation_id)).content.decode()
    assert "Suggested labels" in html
    assert ('name="accept"' in html) is buttons
    assert ('value="accept-all"' in html) is buttons


def test_accepting_moves_a_suggestion_into_the_labels_with_who_and_when(
    client_for: Clients, pending: Label, personas: dict[str, Any]
) -> None:
    label = pending
    url = detail_url(pending.recommendation_id)
    client = client_for("admin")
    response = client.post(reverse("labelling:decide"), {"accept": label.pk, "next": url})
    assert response.status_code == 302 and response["Location"] == url
    label.refresh_from_db()
    assert label.status == Label.Status.CONFIRMED
    assert label.decided_by == personas["admin"] and label.decided_at is not None
    html = client.get(url).content.decode()
    assert "Suggested labels" not in html
    labels = html[html.index('id="labels-heading"') : html.index('id="similar-heading"')]
    assert "Suggested by model tfidf-v3 with score 0.82" in labels
    assert "Decided by aigerim on" in labels
    assert "1 suggestion was accepted." in html


def test_rejecting_all_of_a_recommendation_decides_each_of_its_suggestions(
    client_for: Clients, catalogue: f.Catalogue
) -> None:
    first = suggestion(catalogue.torture, f.term("ohchr-theme", "F4"), 0.4)
    other = suggestion(catalogue.torture, f.term("sdg-goal", "5"), 0.6)
    elsewhere = suggestion(catalogue.press, catalogue.goal_16, 0.5)
    client_for("admin").post(
        reverse("labelling:decide"),
        {"decision": "reject-all", "recommendation": catalogue.torture.pk},
    )
    statuses = dict(Label.objects.filter(provenance="model").values_list("pk", "status"))
    assert statuses[other.pk] == "rejected"
    assert statuses[elsewhere.pk] == "suggested"
    assert statuses[first.pk] == "rejected"


def test_a_later_model_run_does_not_overwrite_a_decided_label(
    client_for: Clients, trained: Scene
) -> None:
    label = Label.objects.get(recommendation=trained.water_rec, provenance="model")
    client_for("admin").post(reverse("labelling:decide"), {"reject": label.pk})
    from qadam.labelling import engine

    do_suggest([trained.water_rec], engine.active_bundle())
    rows = list(Label.objects.filter(recommendation=trained.water_rec, term=label.term))
    assert [(r.pk, r.status) for r in rows] == [(label.pk, "rejected")]


def test_deciding_an_unknown_suggestion_is_not_found(
    client_for: Clients, catalogue: f.Catalogue
) -> None:
    assert (
        client_for("admin").post(reverse("labelling:decide"), {"accept": 999999}).status_code == 404
    )


# -- the review queue --------------------------------------------------------------------


def test_the_queue_lists_pending_suggestions_best_first_and_filters_them(
    client_for: Clients, catalogue: f.Catalogue, pending: Label
) -> None:
    suggestion(catalogue.press, catalogue.goal_16, 0.95, source="syn-model-2")
    suggestion(catalogue.disability, catalogue.theme_torture, 0.3)
    client = client_for("focal_point")
    html = client.get(reverse("labelling:suggestions")).content.decode()
    assert "3 suggestions" in html
    assert html.index("95%") < html.index("82%") < html.index("30%")
    assert 'name="label"' not in html  # read-only for a focal point
    html = client.get(reverse("labelling:suggestions"), {"min_score": 50}).content.decode()
    assert "2 suggestions" in html and "30%" not in html
    html = client.get(reverse("labelling:suggestions"), {"model": "syn-model-2"}).content.decode()
    assert "1 suggestion" in html and "95%" in html
    html = client.get(
        reverse("labelling:suggestions"), {"taxonomy": "ohchr-theme", "term": "D25"}
    ).content.decode()
    assert "1 suggestion" in html and "30%" in html


def test_unpublished_recommendations_suggestions_stay_out_of_other_roles_queue(
    client_for: Clients, catalogue: f.Catalogue
) -> None:
    suggestion(catalogue.hidden, catalogue.goal_16, 0.9)
    assert (
        "90%" not in client_for("observer").get(reverse("labelling:suggestions")).content.decode()
    )
    assert "90%" in client_for("admin").get(reverse("labelling:suggestions")).content.decode()


def test_bulk_accept_in_the_queue_says_how_many_were_decided(
    client_for: Clients, catalogue: f.Catalogue
) -> None:
    a = suggestion(catalogue.press, catalogue.goal_16, 0.9)
    b = suggestion(catalogue.disability, catalogue.theme_torture, 0.8)
    client = client_for("admin")
    response = client.post(
        reverse("labelling:decide"), {"decision": "accept", "label": [a.pk, b.pk]}, follow=True
    )
    assert "2 suggestions were accepted." in response.content.decode()
    assert set(Label.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {
        "confirmed"
    }


# -- model versions ----------------------------------------------------------------------


def test_model_versions_show_status_examples_f1_and_size(client: Client, trained: Scene) -> None:
    html = client.get(reverse("labelling:models")).content.decode()
    assert trained.version.name in html and "active" in html
    assert "Synthetic taxonomy syn-topic: 45 examples, F1 0.99" in html
    assert "docs/accuracy.md" in html
    html = client.get(reverse("labelling:model-detail", args=[trained.version.pk])).content.decode()
    assert "Access to clean water" in html and '<td class="num">15</td>' in html


def test_an_unknown_model_version_is_not_found(client: Client, db: None) -> None:
    assert client.get(reverse("labelling:model-detail", args=[99999])).status_code == 404


def queued(task: str) -> list[list[Any]]:
    """The arguments of each enqueued, not yet run, task of that name."""
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(task_path=f"qadam.labelling.tasks.{task}")
    return [r.args_kwargs["args"] for r in rows]


def test_training_is_enqueued_with_a_message(client_for: Clients, personas: dict[str, Any]) -> None:
    response = client_for("admin").post(reverse("labelling:train"), follow=True)
    assert queued("train_models") == [[personas["admin"].pk]]
    assert "Training is queued." in response.content.decode()
    assert not ModelVersion.objects.exists()  # nothing trains inside the request


def test_making_an_earlier_version_active_rolls_back(client_for: Clients, trained: Scene) -> None:
    from qadam.labelling.actions import do_train

    newer = do_train(trained.admin, data_dir=None)
    assert ModelVersion.objects.get(active=True) == newer
    response = client_for("admin").post(
        reverse("labelling:activate", args=[trained.version.pk]), follow=True
    )
    assert ModelVersion.objects.get(active=True) == trained.version
    assert f"Model version {trained.version.name} is now active." in response.content.decode()


def test_a_version_with_broken_files_cannot_be_made_active_and_says_why(
    client_for: Clients, trained: Scene, model_dir: Any
) -> None:
    broken = ModelVersion.objects.create(name="syn-broken", status=ModelVersion.Status.READY)
    response = client_for("admin").post(
        reverse("labelling:activate", args=[broken.pk]), follow=True
    )
    html = response.content.decode()
    assert "This version cannot be used" in html and "qadam train" in html
    assert ModelVersion.objects.get(active=True) == trained.version


# -- labelling runs ----------------------------------------------------------------------


def test_starting_a_run_without_a_model_says_to_train_first(
    client_for: Clients, catalogue: f.Catalogue
) -> None:
    response = client_for("admin").post(reverse("labelling:runs"), {"scope": "all"}, follow=True)
    assert "No model version is active yet. Train a new version first" in response.content.decode()
    assert not LabellingRun.objects.exists()


def test_a_run_for_one_document_is_enqueued_and_its_page_follows_progress(
    client_for: Clients, trained: Scene
) -> None:
    doc = trained.water_rec.document
    client = client_for("admin")
    response = client.post(reverse("labelling:runs"), {"scope": "document", "document": doc.pk})
    run = LabellingRun.objects.get()
    assert response["Location"] == reverse("labelling:run-detail", args=[run.pk])
    assert (
        queued("continue_labelling_run") == [[run.pk]]
        and run.scope == {"document": doc.pk}
        and run.total == 2
    )
    html = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh"' in html and "0 of 2 recommendations labelled" in html
    from qadam.labelling.actions import do_continue_run

    do_continue_run(run)
    html = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh"' not in html and "2 of 2 recommendations labelled" in html


def test_a_run_for_one_document_needs_the_document(client_for: Clients, trained: Scene) -> None:
    response = client_for("admin").post(reverse("labelling:runs"), {"scope": "document"})
    assert (
        response.status_code == 400 and "Choose the source document." in response.content.decode()
    )


def test_an_unknown_run_is_not_found(client_for: Clients, personas: dict[str, Any]) -> None:
    assert client_for("admin").get(reverse("labelling:run-detail", args=[9999])).status_code == 404


# -- overlap groups ----------------------------------------------------------------------


@pytest.fixture
def group(catalogue: f.Catalogue) -> OverlapGroup:
    do_store_overlap_groups(
        [
            {
                "ids": [catalogue.torture.pk, catalogue.press.pk, catalogue.disability.pk],
                "score": 0.71,
                "shared": ["torture", "convention"],
                "similarities": [1.0, 0.7, 0.4],
            }
        ]
    )
    return OverlapGroup.objects.get()


def test_overlap_groups_show_members_shared_words_and_score(
    client_for: Clients, group: OverlapGroup
) -> None:
    html = client_for("observer").get(reverse("labelling:overlaps")).content.decode()
    assert "A/HRC/SYN/20 120.1" in html and "A/HRC/SYN/20 120.3" in html
    assert "Shared words: torture, convention" in html and "similarity 0.71" in html
    assert 'name="decision"' not in html


def test_splitting_a_group_confirms_only_the_checked_members_as_a_cluster(
    client_for: Clients, group: OverlapGroup, catalogue: f.Catalogue, personas: dict[str, Any]
) -> None:
    client = client_for("admin")
    response = client.post(
        reverse("labelling:overlap-decide", args=[group.pk]),
        {"decision": "split", "keep": [catalogue.torture.pk, catalogue.press.pk]},
        follow=True,
    )
    assert "The group is confirmed" in response.content.decode()
    group.refresh_from_db()
    assert group.status == "confirmed" and group.decided_by == personas["admin"]
    assert group.cluster is not None and group.cluster.document is None
    assert set(group.cluster.recommendations.values_list("pk", flat=True)) == {
        catalogue.torture.pk,
        catalogue.press.pk,
    }
    html = client.get(reverse("labelling:overlaps"), {"status": "confirmed"}).content.decode()
    assert "Confirmed as the cluster" in html


def test_a_split_needs_two_members(
    client_for: Clients, group: OverlapGroup, catalogue: f.Catalogue
) -> None:
    response = client_for("admin").post(
        reverse("labelling:overlap-decide", args=[group.pk]),
        {"decision": "split", "keep": [catalogue.torture.pk]},
        follow=True,
    )
    assert "check at least two recommendations" in response.content.decode()
    group.refresh_from_db()
    assert group.status == "suggested"


def test_rejecting_a_group_makes_no_cluster(client_for: Clients, group: OverlapGroup) -> None:
    client_for("admin").post(
        reverse("labelling:overlap-decide", args=[group.pk]), {"decision": "reject"}
    )
    group.refresh_from_db()
    assert group.status == "rejected" and group.cluster is None
    assert not Cluster.objects.filter(document=None).exists()


def test_an_unknown_overlap_group_is_not_found(client_for: Clients, catalogue: f.Catalogue) -> None:
    url = reverse("labelling:overlap-decide", args=[9999])
    assert client_for("admin").post(url, {"decision": "reject"}).status_code == 404


# -- free text ---------------------------------------------------------------------------


def test_classifying_a_paragraph_shows_labels_reasons_and_the_recommendations_it_addresses(
    client_for: Clients, trained: Scene
) -> None:
    html = (
        client_for("contributor")
        .post(
            reverse("labelling:classify"),
            {"text": "The ministry built wells to bring safe drinking water to villages."},
        )
        .content.decode()
    )
    assert "Access to clean water" in html and "Words that weighed:" in html
    assert f"Model version {trained.version.name}" in html
    links = html[html.index('id="links-heading"') :]
    assert "Shared words:" in links and "Shared labels: Access to clean water" in links


def test_classifying_without_a_model_still_links_by_words(
    client_for: Clients, catalogue: f.Catalogue
) -> None:
    html = (
        client_for("observer")
        .post(reverse("labelling:classify"), {"text": "Criminalise torture under the Convention"})
        .content.decode()
    )
    assert "No model version is active yet" in html
    assert "A/HRC/SYN/20 120.1" in html


def test_notes_are_shown_as_sentences(client_for: Clients, trained: Scene) -> None:
    html = (
        client_for("observer")
        .post(
            reverse("labelling:classify"),
            {"text": "Обеспечить доступ к чистой питьевой воде", "lang": "ru"},
        )
        .content.decode()
    )
    assert "learned Synthetic taxonomy syn-topic from no text in Russian" in html


def test_too_long_a_text_is_refused_with_a_clear_error(
    client_for: Clients, personas: dict[str, Any], settings: Any
) -> None:
    settings.QADAM_MAX_LABEL_CHARS = 10
    response = client_for("observer").post(reverse("labelling:classify"), {"text": "x" * 51})
    assert response.status_code == 400
    assert "The text is too long (characters: 51, at most 50)." in response.content.decode()
