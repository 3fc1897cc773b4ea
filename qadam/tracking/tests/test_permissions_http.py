"""Who may do what in tracking: every persona × every action × own and other institution,
over HTTP.

The personas are those of ``qadam/conftest.py`` (the focal point and the contributor
belong to the MLSP) plus the MIA's focal point (``other_focal_point``). The scene is
``factories.build_world``: MLSP's and MIA's actions in a published plan and in an
unpublished one, with progress updates in every state and a PDF on each.

Outcomes, asserted as strictly as the grants:

* ``ok``: the page (200) or the write (a redirect to a tracking page), and the write
  really happened;
* ``login``: an anonymous visitor is sent to the login page, whether or not the
  object exists;
* ``403``: the user may see the object but not do this, and nothing changed;
* ``404``: the user may not even see it, and nothing changed (and the page does not
  mention it).

Each row is one test; the personas run one after another inside a savepoint that is
rolled back, so that every persona meets the same untouched scene.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from qadam.accounts.models import User
from qadam.tracking.models import Action, Assessment, Plan, ProgressUpdate
from qadam.tracking.tests import factories as f

PERSONAS = (
    "anonymous",
    "admin",
    "focal_point",
    "other_focal_point",
    "contributor",
    "ngo_member",
    "observer",
    "outsider",
)

# One row per action; columns in the order of PERSONAS. "login": sent to the login page.
# fmt: off
MATRIX_TEXT = """
                                           anon   admin  MLSPfp MIAfp  MLSPco ngo    obs    outsdr
