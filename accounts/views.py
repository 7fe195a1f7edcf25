from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import selectors, services
from accounts.forms import AddProfileForm, ChooseProfileForm, EmailAuthenticationForm, PasswordAgainForm, PhoneForm
from accounts.http import MemberRequest
from accounts.models import MAX_PROFILES
from accounts.sessions import set_active_profile
from netflix_privacy.redirects import safe_local_path


class LoginView(auth_views.LoginView):
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profiles(request: MemberRequest) -> HttpResponse:
    """ "Who's watching?": choosing a profile makes it the session's active profile."""
    status = HTTPStatus.OK
    if request.method == "POST":
        form = ChooseProfileForm(request.POST)
        if form.is_valid():
            profile = selectors.profile_of_account(account=request.user, profile_id=form.cleaned_data["profile"])
            set_active_profile(request, profile)
            messages.success(request, f"You are watching as {profile.name}.")
            next_url = safe_local_path(request, request.POST.get("next"))
            # A plain redirect to the path: redirect() would try a non-path value as a URL name.
            return HttpResponseRedirect(next_url) if next_url else redirect("account")
        messages.error(request, "Choose one of your profiles.")
        status = HTTPStatus.BAD_REQUEST

    account_profiles = selectors.account_profiles(account=request.user)
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
    form = AddProfileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.profile_create(
                account=request.user,
                name=form.cleaned_data["name"],
                is_kids=form.cleaned_data["is_kids"],
                acting_user=request.user,
            )
        except services.ProfileLimitReached:
            form.add_error(None, f"An account can have at most {MAX_PROFILES} profiles.")
        else:
            messages.success(request, f"Added {profile.name}.")
            return redirect("profiles")
    status = 400 if form.errors else 200
    return render(request, "accounts/profile_add.html", {"form": form}, status=status)


@login_required
def account(request: MemberRequest) -> HttpResponse:
    """Account: Membership & Billing, and every profile with its Privacy and data settings link."""
    return render(
        request,
        "accounts/account.html",
        {
            "phone": selectors.account_phone(account=request.user),
            "profiles": selectors.account_profiles(account=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def phone(request: MemberRequest) -> HttpResponse:
    """Change phone number, or delete it (asked to confirm first). Both ask for the password again."""
    current = selectors.account_phone(account=request.user)
    form = PhoneForm(initial={"number": current.number if current else None}, account=request.user)
    delete_form = PasswordAgainForm(account=request.user)
    confirm_delete = "delete" in request.GET and current is not None
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "delete" and current is not None:
        delete_form = PasswordAgainForm(request.POST, account=request.user)
        confirm_delete = True
        if delete_form.is_valid():
            services.phone_delete(account=request.user, acting_user=request.user)
            messages.success(request, "Your phone number was deleted. We won't send you any text messages.")
            return redirect("account")
    elif action == "delete":
        return redirect("account")
    elif action == "change":
        form = PhoneForm(request.POST, account=request.user)
        if form.is_valid():
            changed = services.phone_set(account=request.user, number=form.cleaned_data["number"])
            messages.success(request, "Your phone number was saved." if changed else "That is already your number.")
            return redirect("account")
    elif action is not None:
        messages.error(request, "That request was not understood, so nothing was changed.")
    bad = bool(form.errors or delete_form.errors) or (action is not None and action not in {"change", "delete"})
    return render(
        request,
        "accounts/phone.html",
        {"form": form, "delete_form": delete_form, "phone": current, "confirm_delete": confirm_delete},
        status=HTTPStatus.BAD_REQUEST if bad else HTTPStatus.OK,
    )
