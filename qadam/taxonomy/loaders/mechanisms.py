"""Mechanisms, their cycles and sessions, from ``data/mechanisms.yaml``.

mechanisms:
  - code: UPR
    kind: upr                  # upr, treaty or special
    sort_order: 10
    name: {en: ..., ru: ..., kk: ...}
    cycles:                    # optional
      - {number: 1, start_year: 2008, end_year: 2011, sessions: [1, 12]}
    session_dates:             # optional: session number → first day
      7: 2010-02-01
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from qadam.taxonomy.loaders.base import (
    LoadReport,
    ReferenceDataError,
    check_keys,
    clean_names,
    require,
    sync,
)
from qadam.taxonomy.models import Cycle, Mechanism, Session

MECHANISM_KEYS = {"code", "kind", "sort_order", "name", "cycles", "session_dates"}
KINDS = {choice.value for choice in Mechanism.Kind}


def _mechanism_row(raw: dict[str, Any], where: str) -> dict[str, Any]:
    check_keys(raw, MECHANISM_KEYS, where)
    kind = str(require(raw, "kind", where))
    if kind not in KINDS:
        raise ReferenceDataError(f"{where}: kind must be one of {sorted(KINDS)}")
    return {
        "code": str(require(raw, "code", where)),
        "kind": kind,
        "name": clean_names(require(raw, "name", where), where),
        "sort_order": int(raw.get("sort_order") or 0),
    }


def _cycle_rows(mechanism: Mechanism, raw: dict[str, Any], where: str) -> dict[int, dict[str, Any]]:
    rows = {}
    for item in raw.get("cycles") or []:
        check_keys(item, {"number", "start_year", "end_year", "sessions"}, where)
        number = int(require(item, "number", where))
        rows[number] = {
            "mechanism": mechanism,
            "number": number,
            "start_year": item.get("start_year"),
            "end_year": item.get("end_year"),
        }
    return rows


def _session_rows(
    mechanism: Mechanism, raw: dict[str, Any], cycles: dict[Any, Cycle], where: str
) -> dict[int, dict[str, Any]]:
    dates = raw.get("session_dates") or {}
    rows = {}
    for item in raw.get("cycles") or []:
        span: list[int] = item.get("sessions") or []
        if len(span) != 2:
            continue  # a cycle without listed sessions
        cycle = cycles[int(item["number"])]
        for number in range(int(span[0]), int(span[1]) + 1):
            start = dates.get(number)
            if start is not None and not isinstance(start, datetime.date):
                raise ReferenceDataError(f"{where}: session {number}: date must be YYYY-MM-DD")
            rows[number] = {"mechanism": mechanism, "number": number, "cycle": cycle}
            if start is not None:
                # Only known dates are written: a date entered in the admin survives.
                rows[number]["start_date"] = start
    unknown = set(dates) - set(rows)
    if unknown:
        raise ReferenceDataError(f"{where}: dates for sessions outside any cycle: {unknown}")
    return rows


def load_mechanisms(data: dict[str, Any], path: Path, report: LoadReport) -> None:
    items = data.get("mechanisms")
    if not isinstance(items, list):
        raise ReferenceDataError(f"{path}: 'mechanisms' must be a list")
    raws = {}
    for i, raw in enumerate(items):
        row = _mechanism_row(raw, f"{path}: mechanism #{i + 1}")
        raws[row["code"]] = (raw, row)
    mechanisms = sync(
        Mechanism.objects.all(),
        lambda m: m.code,
        {code: row for code, (_raw, row) in raws.items()},
        report.kind("mechanism"),
    )
    for code, (raw, _row) in raws.items():
        mechanism, where = mechanisms[code], f"{path}: mechanism {code}"
        cycles = sync(
            Cycle.objects.filter(mechanism=mechanism),
            lambda c: c.number,
            _cycle_rows(mechanism, raw, where),
            report.kind("cycle"),
        )
        sync(
            Session.objects.filter(mechanism=mechanism),
            lambda s: s.number,
            _session_rows(mechanism, raw, cycles, where),
            report.kind("session"),
        )
