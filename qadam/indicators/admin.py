from django.contrib import admin

from qadam.indicators.models import Dataset, ImportRun, Indicator, IndicatorLink


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "kind", "origin", "imported_at")
    readonly_fields = ("fingerprint", "imported_at")


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "dataset", "first_year", "last_year", "has_regions")
    list_filter = ("dataset", "has_regions")
    search_fields = ("code",)
    raw_id_fields = ("sdg",)


@admin.register(IndicatorLink)
class IndicatorLinkAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("indicator", "recommendation", "created_by", "created_at")
    raw_id_fields = ("indicator", "recommendation")


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("pk", "dataset_code", "kind", "status", "created_at")
    readonly_fields = ("counts", "problems", "error")
