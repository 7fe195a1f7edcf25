from contextlib import suppress

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from accounts import axes, browsers, reset
from accounts.models import Account, PhoneNumber, Profile
from accounts.normalize import normalize_email


class NormalizedEmailField(forms.EmailField):
    """An email field whose value is already normalised when the length and format checks run."""

    def to_python(self, value: object) -> str:
        return normalize_email(super().to_python(value))


class EmailAuthenticationForm(AuthenticationForm):
    # Normalised here so that authentication and the lock-out (accounts.axes) see the same identifier.
    username = NormalizedEmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Incorrect email or password. Check both and try again."),
        "busy": _("This email is already being signed in from here. Wait a moment and try again."),
    }

    def clean(self) -> dict[str, object]:
        """Django's check, one at a time per email and client (accounts.axes), so that attempts sent at once
        cannot get more passwords checked than the lock-out allows."""
        username = self.cleaned_data.get("username")
        if self.request is None or not username or not self.cleaned_data.get("password"):
            return super().clean()
        try:
            with axes.one_check_at_a_time(self.request, username):
                return super().clean()
        except axes.SignInBusy:
            raise forms.ValidationError(self.error_messages["busy"], code="busy") from None


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset by email, with the address normalised, throttled and sent by the task worker
    (accounts.reset): the page says the same, in the same time, whether a link was sent, refused or there is no
    such account."""

    email = NormalizedEmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def save(  # type: ignore[override]  # PasswordResetView passes keywords; this form needs only these
        self, *, request: HttpRequest, use_https: bool = False, domain_override: str | None = None, **kwargs: object
    ) -> None:
        email = self.cleaned_data["email"]
        domain = domain_override or get_current_site(request).domain
        with suppress(reset.Throttled):  # answered like any other request: the asker learns nothing
            reset.reset_link_request(
                email=email, requester=browsers.reset_requester(request, email), domain=domain, use_https=use_https
            )


class ChooseProfileForm(forms.Form):
    profile = forms.UUIDField()


class AddProfileForm(forms.ModelForm):
    """The new profile's name and kids flag, with the model fields' own normalising and checks;
    accounts.services.profile_create() writes the profile (its slot, its starting choices)."""

    class Meta:
        model = Profile
        fields = ["name", "is_kids"]
        labels = {"name": _("Name"), "is_kids": _("Kids profile")}
        help_texts = {"is_kids": _("Only titles for children, and never behavioral advertising.")}


class PasswordAgainForm(forms.Form):
    """Asks for the account's password again before a sensitive change (the phone number: R-SMS-2)."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("For your security, enter your password again."),
    )

    def __init__(self, *args, account: Account, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.account = account

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.account.check_password(password):
            raise forms.ValidationError(_("That password is not right. Nothing was changed."), code="wrong_password")
        return password


INVALID_PHONE_NUMBER = _("Enter a valid phone number with the country code, for example +1 415 555 0123.")


class AsciiPhoneNumberField(PhoneNumberField):
    """A phone number typed with ASCII digits: other scripts' digits (fullwidth, Arabic-Indic) are refused
    rather than silently read as a different-looking number. An invalid number is answered in the words of the
    help texts (the country code, their example), not with the library's national example."""

    def __init__(self, **kwargs):
        kwargs["error_messages"] = {"invalid": INVALID_PHONE_NUMBER, **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str) and not value.isascii():
            raise forms.ValidationError(_("Enter a valid phone number using the digits 0 to 9."), code="invalid")
        return super().to_python(value)


class PhoneForm(PasswordAgainForm):
    number = AsciiPhoneNumberField(
        label=_("Phone number"),
        help_text=_("With the country code, for example +1 415 555 0123."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        max_length=32,
    )
    field_order = ["number", "password"]

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
            _("Enter a number without an extension: text messages cannot reach an extension."),
            code="extension",
        )
    return number


class NewPasswordForm(SetPasswordForm):
    """Django's new-password form of a reset link, with the second field named as on the reset-by-text form
    ("New password again") and no help text repeating it."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        again = self.fields["new_password2"]
        again.label = _("New password again")
        again.help_text = ""


class ResetByTextForm(forms.Form):
    email = NormalizedEmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    number = AsciiPhoneNumberField(
        label=_("Phone number"),
        help_text=_("The number on your account, with the country code."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        max_length=32,
    )

    def clean_number(self):
        return refuse_extension(self.cleaned_data["number"])


ENTER_THE_CODE = _("Enter the 6 digits from the text message.")


class ResetCodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        max_length=6,
        min_length=6,
        error_messages={"min_length": ENTER_THE_CODE, "max_length": ENTER_THE_CODE},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    new_password1 = forms.CharField(
        label=_("New password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if not (code.isascii() and code.isdigit()):
            raise forms.ValidationError(ENTER_THE_CODE, code="invalid")
        return code

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("new_password1") and cleaned.get("new_password1") != cleaned.get("new_password2"):
            self.add_error("new_password2", _("The two passwords are not the same."))
        return cleaned
