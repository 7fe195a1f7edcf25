"""Where the signal is honoured, where cookies need opt-in, and the cookies the site sets: data staff edit, which
every process reads afresh once a change commits (consent.selectors.rules_changed)."""

from django.contrib import admin

from common.admin_inputs import BoundedInputsMixin
from consent.models import Cookie, Jurisdiction


@admin.register(Jurisdiction)
class JurisdictionAdmin(BoundedInputsMixin, admin.ModelAdmin):
    """R-GPC-9, R-CK-2: where the signal is honoured and cookies need opt-in, from when, and why."""

    list_display = ["code", "name", "honours_signal_from", "cookie_opt_in_from", "source"]
    list_filter = [
        ("honours_signal_from", admin.EmptyFieldListFilter),
        ("cookie_opt_in_from", admin.EmptyFieldListFilter),
    ]
    search_fields = ["code", "name", "source"]
    ordering = ["code"]


@admin.register(Cookie)
class CookieAdmin(BoundedInputsMixin, admin.ModelAdmin):
    """R-CK-1: the cookies the site uses, shown by the cookie choice tool and read by enforcement."""

    list_display = ["name", "category", "purpose", "lifetime"]
    list_filter = ["category"]
    search_fields = ["name", "purpose"]
