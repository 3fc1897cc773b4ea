"""``qadam find_overlaps``: suggest groups of recommendations that ask for the same thing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qadam.labelling.actions import do_find_overlaps


class Command(BaseCommand):
    help = (
        "Group near-duplicate recommendations across mechanisms and cycles. New groups "
        "wait for the secretariat; decided groups are kept as they are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--threshold", type=float, help="pair score to group at (default: the tuned one)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        made = do_find_overlaps(None, opts["threshold"])
        self.stdout.write(self.style.SUCCESS(f"{made} new overlap groups suggested"))
