"""The pages the tracking benchmark times, who asks for them, and the timing loop.

Each page is asked as a persona, the way a browser or a script would: web pages with
the persona's session cookie, the API with the persona's API token
(``Authorization: Bearer qdm_…``). The server is bench/server.py's (wsgiref in a
thread on 127.0.0.1, every response saying how many SQL queries it made).
"""

from __future__ import annotations

import math
import statistics
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

from tracking_data import USERNAMES

P95_AIM_MS = 150.0
MIN_REPEATS = 5  # a page's timed passes stop early only once it has this many
REQUEST_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class Page:
    key: str  # "dashboard:admin"
    what: str  # what it is, for the JSON
    persona: str  # "admin", "observer", "focal_point"
    path: str
    api: bool = False


@dataclass
class Timed:
    seconds: float
    status: int
    queries: int
    size: int
    cpu_ms: float  # the server thread's CPU time (SQLite's work included, PostgreSQL's not)


def pages(facts: dict[str, Any]) -> list[Page]:
    plan, action = facts["big_plan"], facts["busy_action"]
    return [
        Page("dashboard:admin", "dashboard, secretariat admin", "admin", "/en/tracking/dashboard/"),
        Page("dashboard:observer", "dashboard, observer", "observer", "/en/tracking/dashboard/"),
        Page(
            "queue:focal_point",
            f"work queue, focal point of {facts['focal_point_institution']}",
            "focal_point",
            "/en/tracking/queue/",
        ),
        Page("queue:admin", "work queue, secretariat (review)", "admin", "/en/tracking/queue/"),
        Page("plan-list:admin", "plan list", "admin", "/en/tracking/plans/"),
        Page("plan-list:observer", "plan list", "observer", "/en/tracking/plans/"),
        Page(
            "plan-detail:admin",
            f"plan detail, first page ({facts['big_plan_actions']} actions)",
            "admin",
            f"/en/tracking/plans/{plan}/",
        ),
        Page(
            "plan-detail:focal_point",
            "plan detail, first page",
            "focal_point",
            f"/en/tracking/plans/{plan}/",
        ),
        Page(
            "action-detail:admin",
            f"action detail ({facts['busy_action_updates']} updates)",
            "admin",
            f"/en/tracking/actions/{action}/",
        ),
        Page(
            "api-actions:admin", "API action list, page 1", "admin", "/api/v1/actions?page=1", True
        ),
        Page(
            "api-actions:focal_point",
            "API action list, page 1",
            "focal_point",
            "/api/v1/actions?page=1",
            True,
        ),
        Page(
            "api-actions:observer",
            "API action list, page 1",
            "observer",
            "/api/v1/actions?page=1",
            True,
        ),
    ]


def targets() -> dict[str, Any]:
    """The plan with the most actions and the action with the most updates."""
    from django.db.models import Count

    from qadam.accounts.models import User
    from qadam.tracking.models import Action, ActionInstitution, Plan, ProgressUpdate

    plan = Plan.objects.annotate(n=Count("actions")).order_by("-n", "pk").first()
    busy = (
        ProgressUpdate.objects.values("action_id")
        .annotate(n=Count("id"))
        .order_by("-n", "action_id")
        .first()
    )
    assert plan is not None and busy is not None
    focal = User.objects.select_related("organisation__institution").get(
        username=USERNAMES["focal_point"]
    )
    institution = focal.organisation.institution
    return {
        "focal_point_institution": institution.code,
        "focal_point_institution_actions": ActionInstitution.objects.filter(
            institution=institution
        ).count(),
        "big_plan": plan.pk,
        "big_plan_actions": Action.objects.filter(plan=plan).count(),
        "busy_action": busy["action_id"],
        "busy_action_updates": busy["n"],
    }


