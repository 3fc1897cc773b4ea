"""``qadam import_plan <file> --plan-title "..." [--plan-id N] [--dry-run] [--format text|json]``.

The plan is ``--plan-id``, else the plan whose title is ``--plan-title``, else a new
plan with that (English) title. A re-run therefore updates the same plan.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qadam.lib.records import ImportFormatError
from qadam.tracking.importing import (
    PlanImportReport,
    do_import_plan,
    error_message,
    find_plan_by_title,
    report_details,
    report_summary,
)
from qadam.tracking.models import Plan


class Command(BaseCommand):
    help = cast(
        str,
        gettext_lazy(
            "Import a plan of action from XLSX or CSV (the government's layout or the Qadam "
            "plan template). All or nothing; a re-run updates the same actions."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--plan-title", default="", help=_("English title of the plan."))
        parser.add_argument("--plan-id", type=int, help=_("Import into this existing plan."))
        parser.add_argument(
            "--plan-kind",
            choices=Plan.Kind.values,
            default=Plan.Kind.OTHER,
            help=_("Kind of a new plan."),
        )
        parser.add_argument("--dry-run", action="store_true", help=_("Check and report only."))
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **opts: Any) -> None:
        path: Path = opts["path"]
        if not path.is_file():
            raise CommandError(_("%(path)s: no such file") % {"path": path})
        plan, new_plan = self._plan(opts)
        try:
            report = do_import_plan(
                None, path.read_bytes(), path.name, plan=plan, new_plan=new_plan,
                dry_run=opts["dry_run"],
            )  # fmt: skip
        except ImportFormatError as exc:
            raise CommandError(error_message(exc)) from exc
        self._print(report, opts)
        if report.rejected:
            raise CommandError(report_summary(report))

    def _plan(self, opts: dict[str, Any]) -> tuple[Plan | None, dict[str, Any]]:
        if opts["plan_id"] is not None:
            plan = Plan.objects.filter(pk=opts["plan_id"]).first()
            if plan is None:
                raise CommandError(_("There is no plan %(id)s.") % {"id": opts["plan_id"]})
            return plan, {}
        title = " ".join(opts["plan_title"].split())
        if not title:
            raise CommandError(_("Give --plan-title (a new or existing plan) or --plan-id."))
        found = find_plan_by_title(title)
        if len(found) > 1:
            ids = ", ".join(str(p.pk) for p in found)
            raise CommandError(
                _("Several plans are titled “%(title)s” (%(ids)s); choose one with --plan-id.")
                % {"title": title, "ids": ids}
            )
        if found:
            return found[0], {}
        return None, {"title": {"en": title}, "kind": opts["plan_kind"]}

    def _print(self, report: PlanImportReport, opts: dict[str, Any]) -> None:
        if opts["format"] == "json":
            self.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=1))
            return
        if opts["verbosity"] == 0:
            return
        self.stdout.write(report_summary(report))
        for line in report_details(report):
            self.stdout.write("  " + line)
