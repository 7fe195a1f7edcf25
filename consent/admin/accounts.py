"""Accounts and profiles in the support console, with their choices.

Registered here rather than in accounts/admin.py because every screen shows their choices and every action
changes them, and consent depends on accounts, never the reverse. Staff change choices, the kids flag, the plan
and the phone only through the same services as the members' pages (R-AU-4).
"""

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from accounts import services as account_services
from accounts.admin_permissions import (
    PHONE_PERMISSION,
    ActionPermissionMixin,
    StaffPrivilegesMixin,
    may_change_account,
    may_see_emails,
)
from accounts.forms import NormalizedEmailField, PhoneNumberAdminForm
from accounts.models import Account, PhoneNumber, Profile
from common.admin_inputs import BoundedInputsMixin
from consent import policy, selectors, services
from consent.admin.filters import choice_filter
from consent.choices import REGISTRY, Choice, Page, Scope, Source
from consent.models import ChoiceValue


def _actor(request: HttpRequest) -> services.Actor:
    return services.Actor(source=Source.ADMIN, acting_user=request.user)  # type: ignore[arg-type]  # staff


def _choices_table(facts: policy.ProfileFacts, scope: Scope) -> str:
    """Each registered choice of the scope with its stored value and, for profiles, whether it has effect."""
    rows = []
    for spec in REGISTRY.scoped(scope):
        value = facts.values[spec.key]
        note = "" if scope == Scope.ACCOUNT or policy.applies(spec, facts) else " (no effect on this profile)"
        rows.append((spec.short_label, "on" if value else "off", note))
    return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {}{}</li>", rows))


def choices_in_effect(facts: policy.ProfileFacts) -> str:
    """A profile's choices as the policy answers them, read at a glance: one line of what is on, one of what is
    off, and one of what does not apply to this profile (BA on a kids profile or a plan without ads). Choices
    that cannot be turned off (service email), and records no member sets (an explicit consent despite the signal,
    the signal's having been received) while they are off, are left out: they would only lengthen every row."""
    groups: dict[str, list[str]] = {"on": [], "off": [], "n/a": []}
    for spec in REGISTRY.scoped(Scope.PROFILE):
        if not spec.can_turn_off:
            continue
        applies, allowed = policy.applies(spec, facts), policy.allowed(facts, spec.key)
        group = ("on" if allowed else "off") if applies else "n/a"
        if spec.page is None and group != "on":  # a record no member sets: shown only once it is on
            continue
        groups[group].append(spec.short_label)
    titles = {"on": gettext("On"), "off": gettext("Off"), "n/a": gettext("Does not apply")}
    lines = [(titles[group], ", ".join(labels)) for group, labels in groups.items() if labels]
    return format_html(
        '<ul class="choices-in-effect">{}</ul>', format_html_join("", "<li><strong>{}:</strong> {}</li>", lines)
    )


def _refuse_staff_accounts(model_admin: admin.ModelAdmin, request: HttpRequest, accounts: Iterable[Account]) -> bool:
    """An action on a staff account (or its profiles) by someone who may not change it changes nothing at all,
    as its change form would refuse; says so and returns True."""
    if all(may_change_account(request.user, account) for account in accounts):
        return False
    model_admin.message_user(
        request, "Only superusers change staff accounts and their profiles: nothing was changed.", messages.ERROR
    )
    return True


def _events_link(query: str, text: str) -> str:
    return format_html('<a href="{}?{}">{}</a>', reverse("admin:consent_consentevent_changelist"), query, text)


class ProfileInline(admin.TabularInline):
    model = Profile
    fields = ["name", "is_primary", "is_kids", "current_choices", "privacy_link"]
    readonly_fields = ["name", "is_primary", "is_kids", "current_choices", "privacy_link"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Account | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Account | None = None) -> bool:
        return False  # profiles are edited on their own page, through the services

    @admin.display(description="Current choices")
    def current_choices(self, profile: Profile) -> str:
        return _choices_table(selectors.profile_facts(profile=profile, account=profile.account), Scope.PROFILE)

    @admin.display(description="Consent history")
    def privacy_link(self, profile: Profile) -> str:
        return _events_link(f"profile__id__exact={profile.pk}", "Events")


class PhoneNumberFormSet(BaseInlineFormSet):
    """Writes the phone through accounts.services (R-SMS-2: a delete removes the number entirely)."""

    acting_user: Account | None = None  # set per request by PhoneNumberInline.get_formset

    def save(self, commit: bool = True) -> list:
        super().save(commit=False)  # fills new_objects, changed_objects and deleted_objects for the admin log
        account = self.instance
        for form in self.forms:
            if not form.has_changed() and form not in self.deleted_forms:
                continue
            if form in self.deleted_forms:
                account_services.phone_delete(account=account, acting_user=self.acting_user)
            elif form.cleaned_data.get("number"):
                account_services.phone_set(
                    account=account, number=form.cleaned_data["number"], acting_user=self.acting_user
                )
        return []


