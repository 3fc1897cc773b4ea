from django.contrib import admin

from qadam.tracking.models import FollowUpDeadline


# -- treaty-body follow-up deadlines (dashboards and reminders) --
@admin.register(FollowUpDeadline)
class FollowUpDeadlineAdmin(admin.ModelAdmin):
    list_display = ("__str__", "due", "document_symbol", "done")
    list_filter = ("done",)
    search_fields = ("document_symbol",)
    date_hierarchy = "due"
    # A registry holds hundreds of thousands of recommendations: pick them by id.
    raw_id_fields = ("recommendations",)
    filter_horizontal = ("institutions",)
