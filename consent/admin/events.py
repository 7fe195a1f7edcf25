"""The consent trail, read-only for everyone: it is evidence (R-AU-2)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin_permissions import may_see_emails
from common.admin_inputs import BoundedInputsMixin
from consent.admin.filters import EventChoiceFilter, EventSourceFilter
from consent.models import ConsentEvent


@admin.register(ConsentEvent)
class ConsentEventAdmin(BoundedInputsMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "account_ref",
        "profile",
        "choice_label",
        "old_value",
        "new_value",
        "source_label",
        "acting_user_ref",
        "jurisdiction",
        "context",
    ]
    list_filter = [EventSourceFilter, EventChoiceFilter, "created_at", "jurisdiction"]
    list_select_related = ["account", "profile", "acting_user"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]

    # An account reads "Account #42" (Account.__str__), sorted by its id rather than by the address; staff who
    # may see accounts get the email addresses in its place and can search by them.
    def get_list_display(self, request: HttpRequest) -> list[Any]:
        shown = list(super().get_list_display(request))
        if not may_see_emails(request.user):
            return shown
        emails: dict[Any, str] = {"account_ref": "account_email", "acting_user_ref": "acting_user_email"}
        return [emails.get(name, name) for name in shown]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return ["account__email"] if may_see_emails(request.user) else []

    @admin.display(description="account", ordering="account_id")
    def account_ref(self, event: ConsentEvent) -> str:
        return str(event.account)

    @admin.display(description="acting user", ordering="acting_user_id")
    def acting_user_ref(self, event: ConsentEvent) -> str | None:
        return str(event.acting_user) if event.acting_user else None

    @admin.display(description="account", ordering="account__email")
    def account_email(self, event: ConsentEvent) -> str:
        return event.account.email

    @admin.display(description="acting user", ordering="acting_user__email")
    def acting_user_email(self, event: ConsentEvent) -> str | None:
        return event.acting_user.email if event.acting_user else None

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
