"""The audited writes of qadam.tracking.actions, and the access helpers that must agree
with the rules, called directly (no HTTP)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from qadam.accounts.models import User
from qadam.audit.models import AuditEvent
from qadam.tracking import actions as act
from qadam.tracking.access import (
    get_actions_for_user,
    get_evidence_for_user,
    get_plans_for_user,
    get_updates_for_user,
)
from qadam.tracking.models import Action, Plan, ProgressUpdate
from qadam.tracking.tests import factories as f


@pytest.fixture(autouse=True)
def _storage(settings: Any, tmp_path: Path) -> None:
    f.use_storage(settings, tmp_path)


def test_the_world_builds(personas: dict[str, User]) -> None:
    world = f.build_world()
    assert world.own_action.assignments.count() == 2
    assert set(world.own_updates) == set(f.STATES)
    assert world.own_evidence["draft"].file.read().startswith(b"%PDF")


@pytest.mark.parametrize(
    "persona", ["admin", "focal_point", "contributor", "ngo_member", "observer", "outsider"]
)
def test_the_access_querysets_agree_with_the_rules(persona: str, personas: dict[str, User]) -> None:
    """Lists never show what a detail page would refuse, and never hide what it would show."""
    world = f.build_world(with_evidence=False)
    f.update(world.other_hidden, "published", "MIA")  # published, but on a hidden action
    user = personas[persona]
    listed = set(get_plans_for_user(user))
    assert listed == {p for p in Plan.objects.all() if user.has_perm("tracking.view_plan", p)}
    listed_actions = set(get_actions_for_user(user))
    allowed = {a for a in Action.objects.all() if user.has_perm("tracking.view_action", a)}
    assert listed_actions == allowed
    listed_updates = set(get_updates_for_user(user))
    assert listed_updates == {
        u for u in ProgressUpdate.objects.all() if user.has_perm("tracking.view_update", u)
    }


def test_a_published_update_on_an_unpublished_action_stays_hidden(
    personas: dict[str, User],
) -> None:
    action = f.action(f.plan(published=False), lead="MIA", published=False)
    update = f.update(action, "published", "MIA")
    evidence = f.evidence(update)
    observer = personas["observer"]
    assert not observer.has_perm("tracking.view_update", update)
    assert not observer.has_perm("tracking.download_evidence", update)
    assert update not in get_updates_for_user(observer)
    with pytest.raises(Http404):
        get_evidence_for_user(observer, evidence.pk)
    assert get_evidence_for_user(personas["admin"], evidence.pk) == evidence


def test_linking_a_cluster_is_audited(personas: dict[str, User]) -> None:
    a = f.recommendation("Synthetic member A", number="8.1")
    b = f.recommendation("Synthetic member B", number="8.2")
    cluster = f.cluster("Synthetic cluster", [a, b])
    action = f.action()
    admin = personas["admin"]
    act.do_link_recommendations(admin, action, add=[a, b], add_clusters=[cluster])
    event = AuditEvent.objects.get(action="tracking.action.links")
    assert event.changes["clusters_added"] == [cluster.pk]
    assert sorted(event.changes["recommendations_added"]) == sorted([a.pk, b.pk])
    # Linking again changes nothing and records nothing.
    act.do_link_recommendations(admin, action, add=[a], add_clusters=[cluster])
    assert AuditEvent.objects.filter(action="tracking.action.links").count() == 1
    with pytest.raises(PermissionDenied):
        act.do_link_recommendations(personas["focal_point"], action, remove_clusters=[cluster])


def test_a_focal_point_reports_on_a_co_executed_action_but_changes_nothing_else(
    personas: dict[str, User],
) -> None:
    action = f.action(lead="MIA", co=[("MLSP", True)])
    focal = personas["focal_point"]
    act.do_update_action(focal, action, version=action.version, description={"en": "Synthetic"})
    with pytest.raises(PermissionDenied):
        act.do_update_action(focal, action, status="done")
    with pytest.raises(PermissionDenied):
        act.do_update_action(personas["contributor"], action, description={"en": "x"})


def test_a_stale_version_is_refused_and_nothing_changes(personas: dict[str, User]) -> None:
    action = f.action(number="1")
    admin = personas["admin"]
    act.do_update_action(admin, action, version=1, number="2")
    with pytest.raises(act.ConcurrentEditError, match="changed by someone else"):
        act.do_update_action(admin, action, version=1, number="3")
    action.refresh_from_db()
    assert (action.number, action.version) == ("2", 2)


@pytest.mark.parametrize(
    ("statuses", "derived"),
    [
        ([], "not-started"),
        (["not-started", "not-started"], "not-started"),
        (["in-progress", "not-started"], "in-progress"),
        (["done", "not-started"], "partial"),
        (["done", "obsolete"], "done"),
        (["obsolete"], "obsolete"),
    ],
)
def test_derived_status(statuses: list[str], derived: str) -> None:
    assert act.derive_status(statuses) == derived


def test_validate_evidence_checks_contents_not_names() -> None:
    act.validate_evidence(f.PDF_BYTES, "synthetic.pdf")
    act.validate_evidence(f.docx_bytes(), "synthetic.DOCX")
    with pytest.raises(ValidationError, match="contents are PDF"):
        act.validate_evidence(f.PDF_BYTES, "synthetic.docx")
