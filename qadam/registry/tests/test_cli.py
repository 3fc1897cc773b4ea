"""``qadam import <kind> <path>``: jsonl dry runs, reports, errors, the console script."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qadam.audit.models import AuditEvent
from qadam.registry.importing import KINDS
from qadam.registry.models import ImportRun, Recommendation
from qadam.registry.tests.fixtures import (
    GOOD_FILES,
    KIND_FILES,
    TEMPLATE_ROWS,
    load_reference_data,
    registry_counts,
    template_csv,
    with_row,
)

QADAM = Path(sys.executable).parent / "qadam"
RECORDS = {"upr-report": 3, "upr-info": 4, "ohchr-list": 4, "uhri": 2, "template": 3}


@pytest.fixture(autouse=True)
def reference(db: None) -> None:
    load_reference_data()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """The good file of each kind, on disk."""
    paths = {}
    for kind, build in GOOD_FILES.items():
        paths[kind] = tmp_path / KIND_FILES[kind]
        paths[kind].write_bytes(build())
    return paths


def _call(*args: Any) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_jsonl_dry_run_prints_one_record_per_line_and_writes_nothing(
    kind: str, files: dict[str, Path]
) -> None:
    before = registry_counts()
    out, err = _call(kind, files[kind], "--dry-run", "--format", "jsonl")
    lines = out.splitlines()
    assert len(lines) == RECORDS[kind]
    for line in lines:
        record = json.loads(line)
        assert {"number", "text", "response", "recommending_states", "labels"} <= set(record)
        assert record["text"]
        assert isinstance(record["recommending_states"], list)
        for label in record["labels"]:
            assert set(label) == {"taxonomy", "term", "source"}
    assert err == ""
    assert registry_counts() == before
    assert not ImportRun.objects.exists()


def test_jsonl_records_carry_what_the_source_says(files: dict[str, Path]) -> None:
    out, _ = _call("template", files["template"], "--dry-run", "--format", "jsonl")
    first = json.loads(out.splitlines()[0])
    assert first["number"] == "1.1"
    assert first["response"] == "supported"
    assert first["recommending_states"] == ["France", "Germany"]
    assert {"taxonomy": "ohchr-theme", "term": "Right to education", "source": "template"} in (
        first["labels"]
    )


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_dry_run_reports_counts_and_writes_nothing(kind: str, files: dict[str, Path]) -> None:
    before = registry_counts()
    out, _ = _call(kind, files[kind], "--dry-run", "-v", "1")
    assert out.startswith(f"[dry run] {KIND_FILES[kind]}: ")
    assert "created" in out
    assert registry_counts() == before
    assert not ImportRun.objects.exists()


def test_import_writes_records_a_run_and_an_audit_event(files: dict[str, Path]) -> None:
    out, _ = _call("template", files["template"], "-v", "1")
    assert "3 created" in out
    assert Recommendation.objects.count() == 3
    run = ImportRun.objects.get()
    assert (run.kind, run.filename, run.status, run.created_by) == (
        "template",
        "template-synthetic.csv",
        "done",
        None,
    )
    assert run.counts["created"] == 3
    assert AuditEvent.objects.get(action="registry.import").actor is None


def test_second_import_reports_unchanged(files: dict[str, Path]) -> None:
    _call("template", files["template"])
    out, _ = _call("template", files["template"], "-v", "1")
    assert "0 created, 0 updated, 3 unchanged" in out


def test_json_format_prints_the_report(files: dict[str, Path]) -> None:
    out, _ = _call("template", files["template"], "--dry-run", "--format", "json")
    report = json.loads(out)
    assert report["dry_run"] is True
    assert report["counts"]["created"] == 3
    assert [r["row"] for r in report["rows"]] == [2, 3, 4]


def test_rejected_rows_fail_the_command_naming_file_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(template_csv(with_row(TEMPLATE_ROWS, 1, ohchr_themes="Not a real theme")))
    before = registry_counts()
    with pytest.raises(CommandError) as caught:
        _call("template", path)
    message = str(caught.value)
    assert "1 row(s) rejected; nothing was written" in message
    assert "bad.csv, row 3, field labels: unknown term “Not a real theme”" in message
    assert registry_counts() == before
    assert ImportRun.objects.get().status == "failed"


def test_dry_run_with_rejected_rows_fails_too(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(template_csv(with_row(TEMPLATE_ROWS, 0, recommending_states="Atlantis")))
    with pytest.raises(CommandError, match=r"bad.csv, row 2, field recommending_states"):
        _call("template", path, "--dry-run")
    assert not ImportRun.objects.exists()


def test_jsonl_with_rows_the_parser_rejects_fails_naming_them(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_bytes(template_csv([*TEMPLATE_ROWS, TEMPLATE_ROWS[0]]))
    with pytest.raises(CommandError, match=r"dup.csv, row 5, field number: duplicate of row 2"):
        _call("template", path, "--dry-run", "--format", "jsonl")


@pytest.mark.parametrize("fmt", ["text", "jsonl"])
def test_unreadable_file_fails_naming_file_row_and_field(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "latin1.csv"
    rows = with_row(TEMPLATE_ROWS, 1, recommending_states="Côte d'Ivoire")
    path.write_bytes(template_csv(rows).decode().encode("latin-1"))
    with pytest.raises(CommandError, match=r"^latin1.csv, row 3, field recommending_states: not"):
        _call("template", path, "--dry-run", "--format", fmt)
    assert registry_counts()["recommendations"] == 0


def test_skip_invalid_writes_the_valid_rows(tmp_path: Path) -> None:
    path = tmp_path / "half.csv"
    path.write_bytes(template_csv(with_row(TEMPLATE_ROWS, 1, ohchr_themes="Not a real theme")))
    out, _ = _call("template", path, "--skip-invalid", "-v", "1")
    assert "row 3: rejected labels unknown term “Not a real theme”" in out
    assert Recommendation.objects.count() == 2


def test_upr_info_state_and_session_options_filter_rows(files: dict[str, Path]) -> None:
    out, _ = _call("upr-info", files["upr-info"], "--format", "jsonl", "--state", "France")
    assert len(out.splitlines()) == 1
    out, _ = _call("upr-info", files["upr-info"], "--format", "jsonl", "--session", "19")
    assert out == ""


def test_missing_file_fails(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        _call("template", tmp_path / "absent.csv")


def test_unknown_kind_fails(files: dict[str, Path]) -> None:
    with pytest.raises(CommandError, match="invalid choice"):
        _call("pdf", files["template"])


# -- the console script ------------------------------------------------------------


def _qadam(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "QADAM_STATE_DIR": str(tmp_path / "state"),
        "DJANGO_SETTINGS_MODULE": "qadam.settings",
    }
    return subprocess.run(
        [str(QADAM), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_console_script_is_installed() -> None:
    assert QADAM.is_file(), "run `pip install -e .` to install the qadam console script"


def test_console_script_imports_with_jsonl(files: dict[str, Path], tmp_path: Path) -> None:
    done = _qadam(
        "import",
        "template",
        str(files["template"]),
        "--dry-run",
        "--format",
        "jsonl",
        tmp_path=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["number"] for line in done.stdout.splitlines()] == [
        "1.1",
        "1.2",
        "1.3",
    ]


def test_console_script_fails_with_the_error_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    done = _qadam("import", "template", str(path), "--format", "jsonl", tmp_path=tmp_path)
    assert done.returncode == 1
    assert "empty.csv: the file is empty" in done.stderr
