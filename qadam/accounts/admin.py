from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from qadam.accounts.models import ApiToken, Organisation, User


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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "key_prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "key_prefix")
    # The secret is never stored; the hash is useless to show and must not be edited.
    exclude = ("key_hash",)
    readonly_fields = ("key_prefix", "created_at", "last_used_at")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # tokens are made on the user's own page, which shows the secret once
