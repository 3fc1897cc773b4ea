"""All writes to tracking: in a transaction, permission-checked, and audited.

Views and the API call these; they never save tracking models themselves. Each
function raises ``PermissionDenied`` when the rules refuse, ``TransitionError`` for a
step the workflow does not allow, and ``ConcurrentEditError`` when the object changed
since the user loaded it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils.translation import gettext as _

from qadam.audit.actions import record
from qadam.indicators.models import Indicator
from qadam.lib.filetypes import KNOWN, extension_matches, sniff
from qadam.registry.models import Cluster, Recommendation
from qadam.taxonomy.models import Institution
from qadam.tracking.models import (
    Action,
    ActionInstitution,
    Assessment,
    Evidence,
    Plan,
    ProgressUpdate,
    Status,
)


class TransitionError(ValidationError):
    """A workflow step that is not allowed from the object's current state."""


class ConcurrentEditError(ValidationError):
    """Someone saved the object after this user loaded it: no silent overwrite."""


def _require(user: Any, perm: str, obj: Any = None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(perm)


def _changes(obj: models.Model, fields: dict[str, Any]) -> dict[str, list[Any]]:
    out = {}
    for name, new in fields.items():
        old = getattr(obj, name)
        if old != new:
            out[name] = [_jsonable(old), _jsonable(new)]
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, Decimal)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def _check_version(obj: Action | ProgressUpdate, version: int | None) -> None:
    if version is not None and version != obj.version:
        raise ConcurrentEditError(
            _(
                "This record was changed by someone else after you opened it "
                "(your version %(mine)d, now %(theirs)d). Reload it and apply your "
                "changes again."
            )
            % {"mine": version, "theirs": obj.version}
        )


def _bump(model: type[Action] | type[ProgressUpdate], obj: Any, version: int | None) -> None:
    """Save-time guard: the UPDATE succeeds only if nobody bumped the version meanwhile."""
    expected = obj.version if version is None else version
    rows = model.objects.filter(pk=obj.pk, version=expected).update(version=expected + 1)
    if rows != 1:
        _check_version(obj, -1)
    obj.version = expected + 1


# -- plans -------------------------------------------------------------------


@transaction.atomic
def do_create_plan(user: Any, **fields: Any) -> Plan:
    _require(user, "tracking.add_plan")
    plan = Plan.objects.create(**fields)
    record(user, "tracking.plan.create", plan, {k: _jsonable(v) for k, v in fields.items()})
    return plan


@transaction.atomic
def do_update_plan(user: Any, plan: Plan, **fields: Any) -> Plan:
    _require(user, "tracking.change_plan", plan)
    changes = _changes(plan, fields)
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.save()
    if changes:
        record(user, "tracking.plan.update", plan, changes)
    return plan


@transaction.atomic
def do_publish_plan(user: Any, plan: Plan, published: bool = True) -> Plan:
    _require(user, "tracking.publish_plan", plan)
    if plan.published != published:
        record(user, "tracking.plan.publish", plan, {"published": [plan.published, published]})
        plan.published = published
        plan.save(update_fields=["published", "updated_at"])
    return plan


@transaction.atomic
def do_delete_plan(user: Any, plan: Plan) -> None:
    _require(user, "tracking.delete_plan", plan)
    record(user, "tracking.plan.delete", plan, {"actions": plan.actions.count()})
    plan.delete()


# -- actions -----------------------------------------------------------------


@transaction.atomic
def do_create_action(
    user: Any,
    plan: Plan,
    institutions: list[tuple[Institution, str, bool]] | None = None,
    recommendations: Iterable[Recommendation] = (),
    **fields: Any,
) -> Action:
    """``institutions`` lists (institution, "lead"|"co", as_agreed), lead first."""
    _require(user, "tracking.add_action")
    action = Action.objects.create(plan=plan, **fields)
    _write_assignments(action, institutions or [])
    recs = list(recommendations)
    action.recommendations.add(*recs)
    record(
        user,
        "tracking.action.create",
        action,
        {
            **{k: _jsonable(v) for k, v in fields.items()},
            "institutions": [[i.code, role, agreed] for i, role, agreed in institutions or []],
            "recommendations_added": [r.pk for r in recs],
        },
    )
    refresh_assessments(recs)
    return action


