"""Who may do what with plans, actions, progress updates and evidence.

The heart of it: a focal point acts only on actions their institution leads or
co-executes; a contributor drafts and the focal point submits; the secretariat
validates and publishes; NGO members and observers never change government records.
"""

from __future__ import annotations

from typing import Any

import rules

from qadam.accounts.rules import (
    is_contributor,
    is_focal_point,
    is_government,
    is_secretariat_admin,
)


def user_institution_id(user: Any) -> int | None:
    org = getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None
    return getattr(org, "institution_id", None)


@rules.predicate
def is_assigned_to_action(user: Any, action: Any) -> bool:
    inst = user_institution_id(user)
    if inst is None or action is None:
        return False
    return any(a.institution_id == inst for a in action.assignments.all())


@rules.predicate
def is_own_institution_update(user: Any, update: Any) -> bool:
    inst = user_institution_id(user)
    return inst is not None and update is not None and update.institution_id == inst


@rules.predicate
def is_published_plan(user: Any, plan: Any) -> bool:
    return plan is not None and plan.published


@rules.predicate
def is_published_action(user: Any, action: Any) -> bool:
    return action is not None and action.published and action.plan.published


@rules.predicate
def is_published_update(user: Any, update: Any) -> bool:
    return update is not None and update.state == "published"


@rules.predicate
def is_public_update(user: Any, update: Any) -> bool:
    """Published, and on an action the public may see: publishing an update does not
    reveal an action (or its evidence) the secretariat has not published."""
    return (
        update is not None
        and update.state == "published"
        and update.action.published
        and update.action.plan.published
    )


@rules.predicate
def is_draft_or_returned(user: Any, update: Any) -> bool:
    return update is not None and update.state in ("draft", "returned")


@rules.predicate
def is_submitted(user: Any, update: Any) -> bool:
    return update is not None and update.state == "submitted"


@rules.predicate
def is_validated(user: Any, update: Any) -> bool:
    return update is not None and update.state == "validated"


own_gov_action = is_government & is_assigned_to_action
own_gov_update = is_government & is_own_institution_update

rules.add_perm("tracking.view_plan", is_secretariat_admin | is_government | is_published_plan)
rules.add_perm("tracking.add_plan", is_secretariat_admin)
rules.add_perm("tracking.change_plan", is_secretariat_admin)
rules.add_perm("tracking.delete_plan", is_secretariat_admin)
rules.add_perm("tracking.publish_plan", is_secretariat_admin)
rules.add_perm("tracking.import_plan", is_secretariat_admin)

rules.add_perm("tracking.view_action", is_secretariat_admin | own_gov_action | is_published_action)
rules.add_perm("tracking.add_action", is_secretariat_admin)
rules.add_perm("tracking.change_action", is_secretariat_admin)
# The part of an action its own institution keeps current: description and money spent.
rules.add_perm(
    "tracking.report_on_action", is_secretariat_admin | (is_focal_point & is_assigned_to_action)
)
rules.add_perm("tracking.delete_action", is_secretariat_admin)
rules.add_perm("tracking.publish_action", is_secretariat_admin)
rules.add_perm("tracking.add_update", own_gov_action)

rules.add_perm("tracking.view_update", is_secretariat_admin | own_gov_update | is_public_update)
rules.add_perm("tracking.change_update", own_gov_update & is_draft_or_returned)
rules.add_perm(
    "tracking.submit_update", is_focal_point & is_own_institution_update & is_draft_or_returned
)
rules.add_perm("tracking.validate_update", is_secretariat_admin & is_submitted)
rules.add_perm("tracking.return_update", is_secretariat_admin & is_submitted)
rules.add_perm("tracking.publish_update", is_secretariat_admin & is_validated)
rules.add_perm(
    "tracking.delete_update",
    (is_secretariat_admin & ~is_published_update) | (own_gov_update & is_draft_or_returned),
)
# Unpublished evidence: the institution and the secretariat only.
rules.add_perm(
    "tracking.download_evidence", is_secretariat_admin | own_gov_update | is_public_update
)
# Whether a user could take a workflow step on this update in *some* state: views
# answer 403 to those who never could, and explain a wrong state to those who could.
rules.add_perm("tracking.submit_own_updates", is_focal_point & is_own_institution_update)
rules.add_perm("tracking.review_updates", is_secretariat_admin)
rules.add_perm("tracking.override_assessment", is_secretariat_admin)
rules.add_perm("tracking.view_dashboard", rules.is_authenticated)
rules.add_perm("tracking.view_queue", is_focal_point | is_contributor | is_secretariat_admin)
