"""The libraries' own admin pages (sign-in lock-outs, the task queue), registered again with the project's bounded
inputs (common.admin_inputs), so that no admin page answers an out-of-range filter with a 500. They are registered
before this module runs: INSTALLED_APPS lists axes and django_tasks_db before common."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from common.admin_inputs import BoundedInputsMixin


class BoundedAccessAttemptAdmin(BoundedInputsMixin, AccessAttemptAdmin):
    pass


class BoundedAccessLogAdmin(BoundedInputsMixin, AccessLogAdmin):
    pass


class BoundedAccessFailureLogAdmin(BoundedInputsMixin, AccessFailureLogAdmin):
    pass


class BoundedDBTaskResultAdmin(BoundedInputsMixin, DBTaskResultAdmin):
    pass


for model, model_admin in (
    (AccessAttempt, BoundedAccessAttemptAdmin),
    (AccessLog, BoundedAccessLogAdmin),
    (AccessFailureLog, BoundedAccessFailureLogAdmin),
    (DBTaskResult, BoundedDBTaskResultAdmin),
):
    if admin.site.is_registered(model):  # axes registers its pages only with AXES_ENABLE_ADMIN
        admin.site.unregister(model)
        admin.site.register(model, model_admin)
