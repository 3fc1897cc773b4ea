"""A real HTTP server for the benchmark: Django's WSGI application under wsgiref, in a
thread, on 127.0.0.1 and a free port; and a client that times requests to it.

Each response carries ``X-Bench-Queries``: the SQL queries the request made, counted
on the server thread's connection.
"""

from __future__ import annotations

import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

QUERIES_HEADER = "X-Bench-Queries"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _counting(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """Wrap the WSGI app to count the SQL each request runs (Django is loaded by now)."""
    from django.db import connection

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        count = [0]

        def counter(
            execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
        ) -> Any:
            count[0] += 1
            return execute(sql, params, many, context)

        def start(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            return start_response(status, [*headers, (QUERIES_HEADER, str(count[0]))], *exc)

        with connection.execute_wrapper(counter):
            return app(environ, start)

    return wrapped


@dataclass
class Server:
    httpd: WSGIServer
    thread: threading.Thread

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


def start() -> Server:
    from django.core.wsgi import get_wsgi_application

    httpd = make_server(
        "127.0.0.1", 0, _counting(get_wsgi_application()), handler_class=_QuietHandler
    )
    thread = threading.Thread(target=httpd.serve_forever, name="bench-wsgi", daemon=True)
    thread.start()
    return Server(httpd, thread)


@dataclass
class Timed:
    seconds: float
    status: int
    queries: int
    body: bytes


def get(base: str, path: str, timeout: float = 120.0) -> Timed:
    """One GET, timed from sending the request to the last byte of the body."""
    started = time.perf_counter()
    with urllib.request.urlopen(base + path, timeout=timeout) as response:
        body = response.read()
        status = response.status
        queries = int(response.headers.get(QUERIES_HEADER, "-1"))
    return Timed(time.perf_counter() - started, status, queries, body)