class PhoneNumberInline(admin.StackedInline):
    model = PhoneNumber
    form = PhoneNumberAdminForm
    formset = PhoneNumberFormSet
    fields = ["number"]
    # One number at most: an account without one shows its one empty field (a blank one saves nothing), so the
    # admin never offers "Add another Phone number"; with one on file there is no room for another.
    extra = 1
    max_num = 1

    # Whoever holds the number can reset the password by text: adding, replacing or deleting it needs
    # accounts.change_account_phone, apart from change_account and the phone model's own permissions.
    def has_add_permission(self, request, obj=None):
        return request.user.has_perm(PHONE_PERMISSION) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(PHONE_PERMISSION) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(PHONE_PERMISSION) and super().has_delete_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        # The staff member changing or deleting a number is the event's acting user (R-SMS-2, R-AU-1).
        formset = cast(type[PhoneNumberFormSet], super().get_formset(request, obj, **kwargs))
        formset.acting_user = request.user
        return formset


class AccountAdminForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = ["email", "plan", "region", "is_active", "is_staff", "is_superuser", "groups"]
        # Normalised before the checks (and before "has it changed?"): " EU@example.com" is no change.
        field_classes = {"email": NormalizedEmailField}


@admin.register(Account)
class AccountAdmin(StaffPrivilegesMixin, ActionPermissionMixin, BoundedInputsMixin, admin.ModelAdmin):
    form = AccountAdminForm
    list_display = ["email", "plan", "region", "opted_out_of_all", "is_staff", "date_joined"]
    list_filter = [
        "plan",
        choice_filter(REGISTRY[Choice.ALL_PROFILES_OPT_OUT], profile_ref=None),
        "is_staff",
        "is_active",
    ]
    search_fields = ["email"]
    ordering = ["email"]
    # The language of the member's emails and texts is the member's own choice (the chooser, signing in:
    # accounts.languages): staff see it, to answer "why was this text in Spanish?", and never change it.
    readonly_fields = ["account_choices", "messages_language", "date_joined", "last_login", "consent_history"]
    fieldsets = [
        (None, {"fields": ["email", "plan", "region", "messages_language", "consent_history"]}),
        ("Privacy", {"fields": ["account_choices"]}),
        ("Staff access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["date_joined", "last_login"]}),
    ]
    inlines = [ProfileInline, PhoneNumberInline]
    actions = ["opt_accounts_out_of_all"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Accounts come from sign-up (accounts.services.account_create), which also creates the primary profile.
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Account]:
        opted_out = ChoiceValue.objects.filter(
            account=OuterRef("pk"), profile=None, choice=Choice.ALL_PROFILES_OPT_OUT, value=True
        )
        return super().get_queryset(request).select_related("phone").annotate(opted_out_all=Exists(opted_out))

    @admin.display(description="All profiles opted out", boolean=True, ordering="opted_out_all")
    def opted_out_of_all(self, account: Account) -> bool:
        return account.opted_out_all  # type: ignore[attr-defined]  # annotated in get_queryset

    @admin.display(description="Account-wide choices")
    def account_choices(self, account: Account) -> str:
        facts = selectors.account_facts_from(account=account, stored=selectors.stored_values(account=account))
        return _choices_table(facts, Scope.ACCOUNT)

    @admin.display(description="Language of emails and texts")
    def messages_language(self, account: Account) -> str:
        return dict(settings.LANGUAGES).get(
            account.language, "Not chosen yet (English, or the page's language when a page sends one)"
        )

    @admin.display(description="Consent events")
    def consent_history(self, account: Account) -> str:
        return _events_link(f"account__id__exact={account.pk}", "Every change of a choice on this account")

    def save_model(self, request: HttpRequest, obj: Account, form: forms.ModelForm, change: bool) -> None:
        """The plan and the email go through accounts.services (an opt-out survives a plan change and a change
        of BA's effect is audited; an email change is audited and announced to the old address); the other
        fields are saved as edited. The email is in the form only for staff with change_account_email."""
        if change and "plan" in form.changed_data:
            account_services.account_set_plan(account=obj, plan=obj.plan, acting_user=request.user)  # type: ignore[arg-type]  # staff
        if change and "email" in form.changed_data:
            try:
                account_services.account_change_email(account=obj, email=obj.email, acting_user=request.user)  # type: ignore[arg-type]  # staff
            except account_services.EmailTaken:  # taken since the form checked it
                message = "The email address was not changed: another account uses it."
                self.message_user(request, message, messages.ERROR)
        others = [
            name
            for name in form.changed_data
            if name not in {"plan", "email"} and not Account._meta.get_field(name).many_to_many
        ]
        if others:
            obj.save(update_fields=others)

    @admin.action(description="Opt out of all, on every profile of the selected accounts", permissions=["change"])
    def opt_accounts_out_of_all(self, request: HttpRequest, queryset: QuerySet[Account]) -> None:
        if _refuse_staff_accounts(self, request, queryset):
            return
        written = sum(
            services.account_opt_all_profiles_out(account=account, from_profile=None, actor=_actor(request))
            for account in queryset
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
class ProfileAdmin(ActionPermissionMixin, BoundedInputsMixin, admin.ModelAdmin):
    form = ProfileAdminForm
    list_display = ["name", "account_ref", "is_primary", "is_kids", "choices_summary"]
    list_filter = [
        "is_primary",
        "is_kids",
        "account__plan",
        *(choice_filter(spec, profile_ref="pk") for spec in REGISTRY.on_page(Page.PRIVACY)),
    ]
    list_select_related = ["account"]
    search_fields = ["name"]
    fields = ["account", "name", "is_kids", "is_primary", "current_choices", "created_at"]
    readonly_fields = ["account", "account_email", "is_primary", "current_choices", "created_at"]
    actions = ["opt_profiles_out_of_all"]

    # Staff who may see accounts also see, and search by, the account's email; profile-only staff see the
    # account as "Account #42" (Account.__str__) and search by profile name only.
    def get_list_display(self, request: HttpRequest) -> list[Any]:
        shown = list(super().get_list_display(request))
        return [*shown[:2], "account_email", *shown[2:]] if may_see_emails(request.user) else shown

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        searched = list(super().get_search_fields(request))
        return [*searched, "account__email"] if may_see_emails(request.user) else searched

    def get_fields(self, request: HttpRequest, obj: Profile | None = None) -> list[Any]:
        fields = list(super().get_fields(request, obj))
        return [fields[0], "account_email", *fields[1:]] if may_see_emails(request.user) else fields

    @admin.display(description="account", ordering="account_id")
    def account_ref(self, profile: Profile) -> str:
        return str(profile.account)  # "Account #42", sorted by id: the column never orders rows by email

    @admin.display(description="account email", ordering="account__email")
    def account_email(self, profile: Profile) -> str:
        return profile.account.email

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Profile | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Profile | None = None) -> bool:
        # Like the account itself: only superusers change the profiles of staff accounts.
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_change_account(request.user, obj.account))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Profile]:
        return super().get_queryset(request).prefetch_related("choice_values")

    def _facts(self, profile: Profile) -> policy.ProfileFacts:
        stored: selectors.Stored = {profile.pk: {row.choice: row.value for row in profile.choice_values.all()}}
        return selectors.facts_from(profile=profile, account=profile.account, stored=stored)

    @admin.display(description="Choices in effect")
    def choices_summary(self, profile: Profile) -> str:
        """What downstream systems get: the policy's answer, not the stored switch (R-PDS-1, R-PDS-2)."""
        return choices_in_effect(self._facts(profile))

    @admin.display(description="Current choices")
    def current_choices(self, profile: Profile) -> str:
        return _choices_table(selectors.profile_facts(profile=profile, account=profile.account), Scope.PROFILE)

    def save_model(self, request: HttpRequest, obj: Profile, form: forms.ModelForm, change: bool) -> None:
        """The kids flag goes through accounts.services (R-PDS-2: its effect on BA is audited)."""
        if "is_kids" in form.changed_data:
            account_services.profile_set_kids(profile=obj, is_kids=obj.is_kids, acting_user=request.user)  # type: ignore[arg-type]  # staff
        if "name" in form.changed_data:
            obj.save(update_fields=["name"])

    @admin.action(description="Opt out of all (selected profiles)", permissions=["change"])
    def opt_profiles_out_of_all(self, request: HttpRequest, queryset: QuerySet[Profile]) -> None:
        profiles = list(queryset.select_related("account"))
        if _refuse_staff_accounts(self, request, (profile.account for profile in profiles)):
            return
        changed = sum(services.profile_opt_out_of_all(profile=profile, actor=_actor(request)) for profile in profiles)
        self.message_user(
            request, f"Opted {queryset.count()} profile(s) out of all ({changed} changes).", messages.SUCCESS
        )
