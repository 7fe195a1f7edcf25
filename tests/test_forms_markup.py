"""Form inputs on the project's pages are written from plain values (netflix_privacy.forms.input_values and
templates/includes/field.html) instead of rendering Django's widget templates per field. The markup must be the one
Django draws: for every field of every page form, unbound, with initial values and bound to any data, the page's
`input(field)` equals `str(bound_field)`. A page's empty form is drawn from rows kept per process (unbound_rows):
the same rows a form built for the request gives."""

import uuid
from typing import cast

import pytest
from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.template import engines
from django.template.backends.jinja2 import Jinja2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.forms import (
    AddProfileForm,
    ChooseProfileForm,
    EmailAuthenticationForm,
    PasswordAgainForm,
    PhoneForm,
    ResetByTextForm,
    ResetCodeForm,
    ThrottledPasswordResetForm,
)
from accounts.models import Account
from netflix_privacy.forms import FieldRow, input_values, unbound_rows

MACROS = '{% from "includes/field.html" import input, field_row %}'


def render(source: str, field: forms.BoundField) -> str:
    return cast(Jinja2, engines["jinja2"]).env.from_string(MACROS + source).render(field=field)


def page_input(field: forms.BoundField) -> str:
    return render("{{ input(field) }}", field)


def page_row(field: forms.BoundField) -> str:
    return render("{{ field_row(field) }}", field)


ACCOUNT = Account(email="member@example.com", password="!")  # never saved: the forms only check a password on it


def page_forms(data=None, initial=None) -> list[forms.BaseForm]:
    """One of each form the project's templates draw with field_row() or input()."""
    kwargs = {"data": data, "initial": initial}
    return [
        EmailAuthenticationForm(request=None, **kwargs),
        ThrottledPasswordResetForm(**kwargs),
        ChooseProfileForm(**kwargs),
        AddProfileForm(**kwargs),
        PasswordAgainForm(account=ACCOUNT, **kwargs),
        PhoneForm(account=ACCOUNT, **kwargs),
        ResetByTextForm(**kwargs),
        ResetCodeForm(**kwargs),
        SetPasswordForm(ACCOUNT, **kwargs),  # Django's own, on the password reset confirmation page
    ]


def assert_drawn_as_django_draws(form: forms.BaseForm) -> None:
    for name in form.fields:
        field = form[name]
        assert input_values(field) is not None, f"{type(form).__name__}.{name} should be a plain input"
        assert page_input(field) == str(field), f"{type(form).__name__}.{name}"


def test_every_page_form_field_is_drawn_as_django_draws_it_unbound_and_with_initial_values():
    for form in page_forms():
        assert_drawn_as_django_draws(form)
    initial = {
        "number": "+14155550123",
        "name": 'Sam "the <kid>"',
        "is_kids": True,
        "email": "a@example.com",
        "profile": uuid.uuid4(),
    }
    for form in page_forms(initial=initial):
        assert_drawn_as_django_draws(form)


def test_errors_mark_the_input_invalid_and_the_row_shows_them():
    form = PhoneForm(data={"number": "not a number", "password": "x"}, account=ACCOUNT)
    assert_drawn_as_django_draws(form)
    row = page_row(form["number"])
    assert 'aria-invalid="true"' in row
    assert 'class="field field-invalid"' in row
    assert 'value="not a number"' in row
    assert 'aria-describedby="id_number_helptext id_number_error"' in row
    assert 'value="x"' not in page_input(form["password"]), "a password is never written back"


def test_a_widget_that_is_not_a_plain_input_draws_itself():
    class Other(forms.Form):
        text = forms.CharField(widget=forms.Textarea)
        kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])

    form = Other(data={"text": "<b>", "kind": "b"})
    for name in form.fields:
        assert input_values(form[name]) is None
        assert page_input(form[name]) == str(form[name])


# Text from every Unicode category except surrogates, so that markup, quotes, controls and astral characters all
# reach the value attribute.
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@pytest.mark.django_db
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.dictionaries(
        st.sampled_from(
            [
                "username",
                "password",
                "email",
                "profile",
                "name",
                "is_kids",
                "number",
                "code",
                "new_password1",
                "new_password2",
            ]
        ),
        any_text,
    )
)
def test_any_submitted_data_is_drawn_as_django_draws_it(data):
    for form in page_forms(data=data):
        assert_drawn_as_django_draws(form)


@pytest.mark.parametrize(
    ("form_class", "initial"),
    [
        (PhoneForm, {"number": "+14155550123"}),
        (PhoneForm, {"number": None}),
        (PhoneForm, {"number": '"><script>'}),
        (PasswordAgainForm, {}),
        (AddProfileForm, {}),
    ],
)
def test_rows_kept_for_an_empty_form_draw_what_a_form_built_for_the_request_draws(form_class, initial):
    rows = unbound_rows(form_class, **initial)
    form = form_class(initial=initial, **({"account": ACCOUNT} if issubclass(form_class, PasswordAgainForm) else {}))
    assert list(rows) == list(form.fields)
    for name in form.fields:
        assert isinstance(rows[name], FieldRow)
        assert page_row(rows[name]) == page_row(form[name]), name
        assert page_input(rows[name]) == str(form[name]), name


def test_rows_are_kept_per_form_class_a_members_text_is_not_and_nothing_shared_can_be_changed():
    assert unbound_rows(PhoneForm) is unbound_rows(PhoneForm)
    mine = unbound_rows(PhoneForm, number="+14155550199")
    assert mine is not unbound_rows(PhoneForm, number="+14155550199"), "a copy per request"
    assert mine["number"].input is not None
    assert mine["number"].input["value"] == "+14155550199"
    assert unbound_rows(PhoneForm)["number"].input["value"] is None, "the kept rows never hold a member's number"
    assert mine["password"] is unbound_rows(PhoneForm)["password"]
    with pytest.raises(TypeError):
        mine["number"].input["attrs"]["required"] = False  # shared by every request: read-only
    with pytest.raises(ValueError, match="not a text input"):
        unbound_rows(AddProfileForm, is_kids="on")


def test_a_password_form_built_without_an_account_accepts_no_password():
    form = PasswordAgainForm(data={"password": "anything"})
    assert not form.is_valid()
    assert "password" in form.errors
