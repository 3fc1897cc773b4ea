from django.contrib import admin

from qadam.qol.models import Evaluation, Standard, StandardVersion


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "created_at")


@admin.register(StandardVersion)
class StandardVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    # Versions are never edited: a change is a new version, made in Qadam's editor.
    list_display = ("standard", "number", "note", "created_by", "created_at")
    readonly_fields = ("standard", "number", "document", "yaml", "note", "created_by")


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("pk", "version", "status", "year", "seconds", "created_at")
    readonly_fields = ("results", "uncertainty", "data_fingerprint")