-- view
view plan, published:                      ok     ok     ok     ok     ok     ok     ok     ok
view plan, unpublished:                    login  ok     ok     ok     ok     404    404    404
view plan list:                            ok     ok     ok     ok     ok     ok     ok     ok
view action, own, published:               ok     ok     ok     ok     ok     ok     ok     ok
view action, other, published:             ok     ok     ok     ok     ok     ok     ok     ok
view action, own, unpublished:             login  ok     ok     404    ok     404    404    404
view action, other, unpublished:           login  ok     404    ok     404    404    404    404
view update, own, draft:                   login  ok     ok     404    ok     404    404    404
view update, other, draft:                 login  ok     404    ok     404    404    404    404
view update, own, published:               ok     ok     ok     ok     ok     ok     ok     ok
view work queue:                           login  ok     ok     ok     ok     403    403    403
view assessment:                           ok     ok     ok     ok     ok     ok     ok     ok
-- create
create plan:                               login  ok     403    403    403    403    403    403
create action:                             login  ok     403    403    403    403    403    403
create update, own action:                 login  403    ok     403    ok     403    403    403
create update, co-executed action:         login  403    ok     ok     ok     403    403    403
create update, other action:               login  403    403    ok     403    403    403    403
create update, other, unpublished:         login  403    404    ok     404    404    404    404
-- edit
edit plan:                                 login  ok     403    403    403    403    403    403
edit action, own:                          login  ok     ok     403    403    403    403    403
edit action, other:                        login  ok     403    ok     403    403    403    403
edit action, other, unpublished:           login  ok     404    ok     404    404    404    404
link recommendations:                      login  ok     403    403    403    403    403    403
edit update, own draft:                    login  403    ok     404    ok     404    404    404
edit update, own returned:                 login  403    ok     404    ok     404    404    404
edit update, own submitted:                login  403    403    404    403    404    404    404
edit update, other draft:                  login  403    404    ok     404    404    404    404
override assessment:                       login  ok     403    403    403    403    403    403
-- submit
submit update, own draft:                  login  403    ok     404    403    404    404    404
submit update, own returned:               login  403    ok     404    403    404    404    404
submit update, other draft:                login  403    404    ok     404    404    404    404
-- validate
validate update, own:                      login  ok     403    404    403    404    404    404
validate update, other:                    login  ok     404    403    404    404    404    404
return update, own:                        login  ok     403    404    403    404    404    404
-- publish
publish plan:                              login  ok     403    403    403    404    404    404
publish action, own:                       login  ok     403    404    403    404    404    404
publish update, own validated:             login  ok     403    404    403    404    404    404
-- delete
delete plan:                               login  ok     403    403    403    404    404    404
delete action, other:                      login  ok     403    403    403    403    403    403
delete update, own draft:                  login  ok     ok     404    ok     404    404    404
delete update, other draft:                login  ok     404    ok     404    404    404    404
delete update, own published:              login  403    403    403    403    403    403    403
-- download evidence
evidence, own, published:                  ok     ok     ok     ok     ok     ok     ok     ok
evidence, own, draft:                      login  ok     ok     404    ok     404    404    404
evidence, own, validated:                  login  ok     ok     404    ok     404    404    404
evidence, other, submitted:                login  ok     404    ok     404    404    404    404
evidence, other, published:                ok     ok     ok     ok     ok     ok     ok     ok
evidence, published update, hidden action: login  ok     404    ok     404    404    404    404
evidence, guessed id:                      login  404    404    404    404    404    404    404
"""
# fmt: on


def _parse(text: str) -> dict[str, tuple[str, ...]]:
    rows = {}
    for line in text.strip().splitlines()[1:]:
        if line.startswith("--"):
            continue
        name, _, outcomes = line.partition(":")
        rows[name] = tuple(outcomes.split())
    return rows


MATRIX = _parse(MATRIX_TEXT)


@dataclass
class Scene:
    world: f.World
    users: dict[str, User]
    spare_rec: Any
    hidden_evidence: Any


@dataclass
class Case:
    method: str
    url: Callable[[Scene], str]
    data: Callable[[Scene], dict[str, Any]] | None = None
    # Did the write happen? None for pages that only show.
    done: Callable[[Scene], bool] | None = None
    # Text that the page shows when granted and must not show when refused.
    marker: Callable[[Scene], str] | None = None
    evidence: bool = False


def url(name: str, obj: Callable[[Scene], Any] | None = None) -> Callable[[Scene], str]:
    return lambda s: reverse(f"tracking:{name}", args=[obj(s).pk] if obj else [])


def refreshed(obj: Any) -> Any:
    return type(obj).objects.filter(pk=obj.pk).first()


def state_is(get: Callable[[Scene], ProgressUpdate], state: str) -> Callable[[Scene], bool]:
    return lambda s: refreshed(get(s)).state == state


def gone(get: Callable[[Scene], Any]) -> Callable[[Scene], bool]:
    return lambda s: refreshed(get(s)) is None


def own(state: str) -> Callable[[Scene], ProgressUpdate]:
    return lambda s: s.world.own_updates[state]


def other(state: str) -> Callable[[Scene], ProgressUpdate]:
    return lambda s: s.world.other_updates[state]


NO_CO = {"co-TOTAL_FORMS": "0", "co-INITIAL_FORMS": "0"}


def action_post(s: Scene, a: Action) -> dict[str, Any]:
    """Both edit forms' fields: the secretariat's form and a focal point's report form
    each take what they know; both change the description."""
    lead = a.assignments.get(role="lead").institution_id
    return {
        "title_en": "Synthetic action edited in the matrix",
        "description_en": "Synthetic description from the matrix",
        "status": "in-progress",
        "budget_currency": "KZT",
        "lead": lead,
        "version": a.version,
        **NO_CO,
    }


def described(get: Callable[[Scene], Action]) -> Callable[[Scene], bool]:
    return lambda s: (
        refreshed(get(s)).description.get("en") == ("Synthetic description from the matrix")
    )


def update_post(s: Scene, u: ProgressUpdate) -> dict[str, Any]:
    return {
        "as_of": "2025-01-15",
        "text": "Synthetic progress edited in the matrix",
        "language": "en",
        "version": u.version,
    }


def step(to: str, get: Callable[[Scene], ProgressUpdate]) -> Case:
    return Case(
        "post",
        url("update-transition", get),
        lambda s: {"to": to, "comment": "Synthetic comment", "version": get(s).version},
        state_is(get, to),
    )


NEW_UPDATE = {"as_of": "2025-01-15", "text": "Synthetic progress from the matrix", "language": "en"}


def new_update_made(s: Scene) -> bool:
    return ProgressUpdate.objects.filter(text=NEW_UPDATE["text"]).exists()


def title_of(get: Callable[[Scene], Any]) -> Callable[[Scene], str]:
    return lambda s: get(s).title["en"]


CASES: dict[str, Case] = {
    "view plan, published": Case(
        "get", url("plan-detail", lambda s: s.world.plan), marker=title_of(lambda s: s.world.plan)
    ),
    "view plan, unpublished": Case(
        "get",
        url("plan-detail", lambda s: s.world.draft_plan),
        marker=title_of(lambda s: s.world.draft_plan),
    ),
    "view plan list": Case("get", url("plan-list"), marker=title_of(lambda s: s.world.plan)),
    "view action, own, published": Case(
        "get",
        url("action-detail", lambda s: s.world.own_action),
        marker=title_of(lambda s: s.world.own_action),
    ),
    "view action, other, published": Case(
        "get",
        url("action-detail", lambda s: s.world.other_action),
        marker=title_of(lambda s: s.world.other_action),
    ),
    "view action, own, unpublished": Case(
        "get",
        url("action-detail", lambda s: s.world.own_hidden),
        marker=title_of(lambda s: s.world.own_hidden),
    ),
    "view action, other, unpublished": Case(
        "get",
        url("action-detail", lambda s: s.world.other_hidden),
        marker=title_of(lambda s: s.world.other_hidden),
    ),
    "view update, own, draft": Case(
        "get", url("update-detail", own("draft")), marker=lambda s: own("draft")(s).text
    ),
    "view update, other, draft": Case(
        "get", url("update-detail", other("draft")), marker=lambda s: other("draft")(s).text
    ),
    "view update, own, published": Case(
        "get", url("update-detail", own("published")), marker=lambda s: own("published")(s).text
    ),
    "view work queue": Case("get", url("queue")),
    "view assessment": Case(
        "get", url("assessment", lambda s: s.world.rec), marker=lambda s: s.world.rec.text["en"]
    ),
    "create plan": Case(
        "post",
        url("plan-create"),
        lambda s: {"title_en": "Synthetic plan from the matrix", "kind": "upr-plan"},
        lambda s: Plan.objects.filter(title__en="Synthetic plan from the matrix").exists(),
    ),
    "create action": Case(
        "post",
        url("action-create", lambda s: s.world.plan),
        lambda s: {
            "title_en": "Synthetic action from the matrix",
            "number": "M1",
            "status": "not-started",
            "budget_currency": "KZT",
            **NO_CO,
        },
        lambda s: Action.objects.filter(number="M1").exists(),
    ),
    "create update, own action": Case(
        "post",
        url("update-create", lambda s: s.world.own_action),
        lambda s: NEW_UPDATE,
        new_update_made,
    ),
    "create update, co-executed action": Case(
        "post",
        url("update-create", lambda s: s.world.shared_action),
        lambda s: NEW_UPDATE,
        new_update_made,
    ),
    "create update, other action": Case(
        "post",
        url("update-create", lambda s: s.world.other_action),
        lambda s: NEW_UPDATE,
        new_update_made,
    ),
    "create update, other, unpublished": Case(
        "post",
        url("update-create", lambda s: s.world.other_hidden),
        lambda s: NEW_UPDATE,
        new_update_made,
    ),
    "edit plan": Case(
        "post",
        url("plan-edit", lambda s: s.world.plan),
        lambda s: {"title_en": "Synthetic plan renamed", "kind": "upr-plan"},
        lambda s: refreshed(s.world.plan).title == {"en": "Synthetic plan renamed"},
    ),
    "edit action, own": Case(
        "post",
        url("action-edit", lambda s: s.world.own_action),
        lambda s: action_post(s, s.world.own_action),
        described(lambda s: s.world.own_action),
    ),
    "edit action, other": Case(
        "post",
        url("action-edit", lambda s: s.world.other_action),
        lambda s: action_post(s, s.world.other_action),
        described(lambda s: s.world.other_action),
    ),
    "edit action, other, unpublished": Case(
        "post",
        url("action-edit", lambda s: s.world.other_hidden),
        lambda s: action_post(s, s.world.other_hidden),
        described(lambda s: s.world.other_hidden),
    ),
    "link recommendations": Case(
        "post",
        url("action-links", lambda s: s.world.own_action),
        lambda s: {"add": [s.spare_rec.pk]},
        lambda s: s.world.own_action.recommendations.filter(pk=s.spare_rec.pk).exists(),
    ),
    "edit update, own draft": Case(
        "post",
        url("update-edit", own("draft")),
        lambda s: update_post(s, own("draft")(s)),
        lambda s: refreshed(own("draft")(s)).text == "Synthetic progress edited in the matrix",
    ),
    "edit update, own returned": Case(
        "post",
        url("update-edit", own("returned")),
        lambda s: update_post(s, own("returned")(s)),
        lambda s: refreshed(own("returned")(s)).text == "Synthetic progress edited in the matrix",
    ),
    "edit update, own submitted": Case(
        "post",
        url("update-edit", own("submitted")),
        lambda s: update_post(s, own("submitted")(s)),
        lambda s: refreshed(own("submitted")(s)).text == "Synthetic progress edited in the matrix",
    ),
    "edit update, other draft": Case(
        "post",
        url("update-edit", other("draft")),
        lambda s: update_post(s, other("draft")(s)),
        lambda s: refreshed(other("draft")(s)).text == "Synthetic progress edited in the matrix",
    ),
    "override assessment": Case(
        "post",
        url("assessment", lambda s: s.world.rec),
        lambda s: {"status": "done", "reason": "Synthetic reason"},
        lambda s: Assessment.objects.filter(
            recommendation=s.world.rec, override_status="done"
        ).exists(),
    ),
    "submit update, own draft": step("submitted", own("draft")),
    "submit update, own returned": step("submitted", own("returned")),
    "submit update, other draft": step("submitted", other("draft")),
    "validate update, own": step("validated", own("submitted")),
    "validate update, other": step("validated", other("submitted")),
    "return update, own": step("returned", own("submitted")),
    "publish plan": Case(
        "post",
        url("plan-publish", lambda s: s.world.draft_plan),
        lambda s: {"published": "1"},
        lambda s: refreshed(s.world.draft_plan).published,
    ),
    "publish action, own": Case(
        "post",
        url("action-publish", lambda s: s.world.own_hidden),
        lambda s: {"published": "1"},
        lambda s: refreshed(s.world.own_hidden).published,
    ),
    "publish update, own validated": step("published", own("validated")),
    "delete plan": Case(
        "post",
        url("plan-delete", lambda s: s.world.draft_plan),
        lambda s: {},
        gone(lambda s: s.world.draft_plan),
    ),
    "delete action, other": Case(
        "post",
        url("action-delete", lambda s: s.world.other_action),
        lambda s: {},
        gone(lambda s: s.world.other_action),
    ),
    "delete update, own draft": Case(
        "post", url("update-delete", own("draft")), lambda s: {}, gone(own("draft"))
    ),
    "delete update, other draft": Case(
        "post", url("update-delete", other("draft")), lambda s: {}, gone(other("draft"))
    ),
    "delete update, own published": Case(
        "post", url("update-delete", own("published")), lambda s: {}, gone(own("published"))
    ),
    "evidence, own, published": Case(
        "get", url("evidence", lambda s: s.world.own_evidence["published"]), evidence=True
    ),
    "evidence, own, draft": Case(
        "get", url("evidence", lambda s: s.world.own_evidence["draft"]), evidence=True
    ),
    "evidence, own, validated": Case(
        "get", url("evidence", lambda s: s.world.own_evidence["validated"]), evidence=True
    ),
    "evidence, other, submitted": Case(
        "get", url("evidence", lambda s: s.world.other_evidence["submitted"]), evidence=True
    ),
    "evidence, other, published": Case(
        "get", url("evidence", lambda s: s.world.other_evidence["published"]), evidence=True
    ),
    "evidence, published update, hidden action": Case(
        "get", url("evidence", lambda s: s.hidden_evidence), evidence=True
    ),
    "evidence, guessed id": Case(
        "get",
        lambda s: reverse("tracking:evidence", args=[s.hidden_evidence.pk + 1000]),
        evidence=True,
    ),
}


def test_the_matrix_covers_every_case_and_every_persona() -> None:
    assert set(MATRIX) == set(CASES)
    assert all(len(row) == len(PERSONAS) for row in MATRIX.values())
    assert all(set(row) <= {"ok", "login", "403", "404"} for row in MATRIX.values())


@pytest.fixture(autouse=True)
def _english_storage(settings: Any, tmp_path: Path) -> Any:
    f.use_storage(settings, tmp_path)
    with translation.override("en"):
        yield


@pytest.fixture
def scene(personas: dict[str, User]) -> Scene:
    world = f.build_world()
    hidden_published = f.update(world.other_hidden, "published", "MIA")
    return Scene(
        world=world,
        users={**personas, "other_focal_point": world.other_focal_point},
        spare_rec=f.recommendation("Synthetic recommendation to link", number="1.2"),
        hidden_evidence=f.evidence(hidden_published, filename="synthetic-hidden.pdf"),
    )


class _Rollback(Exception):
    pass


def outcome(case: Case, scene: Scene, persona: str) -> tuple[str, str]:
    """(outcome, what went wrong if anything) for one persona, in a rolled-back savepoint."""
    result: tuple[str, str] = ("", "")
    try:
        with transaction.atomic():
            client = Client()
            if persona != "anonymous":
                client.force_login(scene.users[persona])
            response = _send(client, case, scene)
            result = _classify(case, scene, response)
            raise _Rollback
    except _Rollback:
        pass
    return result


def _send(client: Client, case: Case, scene: Scene) -> Any:
    address = case.url(scene)
    if case.method == "get":
        return client.get(address)
    return client.post(address, case.data(scene) if case.data else {})


def _classify(case: Case, scene: Scene, response: Any) -> tuple[str, str]:
    code = response.status_code
    done = case.done(scene) if case.done else None
    location = response.get("Location", "")
    if code == 302 and location.startswith("/en/login/"):
        kind = "login"
    elif code in (403, 404):
        kind = str(code)
    elif code == 200 or (code == 302 and location.startswith("/en/tracking/")):
        kind = "ok"
    else:
        return f"HTTP {code}", location
    problems = []
    if done is not None and done != (kind == "ok"):
        problems.append(f"write happened={done}")
    body = b"" if case.evidence else response.content
    shown = case.marker is not None and case.marker(scene).encode() in body
    if case.marker and kind == "ok" and case.method == "get" and not shown:
        problems.append("page lacks the object")
    if kind != "ok" and shown:
        problems.append("refusal shows the object")
    if case.evidence and kind == "ok":
        problems += _evidence_problems(response)
    return kind, "; ".join(problems)


def _evidence_problems(response: Any) -> list[str]:
    problems = []
    if b"".join(response.streaming_content) != f.PDF_BYTES:
        problems.append("wrong file content")
    if not response["Content-Disposition"].startswith("attachment"):
        problems.append("not an attachment")
    if response["Cache-Control"] != "private, no-store":
        problems.append("cacheable")
    return problems


@pytest.mark.parametrize("name", list(MATRIX))
def test_permission_matrix(name: str, scene: Scene) -> None:
    case = CASES[name]
    expected = dict(zip(PERSONAS, MATRIX[name], strict=True))
    actual, problems = {}, {}
    for persona in PERSONAS:
        kind, problem = outcome(case, scene, persona)
        actual[persona] = kind
        if problem:
            problems[persona] = problem
    assert actual == expected
    assert problems == {}
