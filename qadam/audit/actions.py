"""Write to the audit log. Every ``do_*`` action in every app calls ``record``."""

from __future__ import annotations

from typing import Any

from django.db import models

from qadam.audit.models import AuditEvent


def record(
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event; ``actor`` may be None for system jobs or anonymous users."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(actor=user, action=action, changes=changes or {})
    if obj is not None:
        event.object_type = obj._meta.label_lower
        event.object_id = str(obj.pk)
        event.object_repr = str(obj)[:300]
    event.save()
    return event


def history_for(obj: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).select_related("actor")
