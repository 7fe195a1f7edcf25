"""Support staff's view of accounts and profiles. Choices change only through audited actions (R-AU-4)."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from accounts.admin_permissions import ActionPermissionMixin, StaffPrivilegesMixin
from accounts.models import Account, PhoneNumber, Profile
from consent import policy, services
from consent.choices import Source


@admin.display(boolean=True, description="BA in effect")
def behavioral_ads_effective(profile: Profile) -> bool:
    """What downstream ad systems get: the policy's answer, not the stored switch (R-PDS-1, R-PDS-2)."""
    return policy.behavioral_ads_allowed(profile.facts())


class ProfileInline(admin.TabularInline):
    model = Profile
    fields = ["name", "is_primary", "is_kids", "mic_on", "ba_on", behavioral_ads_effective, "privacy_link"]
    readonly_fields = ["is_primary", "is_kids", "mic_on", "ba_on", behavioral_ads_effective, "privacy_link"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Account | None = None) -> bool:
        return False

    @admin.display(description="Consent history")
    def privacy_link(self, profile: Profile) -> str:
        url = reverse("admin:consent_consentevent_changelist") + f"?profile__id__exact={profile.pk}"
        return format_html('<a href="{}">Events</a>', url)


class PhoneNumberInline(admin.StackedInline):
    model = PhoneNumber
    fields = ["number"]
    extra = 0
    max_num = 1


@admin.register(Account)
class AccountAdmin(StaffPrivilegesMixin, ActionPermissionMixin, admin.ModelAdmin):
    list_display = ["email", "plan", "region", "all_profiles_opted_out", "is_staff", "date_joined"]
    list_filter = ["plan", "all_profiles_opted_out", "is_staff", "is_active"]
    search_fields = ["email"]
    ordering = ["email"]
    readonly_fields = ["all_profiles_opted_out", "date_joined", "last_login", "consent_history"]
    fieldsets = [
        (None, {"fields": ["email", "plan", "region", "consent_history"]}),
        ("Privacy", {"fields": ["all_profiles_opted_out"]}),
        ("Staff access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["date_joined", "last_login"]}),
    ]
    inlines = [ProfileInline, PhoneNumberInline]
    actions = ["opt_accounts_out_of_all"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Accounts come from sign-up (accounts.services.account_create), which also creates the primary profile.
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Account]:
        return super().get_queryset(request).select_related("phone")

    @admin.display(description="Consent events")
    def consent_history(self, account: Account) -> str:
        url = reverse("admin:consent_consentevent_changelist") + f"?account__id__exact={account.pk}"
        return format_html('<a href="{}">Every change of a choice on this account</a>', url)

    @admin.action(description="Opt out of all, on every profile of the selected accounts", permissions=["change"])
    def opt_accounts_out_of_all(self, request: HttpRequest, queryset: QuerySet[Account]) -> None:
        written = 0
        for account in queryset:
            written += services.account_opt_all_profiles_out(
                account=account, from_profile=None, source=Source.ADMIN, acting_user=request.user
            )
        self.message_user(
            request, f"Opted {queryset.count()} account(s) out of all ({written} changes).", messages.SUCCESS
        )


class ProfileAdminForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["name", "is_kids"]

    def clean_is_kids(self) -> bool:
        is_kids = self.cleaned_data["is_kids"]
        if is_kids and self.instance.is_primary:
            raise forms.ValidationError("The primary profile cannot be a kids profile.")
        return is_kids


@admin.register(Profile)
class ProfileAdmin(ActionPermissionMixin, admin.ModelAdmin):
    form = ProfileAdminForm
    list_display = ["name", "account", "is_primary", "is_kids", "mic_on", "ba_on", behavioral_ads_effective]
    list_filter = ["is_primary", "is_kids", "mic_on", "ba_on", "account__plan"]
    list_select_related = ["account"]
    search_fields = ["name", "account__email"]
    fields = ["account", "name", "is_kids", "is_primary", "mic_on", "ba_on", behavioral_ads_effective, "created_at"]
    readonly_fields = ["account", "is_primary", "mic_on", "ba_on", behavioral_ads_effective, "created_at"]
    actions = ["opt_profiles_out_of_all"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Profile | None = None) -> bool:
        return False

    @admin.action(description="Opt out of all (selected profiles)", permissions=["change"])
    def opt_profiles_out_of_all(self, request: HttpRequest, queryset: QuerySet[Profile]) -> None:
        changed = 0
        for profile in queryset.select_related("account"):
            changed += services.profile_opt_out_of_all(profile=profile, source=Source.ADMIN, acting_user=request.user)
        self.message_user(
            request, f"Opted {queryset.count()} profile(s) out of all ({changed} changes).", messages.SUCCESS
        )
