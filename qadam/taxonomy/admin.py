"""Admin for the reference data. Curated rows come from YAML (``load_reference``);
the admin is for corrections and for the UPR Info → OHCHR mapping, which
secretariat admins maintain here. Every save and delete is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from qadam.audit.actions import record
from qadam.taxonomy.models import (
    Cycle,
    Institution,
    Mechanism,
    Region,
    Session,
    State,
    Taxonomy,
    Term,
    TermMapping,
)

# JSON name fields are searched per language, so Cyrillic matches on every database.
NAME_SEARCH = ("name__en", "name__ru", "name__kk")


class AuditedAdmin(admin.ModelAdmin):
    """Records admin edits in the audit log, like every other write in Qadam."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changed = list(form.changed_data) if change else []
        verb = "change" if change else "add"
        record(request.user, f"taxonomy.admin.{verb}", obj, {"fields": changed})

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record(request.user, "taxonomy.admin.delete", obj)
        super().delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Inline rows (the mappings on a term's page) are audited one by one too.
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            record(request.user, "taxonomy.admin.add", obj)
        for obj, fields in formset.changed_objects:
            record(request.user, "taxonomy.admin.change", obj, {"fields": list(fields)})
        for obj in formset.deleted_objects:
            record(request.user, "taxonomy.admin.delete", obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        for obj in queryset:
            record(request.user, "taxonomy.admin.delete", obj)
        super().delete_queryset(request, queryset)


@admin.display(description=_("name"))
def english_name(obj: Any) -> str:
    return str(obj.name.get("en", ""))


@admin.display(description=_("Russian"))
def russian_name(obj: Any) -> str:
    return str(obj.name.get("ru", ""))


@admin.display(description=_("Kazakh"))
def kazakh_name(obj: Any) -> str:
    return str(obj.name.get("kk", ""))


@admin.register(Taxonomy)
class TaxonomyAdmin(AuditedAdmin):
    list_display = ("code", english_name, "version", "facet", "term_count", "sort_order")
    search_fields = ("code", *NAME_SEARCH)
    ordering = ("sort_order", "code")

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Taxonomy]:
        return super().get_queryset(request).annotate(n_terms=models.Count("terms"))

    @admin.display(description=_("terms"), ordering="n_terms")
    def term_count(self, obj: Taxonomy) -> int:
        return int(getattr(obj, "n_terms", 0))


class MappingOutInline(admin.TabularInline):
    model = TermMapping
    fk_name = "source"
    extra = 0
    autocomplete_fields = ("target",)
    verbose_name = _("mapping to another taxonomy")
    verbose_name_plural = _("mappings to other taxonomies")


class MappingInInline(admin.TabularInline):
    model = TermMapping
    fk_name = "target"
    extra = 0
    autocomplete_fields = ("source",)
    verbose_name = _("mapping from another taxonomy")
    verbose_name_plural = _("mappings from other taxonomies")


@admin.register(Term)
class TermAdmin(AuditedAdmin):
    list_display = ("code", english_name, russian_name, kazakh_name, "taxonomy", "parent")
    list_filter = ("taxonomy",)
    search_fields = ("code", *NAME_SEARCH)
    list_select_related = ("taxonomy", "parent")
    autocomplete_fields = ("parent",)
    inlines = [MappingOutInline, MappingInInline]
    ordering = ("taxonomy", "sort_key", "code")


@admin.register(TermMapping)
class TermMappingAdmin(AuditedAdmin):
    list_display = ("source", "relation", "target", "note")
    list_editable = ("relation", "note")
    list_filter = (
        "relation",
        ("source__taxonomy", admin.RelatedOnlyFieldListFilter),
        ("target__taxonomy", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("source__code", "source__name__en", "target__code", "target__name__en", "note")
    autocomplete_fields = ("source", "target")
    list_select_related = ("source", "target")


class CycleInline(admin.TabularInline):
    model = Cycle
    extra = 0


@admin.register(Mechanism)
class MechanismAdmin(AuditedAdmin):
    list_display = ("code", english_name, "kind", "sort_order")
    list_filter = ("kind",)
    search_fields = ("code", *NAME_SEARCH)
    inlines = [CycleInline]


@admin.register(Cycle)
class CycleAdmin(AuditedAdmin):
    list_display = ("__str__", "mechanism", "number", "start_year", "end_year")
    list_filter = ("mechanism",)
    list_select_related = ("mechanism",)


@admin.register(Session)
class SessionAdmin(AuditedAdmin):
    list_display = ("__str__", "mechanism", "number", "cycle", "start_date")
    list_filter = ("mechanism", "cycle")
    list_select_related = ("mechanism", "cycle__mechanism")
    search_fields = ("number",)


@admin.register(State)
class StateAdmin(AuditedAdmin):
    list_display = ("iso3", "iso2", english_name, russian_name, kazakh_name, "regional_group")
    list_filter = ("regional_group",)
    search_fields = ("iso3", "iso2", *NAME_SEARCH)


@admin.register(Institution)
class InstitutionAdmin(AuditedAdmin):
    list_display = ("code", english_name, russian_name, "kind", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", *NAME_SEARCH)


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = (
        "code",
        english_name,
        russian_name,
        "kind",
        "valid_from",
        "valid_to",
        "shape_name",
    )
    list_filter = ("kind",)
    search_fields = ("code", "shape_name", *NAME_SEARCH)
