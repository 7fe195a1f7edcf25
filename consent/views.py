from http import HTTPStatus

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import selectors as account_selectors
from accounts.models import Account, Profile
from consent import policy, selectors, services
from consent.choices import REGISTRY, Choice, ChoiceSpec, Page, Source
from consent.forms import ChoicesForm
from consent.http import PrivacyRequest

ACTIONS = ("save", "opt_out_all", "opt_all_profiles")
ALWAYS_ALLOWED_FIELDS = {"csrfmiddlewaretoken", "action", "shown"}

STALE = (
    "Your plan or this profile changed since the page was shown, so nothing was saved. "
    "These are the current settings: check them and save again."
)
NOT_UNDERSTOOD = "That request was not understood, so nothing was changed."


@login_required
@require_http_methods(["GET", "POST"])
def privacy_settings(request: PrivacyRequest, profile: str) -> HttpResponse:
    """Privacy and data settings for one profile of the signed-in account (R-PDS-1 to R-PDS-7).

    Every answer is this page: a stale or malformed form re-renders it with a message and changes nothing.
    """
    the_profile = account_selectors.profile_of_account(account=request.user, profile_id=profile)
    facts = selectors.profile_facts(profile=the_profile, account=request.user)
    shown = policy.choices_on_page(facts, Page.PRIVACY)
    if request.method == "GET":
        return _render(request, the_profile, facts, ChoicesForm(choices=shown, initial=facts.values))

    actor = services.Actor(source=Source.MEMBER, acting_user=request.user, jurisdiction=request.privacy.jurisdiction)
    actions = request.POST.getlist("action") or ["save"]
    action = actions[0]
    posted = set(request.POST) - ALWAYS_ALLOWED_FIELDS
    shown_keys = {spec.key for spec in shown}
    # One form sends one action; two are a forged or broken request, never read as "the last one".
    if (
        len(actions) != 1
        or action not in ACTIONS
        or not posted <= {spec.key for spec in REGISTRY.on_page(Page.PRIVACY)}
    ):
        return _rerender(request, the_profile, facts, shown, NOT_UNDERSTOOD, HTTPStatus.BAD_REQUEST)
    if posted - shown_keys or ("shown" in request.POST and set(request.POST["shown"].split()) != shown_keys):
        return _rerender(request, the_profile, facts, shown, STALE, HTTPStatus.CONFLICT)

    if action == "save":
        form = ChoicesForm(request.POST, choices=shown)
        if not form.is_valid():
            return _render(request, the_profile, facts, form, status=HTTPStatus.BAD_REQUEST)
        try:
            changed = services.profile_set_choices(profile=the_profile, values=form.values(), actor=actor)
        except services.ChoiceNotAvailable:  # the plan or kids flag changed between reading and locking
            return _rerender_current(request, profile, STALE, HTTPStatus.CONFLICT)
        if changed:
            messages.success(request, f"Saved your privacy and data settings for {the_profile.name}.")
        else:
            messages.info(request, "Nothing changed: your settings were already like that.")
    elif action == "opt_out_all":
        if services.profile_opt_out_of_all(profile=the_profile, actor=actor.with_source(Source.OPT_OUT_ALL)):
            messages.success(request, f"{the_profile.name} is opted out of all.")
        else:
            messages.info(request, f"Nothing changed: {the_profile.name} was already opted out of all.")
    else:
        try:
            written = services.account_opt_all_profiles_out(
                account=request.user, from_profile=the_profile, actor=actor.with_source(Source.OPT_ALL_PROFILES)
            )
        except services.NotPrimaryProfile:
            messages.error(request, "Only the primary profile can opt all profiles out of all.")
            form = ChoicesForm(choices=shown, initial=facts.values)
            return _render(request, the_profile, facts, form, HTTPStatus.FORBIDDEN)
        if written:
            messages.success(
                request,
                "All profiles on your account are opted out of all. Profiles you add later will start opted out.",
            )
        else:
            messages.info(request, "Nothing changed: every profile was already opted out of all.")
    return redirect(the_profile)


def _rerender(
    request: HttpRequest,
    profile: Profile,
    facts: policy.ProfileFacts,
    shown: tuple[ChoiceSpec, ...],
    message: str,
    status: HTTPStatus,
) -> HttpResponse:
    messages.warning(request, message)
    return _render(request, profile, facts, ChoicesForm(choices=shown, initial=facts.values), status)


def _rerender_current(request: PrivacyRequest, profile_id: str, message: str, status: HTTPStatus) -> HttpResponse:
    """Re-render with the settings as they are now: the plan or kids flag read at the start of the request
    changed since, so the account and profile are read again (the page says "These are the current settings")."""
    account = Account.objects.get(pk=request.user.pk)
    the_profile = account_selectors.profile_of_account(account=account, profile_id=profile_id)
    facts = selectors.profile_facts(profile=the_profile, account=account)
    return _rerender(request, the_profile, facts, policy.choices_on_page(facts, Page.PRIVACY), message, status)


def _render(
    request: HttpRequest,
    profile: Profile,
    facts: policy.ProfileFacts,
    form: ChoicesForm,
    status: HTTPStatus = HTTPStatus.OK,
) -> HttpResponse:
    context = {
        "profile": profile,
        "account": profile.account,
        "form": form,
        "shown_keys": " ".join(form.fields),
        "ba_shown": policy.behavioral_ads_shown(facts),
        "may_opt_all_profiles_out": policy.may_opt_all_profiles_out(facts),
        "all_profiles_opted_out": facts.values[Choice.ALL_PROFILES_OPT_OUT],
    }
    return render(request, "consent/privacy.html", context, status=status)
