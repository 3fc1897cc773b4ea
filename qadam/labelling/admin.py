"""Model versions, runs and overlap groups in the admin: read-mostly.

Training, switching versions, runs and decisions go through the labelling pages (and
their audited actions); the admin only looks, and may delete a failed version's row."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from qadam.labelling.models import LabellingRun, ModelVersion, OverlapGroup, OverlapMember


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnly):
    list_display = ("name", "status", "active", "created_at", "finished_at", "created_by")
    list_filter = ("status", "active")
    search_fields = ("name",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Only a failed attempt may go; a ready version may still be rolled back to.
        return obj is not None and obj.status == ModelVersion.Status.FAILED


@admin.register(LabellingRun)
class LabellingRunAdmin(ReadOnly):
    list_display = ("pk", "model_version", "status", "done", "total", "suggested", "created_at")
    list_filter = ("status",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OverlapMemberInline(admin.TabularInline):  # type: ignore[type-arg]
    model = OverlapMember
    extra = 0
    can_delete = False
    readonly_fields = ("recommendation", "position", "similarity")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OverlapGroup)
class OverlapGroupAdmin(ReadOnly):
    list_display = ("pk", "status", "score", "cluster", "decided_by", "decided_at")
    list_filter = ("status",)
    inlines = [OverlapMemberInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
