"""The tracking API at work: plans, actions, updates, evidence and assessments.

Who may do what is the matrix's business (test_api_permissions.py); here, what each
endpoint does when allowed, and how it refuses bad input: 409 for a concurrent edit
or a step the workflow does not allow, 422 for bad input with nothing half-saved,
and never a way to an unpublished file. All data is synthetic (factories).
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from qadam.accounts.actions import do_create_token
from qadam.accounts.models import User
from qadam.audit.models import AuditEvent
from qadam.tracking.models import Action, Assessment, Evidence, Plan, ProgressUpdate
from qadam.tracking.tests import factories as f

API = "/api/v1"


class Caller:
    """An API client speaking JSON with one persona's token (or none)."""

    def __init__(self, key: str | None = None) -> None:
        self.client = Client()
        self.headers = {"authorization": f"Bearer {key}"} if key else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(API + path, params, headers=self.headers)

    def send(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body) if body is not None else ""
        return getattr(self.client, method)(
            API + path, data, content_type="application/json", headers=self.headers
        )

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.send("post", path, body)

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.send("patch", path, body)

    def put(self, path: str, body: dict[str, Any]) -> Any:
        return self.send("put", path, body)

    def delete(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.send("delete", path, body)

    def upload(self, path: str, name: str, data: bytes) -> Any:
        upload = SimpleUploadedFile(name, data, "application/octet-stream")
        return self.client.post(API + path, {"file": upload}, headers=self.headers)


@pytest.fixture(autouse=True)
def _storage(settings: Any, tmp_path: Path) -> Path:
    return f.use_storage(settings, tmp_path / "media")


@pytest.fixture
def world(personas: dict[str, User]) -> f.World:
    return f.build_world()


@pytest.fixture
def as_(personas: dict[str, User], world: f.World) -> Any:
    users = {**personas, "other_focal_point": world.other_focal_point}

    def make(persona: str) -> Caller:
        if persona == "anonymous":
            return Caller()
        return Caller(do_create_token(users[persona], "tests")[1])

    return make


# -- plans ---------------------------------------------------------------------------------


def test_the_secretariat_creates_edits_publishes_and_deletes_a_plan(as_: Any) -> None:
    admin, public = as_("admin"), as_("anonymous")
    body = {
        "title": {"en": "Synthetic interagency plan", "ru": "Синтетический план", "kk": " "},
        "kind": "upr-plan",
        "period_start": "2025-01-01",
        "period_end": "2028-12-31",
        "is_demo": True,
    }
    created = admin.post("/plans", body)
    assert created.status_code == 201, created.content
    plan = created.json()
    # Blank languages are dropped; a new plan is not public.
    assert plan["title"] == {"en": "Synthetic interagency plan", "ru": "Синтетический план"}
    assert plan["published"] is False and plan["is_demo"] is True
    assert public.get(f"/plans/{plan['id']}").status_code == 404

    edited = admin.patch(f"/plans/{plan['id']}", {"adopted_by": "Synthetic decree No. 1"})
    assert edited.status_code == 200
    assert edited.json()["adopted_by"] == "Synthetic decree No. 1"
    assert edited.json()["kind"] == "upr-plan" and edited.json()["period_end"] == "2028-12-31"

    assert admin.post(f"/plans/{plan['id']}/publish", {"published": True}).json()["published"]
    assert public.get(f"/plans/{plan['id']}").status_code == 200
    admin.post(f"/plans/{plan['id']}/publish", {"published": False})
    assert public.get(f"/plans/{plan['id']}").status_code == 404

    assert admin.delete(f"/plans/{plan['id']}").status_code == 204
    assert not Plan.objects.filter(pk=plan["id"]).exists()
    actions = set(
        AuditEvent.objects.filter(
            object_id=str(plan["id"]), object_type="tracking.plan"
        ).values_list("action", flat=True)
    )
    assert actions == {
        "tracking.plan.create",
        "tracking.plan.update",
        "tracking.plan.publish",
        "tracking.plan.delete",
    }


@pytest.mark.parametrize(
    "body, problem",
    [
        ({"title": {"en": "  "}, "kind": "other"}, "at least one language"),
        ({"title": {"fr": "Plan"}, "kind": "other"}, "kk"),
        ({"title": {"en": "Plan"}, "kind": "nonsense"}, "upr-plan"),
        (
            {
                "title": {"en": "Plan"},
                "kind": "other",
                "period_start": "2028-01-01",
                "period_end": "2025-01-01",
            },
            "starts after it ends",
        ),
    ],
)
def test_a_bad_plan_is_refused_and_nothing_is_saved(as_: Any, body: dict, problem: str) -> None:
    before = Plan.objects.count()
    response = as_("admin").post("/plans", body)
    assert response.status_code == 422
    assert problem in json.dumps(response.json()["detail"], ensure_ascii=False)
    assert Plan.objects.count() == before


def test_publishing_needs_no_body(as_: Any, world: f.World) -> None:
    admin = as_("admin")
    response = admin.client.generic(
        "POST", f"{API}/actions/{world.own_hidden.pk}/publish", b"", headers=admin.headers
    )
    assert response.status_code == 200 and response.json()["published"] is True


def test_a_patch_cannot_empty_a_required_field(as_: Any, world: f.World) -> None:
    response = as_("admin").patch(f"/plans/{world.plan.pk}", {"kind": None})
    assert response.status_code == 422
    assert response.json() == {"detail": "These fields cannot be empty: kind."}
    assert Plan.objects.get(pk=world.plan.pk).kind == "upr-plan"


def test_a_patch_can_clear_an_optional_date(as_: Any, world: f.World) -> None:
    response = as_("admin").patch(f"/plans/{world.plan.pk}", {"period_end": None})
    assert response.status_code == 200 and response.json()["period_end"] is None


# -- actions -------------------------------------------------------------------------------


def new_action_body(world: f.World, **extra: Any) -> dict[str, Any]:
    f.outcome_type("synthetic-law", "Synthetic draft law")
    return {
        "plan": world.plan.pk,
        "number": "9",
        "title": {"en": "Synthetic new action"},
        "outcome_type": "synthetic-law",
        "timeframe_text": "By the end of 2026",
        "deadline_start": "2026-01-01",
        "deadline": "2026-12-31",
        "budget_planned": "2500000.50",
        "budget_source": "Synthetic republican budget",
        "institutions": [
            {"institution": "MLSP", "role": "lead"},
            {"institution": "GPO", "role": "co", "as_agreed": True},
        ],
        "recommendations": [world.rec.pk],
        **extra,
    }


def test_the_secretariat_creates_an_action_with_institutions_and_links(
    as_: Any, world: f.World
) -> None:
    response = as_("admin").post("/actions", new_action_body(world))
    assert response.status_code == 201, response.content
    action = response.json()
    assert action["plan"] == world.plan.pk and action["version"] == 1
    assert action["outcome_type"] == "synthetic-law"
    assert action["institutions"] == [
        {"institution": "MLSP", "role": "lead", "as_agreed": False},
        {"institution": "GPO", "role": "co", "as_agreed": True},
    ]
    assert action["recommendations"] == [world.rec.pk]
    assert action["budget_planned"] == "2500000.50" and action["budget_currency"] == "KZT"
    assert action["published"] is False and action["status"] == "not-started"
    # Linking a recommendation derives its assessment.
    assert Assessment.objects.filter(recommendation=world.rec).exists()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"plan": 999999}, "There is no plan 999999."),
        (
            {"institutions": [{"institution": "NOPE", "role": "lead"}]},
            "Unknown institutions: NOPE.",
        ),
        (
            {
                "institutions": [
                    {"institution": "MLSP", "role": "lead"},
                    {"institution": "MLSP", "role": "co"},
                ]
            },
            "Each institution may appear once: MLSP.",
        ),
        (
            {
                "institutions": [
                    {"institution": "MIA", "role": "co"},
                    {"institution": "MLSP", "role": "lead"},
                ]
            },
            "Give one lead institution, first in the list.",
        ),
        ({"recommendations": [999999]}, "There are no recommendations with these ids: 999999."),
        ({"outcome_type": "nope"}, "Unknown outcome type nope."),
        ({"deadline_start": "2027-01-01"}, "The period starts after it ends"),
    ],
)
def test_a_bad_action_is_refused_with_a_specific_message(
    as_: Any, world: f.World, change: dict, message: str
) -> None:
    admin, body = as_("admin"), new_action_body(world, **change)
    before = (Action.objects.count(), AuditEvent.objects.count())
    response = admin.post("/actions", body)
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert (Action.objects.count(), AuditEvent.objects.count()) == before


