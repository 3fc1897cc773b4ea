from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from qadam.accounts.models import Organisation, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "role", "organisation", "is_active")
    list_filter = ("role", "is_active", "organisation__kind")
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        ("Qadam", {"fields": ("role", "organisation", "preferred_language")}),
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "institution")
    list_filter = ("kind",)
