from django import forms
from django.contrib.auth.forms import AuthenticationForm
from phonenumber_field.formfields import PhoneNumberField

from accounts.models import Profile


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
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
