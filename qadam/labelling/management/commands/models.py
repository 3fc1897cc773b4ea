"""``qadam models [--activate NAME]``: list model versions, or roll back to one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qadam.labelling.actions import do_activate_version
from qadam.labelling.models import ModelVersion
from qadam.lib.ml.types import ModelFileError


class Command(BaseCommand):
    help = "List the labelling model versions, or make an earlier one active (a rollback)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--activate", metavar="NAME", help="make this version the active one")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["activate"]:
            version = ModelVersion.objects.filter(name=opts["activate"]).first()
            if version is None:
                raise CommandError(f"no model version named {opts['activate']!r}")
            try:
                do_activate_version(None, version)
            except (ValueError, ModelFileError) as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(self.style.SUCCESS(f"{version.name} is now active"))
            return
        for v in ModelVersion.objects.all():
            mark = "*" if v.active else " "
            self.stdout.write(f"{mark} {v.name}  {v.status}  {v.created_at:%Y-%m-%d %H:%M}")