def test_an_unpublished_recommendation_cannot_be_linked_by_someone_who_cannot_see_it(
    as_: Any, world: f.World
) -> None:
    # Focal points may not link at all, but the refusal must not confirm the id exists.
    hidden = f.recommendation("Synthetic unpublished", number="8.8", published=False)
    response = as_("focal_point").post(
        f"/actions/{world.own_action.pk}/recommendations", {"recommendations": [hidden.pk]}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == (
        f"There are no recommendations with these ids: {hidden.pk}."
    )


def test_an_edit_names_the_version_it_started_from(as_: Any, world: f.World) -> None:
    admin = as_("admin")
    path = f"/actions/{world.own_action.pk}"
    first = admin.patch(path, {"status": "in-progress", "version": 1})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = admin.patch(path, {"status": "done", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["detail"].startswith(
        "This record was changed by someone else after you opened it (your version 1, now 2)."
    )
    action = Action.objects.get(pk=world.own_action.pk)
    assert action.status == "in-progress" and action.version == 2


def test_a_currency_is_an_upper_case_iso_code(as_: Any, world: f.World) -> None:
    path = f"/actions/{world.own_action.pk}"
    admin = as_("admin")
    assert (
        admin.patch(path, {"budget_currency": "usd", "version": 1}).json()["budget_currency"]
        == "USD"
    )
    assert admin.patch(path, {"budget_currency": "EURO", "version": 2}).status_code == 422


def test_an_edit_without_a_version_is_refused(as_: Any, world: f.World) -> None:
    response = as_("admin").patch(f"/actions/{world.own_action.pk}", {"status": "done"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "version"
    assert Action.objects.get(pk=world.own_action.pk).status == "not-started"


def test_a_focal_point_reports_description_and_spending_on_their_action(
    as_: Any, world: f.World
) -> None:
    response = as_("focal_point").patch(
        f"/actions/{world.own_action.pk}",
        {"description": {"ru": "Синтетический отчёт"}, "budget_spent": "1200", "version": 1},
    )
    assert response.status_code == 200, response.content
    assert response.json()["description"] == {"ru": "Синтетический отчёт"}
    assert response.json()["budget_spent"] == "1200.00"


def test_a_focal_point_may_not_change_more_than_the_report(as_: Any, world: f.World) -> None:
    response = as_("focal_point").patch(
        f"/actions/{world.own_action.pk}",
        {"description": {"en": "Synthetic"}, "deadline": "2030-01-01", "version": 1},
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "You are not allowed to do this."}


def test_linking_a_cluster_records_it_and_links_its_visible_members(
    as_: Any, world: f.World
) -> None:
    a = f.recommendation("Synthetic cluster member A", number="5.1")
    b = f.recommendation("Synthetic cluster member B", number="5.2")
    hidden = f.recommendation("Synthetic unpublished member", number="5.3", published=False)
    cluster = f.cluster("Synthetic cluster", [a, b, hidden])
    admin, path = as_("admin"), f"/actions/{world.other_action.pk}/recommendations"
    linked = admin.post(path, {"cluster": cluster.pk})
    assert linked.status_code == 200
    # The secretariat sees unpublished recommendations, so all three are linked.
    assert set(linked.json()["recommendations"]) == {a.pk, b.pk, hidden.pk}
    assert linked.json()["clusters"] == [cluster.pk]
    # Unlinking the cluster keeps the members; unlinking ids removes them.
    after = admin.delete(path, {"cluster": cluster.pk}).json()
    assert after["clusters"] == [] and set(after["recommendations"]) == {a.pk, b.pk, hidden.pk}
    after = admin.delete(path, {"recommendations": [a.pk, hidden.pk]}).json()
    assert after["recommendations"] == [b.pk]
    # What the public sees of the links: published recommendations only.
    public = as_("anonymous").get(f"/actions/{world.other_action.pk}").json()
    assert public["recommendations"] == [b.pk]


def test_an_unknown_cluster_is_refused(as_: Any, world: f.World) -> None:
    response = as_("admin").post(
        f"/actions/{world.own_action.pk}/recommendations", {"cluster": 424242}
    )
    assert response.status_code == 422
    assert response.json() == {"detail": "There is no cluster 424242."}


def test_institutions_are_replaced_lead_first(as_: Any, world: f.World) -> None:
    f.institution("MJ")
    response = as_("admin").put(
        f"/actions/{world.own_action.pk}/institutions",
        {
            "institutions": [
                {"institution": "MJ", "role": "lead"},
                {"institution": "MLSP", "role": "co", "as_agreed": True},
            ]
        },
    )
    assert response.status_code == 200
    assert response.json()["institutions"] == [
        {"institution": "MJ", "role": "lead", "as_agreed": False},
        {"institution": "MLSP", "role": "co", "as_agreed": True},
    ]
    assert AuditEvent.objects.filter(action="tracking.action.institutions").count() == 1


def test_action_filters(as_: Any, world: f.World) -> None:
    today = timezone.localdate()
    plan = world.plan
    late = f.action(plan, "L", "Synthetic late", "MJ", deadline=today - datetime.timedelta(days=3))
    soon = f.action(plan, "S", "Synthetic soon", "MJ", deadline=today + datetime.timedelta(days=5))
    f.action(
        plan,
        "D",
        "Synthetic late but done",
        "MJ",
        status="done",
        deadline=today - datetime.timedelta(days=3),
    )
    f.action(plan, "F", "Synthetic far", "MJ", deadline=today + datetime.timedelta(days=90))
    admin = as_("admin")

    def ids(**params: Any) -> set[int]:
        response = admin.get("/actions", page_size=100, **params)
        assert response.status_code == 200, response.content
        return {a["id"] for a in response.json()["results"]}

    assert ids(institution="MJ", overdue="true") == {late.pk}
    assert ids(institution="MJ", due_within_days=30) == {soon.pk}
    assert late.pk not in ids(institution="MJ", overdue="false")
    assert ids(institution="MIA") == {
        world.shared_action.pk,
        world.other_action.pk,
        world.other_hidden.pk,
    }
    assert ids(plan=world.draft_plan.pk) == {world.own_hidden.pk, world.other_hidden.pk}
    assert ids(status="done", institution="MJ") == {
        a.pk for a in Action.objects.filter(status="done")
    }
    detail = admin.get(f"/actions/{late.pk}").json()
    assert detail["overdue"] is True
    assert admin.get("/actions", status="nonsense").status_code == 422


def test_an_action_is_deleted_with_its_updates(as_: Any, world: f.World) -> None:
    pk = world.own_action.pk
    assert as_("admin").delete(f"/actions/{pk}").status_code == 204
    assert not ProgressUpdate.objects.filter(action_id=pk).exists()


# -- progress updates: the workflow ----------------------------------------------------------


def test_a_report_goes_from_draft_to_published(as_: Any, world: f.World) -> None:
    fp, admin, public = as_("focal_point"), as_("admin"), as_("anonymous")
    action = world.own_action
    created = fp.post(
        f"/actions/{action.pk}/updates",
        {
            "as_of": "2026-03-31",
            "text": "Synthetic quarterly progress",
            "language": "en",
            "proposed_status": "partial",
            "spent": "500000",
        },
    )
    assert created.status_code == 201, created.content
    update = created.json()
    assert update["state"] == "draft" and update["institution"] == "MLSP"
    assert public.get(f"/updates/{update['id']}").status_code == 404

    def step(who: Caller, to: str, comment: str = "") -> Any:
        current = who.get(f"/updates/{update['id']}").json()
        return who.post(
            f"/updates/{update['id']}/transition",
            {"to": to, "comment": comment, "version": current["version"]},
        )

    assert step(fp, "submitted").json()["state"] == "submitted"
    returned = step(admin, "returned", "Synthetic: attach the order")
    assert returned.json()["state"] == "returned"
    assert fp.get(f"/updates/{update['id']}").json()["review_comment"] == (
        "Synthetic: attach the order"
    )
    assert step(fp, "submitted").status_code == 200
    validated = step(admin, "validated", "Synthetic: fine")
    assert validated.status_code == 200
    # A validated update moves its action's status and spending.
    action.refresh_from_db()
    assert action.status == "partial" and str(action.budget_spent) == "500000.00"
    assert step(admin, "published").json()["state"] == "published"
    seen = public.get(f"/updates/{update['id']}")
    assert seen.status_code == 200
    # The review discussion stays between the institution and the secretariat.
    assert seen.json()["review_comment"] == ""
    assert admin.get(f"/updates/{update['id']}").json()["review_comment"] == "Synthetic: fine"


def test_a_step_the_workflow_does_not_allow_is_a_conflict(as_: Any, world: f.World) -> None:
    update = world.own_updates["draft"]
    response = as_("admin").post(
        f"/updates/{update.pk}/transition", {"to": "published", "version": update.version}
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "A progress update cannot go from “Draft” to “Published”."}
    assert ProgressUpdate.objects.get(pk=update.pk).state == "draft"


def test_a_step_from_a_stale_version_is_a_conflict(as_: Any, world: f.World) -> None:
    update = world.own_updates["draft"]
    fp = as_("focal_point")
    assert (
        fp.patch(f"/updates/{update.pk}", {"text": "Synthetic v2", "version": 1}).status_code == 200
    )
    response = fp.post(f"/updates/{update.pk}/transition", {"to": "submitted", "version": 1})
    assert response.status_code == 409
    assert "changed by someone else" in response.json()["detail"]
    assert ProgressUpdate.objects.get(pk=update.pk).state == "draft"


def test_an_update_edit_from_a_stale_version_is_a_conflict(as_: Any, world: f.World) -> None:
    update = world.own_updates["draft"]
    fp, con = as_("focal_point"), as_("contributor")
    assert con.patch(f"/updates/{update.pk}", {"text": "Saule's", "version": 1}).status_code == 200
    response = fp.patch(f"/updates/{update.pk}", {"text": "Daniyar's", "version": 1})
    assert response.status_code == 409
    assert ProgressUpdate.objects.get(pk=update.pk).text == "Saule's"


def test_an_unknown_status_in_an_update_is_refused(as_: Any, world: f.World) -> None:
    response = as_("focal_point").post(
        f"/actions/{world.own_action.pk}/updates",
        {"as_of": "2026-03-31", "text": "Synthetic", "proposed_status": "finished"},
    )
    assert response.status_code == 422
    assert not ProgressUpdate.objects.filter(text="Synthetic").exists()


# -- evidence ------------------------------------------------------------------------------


def test_evidence_is_uploaded_listed_and_downloaded(as_: Any, world: f.World) -> None:
    update = world.own_updates["draft"]
    fp = as_("focal_point")
    # Built once: a zip records the time of day, so two builds may differ.
    docx = f.docx_bytes()
    response = fp.upload(f"/updates/{update.pk}/evidence", "Synthetic order.docx", docx)
    assert response.status_code == 201, response.content
    evidence = response.json()
    assert evidence["name"] == "Synthetic order.docx"
    assert evidence["content_type"].endswith("wordprocessingml.document")
    listed = fp.get(f"/updates/{update.pk}").json()["evidence"]
    assert evidence["id"] in [e["id"] for e in listed]
    download = fp.client.get(evidence["url"], headers=fp.headers)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == docx
    assert 'filename="Synthetic order.docx"' in download["Content-Disposition"]


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("big.pdf", f.PDF_BYTES + b"x" * 200, "big.pdf is "),
        ("empty.pdf", b"", "empty.pdf is empty."),
        ("program.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 40, "program.pdf is not a PDF"),
        ("photo.pdf", f.PNG_BYTES, "photo.pdf is named like one type but its contents are PNG"),
    ],
)
def test_a_bad_evidence_file_is_refused_naming_it(
    as_: Any, world: f.World, settings: Any, _storage: Path, name: str, data: bytes, message: str
) -> None:
    settings.QADAM_MAX_EVIDENCE_BYTES = 200
    update = world.own_updates["draft"]
    before = set(_storage.rglob("*"))
    response = as_("focal_point").upload(f"/updates/{update.pk}/evidence", name, data)
    assert response.status_code == 422
    assert response.json()["detail"].startswith(message)
    assert not Evidence.objects.filter(original_name=name).exists()
    assert set(_storage.rglob("*")) == before


def test_an_oversized_file_from_someone_who_may_not_upload_is_a_refusal(
    as_: Any, world: f.World, settings: Any
) -> None:
    # The size check must not tell a stranger more than the permission check would.
    settings.QADAM_MAX_EVIDENCE_BYTES = 10
    update = world.own_updates["submitted"]
    response = as_("focal_point").upload(f"/updates/{update.pk}/evidence", "a.pdf", f.PDF_BYTES)
    assert response.status_code == 403


NOT_INSIDERS = ["anonymous", "ngo_member", "observer", "outsider", "other_focal_point"]


@pytest.mark.parametrize("persona", NOT_INSIDERS)
def test_unpublished_evidence_is_unreachable_even_by_guessing_ids(
    as_: Any, world: f.World, persona: str
) -> None:
    """Walk every evidence id there is and more: only files of updates this persona may
    see (published, or the MIA's own for its focal point) ever come back."""
    caller = as_(persona)
    mia = persona == "other_focal_point"
    reachable = {
        e.pk
        for e in Evidence.objects.select_related("update__action__plan")
        if (
            e.update.state == "published"
            and e.update.action.published
            and e.update.action.plan.published
        )
        or (mia and e.update.institution_id == world.mia.pk)
    }
    top = max(Evidence.objects.values_list("pk", flat=True))
    answered = {pk for pk in range(1, top + 20) if caller.get(f"/evidence/{pk}").status_code == 200}
    assert answered == reachable
    # Nor do the JSON answers point to a hidden file.
    hidden = set(Evidence.objects.values_list("pk", flat=True)) - reachable
    text = "".join(
        caller.get(path).content.decode()
        for path in [
            f"/actions/{world.own_action.pk}/updates",
            f"/actions/{world.other_action.pk}/updates",
            *[f"/updates/{u.pk}" for u in ProgressUpdate.objects.all()],
        ]
    )
    assert not [pk for pk in hidden if f'/evidence/{pk}"' in text]
    assert "evidence/" + str(world.own_action.pk) + "/" not in text  # no storage paths


# -- assessments ---------------------------------------------------------------------------


def test_an_assessment_is_derived_and_can_be_overridden_with_a_reason(
    as_: Any, world: f.World
) -> None:
    admin, public = as_("admin"), as_("anonymous")
    path = f"/recommendations/{world.rec.pk}/assessment"
    derived = public.get(path).json()
    assert derived["status"] == "not-started" and derived["actions"] == [world.own_action.pk]
    no_reason = admin.put(path, {"status": "done", "reason": " "})
    assert no_reason.status_code == 422
    assert no_reason.json() == {"detail": "Give the reason for overriding the derived status."}
    done = admin.put(path, {"status": "done", "reason": "Synthetic: the law was adopted"})
    assert done.status_code == 200
    assert done.json()["status"] == "done" and done.json()["derived_status"] == "not-started"
    assert public.get(path).json()["override_reason"] == "Synthetic: the law was adopted"
    cleared = admin.put(path, {"status": "", "reason": ""}).json()
    assert cleared["status"] == "not-started" and cleared["override_status"] == ""


def test_an_assessment_without_actions_is_not_started(as_: Any, world: f.World) -> None:
    rec = f.recommendation("Synthetic lonely recommendation", number="7.7")
    body = as_("anonymous").get(f"/recommendations/{rec.pk}/assessment").json()
    assert body["status"] == "not-started" and body["actions"] == [] and body["updated_at"] is None


# -- authentication ------------------------------------------------------------------------


def test_the_browser_session_works_and_needs_csrf_for_writes(personas: dict[str, User]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["admin"])
    assert client.get(f"{API}/plans").status_code == 200
    body = json.dumps({"title": {"en": "Synthetic session plan"}, "kind": "other"})
    refused = client.post(f"{API}/plans", body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert not Plan.objects.exists()
    client.get("/en/login/")  # sets the CSRF cookie, as any page would
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        f"{API}/plans", body, content_type="application/json", headers={"x-csrftoken": token}
    )
    assert accepted.status_code == 201


def test_an_anonymous_write_asks_for_credentials_not_for_csrf(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    body = json.dumps({"title": {"en": "Synthetic"}, "kind": "other"})
    response = client.post(f"{API}/plans", body, content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Log in, or send an API token (Authorization: Bearer qdm_…)."
    }
    assert response["WWW-Authenticate"] == 'Bearer realm="Qadam API"'


def test_a_token_needs_no_csrf(personas: dict[str, User]) -> None:
    _, key = do_create_token(personas["admin"], "script")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"{API}/plans",
        json.dumps({"title": {"en": "Synthetic"}, "kind": "other"}),
        content_type="application/json",
        headers={"authorization": f"Bearer {key}"},
    )
    assert response.status_code == 201


# -- OpenAPI -------------------------------------------------------------------------------


TRACKING_OPERATIONS = {
    "/api/v1/plans": {"get", "post"},
    "/api/v1/plans/{id}": {"get", "patch", "delete"},
    "/api/v1/plans/{id}/publish": {"post"},
    "/api/v1/actions": {"get", "post"},
    "/api/v1/actions/{id}": {"get", "patch", "delete"},
    "/api/v1/actions/{id}/publish": {"post"},
    "/api/v1/actions/{id}/recommendations": {"post", "delete"},
    "/api/v1/actions/{id}/institutions": {"put"},
    "/api/v1/actions/{id}/updates": {"get", "post"},
    "/api/v1/updates/{id}": {"get", "patch", "delete"},
    "/api/v1/updates/{id}/transition": {"post"},
    "/api/v1/updates/{id}/evidence": {"post"},
    "/api/v1/evidence/{id}": {"get"},
    "/api/v1/recommendations/{id}/assessment": {"get", "put"},
}


@pytest.fixture
def openapi(db: None) -> dict[str, Any]:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_openapi_has_every_tracking_operation(openapi: dict[str, Any]) -> None:
    for path, methods in TRACKING_OPERATIONS.items():
        assert set(openapi["paths"].get(path, {})) == methods, path


def test_every_operation_is_documented_with_its_security(openapi: dict[str, Any]) -> None:
    schemes = openapi["components"]["securitySchemes"]
    assert schemes["TokenAuth"]["type"] == "http" and schemes["TokenAuth"]["scheme"] == "bearer"
    assert schemes["SessionAuth"]["in"] == "cookie"
    for path, operations in openapi["paths"].items():
        for method, op in operations.items():
            assert op.get("summary") and len(op.get("description", "")) > 20, (path, method)
            security = op["security"]
            assert {"TokenAuth": []} in security and {"SessionAuth": []} in security
            # Reads are open to anyone ({} = no credentials); writes are not.
            assert ({} in security) == (method == "get"), (path, method)


def test_openapi_describes_the_upload_and_the_download(openapi: dict[str, Any]) -> None:
    upload = openapi["paths"]["/api/v1/updates/{id}/evidence"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    download = openapi["paths"]["/api/v1/evidence/{id}"]["get"]["responses"]["200"]
    assert download["content"]["application/octet-stream"]["schema"]["format"] == "binary"
    for status in ("401", "403", "404", "409", "422"):
        assert status in openapi["paths"]["/api/v1/actions/{id}"]["patch"]["responses"]


# -- query counts --------------------------------------------------------------------------


def _grow(world: f.World, n: int) -> None:
    for i in range(n):
        rec = f.recommendation(f"Synthetic bulk recommendation {i}", number=f"60.{i}")
        action = f.action(
            world.plan,
            f"B{i}",
            f"Synthetic bulk {i}",
            "MLSP",
            co=["MIA"],
            recommendations=[rec],
            outcome_type=f.outcome_type(),
        )
        for state in ("published", "draft"):
            update = f.update(world.own_action, state, "MLSP", text=f"Synthetic bulk {state} {i}")
            f.evidence(update, filename=f"bulk-{i}.pdf")
        f.plan(f"Synthetic bulk plan {i}")
        del action


@pytest.mark.parametrize("persona", ["admin", "focal_point", "anonymous"])
def test_list_queries_do_not_grow_with_the_rows(
    personas: dict[str, User], world: f.World, persona: str
) -> None:
    client = Client()
    if persona != "anonymous":
        client.force_login(personas[persona])
    paths = [
        f"{API}/plans?page_size=100",
        f"{API}/actions?page_size=100",
        f"{API}/actions/{world.own_action.pk}/updates?page_size=100",
    ]

    def counts() -> list[int]:
        result = []
        for path in paths:
            client.get(path)  # warm caches (ContentTypes, sessions) first
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(path).status_code == 200
            result.append(len(ctx.captured_queries))
        return result

    few = counts()
    _grow(world, 6)
    assert counts() == few
    assert max(few) <= 11  # a constant: one prefetch per relation (indicators added one)
