# ruff: noqa: E501  (the expectation table is aligned in columns, to be read as a table)
"""Who may do what in tracking over the API: every persona × every action × own and
other institution × published and unpublished, with personal API tokens.

The scene is ``factories.build_world`` (as for the web matrix in
``test_permissions_http.py``): MLSP's and MIA's actions in a published plan and in an
unpublished one, progress updates in every state with a PDF on each, and a published
update on an unpublished MIA action. The focal point and the contributor of the
personas belong to the MLSP; ``other_focal_point`` is the MIA's.

Outcomes, asserted as strictly as the grants:

* ``ok``: 200, 201 or 204, and the write really happened (for reads: the object is in
  the answer; for evidence: the file itself, as a private attachment);
* ``absent``: a list answered 200 without the object;
* ``401``: nobody is signed in; the answer says how to authenticate;
* ``403``: the user may see the object but not do this;
* ``404``: the user may not even see it.

A refusal changes nothing and does not show the object. Each row is one test; the
personas run one after another inside a rolled-back savepoint, so each meets the same
untouched scene.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from qadam.accounts.actions import do_create_token
from qadam.accounts.models import User
from qadam.tracking.models import Action, Assessment, Evidence, Plan, ProgressUpdate
from qadam.tracking.tests import factories as f

API = "/api/v1"
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

# fmt: off
#                                                 anon      admin     MLSP fp   MIA fp    MLSP con  ngo       observer  outsider
MATRIX: dict[str, tuple[str, ...]] = {
    # -- list and view --
    "list plans, published one":                 ("ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok"),
    "list plans, unpublished one":               ("absent", "ok",     "ok",     "ok",     "ok",     "absent", "absent", "absent"),
    "view plan, published":                      ("ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok"),
    "view plan, unpublished":                    ("404",    "ok",     "ok",     "ok",     "ok",     "404",    "404",    "404"),
    "list actions, own unpublished":             ("absent", "ok",     "ok",     "absent", "ok",     "absent", "absent", "absent"),
    "list actions, other unpublished":           ("absent", "ok",     "absent", "ok",     "absent", "absent", "absent", "absent"),
    "list actions, other published":             ("ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok"),
    "view action, own, published":               ("ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok"),
    "view action, other, published":             ("ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok"),
    "view action, own, unpublished":             ("404",    "ok",     "ok",     "404",    "ok",     "404",    "404",    "404"),
    "view action, other, unpublished":           ("404",    "ok",     "404",    "ok",     "404",    "404",    "404",    "404"),
    "list updates, own draft":                   ("absent", "ok",     "ok",     "absent", "ok",     "absent", "absent", "absent"),
    "list updates, own published":               ("ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok"),
    "view update, own, draft":                   ("404",    "ok",     "ok",     "404",    "ok",     "404",    "404",    "404"),
    "view update, other, draft":                 ("404",    "ok",     "404",    "ok",     "404",    "404",    "404",    "404"),
    "view update, own, submitted":               ("404",    "ok",     "ok",     "404",    "ok",     "404",    "404",    "404"),
    "view update, own, published":               ("ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok"),
    "view update, published, hidden action":     ("404",    "ok",     "404",    "ok",     "404",    "404",    "404",    "404"),
    "view assessment":                           ("ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok"),
    "view assessment, unpublished rec":          ("404",    "ok",     "404",    "404",    "404",    "404",    "404",    "404"),
    # -- create --
    "create plan":                               ("401",    "ok",     "403",    "403",    "403",    "403",    "403",    "403"),
    "create action":                             ("401",    "ok",     "403",    "403",    "403",    "403",    "403",    "403"),
    "create update, own action":                 ("401",    "403",    "ok",     "403",    "ok",     "403",    "403",    "403"),
    "create update, co-executed action":         ("401",    "403",    "ok",     "ok",     "ok",     "403",    "403",    "403"),
    "create update, other action":               ("401",    "403",    "403",    "ok",     "403",    "403",    "403",    "403"),
    "create update, other, unpublished":         ("401",    "403",    "404",    "ok",     "404",    "404",    "404",    "404"),
    # -- edit --
    "edit plan":                                 ("401",    "ok",     "403",    "403",    "403",    "403",    "403",    "403"),
    "report on action, own":                     ("401",    "ok",     "ok",     "403",    "403",    "403",    "403",    "403"),
    "report on action, other":                   ("401",    "ok",     "403",    "ok",     "403",    "403",    "403",    "403"),
    "report on action, other, unpublished":      ("401",    "ok",     "404",    "ok",     "404",    "404",    "404",    "404"),
    "edit action status, own":                   ("401",    "ok",     "403",    "403",    "403",    "403",    "403",    "403"),
    "link recommendations":                      ("401",    "ok",     "403",    "403",    "403",    "403",    "403",    "403"),
    "unlink recommendations":                    ("401",    "ok",     "403",    "403",    "403",    "403",    "403",    "403"),
    "set institutions":                          ("401",    "ok",     "403",    "403",    "403",    "403",    "403",    "403"),
    "edit update, own draft":                    ("401",    "403",    "ok",     "404",    "ok",     "404",    "404",    "404"),
    "edit update, own returned":                 ("401",    "403",    "ok",     "404",    "ok",     "404",    "404",    "404"),
    "edit update, own submitted":                ("401",    "403",    "403",    "404",    "403",    "404",    "404",    "404"),
    "edit update, other draft":                  ("401",    "403",    "404",    "ok",     "404",    "404",    "404",    "404"),
    "attach evidence, own draft":                ("401",    "403",    "ok",     "404",    "ok",     "404",    "404",    "404"),
    "attach evidence, own submitted":            ("401",    "403",    "403",    "404",    "403",    "404",    "404",    "404"),
    "attach evidence, other draft":              ("401",    "403",    "404",    "ok",     "404",    "404",    "404",    "404"),
    "override assessment":                       ("401",    "ok",     "403",    "403",    "403",    "403",    "403",    "403"),
    # -- submit --
    "submit update, own draft":                  ("401",    "403",    "ok",     "404",    "403",    "404",    "404",    "404"),
    "submit update, own returned":               ("401",    "403",    "ok",     "404",    "403",    "404",    "404",    "404"),
    "submit update, other draft":                ("401",    "403",    "404",    "ok",     "404",    "404",    "404",    "404"),
    "submit update, own published":              ("401",    "403",    "409",    "403",    "403",    "403",    "403",    "403"),
    # -- validate --
    "validate update, own":                      ("401",    "ok",     "403",    "404",    "403",    "404",    "404",    "404"),
    "validate update, other":                    ("401",    "ok",     "404",    "403",    "404",    "404",    "404",    "404"),
    "return update, own":                        ("401",    "ok",     "403",    "404",    "403",    "404",    "404",    "404"),
    "validate update, own draft":                ("401",    "409",    "403",    "404",    "403",    "404",    "404",    "404"),
    # -- publish --
    "publish plan":                              ("401",    "ok",     "403",    "403",    "403",    "404",    "404",    "404"),
    "publish action, own":                       ("401",    "ok",     "403",    "404",    "403",    "404",    "404",    "404"),
    "publish update, own validated":             ("401",    "ok",     "403",    "404",    "403",    "404",    "404",    "404"),
    # -- delete --
    "delete plan":                               ("401",    "ok",     "403",    "403",    "403",    "404",    "404",    "404"),
    "delete action, other":                      ("401",    "ok",     "403",    "403",    "403",    "403",    "403",    "403"),
    "delete update, own draft":                  ("401",    "ok",     "ok",     "404",    "ok",     "404",    "404",    "404"),
    "delete update, other draft":                ("401",    "ok",     "404",    "ok",     "404",    "404",    "404",    "404"),
    "delete update, own published":              ("401",    "403",    "403",    "403",    "403",    "403",    "403",    "403"),
    # -- download evidence --
    "evidence, own, published":                  ("ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok"),
    "evidence, own, draft":                      ("404",    "ok",     "ok",     "404",    "ok",     "404",    "404",    "404"),
    "evidence, own, validated":                  ("404",    "ok",     "ok",     "404",    "ok",     "404",    "404",    "404"),
    "evidence, other, submitted":                ("404",    "ok",     "404",    "ok",     "404",    "404",    "404",    "404"),
    "evidence, other, published":                ("ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok",     "ok"),
    "evidence, published update, hidden action": ("404",    "ok",     "404",    "ok",     "404",    "404",    "404",    "404"),
    "evidence, guessed id":                      ("404",    "404",    "404",    "404",    "404",    "404",    "404",    "404"),
}
# fmt: on


@dataclass
class Scene:
    world: f.World
    users: dict[str, User]
    keys: dict[str, str]
    spare_rec: Any
    hidden_rec: Any
    hidden_update: ProgressUpdate
    hidden_evidence: Evidence


@dataclass
class Case:
    method: str
    url: Callable[[Scene], str]
    body: Callable[[Scene], dict[str, Any]] | None = None
    # Did the write happen? None for reads.
    done: Callable[[Scene], bool] | None = None
    # Text the answer shows when granted and must not show when refused.
    marker: Callable[[Scene], str] | None = None
    # For lists: the id that must be among the results for "ok" ("absent" otherwise).
    listed: Callable[[Scene], int] | None = None
    evidence: bool = False
    upload: bool = False


def refreshed(obj: Any) -> Any:
    return type(obj).objects.filter(pk=obj.pk).first()


def own(state: str) -> Callable[[Scene], ProgressUpdate]:
    return lambda s: s.world.own_updates[state]


def other(state: str) -> Callable[[Scene], ProgressUpdate]:
    return lambda s: s.world.other_updates[state]


def at(template: str, get: Callable[[Scene], Any]) -> Callable[[Scene], str]:
    return lambda s: API + template.format(get(s).pk)


def title_of(get: Callable[[Scene], Any]) -> Callable[[Scene], str]:
    return lambda s: get(s).title["en"]


def gone(get: Callable[[Scene], Any]) -> Callable[[Scene], bool]:
    return lambda s: refreshed(get(s)) is None


def state_is(get: Callable[[Scene], ProgressUpdate], state: str) -> Callable[[Scene], bool]:
    return lambda s: refreshed(get(s)).state == state


def step(to: str, get: Callable[[Scene], ProgressUpdate]) -> Case:
    return Case(
        "post",
        at("/updates/{}/transition", get),
        lambda s: {"to": to, "comment": "Synthetic comment", "version": get(s).version},
        state_is(get, to),
    )


REPORT = "Synthetic description from the API matrix"


def report(get: Callable[[Scene], Action]) -> Case:
    return Case(
        "patch",
        at("/actions/{}", get),
        lambda s: {"description": {"en": REPORT}, "version": get(s).version},
        lambda s: refreshed(get(s)).description.get("en") == REPORT,
    )


EDITED = "Synthetic progress edited in the API matrix"


def edit_update(get: Callable[[Scene], ProgressUpdate]) -> Case:
    return Case(
        "patch",
        at("/updates/{}", get),
        lambda s: {"text": EDITED, "version": get(s).version},
        lambda s: refreshed(get(s)).text == EDITED,
    )


NEW_UPDATE = {"as_of": "2025-01-15", "text": "Synthetic progress from the API", "language": "en"}


def new_update(get: Callable[[Scene], Action]) -> Case:
    return Case(
        "post",
        at("/actions/{}/updates", get),
        lambda s: NEW_UPDATE,
        lambda s: ProgressUpdate.objects.filter(text=NEW_UPDATE["text"]).exists(),
    )


def attach(get: Callable[[Scene], ProgressUpdate]) -> Case:
    return Case(
        "post",
        at("/updates/{}/evidence", get),
        done=lambda s: refreshed(get(s)).evidence.filter(original_name="matrix.pdf").exists(),
        upload=True,
    )


def download(get: Callable[[Scene], Evidence]) -> Case:
    return Case("get", at("/evidence/{}", get), evidence=True)


def view(template: str, get: Callable[[Scene], Any], marker: Callable[[Scene], str]) -> Case:
    return Case("get", at(template, get), marker=marker)


def listing(url: str | Callable[[Scene], str], get: Callable[[Scene], Any]) -> Case:
    address = url if callable(url) else (lambda s: API + url)
    return Case("get", address, listed=lambda s: get(s).pk)


def assessed(s: Scene) -> bool:
    return Assessment.objects.filter(recommendation=s.world.rec, override_status="done").exists()


CASES: dict[str, Case] = {
    "list plans, published one": listing("/plans", lambda s: s.world.plan),
    "list plans, unpublished one": listing("/plans", lambda s: s.world.draft_plan),
    "view plan, published": view(
        "/plans/{}", lambda s: s.world.plan, title_of(lambda s: s.world.plan)
    ),
    "view plan, unpublished": view(
        "/plans/{}", lambda s: s.world.draft_plan, title_of(lambda s: s.world.draft_plan)
    ),
    "list actions, own unpublished": listing("/actions", lambda s: s.world.own_hidden),
    "list actions, other unpublished": listing("/actions", lambda s: s.world.other_hidden),
    "list actions, other published": listing("/actions", lambda s: s.world.other_action),
    "view action, own, published": view(
        "/actions/{}", lambda s: s.world.own_action, title_of(lambda s: s.world.own_action)
    ),
    "view action, other, published": view(
        "/actions/{}", lambda s: s.world.other_action, title_of(lambda s: s.world.other_action)
    ),
    "view action, own, unpublished": view(
        "/actions/{}", lambda s: s.world.own_hidden, title_of(lambda s: s.world.own_hidden)
    ),
    "view action, other, unpublished": view(
        "/actions/{}", lambda s: s.world.other_hidden, title_of(lambda s: s.world.other_hidden)
    ),
    "list updates, own draft": listing(
        lambda s: f"{API}/actions/{s.world.own_action.pk}/updates", own("draft")
    ),
    "list updates, own published": listing(
        lambda s: f"{API}/actions/{s.world.own_action.pk}/updates", own("published")
    ),
    "view update, own, draft": view("/updates/{}", own("draft"), lambda s: own("draft")(s).text),
    "view update, other, draft": view(
        "/updates/{}", other("draft"), lambda s: other("draft")(s).text
    ),
    "view update, own, submitted": view(
        "/updates/{}", own("submitted"), lambda s: own("submitted")(s).text
    ),
    "view update, own, published": view(
        "/updates/{}", own("published"), lambda s: own("published")(s).text
    ),
    "view update, published, hidden action": view(
        "/updates/{}", lambda s: s.hidden_update, lambda s: s.hidden_update.text
    ),
    "view assessment": view(
        "/recommendations/{}/assessment", lambda s: s.world.rec, lambda s: '"recommendation"'
    ),
    "view assessment, unpublished rec": view(
        "/recommendations/{}/assessment", lambda s: s.hidden_rec, lambda s: '"recommendation"'
    ),
    "create plan": Case(
        "post",
        lambda s: f"{API}/plans",
        lambda s: {"title": {"en": "Synthetic plan from the API matrix"}, "kind": "upr-plan"},
        lambda s: Plan.objects.filter(title__en="Synthetic plan from the API matrix").exists(),
    ),
    "create action": Case(
        "post",
        lambda s: f"{API}/actions",
        lambda s: {
            "plan": s.world.plan.pk,
            "number": "M1",
            "title": {"en": "Synthetic action from the API matrix"},
            "institutions": [{"institution": "MLSP", "role": "lead"}],
        },
        lambda s: Action.objects.filter(number="M1").exists(),
    ),
    "create update, own action": new_update(lambda s: s.world.own_action),
    "create update, co-executed action": new_update(lambda s: s.world.shared_action),
    "create update, other action": new_update(lambda s: s.world.other_action),
    "create update, other, unpublished": new_update(lambda s: s.world.other_hidden),
    "edit plan": Case(
        "patch",
        at("/plans/{}", lambda s: s.world.plan),
        lambda s: {"title": {"en": "Synthetic plan renamed"}},
        lambda s: refreshed(s.world.plan).title == {"en": "Synthetic plan renamed"},
    ),
    "report on action, own": report(lambda s: s.world.own_action),
    "report on action, other": report(lambda s: s.world.other_action),
    "report on action, other, unpublished": report(lambda s: s.world.other_hidden),
    "edit action status, own": Case(
        "patch",
        at("/actions/{}", lambda s: s.world.own_action),
        lambda s: {"status": "partial", "version": s.world.own_action.version},
        lambda s: refreshed(s.world.own_action).status == "partial",
    ),
    "link recommendations": Case(
        "post",
        at("/actions/{}/recommendations", lambda s: s.world.own_action),
        lambda s: {"recommendations": [s.spare_rec.pk]},
        lambda s: s.world.own_action.recommendations.filter(pk=s.spare_rec.pk).exists(),
    ),
    "unlink recommendations": Case(
        "delete",
        at("/actions/{}/recommendations", lambda s: s.world.own_action),
        lambda s: {"recommendations": [s.world.rec.pk]},
        lambda s: not s.world.own_action.recommendations.filter(pk=s.world.rec.pk).exists(),
    ),
    "set institutions": Case(
        "put",
        at("/actions/{}/institutions", lambda s: s.world.own_action),
        lambda s: {
            "institutions": [
                {"institution": "MLSP", "role": "lead"},
                {"institution": "MIA", "role": "co"},
            ]
        },
        lambda s: s.world.own_action.assignments.filter(institution__code="MIA").exists(),
    ),
    "edit update, own draft": edit_update(own("draft")),
    "edit update, own returned": edit_update(own("returned")),
    "edit update, own submitted": edit_update(own("submitted")),
    "edit update, other draft": edit_update(other("draft")),
    "attach evidence, own draft": attach(own("draft")),
    "attach evidence, own submitted": attach(own("submitted")),
    "attach evidence, other draft": attach(other("draft")),
    "override assessment": Case(
        "put",
        at("/recommendations/{}/assessment", lambda s: s.world.rec),
        lambda s: {"status": "done", "reason": "Synthetic reason"},
        assessed,
    ),
    "submit update, own draft": step("submitted", own("draft")),
    "submit update, own returned": step("submitted", own("returned")),
    "submit update, other draft": step("submitted", other("draft")),
    "submit update, own published": step("submitted", own("published")),
    "validate update, own": step("validated", own("submitted")),
    "validate update, other": step("validated", other("submitted")),
    "return update, own": step("returned", own("submitted")),
    "validate update, own draft": step("validated", own("draft")),
    "publish plan": Case(
        "post",
        at("/plans/{}/publish", lambda s: s.world.draft_plan),
        lambda s: {"published": True},
        lambda s: refreshed(s.world.draft_plan).published,
    ),
    "publish action, own": Case(
        "post",
        at("/actions/{}/publish", lambda s: s.world.own_hidden),
        lambda s: {"published": True},
        lambda s: refreshed(s.world.own_hidden).published,
    ),
    "publish update, own validated": step("published", own("validated")),
    "delete plan": Case(
        "delete",
        at("/plans/{}", lambda s: s.world.draft_plan),
        done=gone(lambda s: s.world.draft_plan),
    ),
    "delete action, other": Case(
        "delete",
        at("/actions/{}", lambda s: s.world.other_action),
        done=gone(lambda s: s.world.other_action),
    ),
    "delete update, own draft": Case(
        "delete", at("/updates/{}", own("draft")), done=gone(own("draft"))
    ),
    "delete update, other draft": Case(
        "delete", at("/updates/{}", other("draft")), done=gone(other("draft"))
    ),
    "delete update, own published": Case(
        "delete", at("/updates/{}", own("published")), done=gone(own("published"))
    ),
    "evidence, own, published": download(lambda s: s.world.own_evidence["published"]),
    "evidence, own, draft": download(lambda s: s.world.own_evidence["draft"]),
    "evidence, own, validated": download(lambda s: s.world.own_evidence["validated"]),
    "evidence, other, submitted": download(lambda s: s.world.other_evidence["submitted"]),
    "evidence, other, published": download(lambda s: s.world.other_evidence["published"]),
    "evidence, published update, hidden action": download(lambda s: s.hidden_evidence),
    "evidence, guessed id": Case(
        "get", lambda s: f"{API}/evidence/{s.hidden_evidence.pk + 1000}", evidence=True
    ),
}


def test_the_matrix_covers_every_case_and_every_persona() -> None:
    assert set(MATRIX) == set(CASES)
    assert all(len(row) == len(PERSONAS) for row in MATRIX.values())
    outcomes = {"ok", "absent", "401", "403", "404", "409"}
    assert all(set(row) <= outcomes for row in MATRIX.values())


@pytest.fixture(autouse=True)
def _storage(settings: Any, tmp_path: Path) -> None:
    f.use_storage(settings, tmp_path)


@pytest.fixture
def scene(personas: dict[str, User]) -> Scene:
    world = f.build_world()
    users = {**personas, "other_focal_point": world.other_focal_point}
    hidden_update = f.update(world.other_hidden, "published", "MIA", text="Synthetic hidden")
    return Scene(
        world=world,
        users=users,
        keys={name: do_create_token(user, "matrix")[1] for name, user in users.items()},
        spare_rec=f.recommendation("Synthetic recommendation to link", number="1.2"),
        hidden_rec=f.recommendation("Synthetic unpublished one", number="1.3", published=False),
        hidden_update=hidden_update,
        hidden_evidence=f.evidence(hidden_update, filename="synthetic-hidden.pdf"),
    )


class _Rollback(Exception):
    pass


def call(client: Client, case: Case, scene: Scene, key: str | None) -> Any:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    address = case.url(scene)
    if case.upload:
        upload = SimpleUploadedFile("matrix.pdf", f.PDF_BYTES, "application/pdf")
        return client.post(address, {"file": upload}, headers=headers)
    if case.method == "get":
        return client.get(address, headers=headers)
    body = json.dumps(case.body(scene)) if case.body else ""
    send = getattr(client, case.method)
    return send(address, body, content_type="application/json", headers=headers)


def outcome(case: Case, scene: Scene, persona: str) -> tuple[str, str]:
    """(outcome, what went wrong if anything) for one persona, in a rolled-back savepoint."""
    result = ("", "")
    try:
        with transaction.atomic():
            response = call(Client(), case, scene, scene.keys.get(persona))
            result = classify(case, scene, response)
            raise _Rollback
    except _Rollback:
        pass
    return result


def classify(case: Case, scene: Scene, response: Any) -> tuple[str, str]:
    code = response.status_code
    kinds = {200: "ok", 201: "ok", 204: "ok", 401: "401", 403: "403", 404: "404", 409: "409"}
    if code not in kinds:
        return f"HTTP {code}", response.content.decode(errors="replace")[:300]
    kind = kinds[code]
    problems = []
    body = b"" if (case.evidence and kind == "ok") else response.content
    if case.listed and kind == "ok":
        ids = [row["id"] for row in response.json()["results"]]
        kind = "ok" if case.listed(scene) in ids else "absent"
    done = case.done(scene) if case.done else None
    if done is not None and done != (kind == "ok"):
        problems.append(f"write happened={done}")
    if case.marker and kind == "ok" and case.marker(scene).encode() not in body:
        problems.append("answer lacks the object")
    if kind not in ("ok", "absent"):
        problems += refusal_problems(case, scene, response)
    if case.evidence and kind == "ok":
        problems += evidence_problems(response)
    return kind, "; ".join(problems)


def refusal_problems(case: Case, scene: Scene, response: Any) -> list[str]:
    problems = []
    if not isinstance(response.json().get("detail"), str):
        problems.append("no detail message")
    if case.marker and case.marker(scene).encode() in response.content:
        problems.append("refusal shows the object")
    if response.status_code == 401 and "Bearer" not in response.get("WWW-Authenticate", ""):
        problems.append("401 without WWW-Authenticate")
    return problems


def evidence_problems(response: Any) -> list[str]:
    problems = []
    if b"".join(response.streaming_content) != f.PDF_BYTES:
        problems.append("wrong file content")
    if not response["Content-Disposition"].startswith("attachment"):
        problems.append("not an attachment")
    if response["Cache-Control"] != "private, no-store":
        problems.append("cacheable")
    return problems


@pytest.mark.parametrize("name", list(MATRIX))
def test_api_permission_matrix(name: str, scene: Scene) -> None:
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


# -- the API and the rules agree, object by object -------------------------------------------


def _user(scene: Scene, persona: str) -> Any:
    return AnonymousUser() if persona == "anonymous" else scene.users[persona]


def _every(scene: Scene) -> dict[str, list[Any]]:
    w = scene.world
    return {
        "plans": [w.plan, w.draft_plan],
        "actions": [w.own_action, w.shared_action, w.other_action, w.own_hidden, w.other_hidden],
        "updates": [*w.own_updates.values(), *w.other_updates.values(), scene.hidden_update],
        "evidence": [*w.own_evidence.values(), *w.other_evidence.values(), scene.hidden_evidence],
    }


PERMS = {
    "plans": ("tracking.view_plan", lambda o: o),
    "actions": ("tracking.view_action", lambda o: o),
    "updates": ("tracking.view_update", lambda o: o),
    "evidence": ("tracking.download_evidence", lambda o: o.update),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_read_agrees_with_the_rules(persona: str, scene: Scene) -> None:
    """Each object answers 200 to exactly those the same rules.py lets view it; lists hold
    exactly those objects. No expectation table here: the rules are the reference."""
    client, user = Client(), _user(scene, persona)
    headers = {"authorization": f"Bearer {scene.keys[persona]}"} if persona in scene.keys else {}
    disagreements = []
    for kind, objects in _every(scene).items():
        perm, target = PERMS[kind]
        for obj in objects:
            allowed = user.has_perm(perm, target(obj))
            code = client.get(f"{API}/{kind}/{obj.pk}", headers=headers).status_code
            if code != (200 if allowed else 404):
                disagreements.append((kind, obj.pk, allowed, code))
    listed_plans = {p["id"] for p in client.get(f"{API}/plans", headers=headers).json()["results"]}
    listed_actions = {
        a["id"] for a in client.get(f"{API}/actions", headers=headers).json()["results"]
    }
    everything = _every(scene)
    assert disagreements == []
    assert listed_plans == {
        p.pk for p in everything["plans"] if user.has_perm("tracking.view_plan", p)
    }
    assert listed_actions == {
        a.pk for a in everything["actions"] if user.has_perm("tracking.view_action", a)
    }
