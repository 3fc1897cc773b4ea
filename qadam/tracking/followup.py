"""Treaty-body follow-up deadlines from real data: the Human Rights Committee's
follow-up on Kazakhstan's 2016 concluding observations (CCPR/C/KAZ/CO/2).

The file (``$QADAM_DATA_DIR/un-cooperation/ccpr-followup-kaz-2016.json``) names the
concluding observations, their date, the priority paragraphs chosen for follow-up
and the Committee's later assessment. It does not state the period the Committee
gave for the follow-up information: the Committee's concluding observations of that
time ask for it "within one year" of their adoption, so that is the default, and
``months`` changes it. The file is read in place, never copied.
"""

from __future__ import annotations

import calendar
import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from qadam.audit.actions import record
from qadam.registry.models import Recommendation
from qadam.tracking.models import FollowUpDeadline

HRC_FILE = "un-cooperation/ccpr-followup-kaz-2016.json"
HRC_FOLLOWUP_MONTHS = 12
MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}


class FollowUpDataError(ValueError):
    """The file is not the follow-up record this loader knows."""


@dataclass(frozen=True)
class FollowUpSpec:
    document_symbol: str
    adopted: datetime.date
    due: datetime.date
    paragraphs: list[str]
    # The Committee assessed the State's reply (the assessment's symbol): information
    # was submitted, so the deadline is met.
    assessed_in: str

    @property
    def done(self) -> bool:
        return bool(self.assessed_in)

    def title(self) -> dict[str, str]:
        paras_en = _listing(self.paragraphs, "and")
        paras_ru = _listing(self.paragraphs, "и")
        return {
            "en": f"Follow-up information on {self.document_symbol}, paragraphs {paras_en}",
            "ru": f"Информация о последующих мерах по {self.document_symbol}, пункты {paras_ru}",
        }


def _listing(items: list[str], conjunction: str) -> str:
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def parse_date(text: str) -> datetime.date:
    """ "11 July 2016" → 2016-07-11 (English month names, as the file writes them)."""
    try:
        day, month, year = text.split()
        return datetime.date(int(year), MONTHS[month.lower()], int(day))
    except (ValueError, KeyError) as exc:
        raise FollowUpDataError(f"unreadable date {text!r}; expected e.g. '11 July 2016'") from exc


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or the month's last day when it has fewer days."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_hrc_followup(data: Any, months: int = HRC_FOLLOWUP_MONTHS) -> FollowUpSpec:
    try:
        meta = data["hrc"]["meta"]
        symbol = str(meta["co_symbol"]).strip()
        paragraphs = [str(p).strip() for p in meta["followup_paras"]]
        co_date = str(meta["co_date"])
    except (KeyError, TypeError) as exc:
        raise FollowUpDataError(
            f"not a Human Rights Committee follow-up record: missing {exc}"
        ) from exc
    if not symbol or not paragraphs:
        raise FollowUpDataError("the record names no document or no follow-up paragraphs")
    adopted = parse_date(co_date)
    return FollowUpSpec(
        symbol,
        adopted,
        add_months(adopted, months),
        paragraphs,
        str(meta.get("assessment_symbol") or ""),
    )


@dataclass
class LoadResult:
    deadline: FollowUpDeadline
    created: bool
    linked: list[str]  # the paragraph numbers found in the registry
    missing: list[str]  # those not (yet) imported


@transaction.atomic
def load_followup(path: Path, months: int = HRC_FOLLOWUP_MONTHS) -> LoadResult:
    """Create or update the follow-up deadline of ``path`` (idempotent, audited), linked
    to the recommendations of those paragraphs that the registry holds."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise FollowUpDataError(f"{path}: {exc}") from exc
    spec = parse_hrc_followup(data, months)
    deadline, created = FollowUpDeadline.objects.update_or_create(
        document_symbol=spec.document_symbol,
        defaults={"title": spec.title(), "due": spec.due, "done": spec.done},
    )
    recs = Recommendation.objects.filter(
        document__symbol=spec.document_symbol, number__in=spec.paragraphs
    )
    deadline.recommendations.set(recs)
    linked = sorted({r.number for r in recs}, key=spec.paragraphs.index)
    record(
        None,
        "tracking.followup.load",
        deadline,
        {
            "source": path.name,
            "due": spec.due.isoformat(),
            "done": spec.done,
            "recommendations": linked,
        },
    )
    missing = [p for p in spec.paragraphs if p not in linked]
    return LoadResult(deadline, created, linked, missing)
