"""Tracking in the Django admin: for looking, not for working.

Plans, actions, updates, evidence and assessments are read-only here. Their writes
go through the tracking pages, which check the rules, refuse stale versions and
record every change in the audit log; an admin form would do none of that. Outcome
types and follow-up deadlines have no page of their own, so they are edited here,
and each change is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from qadam.audit.actions import record
from qadam.tracking.models import (
    Action,
    ActionInstitution,
    Assessment,
    DigestSent,
    Evidence,
    FollowUpDeadline,
    OutcomeType,
    Plan,
    ProgressUpdate,
)


class ReadOnlyMixin:
    """Viewable by staff with the view permission; never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Admin edits of reference rows leave the same trace as any other write."""

    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        verb = "update" if change else "create"
        changed = {name: str(form.cleaned_data.get(name)) for name in form.changed_data}
        record(request.user, f"tracking.{obj._meta.model_name}.admin-{verb}", obj, changed)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        record(request.user, f"tracking.{obj._meta.model_name}.admin-delete", obj, {})
        super().delete_model(request, obj)


class AssignmentInline(ReadOnlyMixin, admin.TabularInline):
    model = ActionInstitution
    extra = 0
    fields = ("position", "institution", "role", "as_agreed")
    readonly_fields = fields


class EvidenceInline(ReadOnlyMixin, admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ("download", "content_type", "size", "sha256", "uploaded_by", "created_at")
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, obj: Evidence) -> SafeString:
        # The permission-checked view, never the storage URL (there is no public one).
        return format_html(
            '<a href="{}">{}</a>', reverse("tracking:evidence", args=[obj.pk]), obj.original_name
        )


@admin.register(Plan)
class PlanAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("__str__", "kind", "period_start", "period_end", "is_demo", "published")
    list_filter = ("kind", "is_demo", "published")


@admin.register(Action)
class ActionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("__str__", "plan", "status", "deadline", "published")
    list_filter = ("status", "published", "plan")
    list_select_related = ("plan",)
    search_fields = ("number", "timeframe_text")
    raw_id_fields = ("recommendations", "clusters")
    inlines = [AssignmentInline]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("__str__", "institution", "state", "as_of", "is_demo")
    list_filter = ("state", "is_demo", "institution")
    list_select_related = ("action", "institution")
    inlines = [EvidenceInline]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("recommendation", "derived_status", "override_status", "updated_at")
    list_filter = ("derived_status", "override_status")
    list_select_related = ("recommendation__document",)


@admin.register(DigestSent)
class DigestSentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("institution", "period", "sent_at", "item_count")
    list_filter = ("period",)


@admin.register(OutcomeType)
class OutcomeTypeAdmin(AuditedAdmin):
    list_display = ("code", "__str__")
    search_fields = ("code",)


# -- treaty-body follow-up deadlines (dashboards and reminders) --
@admin.register(FollowUpDeadline)
class FollowUpDeadlineAdmin(AuditedAdmin):
    list_display = ("__str__", "due", "document_symbol", "done")
    list_filter = ("done",)
    search_fields = ("document_symbol",)
    date_hierarchy = "due"
    # A registry holds hundreds of thousands of recommendations: pick them by id.
    raw_id_fields = ("recommendations",)
    filter_horizontal = ("institutions",)