def _write_assignments(action: Action, institutions: list[tuple[Institution, str, bool]]) -> None:
    action.assignments.all().delete()
    ActionInstitution.objects.bulk_create(
        ActionInstitution(action=action, institution=inst, role=role, as_agreed=agreed, position=i)
        for i, (inst, role, agreed) in enumerate(institutions)
    )


# Fields a focal point may change on their own institution's action.
REPORTING_FIELDS = {"description", "budget_spent"}


@transaction.atomic
def do_update_action(
    user: Any, action: Action, version: int | None = None, **fields: Any
) -> Action:
    action = Action.objects.select_for_update().get(pk=action.pk)
    if set(fields) <= REPORTING_FIELDS:
        _require(user, "tracking.report_on_action", action)
    else:
        _require(user, "tracking.change_action", action)
    _check_version(action, version)
    changes = _changes(action, fields)
    if not changes:
        return action
    for name, value in fields.items():
        setattr(action, name, value)
    action.save()
    _bump(Action, action, version)
    record(user, "tracking.action.update", action, changes)
    if "status" in changes:
        refresh_assessments(action.recommendations.all())
    return action


@transaction.atomic
def do_set_action_institutions(
    user: Any, action: Action, institutions: list[tuple[Institution, str, bool]]
) -> Action:
    _require(user, "tracking.change_action", action)
    before = [[a.institution.code, a.role, a.as_agreed] for a in action.assignments.all()]
    _write_assignments(action, institutions)
    after = [[i.code, role, agreed] for i, role, agreed in institutions]
    if before != after:
        record(user, "tracking.action.institutions", action, {"institutions": [before, after]})
    return action


@transaction.atomic
def do_set_action_indicators(user: Any, action: Action, indicators: list[Indicator]) -> Action:
    """The indicators that should show whether the action worked."""
    _require(user, "tracking.change_action", action)
    before = sorted(action.indicators.values_list("code", flat=True))
    after = sorted(i.code for i in indicators)
    if before != after:
        action.indicators.set(indicators)
        record(user, "tracking.action.indicators", action, {"indicators": [before, after]})
    return action


@transaction.atomic
def do_link_recommendations(
    user: Any,
    action: Action,
    add: Iterable[Recommendation] = (),
    remove: Iterable[Recommendation] = (),
    add_clusters: Iterable[Cluster] = (),
    remove_clusters: Iterable[Cluster] = (),
) -> Action:
    """Link or unlink recommendations and clusters.

    Linking a cluster records the cluster on the action and links its members that
    are passed in ``add`` (the caller chooses which members the user may see);
    unlinking a cluster leaves its members linked, since they may be there on their own.
    """
    _require(user, "tracking.change_action", action)
    add, remove = list(add), list(remove)
    current = set(action.recommendations.values_list("pk", flat=True))
    added = [r for r in add if r.pk not in current]
    removed = [r for r in remove if r.pk in current]
    action.recommendations.add(*added)
    action.recommendations.remove(*removed)
    linked = set(action.clusters.values_list("pk", flat=True))
    clusters_added = [c for c in add_clusters if c.pk not in linked]
    clusters_removed = [c for c in remove_clusters if c.pk in linked]
    action.clusters.add(*clusters_added)
    action.clusters.remove(*clusters_removed)
    if added or removed or clusters_added or clusters_removed:
        changes: dict[str, Any] = {
            "recommendations_added": [r.pk for r in added],
            "recommendations_removed": [r.pk for r in removed],
        }
        if clusters_added or clusters_removed:
            changes["clusters_added"] = [c.pk for c in clusters_added]
            changes["clusters_removed"] = [c.pk for c in clusters_removed]
        record(user, "tracking.action.links", action, changes)
    refresh_assessments(added + removed)
    return action


@transaction.atomic
def do_publish_action(user: Any, action: Action, published: bool = True) -> Action:
    _require(user, "tracking.publish_action", action)
    if action.published != published:
        record(
            user, "tracking.action.publish", action, {"published": [action.published, published]}
        )
        action.published = published
        action.save(update_fields=["published", "updated_at"])
    return action


