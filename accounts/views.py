from http import HTTPStatus

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import i18n
from django.views.decorators.http import require_http_methods, require_POST

from accounts import browsers, languages, reset, selectors, services
from accounts.forms import (
    AddProfileForm,
    ChooseProfileForm,
    EmailAuthenticationForm,
    PasswordAgainForm,
    PhoneForm,
    ResetByTextForm,
    ResetCodeForm,
)
from accounts.http import MemberRequest
from accounts.models import MAX_PROFILES
from accounts.sessions import set_active_profile
from common.http import client_ip
from common.redirects import safe_local_path


class LoginView(auth_views.LoginView):
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        browsers.remember(self.request, response, form.get_user().email)
        languages.remember(form.get_user(), translation.get_language())
        return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language chooser (a form, no JavaScript): Django's set_language keeps the choice in its cookie and
    goes back to `next`; a signed-in member's emails and texts follow it from now on. Like every form's `next`,
    only a path on this site (common.redirects): Django's check also lets a relative "privacy" through, which from
    /language/ is a page that does not exist. And only a language the chooser offers: Django keeps any language it
    has a catalog of ("sk"), which this site would then ignore."""
    response = i18n.set_language(request)
    if response.has_header("Location") and safe_local_path(request, response["Location"]) is None:
        response["Location"] = "/"
    chosen = request.POST.get("language")
    if not languages.offered(chosen):
        response.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    elif request.user.is_authenticated:
        languages.remember(request.user, chosen)
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profiles(request: MemberRequest) -> HttpResponse:
    """ "Who's watching?": choosing a profile makes it the session's active profile."""
    status = HTTPStatus.OK
    if request.method == "POST":
        form = ChooseProfileForm(request.POST)
        if form.is_valid():
            profile = request.member.profile(form.cleaned_data["profile"])
            set_active_profile(request, profile)
            messages.success(request, _("You are watching as %(name)s.") % {"name": profile.name})
            next_url = safe_local_path(request, request.POST.get("next"))
            # A plain redirect to the path: redirect() would try a non-path value as a URL name.
            return HttpResponseRedirect(next_url) if next_url else redirect("account")
        messages.error(request, _("Choose one of your profiles."))
        status = HTTPStatus.BAD_REQUEST

    account_profiles = request.member.profiles
    return render(
        request,
        "accounts/profiles.html",
        {
            "profiles": account_profiles,
            "can_add": len(account_profiles) < MAX_PROFILES,
            "next": safe_local_path(request, request.GET.get("next")) or "",
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_add(request: MemberRequest) -> HttpResponse:
    form = AddProfileForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            profile = services.profile_create(
                account=request.user,
                name=form.cleaned_data["name"],
                is_kids=form.cleaned_data["is_kids"],
                acting_user=request.user,
            )
        except services.ProfileLimitReached:
            form.add_error(None, _("An account can have at most %(limit)d profiles.") % {"limit": MAX_PROFILES})
        else:
            messages.success(request, _("Added %(name)s.") % {"name": profile.name})
            return redirect("profiles")
    status = HTTPStatus.BAD_REQUEST if form.errors else HTTPStatus.OK
    return render(request, "accounts/profile_add.html", {"form": form}, status=status)


@login_required
def account(request: MemberRequest) -> HttpResponse:
    """Account: Membership & Billing, and every profile with its Privacy and data settings link."""
    return render(
        request,
        "accounts/account.html",
        {
            "phone": selectors.account_phone(account=request.user),
            "profiles": request.member.profiles,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def phone(request: MemberRequest) -> HttpResponse:
    """Change phone number, or delete it (asked to confirm first). Both ask for the password again."""
    current = selectors.account_phone(account=request.user)
    form = PhoneForm(account=request.user, initial={"number": current.number if current else None})
    delete_form = PasswordAgainForm(account=request.user)
    confirm_delete = "delete" in request.GET and current is not None
    action = request.POST.get("action") if request.method == "POST" else None
    status = HTTPStatus.OK
    if action == "delete" and current is not None:
        delete_form = PasswordAgainForm(request.POST, account=request.user)
        confirm_delete = True
        if delete_form.is_valid():
            services.phone_delete(account=request.user, acting_user=request.user)
            messages.success(request, _("Your phone number was deleted. We won't send you any text messages."))
            return redirect("account")
        status = HTTPStatus.BAD_REQUEST
    elif action == "delete":
        return redirect("account")
    elif action == "change":
        form = PhoneForm(request.POST, account=request.user)
        if form.is_valid():
            changed = services.phone_set(account=request.user, number=form.cleaned_data["number"])
            messages.success(
                request, _("Your phone number was saved.") if changed else _("That is already your number.")
            )
            return redirect("account")
        status = HTTPStatus.BAD_REQUEST
    elif action is not None:
        messages.error(request, _("That request was not understood, so nothing was changed."))
        status = HTTPStatus.BAD_REQUEST
    context = {"form": form, "delete_form": delete_form, "phone": current, "confirm_delete": confirm_delete}
    return render(request, "accounts/phone.html", context, status=status)


RESET_SESSION_KEY = "reset_text"
CODE_FAILED = gettext_lazy(
    "That code did not work: it is wrong, has expired or was tried too often. Ask for a new code."
)


def code_sent() -> str:
    """What the asker is told after asking for a code, whether or not one was sent."""
    minutes = settings.PASSWORD_RESET_CODE_MINUTES
    return ngettext(
        "If the email address and phone number belong to an account, we sent a 6-digit code to that phone. "
        "It is valid for %(minutes)d minute.",
        "If the email address and phone number belong to an account, we sent a 6-digit code to that phone. "
        "It is valid for %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


@require_http_methods(["GET", "HEAD", "POST"])
def password_reset_text(request: HttpRequest) -> HttpResponse:
    """Ask for a reset code by text. The answer is the same whether or not an account matches."""
    form = ResetByTextForm(request.POST or None)
    status = HTTPStatus.OK
    if request.method == "POST":
        if form.is_valid():
            try:
                email = form.cleaned_data["email"]
                reset_id = reset.reset_text_request(
                    email=email,
                    number=str(form.cleaned_data["number"]),
                    requester=browsers.reset_requester(request, email),
                )
            except reset.Throttled:
                messages.error(request, _("Too many codes were asked for. Wait an hour, or reset by email."))
                status = HTTPStatus.TOO_MANY_REQUESTS
            else:
                request.session[RESET_SESSION_KEY] = str(reset_id)
                messages.info(request, code_sent())
                return redirect("password_reset_text_code")
        else:
            status = HTTPStatus.BAD_REQUEST
    return render(request, "registration/password_reset_text.html", {"form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def password_reset_text_code(request: HttpRequest) -> HttpResponse:
    """Enter the code and a new password."""
    reset_id = request.session.get(RESET_SESSION_KEY)
    if not reset_id:
        return redirect("password_reset_text")
    form = ResetCodeForm(request.POST or None)
    status = HTTPStatus.OK
    if request.method == "POST":
        status = HTTPStatus.BAD_REQUEST
        if form.is_valid():
            try:
                reset.reset_text_complete(
                    reset_id=reset_id,
                    code=form.cleaned_data["code"],
                    password=form.cleaned_data["new_password1"],
                    requester=reset.Requester(address=client_ip(request)),
                )
            except reset.InvalidCode:
                form.add_error("code", CODE_FAILED)
            except ValidationError as error:
                form.add_error("new_password1", error)
            else:
                del request.session[RESET_SESSION_KEY]
                messages.success(request, _("Your password was changed. Sign in with the new one."))
                return redirect("login")
    return render(request, "registration/password_reset_text_code.html", {"form": form}, status=status)
