"""``qadam qol load-default|import|export|evaluate|compute``: quality-of-life standards
from the command line.

``evaluate`` computes without storing and prints one JSON object per region (the
issue's format); ``compute`` stores an evaluation, as the web's "evaluate" does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from qadam.qol import actions as act
from qadam.qol.access import get_standard_for_user, get_version_for_user
from qadam.qol.api import verdict
from qadam.qol.models import StandardVersion
from qadam.qol.tasks import evaluate_standard


class Command(BaseCommand):
    help = "Quality-of-life standards: load, import, export, evaluate."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("load-default", help="save the shipped default standard (idempotent)")
        imp = sub.add_parser("import", help="save a YAML standard as a new version")
        imp.add_argument("path")
        imp.add_argument("--note", default="")
        exp = sub.add_parser("export", help="print a version as YAML")
        self._which(exp)
        ev = sub.add_parser("evaluate", help="print verdicts per region (nothing stored)")
        self._which(ev)
        ev.add_argument("--year", type=int, help="default: the latest year with verdicts")
        ev.add_argument("--format", choices=["json"], default="json")
        ev.add_argument("--draws", type=int, default=1000)
        ev.add_argument("--seed", type=int, default=20251)
        comp = sub.add_parser("compute", help="store an evaluation of a version")
        self._which(comp)
        comp.add_argument("--background", action="store_true", help="queue it for the worker")
        comp.add_argument(
            "--force", action="store_true", help="compute even if the stored one is up to date"
        )

    def _which(self, parser: CommandParser) -> None:
        parser.add_argument("--standard", help="standard code (default QADAM_QOL_STANDARD)")
        parser.add_argument("--version", type=int, dest="number", help="default: the latest")

    def handle(self, *args: Any, **opts: Any) -> None:
        handler = getattr(self, "_" + opts["subcommand"].replace("-", "_"))
        try:
            handler(opts)
        except act.StandardInvalid as exc:
            raise CommandError("\n".join(exc.messages)) from exc

    def _load_default(self, opts: dict[str, Any]) -> None:
        version = act.do_load_default()
        self.stdout.write(f"{version}: {version.standard}")

    def _import(self, opts: dict[str, Any]) -> None:
        path = Path(opts["path"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        text = path.read_text(encoding="utf-8")
        version = act.do_save_version(None, text, opts["note"], name=path.name)
        self.stdout.write(f"{version}: {version.standard}")

    def _version(self, opts: dict[str, Any]) -> StandardVersion:
        try:
            standard = get_standard_for_user(None, opts.get("standard"))
            return get_version_for_user(None, standard, opts.get("number"))
        except Http404 as exc:
            raise CommandError(
                "No such standard or version; `qadam qol load-default` saves the default."
            ) from exc

    def _export(self, opts: dict[str, Any]) -> None:
        self.stdout.write(self._version(opts).yaml, ending="")

    def _evaluate(self, opts: dict[str, Any]) -> None:
        version = self._version(opts)
        result = act.compute(version, seed=opts["seed"], draws=opts["draws"], year=opts["year"])
        year = result["year"]
        ranks = {r["region"]: r for r in result["uncertainty"].get("rows", [])}
        for row in result["results"]:
            if row["year"] != year:
                continue
            out = verdict(row, ranks.get(row["region"], {}))
            self.stdout.write(json.dumps(out, ensure_ascii=False))

    def _compute(self, opts: dict[str, Any]) -> None:
        version = self._version(opts)
        current = act.fresh_evaluation(version)
        if current is not None and not opts["force"]:
            self.stdout.write(f"Evaluation {current.pk} of {version} is up to date.")
            return
        evaluation = act.do_queue_evaluation(None, version)
        if opts["background"]:
            evaluate_standard.enqueue(evaluation.pk)
            self.stdout.write(f"Queued evaluation {evaluation.pk}.")
            return
        act.do_evaluate(evaluation)
        self.stdout.write(
            f"Evaluation {evaluation.pk} of {evaluation.version}: year {evaluation.year}, "
            f"{evaluation.seconds:.2f} s."
        )