def credentials() -> dict[str, dict[str, str]]:
    """Per persona: the headers of a signed-in browser and of an API client."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from qadam.accounts.models import ApiToken, User
    from qadam.accounts.tokens import display_prefix, hash_key, new_key

    store = import_module(settings.SESSION_ENGINE).SessionStore
    out: dict[str, dict[str, str]] = {}
    for persona, username in USERNAMES.items():
        user = User.objects.get(username=username)
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        key = new_key()
        ApiToken.objects.create(
            user=user, name="SYNTHETIC benchmark token", key_prefix=display_prefix(key),
            key_hash=hash_key(key),
        )  # fmt: skip
        out[persona] = {
            "web": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
            "api": f"Bearer {key}",
        }
    return out


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1, never a proxy


def get(base: str, page: Page, creds: dict[str, dict[str, str]]) -> Timed:
    """One GET, timed from sending the request to the last byte of the body."""
    from server import CPU_HEADER, QUERIES_HEADER

    headers = {"Accept-Language": "en"}
    if page.api:
        headers["Authorization"] = creds[page.persona]["api"]
    else:
        headers["Cookie"] = creds[page.persona]["web"]
    request = urllib.request.Request(base + page.path, headers=headers)
    started = time.perf_counter()
    with _opener.open(request, timeout=REQUEST_TIMEOUT_S) as response:
        body = response.read()
        status = response.status
        queries = int(response.headers.get(QUERIES_HEADER, "-1"))
        cpu_ms = float(response.headers.get(CPU_HEADER, "nan"))
    seconds = time.perf_counter() - started
    if status != 200 or (not page.api and b"/login/" in response.geturl().encode()):
        raise RuntimeError(f"{page.key} {page.path}: HTTP {status} at {response.geturl()}")
    return Timed(seconds, status, queries, len(body), cpu_ms)


def after_write(todo: list[Page]) -> list[Page]:
    """The dashboards again, each right after a write that can move their figures: the
    price of the first view after any change (the cache of dashboards.py is cold)."""
    return [
        Page(
            p.key.replace("dashboard:", "dashboard-after-write:"),
            p.what + ", right after a write (figures counted again)",
            p.persona,
            p.path,
        )
        for p in todo
        if p.key.startswith("dashboard:")
    ]


def write() -> None:
    """What any audited change does to the dashboards' data version: one audit event
    (a synthetic one, from the client's thread and connection, outside the timing)."""
    from qadam.audit.models import AuditEvent

    AuditEvent.objects.create(
        action="bench.tracking.write", object_type="bench", object_repr="SYNTHETIC write"
    )


def measure(
    base: str, todo: list[Page], repeats: int, budget_s: float, cold_repeats: int
) -> dict[str, Any]:
    """One unmeasured warm-up pass, then up to ``repeats`` timed passes over every page
    (stopping early, after MIN_REPEATS, once ``budget_s`` is spent): bounded either way.
    Then, apart (so that they leave the passes above warm), ``cold_repeats`` rounds of
    a write followed by each dashboard."""
    creds = credentials()
    first = {p.key: get(base, p, creds) for p in todo}
    timed: dict[str, list[Timed]] = {p.key: [] for p in todo}
    started = time.monotonic()
    passes = 0
    for passes in range(1, repeats + 1):
        for p in todo:
            timed[p.key].append(get(base, p, creds))
        if passes >= MIN_REPEATS and time.monotonic() - started > budget_s:
            break
    cold = after_write(todo)
    cold_timed: dict[str, list[Timed]] = {p.key: [] for p in cold}
    for _round in range(cold_repeats):  # bounded: cold_repeats x dashboards
        for p in cold:
            write()
            cold_timed[p.key].append(get(base, p, creds))
    return {
        "passes": passes,
        "requests_timed": sum(len(v) for v in timed.values()),
        "pages": {p.key: summary(p, first[p.key], timed[p.key]) for p in todo},
        "after_write": {
            "note": (
                "each request follows an audited write: the dashboards count every figure "
                "again (their cache is keyed on the data version); reported apart from the "
                "pages above, whose figures are those of an unchanged database"
            ),
            "pages": {p.key: summary(p, cold_timed[p.key][0], cold_timed[p.key]) for p in cold},
        },
    }


def quantile_ms(seconds: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    ordered = sorted(seconds)
    rank = max(1, math.ceil(q * len(ordered)))
    return round(1000 * ordered[rank - 1], 1)


def summary(page: Page, first: Timed, timed: list[Timed]) -> dict[str, Any]:
    seconds = [t.seconds for t in timed]
    queries = [t.queries for t in timed]
    p95 = quantile_ms(seconds, 0.95)
    return {
        "what": page.what,
        "persona": page.persona,
        "path": page.path,
        "auth": "API token" if page.api else "session cookie",
        "requests": len(timed),
        "first_ms": round(1000 * first.seconds, 1),
        "p50_ms": quantile_ms(seconds, 0.5),
        "p95_ms": p95,
        "max_ms": round(1000 * max(seconds), 1),
        "server_cpu_p50_ms": quantile_ms([t.cpu_ms / 1000 for t in timed], 0.5),
        "server_cpu_p95_ms": quantile_ms([t.cpu_ms / 1000 for t in timed], 0.95),
        "sql_queries": {
            "min": min(queries),
            "median": statistics.median(queries),
            "max": max(queries),
        },
        "bytes": timed[-1].size,
        "aim_p95_ms": P95_AIM_MS,
        "meets_aim": p95 <= P95_AIM_MS,
    }
