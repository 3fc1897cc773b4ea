"""``load_demo_plans``: two clearly named demo plans, demo progress marked as demo,
a demo user per role; idempotent; refused in production."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command

from qadam.accounts.models import User
from qadam.audit.models import AuditEvent
from qadam.registry.models import Cluster, Label, Recommendation
from qadam.registry.tests import factories as rf
from qadam.tracking.access import get_actions_for_user, get_plans_for_user
from qadam.tracking.management.commands import load_demo_plans as demo
from qadam.tracking.models import Action, Plan, ProgressUpdate

DATA = Path(demo.__file__).resolve().parents[3] / "taxonomy" / "data"


@pytest.fixture(autouse=True)
def reference(db: None) -> None:
    call_command("load_reference", only=["institutions", "upr-info-issues"],
                 stdout=io.StringIO())  # fmt: skip


@pytest.fixture
def cycle2() -> dict[str, Any]:
    """A synthetic excerpt of A/HRC/28/10 with UPR Info issue labels, in source order."""
    doc = rf.document("A/HRC/28/10")
    issues = {
        "124.1": ["womens-rights", "labour"],
        "124.2": ["womens-rights"],
        "124.3": ["detention", "torture-and-other-cid-treatment"],
        "124.4": ["disabilities"],
        "124.5": [],  # no UPR Info issue: in no cluster
    }
    for number, codes in issues.items():
        rec = rf.recommendation(f"Synthetic recommendation {number}", doc, number=number)
        for code in codes:
            rf.label(rec, rf.term("upr-info-issue", code), source="upr-info")
    return {"doc": doc}


def load() -> str:
    out = io.StringIO()
    call_command("load_demo_plans", stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, int]:
    return {
        "plans": Plan.objects.count(),
        "actions": Action.objects.count(),
        "updates": ProgressUpdate.objects.count(),
        "clusters": Cluster.objects.count(),
        "users": User.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def test_two_demo_plans_users_and_demo_progress(cycle2: dict[str, Any]) -> None:
    out = load()
    follow_up, upr = Plan.objects.order_by("pk")
    # Plan 1: the four real activities, through the importer.
    assert follow_up.is_demo and follow_up.published
    assert follow_up.title == demo.FOLLOW_UP_TITLE and set(follow_up.title) == {"en", "ru", "kk"}
    assert "demo" in follow_up.title["en"] and "демо" in follow_up.title["ru"]
    assert follow_up.adopted_by == "Government decree No. 258 of 28 April 2022"
    actions = {a.number: a for a in follow_up.actions.all()}
    assert sorted(actions) == ["1", "2", "3", "4"]
    assert actions["1"].timeframe_text == "By the end of 2022"
    assert actions["4"].flags == ["missing-outcome", "missing-agencies", "missing-timeframe"]
    imported = AuditEvent.objects.filter(
        action="tracking.action.create", changes__import="follow-up-plan-2022-excerpt.xlsx"
    )
    assert imported.count() == 4  # fmt: skip
    assert not ProgressUpdate.objects.filter(action__plan=follow_up).exists()

    # Plan 2: one action per first UPR Info issue, leads from the demo mapping.
    assert upr.is_demo and upr.title["en"] == "Interagency plan for UPR cycle 2 follow-up (demo)"
    by_cluster = {a.clusters.get().name: a for a in upr.actions.all()}
    assert sorted(by_cluster) == ["Detention", "Disabilities", "Women's rights"]
    women = by_cluster["Women's rights"]
    assert women.title["en"] == "Follow up the recommendations on Women's rights (demo)"
    assert women.title["ru"].endswith("(демо)") and women.title["kk"].endswith("(демо)")
    assert sorted(r.number for r in women.recommendations.all()) == ["124.1", "124.2"]
    assert [(a.institution.code, a.role) for a in women.assignments.all()] == [("MLSP", "lead")]
    assert by_cluster["Detention"].assignments.get().institution.code == "MIA"
    for action in by_cluster.values():
        assert action.deadline == date(2018, 12, 31) and action.flags == []
        assert action.deadline_start == date(2015, 1, 1)  # within the cycle, 2015-2019
        assert (upr.period_start, upr.period_end) == (date(2015, 1, 1), date(2019, 12, 31))
    assert "3 clusters by first UPR Info issue; 1 recommendations have no UPR Info" in out

    # Demo progress: marked, visibly demo, through the real workflow.
    updates = {u.action.clusters.get().name: u for u in ProgressUpdate.objects.all()}
    assert {name: u.state for name, u in updates.items()} == {
        "Women's rights": "published", "Disabilities": "submitted", "Detention": "returned",
    }  # fmt: skip
    assert all(u.is_demo and u.text.startswith("DEMO") for u in updates.values())
    women.refresh_from_db()
    assert women.status == "in-progress"  # the validated update moved the action

    # A user per role, with the printed password.
    assert f"password {demo.PASSWORD}" in out
    for username, role, _ in demo.DEMO_USERS:
        user = User.objects.get(username=username)
        assert user.role == role and user.check_password(demo.PASSWORD)
    assert User.objects.get(username="admin").role == "secretariat_admin"


def test_each_role_sees_what_it_should(cycle2: dict[str, Any]) -> None:
    load()
    users = {u.username: u for u in User.objects.all()}
    for name in ("observer.undp", "ngo.demo", "focal.mia"):
        assert get_plans_for_user(users[name]).count() == 2
    assert users["observer.undp"].has_perm("tracking.view_update", _update("Women's rights"))
    assert not users["observer.undp"].has_perm("tracking.view_update", _update("Disabilities"))
    assert (
        users["focal.mlsp"].has_perm("tracking.validate_update", _update("Disabilities")) is False
    )
    assert users["admin"].has_perm("tracking.validate_update", _update("Disabilities"))
    assert users["focal.mlsp"].has_perm("tracking.view_update", _update("Disabilities"))
    assert not users["focal.mia"].has_perm("tracking.view_update", _update("Disabilities"))
    assert not users["observer.undp"].has_perm("tracking.change_action", _action("Detention"))
    mia_actions = get_actions_for_user(users["focal.mia"])
    assert _action("Detention") in mia_actions


def _update(cluster: str) -> ProgressUpdate:
    return ProgressUpdate.objects.get(action__clusters__name=cluster)


def _action(cluster: str) -> Action:
    return Action.objects.get(clusters__name=cluster)


def test_a_second_run_changes_nothing(cycle2: dict[str, Any]) -> None:
    load()
    before = snapshot()
    out = load()
    assert "0 created, 0 updated, 4 unchanged" in out
    assert "0 created, 0 updated, 3 unchanged" in out
    assert "(0 new)" in out
    after = snapshot()
    # Only the two import events are new: nothing else was written.
    assert after == {**before, "audit": before["audit"] + 2}


def test_without_the_2014_recommendations_only_plan_1_is_loaded() -> None:
    out = load()
    assert "A/HRC/28/10 is not in the registry" in out
    assert Plan.objects.get().actions.count() == 4


def test_refused_in_production(settings: Any) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="QADAM_PRODUCTION"):
        load()
    assert not Plan.objects.exists()


def test_the_demo_mapping_covers_every_issue_with_real_institution_codes() -> None:
    institutions = yaml.safe_load((DATA / "institutions-kz.yaml").read_text(encoding="utf-8"))
    codes = {i["code"] for i in institutions["institutions"]}
    issues = yaml.safe_load((DATA / "upr-info-issues.yaml").read_text(encoding="utf-8"))
    issue_codes = {t["code"] for t in issues["taxonomies"][0]["terms"]}
    assert set(demo.ISSUE_LEADS) == issue_codes
    assert set(demo.ISSUE_LEADS.values()) <= codes
    # The mappings the issue names.
    assert demo.ISSUE_LEADS["womens-rights"] == "MLSP"
    assert demo.ISSUE_LEADS["torture-and-other-cid-treatment"] == "GPO"
    assert demo.ISSUE_LEADS["justice"] == "MJ"
    assert demo.ISSUE_LEADS["international-instruments"] == "MFA"


def test_with_the_real_2014_recommendations(data_dir: str) -> None:
    """The real thing: Kazakhstan's 2014 recommendations, one action per first issue."""
    call_command("load_reference", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    load()
    upr = Plan.objects.get(kind=Plan.Kind.UPR_PLAN)
    recs = Recommendation.objects.filter(document__symbol="A/HRC/28/10")
    labelled = (
        Label.objects.filter(recommendation__in=recs, term__taxonomy__code="upr-info-issue")
        .values("recommendation").distinct().count()
    )  # fmt: skip
    clusters = Cluster.objects.filter(document__symbol="A/HRC/28/10")
    assert upr.actions.count() == clusters.count() > 20
    assert Recommendation.clusters.through.objects.filter(cluster__in=clusters).count() == labelled
    assert not upr.actions.filter(assignments__isnull=True).exists()  # every theme has a lead
    assert ProgressUpdate.objects.filter(is_demo=True).count() == len(demo.DEMO_UPDATES)
