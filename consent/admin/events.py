"""The consent trail, read-only for everyone: it is evidence (R-AU-2)."""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest

from consent.admin.filters import DateHierarchyChangeList, EventChoiceFilter, EventSourceFilter
from consent.models import ConsentEvent


@admin.register(ConsentEvent)
class ConsentEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "account",
        "profile",
        "choice_label",
        "old_value",
        "new_value",
        "source_label",
        "acting_user",
        "jurisdiction",
        "context",
    ]
    list_filter = [EventSourceFilter, EventChoiceFilter, "created_at", "jurisdiction"]
    list_select_related = ["account", "profile", "acting_user"]
    search_fields = ["account__email"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]

    def get_changelist(self, request: HttpRequest, **kwargs: object) -> type[ChangeList]:
        return DateHierarchyChangeList

    @admin.display(description="choice", ordering="choice")
    def choice_label(self, event: ConsentEvent) -> str:
        return event.choice_label

    @admin.display(description="source", ordering="source")
    def source_label(self, event: ConsentEvent) -> str:
        return event.source_label

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ConsentEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ConsentEvent | None = None) -> bool:
        return False
