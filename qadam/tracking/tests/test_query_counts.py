"""No page of implementation tracking makes more SQL queries for more rows (no N+1).

Each page is asked over HTTP, as each persona that uses it, once with 3 rows and once
with 30 (the same scene grown in place), after a warm-up request; the number of
queries must be exactly the same. The rows are whatever the page lists: plans, actions
of a plan, the updates, links, co-executors and evidence of an action, the work of an
institution, the figures of the dashboards. Everything is synthetic.

The timings at scale are bench/tracking.py's business (docs/performance.md, "Tracking").
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from qadam.accounts.actions import do_create_token
from qadam.accounts.models import User
from qadam.registry.models import Cluster, Recommendation
from qadam.registry.tests import factories as rf
from qadam.tracking.actions import refresh_assessments
from qadam.tracking.models import Action, Plan, ProgressUpdate, Status
from qadam.tracking.tests import factories as f

SMALL, LARGE = 3, 30
# Published first: with 3 rows every persona already sees some updates (an empty list
# skips its prefetch, which would be a difference of rows, not of an N+1).
STATES = ["published", "draft", "returned", "submitted", "validated"]
STATUSES = [s for s, _ in Status.choices]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _storage(settings: Any, tmp_path: Any) -> None:
    f.use_storage(settings, tmp_path)


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@dataclass
class Scene:
    """Grows by rows. Row ``i`` adds: a plan of its own with one action; an action in
    ``big_plan`` (MLSP leads or co-executes it; overdue, due soon or later; a budget in
    KZT or USD; a status; a progress update by MLSP in one of the states, with evidence);
    a labelled recommendation in a cluster, linked to both actions; and, on ``hub`` (the
    action whose page is asked), one more linked recommendation, co-executor, update
    and evidence file."""

    big_plan: Plan
    hub: Action
    clusters: list[Cluster]
    rows: int = 0
    recommendations: list[Recommendation] = field(default_factory=list)

    def grow(self, to: int) -> None:
        for i in range(self.rows, to):
            self._row(i)
        self.rows = max(self.rows, to)
        refresh_assessments(self.recommendations)

    def _row(self, i: int) -> None:
        rec = f.recommendation(f"Synthetic recommendation {i}", number=f"9.{i}")
        rf.label(rec, rf.term("ohchr-theme", f"D{i % 7}"))
        rf.label(rec, rf.term("upr-info-issue", f"synthetic-issue-{i % 5}"))
        rf.label(rec, rf.term("sdg-goal", str(i % 17 + 1)))
        self.clusters[i % len(self.clusters)].recommendations.add(rec)
        self.recommendations.append(rec)
        own_plan = f.plan(f"Synthetic plan {i}", published=i % 3 != 2)
        f.action(own_plan, "1", lead="MIA" if i % 2 else "MLSP", recommendations=[rec])
        mlsp_leads = i % 2 == 0
        action = f.action(
            self.big_plan,
            str(i + 2),
            lead="MLSP" if mlsp_leads else "MIA",
            co=[("GPO", True)] if mlsp_leads else ["MLSP"],
            recommendations=[rec],
            clusters=[self.clusters[i % len(self.clusters)]],
            published=i % 4 != 3,
            deadline=_days((-30, 10, 400)[i % 3]),
            status=STATUSES[i % 4],  # never "obsolete": open and closed both occur
            budget_planned=Decimal(1000 + i),
            budget_spent=Decimal(i),
            budget_currency=("KZT", "USD")[i % 2],
            outcome_type=f.outcome_type(),
        )
        update = f.update(action, STATES[i % len(STATES)], "MLSP", as_of=_days(-i))
        f.evidence(update, filename=f"synthetic-{i}.pdf")
        self.hub.recommendations.add(rec)
        _co(self.hub, i)
        hub_update = f.update(self.hub, STATES[i % len(STATES)], "MLSP", as_of=_days(-i))
        f.evidence(hub_update, filename=f"synthetic-hub-{i}.pdf")


def _co(action: Action, i: int) -> None:
    """One more co-executor (a synthetic institution) on ``action``."""
    from qadam.tracking.models import ActionInstitution

    ActionInstitution.objects.create(
        action=action, institution=f.institution(f"SYN{i}"), role="co", position=i + 1
    )


@pytest.fixture
def scene(personas: dict[str, User]) -> Scene:
    rf.forget_caches()
    doc = rf.document("A/HRC/SYN/77")
    clusters = [
        Cluster.objects.create(document=doc, name=f"Synthetic cluster {n}") for n in range(3)
    ]
    big = f.plan("Synthetic big plan")
    hub = f.action(big, "1", "Synthetic hub action", "MLSP", deadline=_days(-5))
    return Scene(big, hub, clusters)


@pytest.fixture
def tokens(personas: dict[str, User]) -> dict[str, str]:
    return {name: do_create_token(personas[name], "tests")[1] for name in personas}


def count(get: Callable[[], Any]) -> int:
    get()  # warm what a process keeps (content types, permissions, a token's last use)
    with CaptureQueriesContext(connection) as ctx:
        response = get()
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def assert_flat(scene: Scene, get: Callable[[], Any], django_assert_num_queries: Any) -> None:
    scene.grow(SMALL)
    small = count(get)
    scene.grow(LARGE)
    get()
    with django_assert_num_queries(small):
        assert get().status_code == 200


def web(client_for: Callable[[str], Client], persona: str, url: str) -> Callable[[], Any]:
    client = client_for(persona)
    return lambda: client.get(url)


# -- the pages --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "observer", "focal_point"])
def test_dashboard(scene, client_for, persona, django_assert_num_queries) -> None:
    get = web(client_for, persona, reverse("tracking:dashboard"))
    assert_flat(scene, get, django_assert_num_queries)


@pytest.mark.parametrize("persona", ["admin", "observer"])
def test_dashboard_filtered(scene, client_for, persona, django_assert_num_queries) -> None:
    url = reverse("tracking:dashboard") + f"?plan={scene.big_plan.pk}"
    assert_flat(scene, web(client_for, persona, url), django_assert_num_queries)


@pytest.mark.parametrize("persona", ["focal_point", "contributor", "admin"])
def test_work_queue(scene, client_for, persona, django_assert_num_queries) -> None:
    get = web(client_for, persona, reverse("tracking:queue"))
    assert_flat(scene, get, django_assert_num_queries)


@pytest.mark.parametrize("persona", ["admin", "observer", "focal_point", "anonymous"])
def test_plan_list(scene, client_for, persona, django_assert_num_queries) -> None:
    get = web(client_for, persona, reverse("tracking:plan-list"))
    assert_flat(scene, get, django_assert_num_queries)


@pytest.mark.parametrize("persona", ["admin", "observer", "focal_point"])
def test_plan_detail(scene, client_for, persona, django_assert_num_queries) -> None:
    url = reverse("tracking:plan-detail", args=[scene.big_plan.pk])
    assert_flat(scene, web(client_for, persona, url), django_assert_num_queries)


@pytest.mark.parametrize("persona", ["admin", "focal_point", "observer"])
def test_action_detail(scene, client_for, persona, django_assert_num_queries) -> None:
    url = reverse("tracking:action-detail", args=[scene.hub.pk])
    assert_flat(scene, web(client_for, persona, url), django_assert_num_queries)


@pytest.mark.parametrize("persona", ["admin", "focal_point", "observer"])
def test_api_action_list_with_a_token(scene, tokens, persona, django_assert_num_queries) -> None:
    client = Client()
    headers = {"authorization": f"Bearer {tokens[persona]}"}
    get = lambda: client.get("/api/v1/actions", {"page": 1}, headers=headers)  # noqa: E731
    assert_flat(scene, get, django_assert_num_queries)


@pytest.mark.parametrize("persona", ["focal_point", "anonymous"])
def test_api_action_list_with_a_session(
    scene, client_for, persona, django_assert_num_queries
) -> None:
    get = web(client_for, persona, "/api/v1/actions?page=1")
    assert_flat(scene, get, django_assert_num_queries)


def test_the_scene_really_grows(scene: Scene, personas: dict[str, User]) -> None:
    """The pages above list what the scene adds (or the counts would prove nothing)."""
    scene.grow(SMALL)
    scene.grow(LARGE)
    assert scene.big_plan.actions.count() == LARGE + 1
    assert scene.hub.updates.count() == LARGE
    assert scene.hub.recommendations.count() == LARGE
    assert scene.hub.assignments.count() == LARGE + 1
    assert Plan.objects.count() == LARGE + 1
    assert set(ProgressUpdate.objects.values_list("state", flat=True)) == set(
        ProgressUpdate.State.values
    )


# -- the dashboards' cache (on for large registries only) ------------------------------------
#
# Tests run in a transaction, where the cache is off, and with a handful of rows, below
# CACHE_MIN_RECOMMENDATIONS: the tests above count the queries of SQL's answer. These
# run outside a transaction with the threshold at one recommendation.


@pytest.fixture
def cached(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from django.core.cache import cache

    from qadam.tracking import dashboards

    monkeypatch.setattr(dashboards, "CACHE_MIN_RECOMMENDATIONS", 1)
    cache.clear()
    yield
    cache.clear()


def _mechanism_row(client: Client) -> list[int]:
    response = client.get(reverse("tracking:dashboard"))
    assert response.status_code == 200
    section = next(s for s in response.context["sections"] if s.key == "status-mechanism")
    assert len(section.rows) == 1
    return list(section.rows[0].values)


def _small_world() -> tuple[Action, Action]:
    rf.forget_caches()
    rec, other = (f.recommendation(f"Synthetic cached recommendation {n}") for n in (1, 2))
    shown = f.action(f.plan("Synthetic plan"), "1", recommendations=[rec], status="in-progress")
    hidden = f.action(
        f.plan("Synthetic draft plan", published=False),
        "1",
        recommendations=[other],
        status="partial",
        published=False,
    )
    refresh_assessments([rec, other])
    return shown, hidden


@pytest.mark.django_db(transaction=True)
def test_cached_dashboard_counts_again_after_an_audited_write(
    personas: dict[str, User], client_for: Callable[[str], Client], cached: None
) -> None:
    from qadam.tracking.actions import do_update_action

    shown, _hidden = _small_world()
    admin = client_for("admin")
    # not started, in progress, partial, done, obsolete, total
    assert _mechanism_row(admin) == [0, 1, 1, 0, 0, 2]
    with CaptureQueriesContext(connection) as first:
        _mechanism_row(admin)
    do_update_action(personas["admin"], shown, status="done")
    with CaptureQueriesContext(connection) as after_write:
        assert _mechanism_row(admin) == [0, 0, 1, 1, 0, 2]
    # From the cache, the GROUP BYs are skipped; after the write they run again.
    assert len(after_write.captured_queries) > len(first.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_cached_figures_are_per_view_never_shared_across_what_users_may_see(
    personas: dict[str, User], client_for: Callable[[str], Client], cached: None
) -> None:
    _small_world()
    admin, observer = client_for("admin"), client_for("observer")
    for _ in range(2):  # the second round comes from the cache
        # The unpublished action's recommendation: partial for the secretariat; for an
        # observer it has not started (and is not published work they can see).
        assert _mechanism_row(admin) == [0, 1, 1, 0, 0, 2]
        assert _mechanism_row(observer) == [1, 1, 0, 0, 0, 2]


@pytest.mark.django_db(transaction=True)
def test_an_unaudited_write_shows_once_the_cache_is_forgotten(
    personas: dict[str, User], client_for: Callable[[str], Client], cached: None
) -> None:
    from qadam.tracking.dashboards import forget_cached_figures

    shown, _hidden = _small_world()
    admin = client_for("admin")
    assert _mechanism_row(admin) == [0, 1, 1, 0, 0, 2]
    Action.objects.filter(pk=shown.pk).update(status="done")  # a shell, say: no audit
    refresh_assessments(list(shown.recommendations.all()))
    assert _mechanism_row(admin) == [0, 1, 1, 0, 0, 2]  # stale, up to CACHE_SECONDS
    forget_cached_figures()
    assert _mechanism_row(admin) == [0, 0, 1, 1, 0, 2]


@pytest.mark.django_db(transaction=True)
def test_cached_figures_keep_the_language_of_the_page(
    personas: dict[str, User], client_for: Callable[[str], Client], cached: None
) -> None:
    _small_world()
    admin = client_for("admin")

    def cycle_names(language: str) -> list[str]:
        with translation.override(language):
            response = admin.get(reverse("tracking:dashboard"), HTTP_ACCEPT_LANGUAGE=language)
        section = next(s for s in response.context["sections"] if s.key == "status-cycle")
        return [row.header.text for row in section.rows]

    english = cycle_names("en")
    assert cycle_names("en") == english  # from the cache
    assert cycle_names("ru") != english
