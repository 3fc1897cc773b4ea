"""``qadam import <kind> <path> [--dry-run] [--format text|json|jsonl]``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from qadam.lib.records import ImportFormatError, RowProblem
from qadam.registry.actions import do_import, do_record_import_run
from qadam.registry.importing import KINDS, ImportReport, RowOutcome, parse, parser_options

# How many rejected rows a failing command names in its error message.
NAMED_PROBLEMS = 5


class Command(BaseCommand):
    help = "Import recommendations from a file. Kinds: " + ", ".join(KINDS)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument(
            "--format",
            choices=["text", "json", "jsonl"],
            default="text",
            help="jsonl: print the parsed recommendations, one JSON object "
            "per line, without touching the database",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="write the valid rows even if some are rejected",
        )
        parser.add_argument("--state", help="upr-info: only this state under review")
        parser.add_argument(
            "--session", action="append", help="upr-info: only this session (repeatable)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["path"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        data = path.read_bytes()
        options = self._run_options(opts)
        try:
            if opts["format"] == "jsonl":
                self._print_jsonl(opts, data, path.name, options)
                return
            report = self._run(opts, data, path.name, options)
        except ImportFormatError as exc:
            if not opts["dry_run"]:
                do_record_import_run(opts["kind"], path.name, options, None, str(exc))
            raise CommandError(str(exc)) from exc
        if not opts["dry_run"]:
            do_record_import_run(opts["kind"], path.name, options, report)
        self._print_report(report, opts)
        if report.rejected and not opts["skip_invalid"]:
            raise CommandError(_rejected_message(report.filename, report.rejected))

    def _run_options(self, opts: dict[str, Any]) -> dict[str, Any]:
        """What a run keeps: the parser filters (as JSON) and skip_invalid."""
        options: dict[str, Any] = {"skip_invalid": bool(opts["skip_invalid"])}
        if opts["kind"] == "upr-info":
            if opts.get("state"):
                options["state"] = opts["state"]
            if opts.get("session"):
                options["sessions"] = sorted(set(opts["session"]))
        return options

    def _print_jsonl(
        self, opts: dict[str, Any], data: bytes, filename: str, options: dict[str, Any]
    ) -> None:
        result = parse(opts["kind"], data, filename, parser_options(opts["kind"], options))
        for rec in result.records:
            self.stdout.write(json.dumps(rec.to_json(), ensure_ascii=False))
        for problem in result.problems:
            self.stderr.write(str(problem))
        if result.problems and not opts["skip_invalid"]:
            raise CommandError(_problems_message(result.problems))

    def _run(
        self, opts: dict[str, Any], data: bytes, filename: str, options: dict[str, Any]
    ) -> ImportReport:
        show = opts["format"] == "text" and opts["verbosity"] > 0
        with tqdm(total=100, desc=filename, disable=not show, unit="%") as bar:

            def progress(pct: int) -> None:
                bar.update(max(0, pct - bar.n))

            return do_import(
                opts["kind"],
                data,
                filename,
                options=parser_options(opts["kind"], options),
                dry_run=opts["dry_run"],
                skip_invalid=opts["skip_invalid"],
                progress=progress,
            )

    def _print_report(self, report: ImportReport, opts: dict[str, Any]) -> None:
        if opts["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "file": report.filename,
                        "kind": report.kind,
                        "dry_run": opts["dry_run"],
                        "counts": report.counts,
                        "documents": report.documents,
                        "rows": [r.to_json() for r in report.rows],
                        "mismatches": report.mismatches,
                    },
                    ensure_ascii=False,
                    indent=1,
                )
            )
            return
        if opts["verbosity"] == 0:
            return
        prefix = "[dry run] " if opts["dry_run"] else ""
        counts = ", ".join(f"{v} {k}" for k, v in report.counts.items())
        self.stdout.write(f"{prefix}{report.filename}: {counts}")
        for row in report.rows:
            if row.outcome in ("rejected", "skipped") or opts["verbosity"] > 1:
                self.stdout.write(f"  row {row.row}: {row.outcome} {row.field} {row.reason}")
        for mismatch in report.mismatches:
            self.stdout.write(f"  mismatch: {mismatch}")


def _rejected_message(filename: str, rejected: list[RowOutcome]) -> str:
    problems = [RowProblem(filename, r.row, r.field, r.reason) for r in rejected]
    return _problems_message(problems)


def _problems_message(problems: list[RowProblem]) -> str:
    """``N row(s) rejected; nothing was written`` and the first problems, one a line."""
    lines = [str(p) for p in problems[:NAMED_PROBLEMS]]
    if len(problems) > NAMED_PROBLEMS:
        lines.append(f"... and {len(problems) - NAMED_PROBLEMS} more")
    head = (
        f"{len(problems)} row(s) rejected; nothing was written "
        "(use --skip-invalid to write the valid rows)"
    )
    return "\n".join([head, *lines])