@transaction.atomic
def do_delete_action(user: Any, action: Action) -> None:
    _require(user, "tracking.delete_action", action)
    recs = list(action.recommendations.all())
    record(user, "tracking.action.delete", action, {"recommendations": [r.pk for r in recs]})
    action.delete()
    refresh_assessments(recs)


# -- progress updates ----------------------------------------------------------

# state → the states it may go to, and the permission each step needs.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "submitted"): "tracking.submit_update",
    ("returned", "submitted"): "tracking.submit_update",
    ("submitted", "validated"): "tracking.validate_update",
    ("submitted", "returned"): "tracking.return_update",
    ("validated", "published"): "tracking.publish_update",
}


@transaction.atomic
def do_create_update(
    user: Any,
    action: Action,
    as_of: date,
    text: str,
    proposed_status: str = "",
    spent: Decimal | None = None,
    language: str = "ru",
) -> ProgressUpdate:
    _require(user, "tracking.add_update", action)
    if proposed_status and proposed_status not in Status.values:
        raise ValidationError(_("Unknown status “%(status)s”.") % {"status": proposed_status})
    update = ProgressUpdate.objects.create(
        action=action,
        institution_id=user.organisation.institution_id,
        author=user,
        as_of=as_of,
        text=text,
        proposed_status=proposed_status,
        spent=spent,
        language=language,
    )
    record(user, "tracking.update.create", update, {"action": action.pk, "as_of": str(as_of)})
    return update


@transaction.atomic
def do_edit_update(
    user: Any, update: ProgressUpdate, version: int | None = None, **fields: Any
) -> ProgressUpdate:
    update = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    _require(user, "tracking.change_update", update)
    _check_version(update, version)
    changes = _changes(update, fields)
    for name, value in fields.items():
        setattr(update, name, value)
    update.save()
    _bump(ProgressUpdate, update, version)
    if changes:
        record(user, "tracking.update.edit", update, changes)
    return update


@transaction.atomic
def do_transition_update(
    user: Any, update: ProgressUpdate, to: str, comment: str = "", version: int | None = None
) -> ProgressUpdate:
    """Submit, validate, return or publish an update."""
    update = ProgressUpdate.objects.select_for_update().get(pk=update.pk)
    perm = TRANSITIONS.get((update.state, to))
    if perm is None:
        raise TransitionError(
            _("A progress update cannot go from “%(old)s” to “%(new)s”.")
            % {
                "old": update.get_state_display(),
                "new": dict(ProgressUpdate.State.choices).get(to, to),
            }
        )
    _require(user, perm, update)
    _check_version(update, version)
    old = update.state
    update.state = to
    if to == "submitted":
        update.submitted_by = user
    if to in ("validated", "returned"):
        update.reviewed_by = user
        update.review_comment = comment
    update.save()
    _bump(ProgressUpdate, update, version)
    record(user, f"tracking.update.{to}", update, {"state": [old, to], "comment": comment})
    if to == "validated":
        _apply_validated(user, update)
    return update


def _apply_validated(user: Any, update: ProgressUpdate) -> None:
    """A validated update moves its action's status and money spent."""
    action = Action.objects.select_for_update().get(pk=update.action_id)
    fields: dict[str, Any] = {}
    if update.proposed_status and update.proposed_status != action.status:
        fields["status"] = update.proposed_status
    if update.spent is not None and update.spent != action.budget_spent:
        fields["budget_spent"] = update.spent
    if not fields:
        return
    changes = _changes(action, fields)
    for name, value in fields.items():
        setattr(action, name, value)
    action.save()
    _bump(Action, action, None)
    record(user, "tracking.action.update", action, {**changes, "from_update": update.pk})
    if "status" in fields:
        refresh_assessments(action.recommendations.all())


@transaction.atomic
def do_delete_update(user: Any, update: ProgressUpdate) -> None:
    _require(user, "tracking.delete_update", update)
    record(user, "tracking.update.delete", update, {"state": update.state})
    for evidence in update.evidence.all():
        evidence.file.delete(save=False)
    update.delete()


