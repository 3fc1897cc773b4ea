from django.contrib import admin

from qadam.registry.models import Cluster, ImportRun, Label, Recommendation, SourceDocument


class LabelInline(admin.TabularInline):
    model = Label
    extra = 0
    raw_id_fields = ("term", "created_by")
    readonly_fields = ("provenance", "source", "score", "created_at")


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    list_display = ("symbol", "kind", "mechanism", "session", "state_under_review", "date")
    list_filter = ("kind", "mechanism")
    search_fields = ("symbol", "title")
    raw_id_fields = ("session", "state_under_review")


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "response", "action_category", "published")
    list_filter = ("mechanism", "response", "published")
    search_fields = ("number", "search_text")
    raw_id_fields = ("document", "session", "state_under_review")
    filter_horizontal = ("recommending_states",)
    inlines = [LabelInline]


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ("name", "document")
    search_fields = ("name",)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "filename", "status", "created_by")
    list_filter = ("kind", "status")
    readonly_fields = ("counts", "report", "error")
