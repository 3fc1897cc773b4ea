"""A real HTTP server for the benchmark: Django's WSGI application under wsgiref, in a
thread, on 127.0.0.1 and a free port; and a client that times requests to it.

Each response carries ``X-Bench-Queries``, the SQL queries the request made (counted on
the server thread's connection), and ``X-Bench-CPU-Ms``, the CPU time the server thread
spent on it: unlike wall time, it hardly moves when other processes load the machine
(but it leaves out PostgreSQL's own process).
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
CPU_HEADER = "X-Bench-CPU-Ms"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _counting(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """Wrap the WSGI app to count the SQL each request runs (Django is loaded by now)."""
    from django.db import connection

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        count = [0]
        cpu_started = time.thread_time()

        def counter(
            execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
        ) -> Any:
            count[0] += 1
            return execute(sql, params, many, context)

        def start(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            cpu_ms = 1000 * (time.thread_time() - cpu_started)
            extra = [(QUERIES_HEADER, str(count[0])), (CPU_HEADER, f"{cpu_ms:.2f}")]
            return start_response(status, [*headers, *extra], *exc)

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
    # The production entry point (what gunicorn loads), with whatever it sets up.
    from qadam.wsgi import application

    httpd = make_server("127.0.0.1", 0, _counting(application), handler_class=_QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, name="bench-wsgi", daemon=True)
    thread.start()
    return Server(httpd, thread)


@dataclass
class Timed:
    seconds: float
    status: int
    queries: int
    cpu_ms: float
    body: bytes


def get(base: str, path: str, timeout: float = 120.0) -> Timed:
    """One GET, timed from sending the request to the last byte of the body."""
    started = time.perf_counter()
    with urllib.request.urlopen(base + path, timeout=timeout) as response:
        body = response.read()
        status = response.status
        queries = int(response.headers.get(QUERIES_HEADER, "-1"))
        cpu_ms = float(response.headers.get(CPU_HEADER, "nan"))
    return Timed(time.perf_counter() - started, status, queries, cpu_ms, body)
