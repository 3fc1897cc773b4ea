"""The importer against the database: each kind, idempotence, dry runs, the
all-or-nothing rule, the UPR Info ↔ report join and the demo data."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from qadam.audit.models import AuditEvent
from qadam.registry.actions import do_import
from qadam.registry.importing import KINDS
from qadam.registry.models import ImportRun, Label, Recommendation, SourceDocument
from qadam.registry.tests.fixtures import (
    GOOD_FILES,
    KIND_FILES,
    TEMPLATE_ROWS,
    load_reference_data,
    registry_counts,
    template_csv,
    template_xlsx,
    upr_report_txt,
    with_row,
)
from qadam.taxonomy.models import Session

# Recommendations in each good file, once imported.
GOOD_COUNTS = {"upr-report": 3, "upr-info": 3, "ohchr-list": 4, "uhri": 2, "template": 3}


@pytest.fixture(autouse=True)
def reference(db: None) -> None:
    load_reference_data()


def _import(kind: str, data: bytes | None = None, **kwargs: Any) -> Any:
    return do_import(
        kind, data if data is not None else GOOD_FILES[kind](), KIND_FILES[kind], **kwargs
    )


def test_every_kind_has_a_good_file_in_these_tests() -> None:
    assert set(GOOD_FILES) == set(KINDS) == set(GOOD_COUNTS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_import_creates_the_recommendations_of_each_kind(kind: str) -> None:
    report = _import(kind)
    assert report.rejected == []
    assert report.counts["created"] == GOOD_COUNTS[kind]
    assert Recommendation.objects.count() == GOOD_COUNTS[kind]
    assert all(r.state_under_review is not None for r in Recommendation.objects.all())


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_importing_the_same_file_twice_changes_nothing_the_second_time(kind: str) -> None:
    _import(kind)
    after_first = registry_counts()
    second = _import(kind)
    assert second.counts["created"] == second.counts["updated"] == 0
    assert second.counts["unchanged"] == GOOD_COUNTS[kind]
    after_second = registry_counts()
    after_first.pop("audit_imports"), after_second.pop("audit_imports")
    assert after_second == after_first


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_dry_run_reports_what_it_would_do_and_writes_nothing(kind: str) -> None:
    before = registry_counts()
    report = _import(kind, dry_run=True)
    assert report.counts["created"] == GOOD_COUNTS[kind]
    assert registry_counts() == before


def test_template_rows_keep_their_labels_states_clusters_and_provenance() -> None:
    _import("template")
    rec = Recommendation.objects.get(number="1.1")
    assert rec.document.symbol == "A/HRC/SYN/20"
    assert rec.session is not None and rec.session.number == 20
    assert rec.response == "supported"
    assert sorted(s.iso3 for s in rec.recommending_states.all()) == ["DEU", "FRA"]
    assert [c.name for c in rec.clusters.all()] == ["Ratification"]
    labels = {
        (lb.term.taxonomy.code, lb.provenance, lb.source, lb.status)
        for lb in rec.labels.select_related("term__taxonomy")
    }
    assert labels == {
        ("sdg-goal", "imported", "template", "confirmed"),
        ("ohchr-theme", "imported", "template", "confirmed"),
    }


def test_xlsx_template_imports_like_the_csv_template() -> None:
    report = do_import("template", template_xlsx(), "synthetic.xlsx")
    assert report.counts["created"] == 3
    again = do_import("template", template_csv(), "synthetic.csv")
    assert again.counts["unchanged"] == 3


def test_a_changed_row_is_reported_updated_and_the_others_unchanged() -> None:
    _import("template")
    changed = with_row(TEMPLATE_ROWS, 2, response="supported")
    report = do_import("template", template_csv(changed), "synthetic.csv")
    outcomes = {r.row: r.outcome for r in report.rows}
    assert outcomes == {2: "unchanged", 3: "unchanged", 4: "updated"}
    assert Recommendation.objects.get(number="1.3").response == "supported"


def test_a_new_label_on_a_known_row_counts_as_updated() -> None:
    _import("template")
    changed = with_row(TEMPLATE_ROWS, 2, ohchr_themes="Right to education")
    report = do_import("template", template_csv(changed), "synthetic.csv")
    assert {r.row: r.outcome for r in report.rows}[4] == "updated"


def test_one_rejected_row_writes_nothing_not_even_documents_or_sessions() -> None:
    """Importer._document and _session create rows; the rollback must take them too."""
    new_session = with_row(
        TEMPLATE_ROWS, 0, mechanism="CESCR", session="77", document_symbol="E/C.12/SYN/77"
    )
    bad = with_row(new_session, 2, recommending_states="Atlantis")
    before = registry_counts()
    assert not Session.objects.filter(number=77).exists()
    report = do_import("template", template_csv(bad), "synthetic.csv")
    assert [(r.row, r.field) for r in report.rejected] == [(4, "recommending_states")]
    assert report.counts["created"] == 2, "the preview still says what the valid rows would do"
    assert registry_counts() == before
    assert not Session.objects.filter(number=77).exists()
    assert not SourceDocument.objects.exists()


def test_skip_invalid_writes_the_valid_rows_and_reports_the_rejected() -> None:
    bad = with_row(TEMPLATE_ROWS, 1, ohchr_themes="Not a real theme")
    report = do_import("template", template_csv(bad), "synthetic.csv", skip_invalid=True)
    assert [(r.row, r.field) for r in report.rejected] == [(3, "labels")]
    assert sorted(Recommendation.objects.values_list("number", flat=True)) == ["1.1", "1.3"]


def test_confirmed_import_writes_one_audit_event_naming_the_actor(
    personas: dict[str, Any],
) -> None:
    admin = personas["admin"]
    _import("template", actor=admin)
    event = AuditEvent.objects.get(action="registry.import")
    assert event.actor == admin
    assert event.changes["file"] == KIND_FILES["template"]
    assert event.changes["counts"]["created"] == 3


def test_dry_run_and_rejected_imports_write_no_audit_event() -> None:
    _import("template", dry_run=True)
    bad = with_row(TEMPLATE_ROWS, 0, recommending_states="Atlantis")
    do_import("template", template_csv(bad), "synthetic.csv")
    assert not AuditEvent.objects.filter(action="registry.import").exists()


def test_upr_info_rows_with_the_same_text_are_one_recommendation_of_several_states() -> None:
    report = _import("upr-info", options={"state": "Kazakhstan"})
    assert report.counts == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "skipped": 1,
        "rejected": 0,
    }
    skipped = [r for r in report.rows if r.outcome == "skipped"]
    assert skipped[0].row == 3 and "row 2" in skipped[0].reason
    rec = Recommendation.objects.get(text__en__startswith="Criminalise torture")
    assert sorted(s.iso3 for s in rec.recommending_states.all()) == ["DEU", "FRA"]
    assert rec.action_category == 5
    assert rec.labels.get().term.taxonomy.code == "upr-info-issue"


def test_upr_info_state_and_session_filters_limit_the_rows() -> None:
    report = _import("upr-info", options={"state": "Kazakhstan", "sessions": {"19"}})
    assert report.rows == []
    assert not Recommendation.objects.exists()
    report = _import("upr-info", options={"sessions": {"20"}})
    assert report.counts["created"] == 3  # the three Kazakhstan texts and one to France


def test_upr_info_joins_the_report_of_the_same_review_and_names_what_it_cannot_match() -> None:
    do_import("upr-report", upr_report_txt(), "report.txt")
    report = _import("upr-info", options={"state": "Kazakhstan"})
    assert report.documents == ["A/HRC/99/10"]
    rec = Recommendation.objects.get(number="129.2")
    assert rec.labels.filter(source="upr-info").count() == 1
    assert rec.action_category == 4 and rec.response == "noted"
    assert any("row 2 has no counterpart in A/HRC/99/10" in m for m in report.mismatches)
    assert any("129.1 of A/HRC/99/10 has no counterpart" in m for m in report.mismatches)


def test_a_report_import_does_not_undo_responses_that_upr_info_filled_in() -> None:
    do_import("upr-report", upr_report_txt(), "report.txt")
    _import("upr-info", options={"state": "Kazakhstan"})
    again = do_import("upr-report", upr_report_txt(), "report.txt")
    assert again.counts["unchanged"] == 3
    assert Recommendation.objects.get(number="129.2").response == "noted"


def test_upr_info_rows_without_a_report_make_their_own_document() -> None:
    report = _import("upr-info")
    assert sorted(report.documents) == ["upr-info:UPR:FRA:20", "upr-info:UPR:KAZ:20"]


# -- real data --------------------------------------------------------------------

KAZAKHSTAN_2010_2014 = 327  # 129 + 198, UPR Info's count of the two reviews


def _kazakhstan() -> Any:
    return Recommendation.objects.filter(state_under_review__iso3="KAZ")


def test_real_kazakhstan_2014_report_joins_upr_info_labels_and_action_categories(
    data_dir: str,
) -> None:
    report_path = Path(data_dir) / "upr-wg-reports" / "kazakhstan2014.txt"
    first = do_import("upr-report", report_path.read_bytes(), report_path.name)
    assert first.rejected == [] and first.documents == ["A/HRC/28/10"]
    csv_path = Path(data_dir) / "upr-info" / "recommendations.csv"
    joined = do_import(
        "upr-info",
        csv_path.read_bytes(),
        csv_path.name,
        options={"state": "Kazakhstan"},
        skip_invalid=True,
    )
    assert joined.rejected == []
    assert abs(_kazakhstan().count() - KAZAKHSTAN_2010_2014) <= 12
    in_2014 = _kazakhstan().filter(document__symbol="A/HRC/28/10")
    labelled = in_2014.filter(labels__term__taxonomy__code="upr-info-issue").distinct()
    assert labelled.count() >= 0.9 * in_2014.count()
    assert in_2014.filter(action_category__isnull=False).count() >= 0.9 * in_2014.count()
    unmatched_2014 = [m for m in joined.mismatches if "A/HRC/28/10" in m]
    assert 0 < len(unmatched_2014) < 20, "the few unmatched recommendations are named"


def test_load_demo_gives_kazakhstans_labelled_recommendations_and_is_idempotent(
    data_dir: str,
) -> None:
    call_command("load_demo", stdout=io.StringIO())
    count = _kazakhstan().count()
    assert abs(count - KAZAKHSTAN_2010_2014) <= 12
    labelled = _kazakhstan().filter(labels__term__taxonomy__code="upr-info-issue").distinct()
    assert labelled.count() >= 0.9 * count
    assert set(_kazakhstan().values_list("document__symbol", flat=True)) == {
        "A/HRC/14/10",
        "A/HRC/28/10",
    }
    assert Label.objects.filter(source="upr-info").exists()
    before = registry_counts()
    before.pop("audit_imports")
    started = time.monotonic()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    elapsed = time.monotonic() - started
    after = registry_counts()
    after.pop("audit_imports")
    assert after == before
    assert " created" not in out.getvalue() and " updated" not in out.getvalue()
    assert not ImportRun.objects.exists()
    assert elapsed < 30


def test_load_demo_reads_from_qadam_data_dir(settings: Any, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    settings.QADAM_DATA_DIR = tmp_path
    with pytest.raises(CommandError, match="missing; set QADAM_DATA_DIR"):
        call_command("load_demo", stdout=io.StringIO())
