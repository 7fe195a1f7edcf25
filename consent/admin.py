"""The consent trail, read-only for everyone: it is evidence (R-AU-2)."""

from django.contrib import admin
from django.http import HttpRequest

from consent.models import ConsentEvent


@admin.register(ConsentEvent)
class ConsentEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "account",
        "profile",
        "choice",
        "old_value",
        "new_value",
        "source",
        "acting_user",
        "jurisdiction",
    ]
    list_filter = ["source", "choice", "created_at", "jurisdiction"]
    list_select_related = ["account", "profile", "acting_user"]
    search_fields = ["account__email"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ConsentEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ConsentEvent | None = None) -> bool:
        return False
