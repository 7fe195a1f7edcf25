from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import selectors
from accounts.models import Profile
from consent import policy, services
from consent.choices import Source
from consent.forms import PrivacyChoicesForm

ACTIONS = ("save", "opt_out_all", "opt_all_profiles")
ALWAYS_ALLOWED_FIELDS = {"csrfmiddlewaretoken", "action"}


@login_required
@require_http_methods(["GET", "POST"])
def privacy_settings(request: HttpRequest, profile: str) -> HttpResponse:
    """Privacy and data settings for one profile of the signed-in account (R-PDS-1 to R-PDS-7)."""
    the_profile = selectors.profile_of_account(account=request.user, profile_id=profile)
    facts = the_profile.facts()
    form = PrivacyChoicesForm(choices=policy.choices_on_page(facts), initial=facts.stored())
    status = HTTPStatus.OK

    if request.method == "POST":
        action = request.POST.get("action", "save")
        unknown = set(request.POST) - ALWAYS_ALLOWED_FIELDS - set(form.fields)
        if action not in ACTIONS or unknown:
            return HttpResponseBadRequest("Unknown action or field.", content_type="text/plain")
        acting = {"acting_user": request.user, "jurisdiction": request.privacy.jurisdiction}

        if action == "save":
            form = PrivacyChoicesForm(request.POST, choices=policy.choices_on_page(facts))
            if form.is_valid():
                changed = services.profile_set_choices(
                    profile=the_profile, values=form.values(), source=Source.MEMBER, **acting
                )
                _saved_message(request, the_profile, changed)
                return redirect(the_profile)
            status = HTTPStatus.BAD_REQUEST
        elif action == "opt_out_all":
            services.profile_opt_out_of_all(profile=the_profile, **acting)
            messages.success(request, f"{the_profile.name} is opted out of all.")
            return redirect(the_profile)
        else:
            try:
                services.account_opt_all_profiles_out(account=request.user, from_profile=the_profile, **acting)
            except services.NotPrimaryProfile:
                messages.error(request, "Only the primary profile can opt all profiles out of all.")
                status = HTTPStatus.FORBIDDEN
            else:
                messages.success(
                    request,
                    "All profiles on your account are opted out of all. Profiles you add later will start opted out.",
                )
                return redirect(the_profile)

    return render(request, "consent/privacy.html", _page(the_profile, facts, form), status=status)


def _saved_message(request: HttpRequest, profile: Profile, changed: int) -> None:
    if changed:
        messages.success(request, f"Saved your privacy and data settings for {profile.name}.")
    else:
        messages.info(request, "Nothing changed: your settings were already like that.")


def _page(profile: Profile, facts: policy.ProfileFacts, form: PrivacyChoicesForm) -> dict[str, object]:
    return {
        "profile": profile,
        "account": profile.account,
        "form": form,
        "ba_shown": policy.behavioral_ads_shown(facts),
        "may_opt_all_profiles_out": policy.may_opt_all_profiles_out(facts),
    }
