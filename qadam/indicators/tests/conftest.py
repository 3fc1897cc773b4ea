"""A synthetic Open SDG repository (two indicators, three regions), written by the
tests themselves; and a loopback HTTP server for the URL import path."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from qadam.taxonomy.models import Region, Taxonomy, Term

REGIONS = {"KZAKM": "Akmola Region", "KZALA": "Almaty", "KZNS": "Astana"}

NEONATAL_CSV = """\
Year,UNIT_MEASURE,SEX,REF_AREA,Value
2019,PER_1000_LIVE_BIRTHS,_T,,6.0
2020,PER_1000_LIVE_BIRTHS,_T,,5.5
2021,PER_1000_LIVE_BIRTHS,_T,,5.0
2019,PER_1000_LIVE_BIRTHS,_T,KZAKM,7.0
2020,PER_1000_LIVE_BIRTHS,_T,KZAKM,6.5
2021,PER_1000_LIVE_BIRTHS,_T,KZAKM,6.0
2021,PER_1000_LIVE_BIRTHS,_T,KZALA,4.0
2021,PER_1000_LIVE_BIRTHS,_T,KZNS,4.5
2021,PER_1000_LIVE_BIRTHS,F,KZNS,4.1
2021,PER_1000_LIVE_BIRTHS,_T,KZXX,9.9
2021,PER_1000_LIVE_BIRTHS,_T,KZNS,4.6
"""
HOUSING_CSV = """\
Year,UNIT_MEASURE,REF_AREA,Value
2020,SQ_METER,,23.1
2021,SQ_METER,,23.8
2021,SQ_METER,KZAKM,abc
"""
TRANSLATIONS = {
    "en": "3-2-2-title: Synthetic neonatal mortality rate\n11-3-1-title: Synthetic floor area\n",
    "ru": "3-2-2-title: Синтетическая неонатальная смертность\n"
    "11-3-1-title: Синтетическая площадь\n",
    "kk": "3-2-2-title: Синтетикалық неонаталдық өлім\n11-3-1-title: Синтетикалық аудан\n",
}


@pytest.fixture
def synthetic_repo(tmp_path: Path) -> Path:
    """Synthetic kazstat-like repository: a good file with a bad region, a conflicting
    duplicate and a female series; and a file with one unreadable value."""
    root = tmp_path / "synthetic-opensdg"
    (root / "data").mkdir(parents=True)
    (root / "data" / "indicator_3-2-2.csv").write_text(NEONATAL_CSV, encoding="utf-8")
    (root / "data" / "indicator_11-3-1.csv").write_text(HOUSING_CSV, encoding="utf-8")
    for lang, text in TRANSLATIONS.items():
        folder = root / "translations" / lang
        folder.mkdir(parents=True)
        (folder / "global_indicators.yml").write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def regions(db: None) -> None:
    for code, name in REGIONS.items():
        Region.objects.update_or_create(code=code, defaults={"name": {"en": name}})
    sdg_goal = Taxonomy.objects.create(code="sdg-target", name={"en": "SDG targets"})
    sdg_ind = Taxonomy.objects.create(code="sdg-indicator", name={"en": "SDG indicators"})
    target = Term.objects.create(taxonomy=sdg_goal, code="3.2", name={"en": "Child deaths"})
    Term.objects.create(taxonomy=sdg_ind, code="3.2.2", name={"en": "Neonatal"}, parent=target)


@pytest.fixture
def http_root() -> Iterator[callable]:  # type: ignore[valid-type]
    """Serve a folder over loopback HTTP: ``serve(folder)`` gives its base URL."""
    servers: list[_Server] = []

    def serve(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = _Server(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 drops connections when the reader fetches in parallel on
    # a loaded machine; each drop costs a one-second retry.
    request_queue_size = 128


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass
