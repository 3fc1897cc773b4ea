"""Quality of life through HTTP and the command line, with the named personas."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from qadam.audit.models import AuditEvent
from qadam.qol.actions import compute, do_evaluate, do_queue_evaluation
from qadam.qol.models import Evaluation, StandardVersion
from qadam.qol.tests.conftest import SYNTHETIC_STANDARD

pytestmark = pytest.mark.django_db
ROLES = ("focal_point", "contributor", "ngo_member", "observer", "outsider")


@pytest.fixture
def evaluated(standard: StandardVersion) -> Evaluation:
    return do_evaluate(do_queue_evaluation(None, standard))


def test_anyone_sees_the_verdicts_ranking_map_and_deficits(evaluated: Evaluation) -> None:
    page = Client().get(reverse("qol:standard")).content.decode()
    assert "In 2023, 3 of 4 regions meet the standard." in page
    assert 'data-code="KZNS"' in page  # the map
    assert "Deficit heat-map" in page
    ranking = page[page.index('id="ranking"') :]
    assert (
        ranking.index("Region KZNS") < ranking.index("Region KZALA") < ranking.index("Region KZAKT")
    )
    assert "Not sufficient" in page


def test_an_older_year_is_one_click_away(evaluated: Evaluation) -> None:
    page = Client().get(reverse("qol:standard"), {"year": 2021}).content.decode()
    assert "In 2021," in page


def test_stored_evaluation_reproduces_its_results(evaluated: Evaluation) -> None:
    again = compute(evaluated.version, seed=evaluated.seed, draws=evaluated.draws)
    assert again["results"] == evaluated.results
    assert again["uncertainty"] == evaluated.uncertainty


def test_evaluation_runs_in_the_worker(
    standard: StandardVersion, client_for: Callable[[str], Client], run_worker: Callable[[], None]
) -> None:
    response = client_for("admin").post(reverse("qol:evaluate", args=["synthetic-qol"]))
    assert response.status_code == 302
    evaluation = Evaluation.objects.get()
    assert evaluation.status == Evaluation.Status.QUEUED
    run_worker()
    evaluation.refresh_from_db()
    assert evaluation.status == Evaluation.Status.DONE
    assert evaluation.year == 2023


def test_page_says_when_a_version_was_never_evaluated(standard: StandardVersion) -> None:
    page = Client().get(reverse("qol:standard")).content.decode()
    assert "has not been evaluated yet" in page


def test_document_page_shows_thresholds_goalposts_and_rationale(standard: StandardVersion) -> None:
    page = Client().get(reverse("qol:document", args=["synthetic-qol"])).content.decode()
    assert "Share below the subsistence minimum" in page
    assert "Synthetic." in page
    assert "0.500" in page  # the index threshold: sqrt(0.75 × 1/3)


def test_secretariat_saves_a_new_version_with_history(
    standard: StandardVersion, client_for: Callable[[str], Client]
) -> None:
    text = SYNTHETIC_STANDARD.replace("threshold: 5.0", "threshold: 6.0")
    response = client_for("admin").post(
        reverse("qol:edit", args=["synthetic-qol"]), {"text": text, "note": "Looser poverty line"}
    )
    assert response.status_code == 302
    latest = StandardVersion.objects.order_by("-number").first()
    assert latest is not None and latest.number == 2
    event = AuditEvent.objects.filter(action="qol.version.save").order_by("-pk").first()
    assert event is not None
    assert any("threshold: 5.0 → 6.0" in line for line in event.changes["changes"])
    page = client_for("admin").get(reverse("qol:document", args=["synthetic-qol"]))
    assert "Looser poverty line" in page.content.decode()


def test_saving_the_same_document_again_makes_no_version(
    standard: StandardVersion, client_for: Callable[[str], Client]
) -> None:
    client_for("admin").post(
        reverse("qol:edit", args=["synthetic-qol"]), {"text": SYNTHETIC_STANDARD, "note": "again"}
    )
    assert StandardVersion.objects.count() == 1


def test_invalid_standard_is_refused_naming_the_path(
    standard: StandardVersion, client_for: Callable[[str], Client]
) -> None:
    text = SYNTHETIC_STANDARD.replace(
        "goalposts: {low: 0.0, high: 20.0}", "goalposts: {low: 5.0, high: 5.0}"
    )
    response = client_for("admin").post(
        reverse("qol:edit", args=["synthetic-qol"]), {"text": text, "note": "broken"}
    )
    assert response.status_code == 200
    assert "components[0].indicators[0].goalposts" in response.content.decode()
    assert StandardVersion.objects.count() == 1


def test_yaml_that_does_not_parse_names_the_line(
    standard: StandardVersion, client_for: Callable[[str], Client]
) -> None:
    response = client_for("admin").post(
        reverse("qol:edit", args=["synthetic-qol"]), {"text": "format: [unclosed\n", "note": "x"}
    )
    assert "standard.yaml:" in response.content.decode()
    assert "not valid YAML" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_only_the_secretariat_edits_or_evaluates(
    standard: StandardVersion, client_for: Callable[[str], Client], role: str
) -> None:
    client = client_for(role)
    assert client.get(reverse("qol:edit", args=["synthetic-qol"])).status_code == 403
    assert client.post(reverse("qol:evaluate", args=["synthetic-qol"])).status_code == 403
    assert not Evaluation.objects.exists()


def test_anonymous_editor_is_sent_to_log_in(standard: StandardVersion) -> None:
    response = Client().get(reverse("qol:edit", args=["synthetic-qol"]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_secretariat_may_open_the_editor(
    standard: StandardVersion, client_for: Callable[[str], Client]
) -> None:
    assert client_for("admin").get(reverse("qol:edit", args=["synthetic-qol"])).status_code == 200


def _what_if(url: str, **params: str | int) -> str:
    return Client().get(url, params).content.decode()


def test_what_if_changes_verdicts_without_saving(evaluated: Evaluation) -> None:
    url = reverse("qol:what-if", args=["synthetic-qol"])
    # A poverty line of 8 % and a floor area of 18 m² make the fourth region sufficient.
    page = _what_if(url, aggregation="geometric", w_income=1, w_housing=1, t_poverty=8, t_area=18)
    assert "4 of 4 regions sufficient (saved standard: 3)" in page
    assert "(verdict changed)" in page
    assert StandardVersion.objects.count() == 1


def test_what_if_weight_shifts_the_ranking(evaluated: Evaluation) -> None:
    url = reverse("qol:what-if", args=["synthetic-qol"])
    page = _what_if(url, aggregation="arithmetic", w_income=1, w_housing=0, t_poverty=5, t_area=20)
    # On income alone Almaty city (1.5 %) overtakes Astana (2.0 %).
    result = page[page.index('id="result"') :]
    assert result.index("Region KZALA") < result.index("Region KZNS")
    assert "up 1" in page


def test_export_gives_the_saved_yaml(standard: StandardVersion) -> None:
    response = Client().get(reverse("qol:export", args=["synthetic-qol"]))
    assert response["Content-Type"].startswith("application/yaml")
    assert response.content.decode() == SYNTHETIC_STANDARD


def test_cli_evaluate_prints_one_object_per_region(standard: StandardVersion) -> None:
    out = io.StringIO()
    call_command("qol", "evaluate", "--standard", "synthetic-qol", "--format", "json", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {r["region"] for r in rows} == {"KZAKM", "KZAKT", "KZALA", "KZNS"}
    fields = {
        "region",
        "year",
        "index",
        "components",
        "sufficient",
        "failed_components",
        "coverage",
        "median_rank",
        "rank_p5",
        "rank_p95",
    }
    assert all(set(r) == fields for r in rows)
    akt = next(r for r in rows if r["region"] == "KZAKT")
    assert akt["sufficient"] is False
    assert sorted(akt["failed_components"]) == ["housing", "income"]
    assert akt["year"] == 2023


def test_cli_evaluate_takes_a_year(standard: StandardVersion) -> None:
    out = io.StringIO()
    call_command("qol", "evaluate", "--year", "2021", "--draws", "200", stdout=out)
    assert {json.loads(line)["year"] for line in out.getvalue().splitlines()} == {2021}


def test_cli_import_refuses_a_bad_file_naming_it(tmp_path: Any, synthetic_data: None) -> None:
    bad = tmp_path / "synthetic-bad.yaml"
    bad.write_text(SYNTHETIC_STANDARD.replace("direction: lower-is-better", "direction: sideways"))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"synthetic-bad.yaml: components\[0\]"):
        call_command("qol", "import", str(bad))
    assert not StandardVersion.objects.exists()


def test_cli_export_round_trips(standard: StandardVersion) -> None:
    out = io.StringIO()
    call_command("qol", "export", "--standard", "synthetic-qol", stdout=out)
    assert out.getvalue() == SYNTHETIC_STANDARD


def test_api_gives_the_standard_and_the_stored_verdicts(evaluated: Evaluation) -> None:
    standard = Client().get("/api/v1/qol/synthetic-qol").json()
    assert standard["version"] == 1 and standard["document"]["code"] == "synthetic-qol"
    verdicts = Client().get("/api/v1/qol/synthetic-qol/verdicts").json()
    akt = next(v for v in verdicts if v["region"] == "KZAKT")
    assert akt["sufficient"] is False and akt["rank_p95"] == 4
    older = Client().get("/api/v1/qol/synthetic-qol/verdicts", {"year": 2021}).json()
    assert {v["year"] for v in older} == {2021}
    assert all(v["median_rank"] is None for v in older)  # intervals: the evaluated year only
    assert Client().get("/api/v1/qol/synthetic-qol/verdicts", {"year": 1990}).status_code == 404


def test_api_says_404_before_any_evaluation(standard: StandardVersion) -> None:
    assert Client().get("/api/v1/qol/synthetic-qol/verdicts").status_code == 404
    assert Client().get("/api/v1/qol/no-such-standard").status_code == 404


def test_menu_page_says_when_no_standard_was_saved(db: None) -> None:
    response = Client().get(reverse("qol:standard"))
    assert response.status_code == 404
    assert "No quality-of-life standard has been saved yet" in response.content.decode()
