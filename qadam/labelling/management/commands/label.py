"""``qadam label [--document ID] [--background]``: suggest labels with the active model.

Without --background the run goes on here with a progress bar; with it, the run is
queued for the task worker. Either way it resumes from its bookmark if interrupted:
``qadam label --resume RUN`` carries a stopped run on."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from qadam.labelling import engine
from qadam.labelling.actions import do_continue_run, do_start_run
from qadam.labelling.models import LabellingRun
from qadam.labelling.tasks import continue_labelling_run


class Command(BaseCommand):
    help = "Suggest labels for recommendations with the active model version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--document", type=int, help="only this source document's")
        parser.add_argument("--resume", type=int, metavar="RUN", help="carry on a stopped run")
        parser.add_argument("--background", action="store_true", help="queue it for the worker")

    def handle(self, *args: Any, **opts: Any) -> None:
        run = self._run(opts)
        if opts["background"]:
            continue_labelling_run.enqueue(run.pk)
            self.stdout.write(f"labelling run {run.pk} queued: {run.total} recommendations")
            return
        with tqdm(
            total=run.total, initial=run.done, unit="rec", disable=opts["verbosity"] < 1
        ) as bar:
            while run.status != LabellingRun.Status.DONE:
                before = run.done
                do_continue_run(run, limit=1)  # a batch at a time, for the progress bar
                bar.update(run.done - before)
        self.stdout.write(
            self.style.SUCCESS(
                f"labelling run {run.pk}: {run.done} recommendations, {run.suggested} suggestions "
                f"(model {run.model_version.name})"
            )
        )

    def _run(self, opts: dict[str, Any]) -> LabellingRun:
        if opts["resume"]:
            run = LabellingRun.objects.filter(pk=opts["resume"]).first()
            if run is None:
                raise CommandError(f"no labelling run {opts['resume']}")
            return run
        scope = {"document": opts["document"]} if opts["document"] else {}
        try:
            return do_start_run(None, scope)
        except engine.NoModel:
            raise CommandError("no model version is active yet: run `qadam train` first") from None
