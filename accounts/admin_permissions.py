"""Who may do what in the support admin, kept apart from what the admin pages show.

- An action runs only for a user who is offered it (each declares the permission it needs); posting one that
  is not offered is refused with 403 rather than quietly ignored.
- Only superusers change privileges (staff status, superuser status, groups, permissions), and nobody changes
  their own; only superusers change or delete the accounts of staff, their profiles included, whether through a
  change form or a bulk action.
- Groups are privileges too (a group's permissions are its members' permissions): only superusers add, change
  or delete one, else any staff user with change_group could give their own group every permission.
- Changing the email address an account signs in with needs its own permission, accounts.change_account_email
  (whoever controls the address can take the account with a password reset): without it the field is read-only
  and a posted address is ignored. So does adding, replacing or deleting its phone number (whoever holds it can
  reset the password by text), accounts.change_account_phone: without it the phone is shown, not editable.
- Members' email addresses are shown only to staff who may view accounts: staff who work on profiles alone see
  an account as "Account #42" in every list, search, filter and form.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.models import Account

PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")
EMAIL_PERMISSION = "accounts.change_account_email"
PHONE_PERMISSION = "accounts.change_account_phone"
# On one's own account also the active flag: staff cannot lock themselves out or back in.
OWN_ACCOUNT_FIELDS = (*PRIVILEGE_FIELDS, "is_active")


def may_see_emails(user: object) -> bool:
    """Whether `user` may see members' email addresses: staff who may view (or change) accounts."""
    has_perm = getattr(user, "has_perm", None)
    return bool(has_perm and (has_perm("accounts.view_account") or has_perm("accounts.change_account")))


def may_change_account(user: object, account: Account) -> bool:
    """Whether `user` may change `account` (or its profiles): superusers any, others only non-staff accounts
    and their own."""
    if getattr(user, "is_superuser", False) or account.pk == getattr(user, "pk", None):
        return True
    return not (account.is_staff or account.is_superuser)


class ActionPermissionMixin:
    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.method == "POST":
            offered = self.get_actions(request)  # type: ignore[attr-defined]  # a ModelAdmin mixin
            if any(name and name not in offered for name in request.POST.getlist("action")):
                raise PermissionDenied
        return super().changelist_view(request, extra_context)  # type: ignore[misc]  # a ModelAdmin mixin


class StaffPrivilegesMixin:
    def get_readonly_fields(self, request: HttpRequest, obj: Account | None = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]  # a ModelAdmin mixin
        if obj is not None and obj.pk == request.user.pk:
            protected: tuple[str, ...] = OWN_ACCOUNT_FIELDS
        elif not request.user.is_superuser:
            protected = PRIVILEGE_FIELDS
        else:
            protected = ()
        if not request.user.has_perm(EMAIL_PERMISSION):
            protected = (*protected, "email")
        return readonly + [name for name in protected if name not in readonly]

    def _may_touch(self, request: HttpRequest, obj: Account | None) -> bool:
        return obj is None or may_change_account(request.user, obj)

    def has_change_permission(self, request: HttpRequest, obj: Account | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)  # type: ignore[misc]  # a ModelAdmin mixin
        return allowed and self._may_touch(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Account | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)  # type: ignore[misc]  # a ModelAdmin mixin
        return allowed and self._may_touch(request, obj)


class SuperuserOnlyMixin:
    """Adding, changing and deleting are for superusers only (viewing follows the usual view permission)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        allowed = super().has_add_permission(request)  # type: ignore[misc]  # a ModelAdmin mixin
        return request.user.is_superuser and allowed

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)  # type: ignore[misc]  # a ModelAdmin mixin
        return request.user.is_superuser and allowed

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        allowed = super().has_delete_permission(request, obj)  # type: ignore[misc]  # a ModelAdmin mixin
        return request.user.is_superuser and allowed
