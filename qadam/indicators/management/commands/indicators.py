"""``qadam indicators import|list``: statistical indicators from the command line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from qadam.indicators.actions import ImportSourceError, default_origin, do_import, do_queue_import
from qadam.indicators.models import Dataset, ImportRun, Indicator
from qadam.indicators.tasks import import_indicators

SHOWN_PROBLEMS = 20


class Command(BaseCommand):
    help = "Import statistical indicators (Open SDG repositories, kz-stats) or list them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        imp = sub.add_parser("import", help="import an Open SDG repository or kz-stats")
        imp.add_argument("kind", choices=[k.value for k in Dataset.Kind])
        imp.add_argument(
            "source",
            nargs="?",
            help="a folder or an http(s) URL (default: the folder in QADAM_DATA_DIR)",
        )
        imp.add_argument("--dataset", default="", help="dataset code (default from the kind)")
        imp.add_argument("--force", action="store_true", help="re-import unchanged data")
        imp.add_argument("--background", action="store_true", help="queue it for the worker")
        sub.add_parser("list", help="list imported indicators")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["subcommand"] == "list":
            self._list()
        else:
            self._import(opts)

    def _import(self, opts: dict[str, Any]) -> None:
        origin = opts["source"] or default_origin(opts["kind"])
        run = do_queue_import(None, opts["kind"], origin, opts["dataset"], opts["force"])
        if opts["background"]:
            import_indicators.enqueue(run.pk)
            self.stdout.write(f"Queued indicator import {run.pk}.")
            return
        quiet = opts["verbosity"] == 0
        with tqdm(total=100, desc=opts["kind"], disable=quiet, unit="%") as bar:
            try:
                do_import(None, run, progress=lambda pct: bar.update(pct - bar.n))
            except ImportSourceError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        self._report(run, quiet)

    def _report(self, run: ImportRun, quiet: bool) -> None:
        counts = run.counts
        self.stdout.write(
            f"{run.dataset_code}: {run.status}; {counts.get('indicators', 0)} indicators, "
            f"{counts.get('observations', 0)} observations, {counts.get('set_aside', 0)} rows "
            f"set aside, {counts.get('flagged', 0)} flagged, "
            f"{counts.get('corrected', 0)} corrected."
        )
        if quiet:
            return
        for code, n in counts.get("by_code", {}).items():
            self.stdout.write(f"  {code}: {n}")
        for problem in run.problems[:SHOWN_PROBLEMS]:
            self.stdout.write(
                f"  {problem['file']}:{problem['row']} {problem['field']}: {problem['message']}"
            )
        if len(run.problems) > SHOWN_PROBLEMS:
            self.stdout.write(f"  … the full report is import run {run.pk} on the site.")

    def _list(self) -> None:
        for ind in Indicator.objects.select_related("dataset"):
            years = f"{ind.first_year}–{ind.last_year}" if ind.first_year else "-"
            where = "regions" if ind.has_regions else "national"
            self.stdout.write(f"{ind.dataset.code}\t{ind.code}\t{years}\t{where}\t{ind}")
