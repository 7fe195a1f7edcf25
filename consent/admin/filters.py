"""List filters of the support console, built from the registry: a choice's current value (defaults included),
and events by choice and source."""

from collections.abc import Iterable

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils.functional import lazy

from consent.choices import REGISTRY, ChoiceSpec, Source
from consent.models import ChoiceValue


def _value_is(spec: ChoiceSpec, value: bool, *, profile_ref: str | None) -> Exists | Q:
    """Subjects whose current value of `spec` is `value`: a row saying so, or no row and the default."""
    rows = ChoiceValue.objects.filter(choice=spec.key)
    rows = (
        rows.filter(profile=OuterRef(profile_ref)) if profile_ref else rows.filter(account=OuterRef("pk"), profile=None)
    )
    matching, any_row = Exists(rows.filter(value=value)), Exists(rows)
    return matching | ~any_row if spec.default == value else matching


def choice_filter(spec: ChoiceSpec, *, profile_ref: str | None) -> type[admin.SimpleListFilter]:
    """A list filter "<choice>: on / off" for one registered choice, defaults included."""

    class ChoiceFilter(admin.SimpleListFilter):
        title = lazy(lambda: spec.short_label, str)()  # in the staff member's language, read per request
        parameter_name = f"choice_{spec.key}"

        def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> Iterable[tuple[str, str]]:
            return [("on", "On"), ("off", "Off")]

        def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
            if self.value() not in {"on", "off"}:
                return queryset
            return queryset.filter(_value_is(spec, self.value() == "on", profile_ref=profile_ref))

    return ChoiceFilter


class _KeyFilter(admin.SimpleListFilter):
    """Filter events by a field whose values are Python-side names (registry keys, sources)."""

    options: tuple[tuple[str, str], ...] = ()

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> Iterable[tuple[str, str]]:
        return self.options

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        value = self.value()
        return queryset.filter(**{str(self.parameter_name): value}) if value else queryset


class EventChoiceFilter(_KeyFilter):
    """Every registered choice by its short label, which names the page where two labels alike would be
    ambiguous ("Surveys (email)", "Surveys (text)")."""

    title = "choice"
    parameter_name = "choice"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> Iterable[tuple[str, str]]:
        return [(spec.key, spec.short_label) for spec in REGISTRY]


class EventSourceFilter(_KeyFilter):
    title = "source"
    parameter_name = "source"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> Iterable[tuple[str, str]]:
        return [(source.value, source.label) for source in Source]  # in the staff member's language
