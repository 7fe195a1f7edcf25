from django import forms
from django.contrib.auth.forms import AuthenticationForm
from phonenumber_field.formfields import PhoneNumberField

from accounts.models import PhoneNumber, Profile
from accounts.normalize import normalize_email


class NormalizedEmailField(forms.EmailField):
    """An email field whose value is already normalised when the length and format checks run."""

    def to_python(self, value: object) -> str:
        return normalize_email(super().to_python(value))


class EmailAuthenticationForm(AuthenticationForm):
    # Normalised here so that authentication and the lock-out (accounts.axes) see the same identifier.
    username = NormalizedEmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Incorrect email or password. Check both and try again.",
    }


class ChooseProfileForm(forms.Form):
    profile = forms.UUIDField()


class AddProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["name", "is_kids"]
        labels = {"name": "Name", "is_kids": "Kids profile"}
        help_texts = {"is_kids": "Only titles for children, and never behavioral advertising."}


class PhoneForm(forms.Form):
    number = PhoneNumberField(
        label="Phone number",
        help_text="With the country code, for example +1 415 555 0123.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_number(self):
        return refuse_extension(self.cleaned_data["number"])


class PhoneNumberAdminForm(forms.ModelForm):
    """The admin's phone inline: the same rules as the member's phone page."""

    class Meta:
        model = PhoneNumber
        fields = ["number"]

    def clean_number(self):
        return refuse_extension(self.cleaned_data["number"])


def refuse_extension(number):
    # E.164 has no extension: storing the number would silently drop it, and texts cannot reach one.
    if number and number.extension:
        raise forms.ValidationError(
            "Enter a number without an extension: text messages cannot reach an extension.",
            code="extension",
        )
    return number
