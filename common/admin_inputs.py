"""Admin inputs that no row can match, refused the way the admin refuses any malformed input, on every database.

An integer beyond what a column holds (`?id__in=9223372036854775808`, `groups=9223372036854775808`) made SQLite's
driver raise OverflowError, a 500, where PostgreSQL compares it as a numeric; a year beyond what a date holds
raised while the query was built. So, before any query:

- a changelist filter with such a value gets the admin's "invalid filter" answer (IncorrectLookupParameters:
  a redirect to `?e=1`), whatever its lookup (`exact`, `in`, `gt`, ..., a date part such as `year`), and so
  does a filter value with a null character, which PostgreSQL refuses in any text;
- a form's choice of related objects (a many-to-many field) gets a form error, the one it gets for an object that
  does not exist;
- an action posted for a selection that cannot exist changes nothing and says so.

The bounds are the model fields' own validators (Django's IntegerField validates against the range of the
database's column type), so they follow the database in use.
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import MAXYEAR, MINYEAR
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

# Lookups that compare the field's value with the one given (`in` with each of a comma-separated list).
_COMPARISONS = {"exact", "iexact", "gt", "gte", "lt", "lte", "in"}
# Date parts a changelist can filter on: integers. Years are bounded by what a Python date holds (Django turns a
# year lookup into a range of dates); the others by what any database's integer holds.
_YEARS = (MinValueValidator(MINYEAR), MaxValueValidator(MAXYEAR))
_INTEGERS = (MinValueValidator(-(2**31)), MaxValueValidator(2**31 - 1))
_DATE_PARTS = {
    "year": _YEARS,
    "iso_year": _YEARS,
    **dict.fromkeys(
        ("quarter", "month", "week", "day", "week_day", "iso_week_day", "hour", "minute", "second"), _INTEGERS
    ),
}


def _compared_field(model: type[models.Model], lookup: str) -> tuple[Any, list[str]]:
    """The model field a lookup such as `account__id__in` compares its value with, and the lookup's remaining
    parts (["in"]). Ending on a relation (`account`, `groups__in`) compares with the related object's primary key.
    (None, []) for a parameter that names no field (a custom list filter's own parameter)."""
    parts = lookup.split(LOOKUP_SEP)
    for index, part in enumerate(parts):
        try:
            field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        except FieldDoesNotExist:
            return (model._meta.pk, parts[index:]) if index else (None, [])
        if not field.is_relation:
            return field, parts[index + 1 :]
        if field.related_model is None:  # a generic relation: nothing to bound
            return None, []
        model = field.related_model
    return model._meta.pk, []


def _integer_check(field: Any, rest: list[str]) -> tuple[Callable[[Any], Any], Sequence[Callable], list[str]] | None:
    """How to read and bound the values of a lookup on `field`, and the lookup left after a date part; None when
    its values are not integers."""
    if isinstance(field, models.DateField) and rest and rest[0] in _DATE_PARTS:
        return int, _DATE_PARTS[rest[0]], rest[1:]
    if isinstance(field, models.IntegerField):  # AutoField and BigAutoField included
        return field.to_python, field.validators, rest
    return None


def _read(to_python: Callable[[Any], Any], validators: Iterable[Callable], value: object) -> None:
    """Read `value` as the field would and check it against the field's bounds (raises if it is outside)."""
    number = to_python(value)
    for validator in validators:
        validator(number)


def refuse_unmatchable_lookup(model: type[models.Model], lookup: str, values: Iterable[str]) -> None:
    """Raise IncorrectLookupParameters if a changelist lookup compares an integer with a value beyond its range
    (or no integer at all): no row can match it, and a database may refuse to run the query."""
    check = _integer_check(*_compared_field(model, lookup))
    if check is None:
        return
    to_python, validators, rest = check
    if len(rest) > 1 or (rest and rest[0] not in _COMPARISONS):
        return  # isnull, range, a transform of a transform: Django checks those itself
    each = [part for value in values for part in (value.split(",") if rest == ["in"] else [value])]
    try:
        for value in each:
            _read(to_python, validators, value)
    except (TypeError, ValueError, ValidationError) as error:
        raise IncorrectLookupParameters(error) from error


class BoundedChangeList(ChangeList):
    """A changelist whose filters with values no row can match are malformed filters, answered with the admin's
    "invalid filter" redirect rather than a query the database may refuse."""

    def get_filters(self, request: HttpRequest):
        for lookup, values in self.get_filters_params().items():
            if any("\x00" in value for value in values):
                # No text can hold a NUL on PostgreSQL, which refuses the query (Django's forms refuse it too).
                raise IncorrectLookupParameters(f"{lookup}: a null character")
            refuse_unmatchable_lookup(self.model, lookup, values)
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            # The date hierarchy's "to" date of the last year or month a date holds (9999-12 plus a month).
            raise IncorrectLookupParameters(error) from error


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A choice of related objects by primary key in which a key beyond its column's range is "not one of the
    available choices", as for a key of no object, before the database is asked about it."""

    def clean(self, value: Any) -> Any:
        queryset = self.queryset
        key = queryset.model._meta.pk if queryset is not None and self.to_field_name is None else None
        if isinstance(key, models.IntegerField) and isinstance(value, list | tuple):
            for each in value:
                try:
                    _read(key.to_python, key.validators, each)
                except (TypeError, ValueError, ValidationError):
                    raise ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": each}
                    ) from None
        return super().clean(value)


def selection_is_possible(model: type[models.Model], selected: Iterable[str]) -> bool:
    """Whether every value of an action's selection could be the primary key of a row of `model`."""
    key = model._meta.pk
    try:
        for value in selected:
            _read(key.to_python, key.validators, value)
    except (TypeError, ValueError, ValidationError):
        return False
    return True


class BoundedInputsMixin:
    """For every ModelAdmin: its changelist filters, many-to-many form fields and action selections refuse values
    no row can match, before any query (see the module's docstring)."""

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return BoundedChangeList

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField, request: HttpRequest | None = None, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField | None:
        kwargs.setdefault("form_class", BoundedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]  # a ModelAdmin mixin

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME) if request.method == "POST" else []
        if not selection_is_possible(self.model, selected):  # type: ignore[attr-defined]  # a ModelAdmin mixin
            message = "Nothing was changed: the selection names items that do not exist."
            self.message_user(request, message, messages.ERROR)  # type: ignore[attr-defined]  # a ModelAdmin mixin
            return HttpResponseRedirect(request.get_full_path())
        return super().changelist_view(request, extra_context)  # type: ignore[misc]  # a ModelAdmin mixin
