"""load_reference as a whole: idempotence, speed, options, and what it leaves alone."""

from __future__ import annotations

import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from qadam.audit.models import AuditEvent
from qadam.taxonomy.actions import do_load_reference
from qadam.taxonomy.loaders import CURATED_DIR, ReferenceDataError
from qadam.taxonomy.models import Institution, Session, State, Taxonomy, Term, TermMapping

DATA_DIR = Path(settings.QADAM_DATA_DIR)
needs_data = pytest.mark.skipif(not (DATA_DIR / "sdg").is_dir(), reason="QADAM_DATA_DIR is missing")
pytestmark = pytest.mark.django_db


@needs_data
def test_second_run_changes_nothing_and_is_fast() -> None:
    started = time.monotonic()
    first = do_load_reference()
    first_seconds = time.monotonic() - started
    assert first.counts["term"].created > 600
    events = AuditEvent.objects.filter(action="taxonomy.load_reference").count()

    started = time.monotonic()
    second = do_load_reference()
    second_seconds = time.monotonic() - started

    assert not second.changed
    assert all(c.created == c.updated == 0 for c in second.counts.values())
    assert second.counts["state"].unchanged == first.counts["state"].created
    assert AuditEvent.objects.filter(action="taxonomy.load_reference").count() == events == 1
    # Generous bounds for a slow CI machine; on a laptop both take about a second.
    assert first_seconds < 10
    assert second_seconds < 5


@needs_data
def test_command_prints_counts_per_kind() -> None:
    out = StringIO()
    call_command("load_reference", stdout=out)
    text = out.getvalue()
    for kind in (
        "taxonomy",
        "term",
        "mechanism",
        "session",
        "term mapping",
        "state",
        "institution",
        "region",
    ):
        assert f"\n{kind} " in "\n" + text, kind
    assert "warning" not in text
    assert "Done." in text


def test_dry_run_rolls_back(tmp_path: Path) -> None:
    report = do_load_reference(data_dir=tmp_path, only=["institutions"], dry_run=True)
    assert report.counts["institution"].created > 40
    assert not Institution.objects.exists()


def test_curated_steps_run_without_third_party_data(tmp_path: Path) -> None:
    report = do_load_reference(data_dir=tmp_path)
    assert any("SDG skipped" in w for w in report.warnings)
    assert State.objects.filter(iso3="KAZ").exists()
    assert Term.objects.filter(taxonomy__code="ohchr-theme", code="A12").exists()
    assert TermMapping.objects.exists()


def test_only_accepts_any_taxonomy_file(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(
        "taxonomies:\n"
        "  - code: demo-themes\n"
        "    name: {en: Demo themes, ru: Демо}\n"
        "    terms:\n"
        "      - {code: a, name: {en: Alpha}}\n"
        "      - {code: a1, name: {en: Alpha one}, parent: a, aliases: [A-1]}\n",
        encoding="utf-8",
    )
    call_command("load_reference", only=[str(path)], stdout=StringIO())
    child = Term.objects.get(taxonomy__code="demo-themes", code="a1")
    assert child.parent is not None and child.parent.code == "a"
    assert Taxonomy.objects.get(code="demo-themes").name["ru"] == "Демо"


def test_a_bad_file_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "taxonomies:\n  - code: x\n    name: {en: X}\n    terms:\n"
        "      - {code: a, name: {en: A}, colour: red}\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"bad\.yaml.*colour"):
        call_command("load_reference", only=[str(path)], stdout=StringIO())
    with pytest.raises(ReferenceDataError, match="unknown step"):
        do_load_reference(only=["nonsense"])


def test_aliases_added_in_the_admin_survive_a_reload(tmp_path: Path) -> None:
    do_load_reference(data_dir=tmp_path, only=["institutions"])
    mia = Institution.objects.get(code="MIA")
    mia.aliases = [*mia.aliases, "Interior ministry"]
    mia.name = {**mia.name, "en": "Edited"}
    mia.save()
    report = do_load_reference(data_dir=tmp_path, only=["institutions"])
    mia.refresh_from_db()
    assert "Interior ministry" in mia.aliases
    assert mia.name["en"] == "Ministry of Internal Affairs"  # the file owns names
    assert report.counts["institution"].updated == 1


def test_mapping_edits_survive_unless_reset(tmp_path: Path) -> None:
    steps = ["upr-info-issues", "ohchr-themes", "mapping-upr-info-ohchr"]
    do_load_reference(data_dir=tmp_path, only=steps)
    mapping = TermMapping.objects.get(source__code="death-penalty", target__code="death-penalty")
    mapping.relation, mapping.note = TermMapping.Relation.RELATED, "edited"
    mapping.save()

    do_load_reference(data_dir=tmp_path, only=steps)
    mapping.refresh_from_db()
    assert (mapping.relation, mapping.note) == ("related", "edited")

    do_load_reference(data_dir=tmp_path, only=steps[-1:], reset_mappings=True)
    mapping.refresh_from_db()
    assert (mapping.relation, mapping.note) == ("exact", "")


def test_session_dates_entered_in_the_admin_survive(tmp_path: Path) -> None:
    do_load_reference(data_dir=tmp_path, only=["mechanisms"])
    Session.objects.filter(mechanism__code="UPR", number=1).update(start_date="2008-04-07")
    report = do_load_reference(data_dir=tmp_path, only=["mechanisms"])
    assert str(Session.objects.get(mechanism__code="UPR", number=1).start_date) == "2008-04-07"
    assert not report.changed


def test_curated_files_are_all_in_the_full_load() -> None:
    from qadam.taxonomy.loaders import STEPS

    assert {p.name for p in CURATED_DIR.glob("*.yaml")} == {s for s in STEPS if s != "sdg"}