def evidence_limit() -> int:
    return int(getattr(settings, "QADAM_MAX_EVIDENCE_BYTES", 20 * 1024 * 1024))


@transaction.atomic
def do_attach_evidence(user: Any, update: ProgressUpdate, data: bytes, filename: str) -> Evidence:
    _require(user, "tracking.change_update", update)
    validate_evidence(data, filename)
    kind = sniff(data)
    assert kind is not None
    evidence = Evidence(
        update=update,
        original_name=filename[:255],
        content_type=KNOWN[kind][0],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user,
    )
    evidence.file.save(filename, ContentFile(data), save=False)
    evidence.save()
    record(user, "tracking.evidence.add", update, {"file": filename, "size": len(data)})
    return evidence


def validate_evidence(data: bytes, filename: str) -> None:
    """Size and type by content; forms call it too, to refuse a batch before writing any."""
    limit = evidence_limit()
    if len(data) > limit:
        raise ValidationError(
            _("%(file)s is %(size)d bytes; evidence files may be at most %(limit)d bytes.")
            % {"file": filename, "size": len(data), "limit": limit}
        )
    if not data:
        raise ValidationError(_("%(file)s is empty.") % {"file": filename})
    kind = sniff(data)
    if kind is None:
        raise ValidationError(
            _("%(file)s is not a PDF, Word, Excel, OpenDocument, PNG, JPEG or text file.")
            % {"file": filename}
        )
    if not extension_matches(kind, filename):
        raise ValidationError(
            _(
                "%(file)s is named like one type but its contents are %(kind)s; rename it or "
                "upload the right file."
            )
            % {"file": filename, "kind": kind.upper()}
        )


_validate_evidence = validate_evidence  # the earlier private name


# -- assessments ---------------------------------------------------------------


def derive_status(statuses: list[str]) -> str:
    """A recommendation's status from its actions' statuses."""
    live = [s for s in statuses if s != Status.OBSOLETE]
    if not statuses:
        return Status.NOT_STARTED
    if not live:
        return Status.OBSOLETE
    if all(s == Status.DONE for s in live):
        return Status.DONE
    if any(s in (Status.DONE, Status.PARTIAL) for s in live):
        return Status.PARTIAL
    if any(s == Status.IN_PROGRESS for s in live):
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


def refresh_assessments(recommendations: Iterable[Recommendation]) -> None:
    ids = [r.pk for r in recommendations]
    if not ids:
        return
    statuses: dict[int, list[str]] = {pk: [] for pk in ids}
    through = Action.recommendations.through
    for rec_id, status in through.objects.filter(recommendation_id__in=ids).values_list(
        "recommendation_id", "action__status"
    ):
        statuses[rec_id].append(status)
    existing = {
        a.recommendation_id: a for a in Assessment.objects.filter(recommendation_id__in=ids)
    }
    new, changed = [], []
    for pk, sts in statuses.items():
        derived = derive_status(sts)
        if pk not in existing:
            new.append(Assessment(recommendation_id=pk, derived_status=derived))
        elif existing[pk].derived_status != derived:
            existing[pk].derived_status = derived
            changed.append(existing[pk])
    Assessment.objects.bulk_create(new)
    Assessment.objects.bulk_update(changed, ["derived_status"])


@transaction.atomic
def do_override_assessment(
    user: Any, recommendation: Recommendation, status: str, reason: str
) -> Assessment:
    _require(user, "tracking.override_assessment", recommendation)
    if status and not reason.strip():
        raise ValidationError(_("Give the reason for overriding the derived status."))
    if status and status not in Status.values:
        raise ValidationError(_("Unknown status “%(status)s”.") % {"status": status})
    refresh_assessments([recommendation])
    assessment = Assessment.objects.select_for_update().get(recommendation=recommendation)
    changes = _changes(assessment, {"override_status": status, "override_reason": reason})
    assessment.override_status = status
    assessment.override_reason = reason if status else ""
    assessment.overridden_by = user if status else None
    assessment.save()
    record(user, "tracking.assessment.override", recommendation, changes)
    return assessment
