"""Groups in the admin: privileges, so only superusers change them (accounts.admin_permissions).

Accounts and profiles are registered in consent/admin/accounts.py (the support console shows their choices).
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group

from accounts.admin_permissions import SuperuserOnlyMixin
from common.admin_inputs import BoundedInputsMixin

admin.site.unregister(Group)


@admin.register(Group)
class PrivilegeGroupAdmin(SuperuserOnlyMixin, BoundedInputsMixin, GroupAdmin):
    pass
